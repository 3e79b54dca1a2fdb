/**
 * Startup: process spawn to the CLI's ready line, and to the first answered request; and the
 * in-process fixture's MiniKafka.start() to ready. Medians of N runs with min and max.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiniKafka } from '../src/index.js';
import { WireClient } from '../test/helpers/wire-client.js';
import { MetadataApi } from '../src/protocol/messages/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../cli.mjs');

export interface Stat {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function stat(name: string, unit: string, xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { name, unit, median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** Spawns the CLI; resolves with ms to the ready line and ms to the first Metadata answer. */
async function cliStartOnce(): Promise<{ ready: number; firstMetadata: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const i = out.indexOf('\n');
        if (i >= 0) resolve(out.slice(0, i));
      });
      child.once('exit', (code) => reject(new Error(`minikafka exited with ${code} before ready`)));
    });
    const ready = performance.now() - t0;
    const { bootstrapServers } = JSON.parse(line) as { bootstrapServers: string };
    const c = await WireClient.connect(bootstrapServers);
    await c.request(MetadataApi, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const firstMetadata = performance.now() - t0;
    c.close();
    return { ready, firstMetadata };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function runStartupBench(runs = 10): Promise<Stat[]> {
  const ready: number[] = [];
  const meta: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await cliStartOnce();
    ready.push(r.ready);
    meta.push(r.firstMetadata);
  }
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const k = await MiniKafka.start();
    inProcess.push(performance.now() - t0);
    await k.stop();
  }
  return [
    stat('cli start -> ready line', 'ms', ready),
    stat('cli start -> first Metadata response', 'ms', meta),
    stat('MiniKafka.start() in process', 'ms', inProcess),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const s of await runStartupBench(Number(process.argv[2] ?? 10))) {
    console.log(`${s.name}: median ${s.median.toFixed(1)} ${s.unit} (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, ${s.runs} runs)`);
  }
}
