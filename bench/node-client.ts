/**
 * Runs bench/node/load-client.mjs (@platformatic/kafka from test/interop/node) in a process of its
 * own, so the client's CPU and memory are never counted as the harness's or the broker's.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './brokers.js';

const script = join(repoRoot, 'bench/node/load-client.mjs');

export interface NodeRate {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly mibPerSec: number;
  /** consume only: consume() to the first record, the group join. */
  readonly joinMs?: number;
}

/** Installs the Node client on a clean clone (test/interop/setup.sh node: npm ci there), or fails loudly. */
export function checkNodeClient(): void {
  const installed = () => existsSync(join(repoRoot, 'test/interop/node/node_modules/@platformatic/kafka'));
  if (installed()) return;
  execFileSync('bash', [join(repoRoot, 'test/interop/setup.sh'), 'node'], { stdio: 'inherit' });
  if (!installed()) throw new Error('the Node client is still missing after `bash test/interop/setup.sh node`');
}

function flags(o: Record<string, string | number>): string[] {
  return Object.entries(o).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

interface Client {
  readonly child: ChildProcessWithoutNullStreams;
  readonly result: Promise<NodeRate>;
  /** Resolves at the first stdout line containing `text`; rejects if the client exits first. */
  readonly lineWith: (text: string) => Promise<void>;
}

function spawnClient(mode: string, o: Record<string, string | number>, signal: AbortSignal | undefined): Client {
  const child = spawn(process.execPath, [script, mode, ...flags(o)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  child.once('exit', () => signal?.removeEventListener('abort', onAbort));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-10_000)));
  const rl = createInterface({ input: child.stdout });
  const seen: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  rl.on('line', (l) => {
    seen.push(l);
    for (const w of waiters.filter((x) => l.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const result = new Promise<NodeRate>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      if (signal?.aborted) return reject(signal.reason);
      if (code !== 0) return reject(new Error(`Node client ${mode} exited with ${sig ?? `code ${code}`}: ${stderr.trim()}`));
      const last = seen[seen.length - 1];
      if (!last) return reject(new Error(`Node client ${mode} printed no result`));
      resolve(JSON.parse(last) as NodeRate);
    });
  });
  const lineWith = (text: string) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ text, resolve });
      result.then(() => reject(new Error(`Node client ${mode} exited before printing ${text}`)), reject);
    });
  return { child, result, lineWith };
}

export function nodeProduce(
  o: { bootstrap: string; topic: string; partitions: number; records: number; payloadFile: string; compression: 'none' | 'lz4'; signal?: AbortSignal },
): Promise<NodeRate> {
  return spawnClient('produce', {
    bootstrap: o.bootstrap, topic: o.topic, partitions: o.partitions, records: o.records, 'payload-file': o.payloadFile, compression: o.compression,
  }, o.signal).result;
}

export async function nodeConsume(o: { bootstrap: string; topic: string; records: number; signal?: AbortSignal }): Promise<NodeRate> {
  const r = await spawnClient('consume', { bootstrap: o.bootstrap, topic: o.topic, records: o.records }, o.signal).result;
  if (r.records < o.records) throw new Error(`Node client read ${r.records} of ${o.records} records`);
  return r;
}

/**
 * Opens `connections` producers and waits; `whileIdle` runs with them connected and idle, then they
 * produce `records` records spread over every partition.
 */
export async function nodeScale(
  o: { bootstrap: string; topicPrefix: string; topics: number; partitions: number; connections: number; records: number; payloadFile: string; signal?: AbortSignal },
  whileIdle: () => Promise<void>,
): Promise<NodeRate> {
  const { child, result, lineWith } = spawnClient('scale', {
    bootstrap: o.bootstrap, 'topic-prefix': o.topicPrefix, topics: o.topics, partitions: o.partitions,
    connections: o.connections, records: o.records, 'payload-file': o.payloadFile,
  }, o.signal);
  result.catch(() => {}); // awaited below
  await lineWith('"connected"');
  try {
    await whileIdle();
  } finally {
    child.stdin.end('go\n');
  }
  return result;
}
