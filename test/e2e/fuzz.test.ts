// A seeded fuzz pass over every API key and version the broker advertises (issue 16), bounded in
// time (FUZZ_SECONDS, default 40 s of fuzzing; the whole test stays under a minute): valid
// requests built from the message schemas, the same with bytes flipped, truncated bodies, huge
// length prefixes, unknown versions and garbage. The broker runs as a child process and must
// not crash, must keep answering a Metadata request on another connection throughout (no hang),
// and its RSS must stay bounded. FUZZ_SEED replays a run. A long run by count instead of time:
//   FUZZ_FRAMES=10000000 FUZZ_WORKERS=12 npx tap --timeout 0 dist/test/e2e/fuzz.test.js
// (FUZZ_WORKERS: connections fuzzing at once; each lingers 20-170 ms for its answers, which is
// what bounds the rate, so more workers send more frames per second).
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireClient } from '../helpers/wire-client.js';
import * as messages from '../../src/protocol/messages/index.js';
import { ApiVersionsApi, MetadataApi, apiByKey, requestHeaderVersion, writeRequestHeader } from '../../src/protocol/messages/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { prng, sampleMessage, schemas } from '../unit/protocol/sample-values.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const MIB = 1024 * 1024;
const FUZZ_MS = Number(process.env['FUZZ_SECONDS'] ?? 40) * 1000;
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261202);
const FRAMES = Number(process.env['FUZZ_FRAMES'] ?? 0);
const WORKERS = Number(process.env['FUZZ_WORKERS'] ?? 3);
// A Metadata answer slower than this is a hang. Generous: the machine runs at load 10-20 and the
// fuzzer itself shares it; a stalled event loop shows up as tens of seconds, not a few.
const PROBE_DEADLINE_MS = 10_000;

type WriteFn = (w: Writer, v: number, m: unknown) => void;
const codecs = messages as unknown as Record<string, WriteFn>;

function startBroker(): Promise<{ child: ChildProcess; bootstrap: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'start', '--port', '0', '--json', '--log-level', 'error', '--max-memory', '64m', '--topic', 'fuzz:2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const ready = JSON.parse(out.slice(0, nl)) as { bootstrapServers: string; pid: number };
        resolve({ child, bootstrap: ready.bootstrapServers, pid: ready.pid });
      }
    });
    child.stderr!.resume();
    child.once('error', reject);
  });
}

function rss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

interface Target {
  readonly apiKey: number;
  readonly version: number;
  readonly write: WriteFn;
  readonly schema: (typeof schemas)[number];
}

function frameOf(target: Target, seed: number, correlationId: number): Buffer {
  const w = new Writer();
  const setSize = w.reserveInt32();
  writeRequestHeader(w, requestHeaderVersion(apiByKey.get(target.apiKey)!, target.version), { requestApiKey: target.apiKey, requestApiVersion: target.version, correlationId, clientId: 'fuzz' });
  target.write(w, target.version, sampleMessage(target.schema, target.version, seed));
  setSize(w.length - 4);
  return w.toBuffer();
}

/** One fuzzed frame; `last` when nothing may follow it on the connection (a huge length). */
function fuzzedFrame(targets: readonly Target[], rnd: () => number, correlationId: number, counts: Record<string, number>): { bytes: Buffer; last: boolean } {
  const target = targets[Math.floor(rnd() * targets.length)]!;
  const frame = frameOf(target, Math.floor(rnd() * 2 ** 31), correlationId);
  const roll = rnd();
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  if (roll < 0.35) {
    count('valid');
    return { bytes: frame, last: false };
  }
  if (roll < 0.65) {
    count('mutated');
    const flips = 1 + Math.floor(rnd() * 8);
    // Past the size prefix: a wrong size is the huge-length case.
    for (let i = 0; i < flips && frame.length > 4; i++) frame[4 + Math.floor(rnd() * (frame.length - 4))] = Math.floor(rnd() * 256);
    return { bytes: frame, last: false };
  }
  if (roll < 0.8) {
    count('truncated');
    const keep = 4 + Math.floor(rnd() * (frame.length - 4));
    const cut = Buffer.from(frame.subarray(0, keep));
    cut.writeInt32BE(keep - 4, 0);
    return { bytes: cut, last: false };
  }
  if (roll < 0.9) {
    count('huge length');
    const head = Buffer.from(frame.subarray(0, Math.min(frame.length, 64)));
    head.writeInt32BE(rnd() < 0.5 ? 0x7fffffff : MIB * (1 + Math.floor(rnd() * 2047)), 0);
    return { bytes: head, last: true };
  }
  if (roll < 0.95) {
    count('unknown version');
    frame.writeInt16BE(target.version + 100, 6);
    return { bytes: frame, last: false };
  }
  count('garbage');
  const size = 1 + Math.floor(rnd() * 200);
  const junk = Buffer.alloc(4 + size);
  junk.writeInt32BE(size, 0);
  for (let i = 4; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
  return { bytes: junk, last: false };
}

/** Writes a few fuzzed frames on a fresh connection, listens briefly, then drops it. */
function fuzzConnection(bootstrap: string, targets: readonly Target[], rnd: () => number, counts: Record<string, number>): Promise<number> {
  const i = bootstrap.lastIndexOf(':');
  return new Promise((resolve) => {
    let received = 0;
    const s = connect({ host: bootstrap.slice(0, i), port: Number(bootstrap.slice(i + 1)) }, () => {
      const n = 1 + Math.floor(rnd() * 12);
      for (let k = 0; k < n; k++) {
        const f = fuzzedFrame(targets, rnd, k + 1, counts);
        s.write(f.bytes);
        if (f.last) break;
      }
      setTimeout(() => s.destroy(), 20 + Math.floor(rnd() * 150));
    });
    s.on('data', (d: Buffer) => (received += d.length));
    s.on('error', () => {});
    s.on('close', () => resolve(received));
  });
}

t.test(`fuzzing every advertised API and version (seed ${SEED})`, async (t) => {
  const b = await startBroker();
  let exited: number | string | null = null;
  b.child.once('exit', (code, signal) => (exited = signal ?? code));
  t.teardown(() => {
    if (exited === null) b.child.kill('SIGKILL');
  });
  const probe = await WireClient.connect(b.bootstrap);
  t.teardown(() => probe.close());
  const versions = await probe.request(ApiVersionsApi, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  const targets: Target[] = [];
  let advertised = 0;
  for (const api of versions.apiKeys) {
    advertised += api.maxVersion - api.minVersion + 1;
    const schema = schemas.find((s) => s.apiKey === api.apiKey && s.type === 'request');
    if (schema === undefined) continue;
    for (let v = api.minVersion; v <= api.maxVersion; v++) targets.push({ apiKey: api.apiKey, version: v, schema, write: codecs[`write${schema.name}`]! });
  }
  t.ok(versions.apiKeys.length > 50, `${versions.apiKeys.length} APIs advertised`);
  t.equal(targets.length, advertised, `every advertised version fuzzed: ${targets.length}`);
  const idle = rss(b.pid);

  const rnd = prng(SEED);
  const counts: Record<string, number> = {};
  // By count (FUZZ_FRAMES) the run ends at that many frames; by time, at FUZZ_MS.
  const deadline = FRAMES > 0 ? Number.POSITIVE_INFINITY : Date.now() + FUZZ_MS;
  const sent = () => Object.values(counts).reduce((a, x) => a + x, 0);
  const going = () => (FRAMES > 0 ? sent() < FRAMES : Date.now() < deadline) && hang === null && exited === null;
  const began = Date.now();
  let connections = 0;
  let answeredBytes = 0;
  let peak = idle;
  const latencies: number[] = [];
  let hang: string | null = null;
  const probing = (async () => {
    while (going()) {
      const at = Date.now();
      const answer = probe.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), PROBE_DEADLINE_MS).unref());
      const r = await Promise.race([answer, timeout]).catch((e: Error) => e);
      if (r === 'timeout' || r instanceof Error) hang = r === 'timeout' ? `Metadata unanswered for ${PROBE_DEADLINE_MS} ms` : `Metadata failed: ${r.message}`;
      latencies.push(Date.now() - at);
      if (exited === null) peak = Math.max(peak, rss(b.pid));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const worker = async () => {
    while (going()) {
      answeredBytes += await fuzzConnection(b.bootstrap, targets, rnd, counts);
      connections++;
    }
  };
  await Promise.all([probing, ...Array.from({ length: WORKERS }, worker)]);

  const frames = sent();
  latencies.sort((x, y) => x - y);
  t.comment(`seed ${SEED}: ${frames} frames on ${connections} connections in ${((Date.now() - began) / 1000).toFixed(0)} s (${JSON.stringify(counts)}); ${answeredBytes} bytes answered`);
  t.comment(`Metadata probe: ${latencies.length} answers, median ${latencies[latencies.length >> 1]} ms, max ${latencies[latencies.length - 1]} ms; RSS idle ${(idle / MIB).toFixed(0)} MiB, peak ${(peak / MIB).toFixed(0)} MiB`);
  t.equal(exited, null, 'the broker is still running');
  t.equal(hang, null, 'Metadata on another connection kept answering');
  t.ok(frames > 1000, `${frames} frames sent`);
  t.ok(answeredBytes > 0, 'the broker answered the valid ones');
  // Huge length prefixes (up to 2 GiB) must not be allocated: 256 MiB over idle covers the
  // topics, groups and records the valid requests create, and is far below one such frame.
  t.ok(peak - idle < 256 * MIB, `RSS peak ${((peak - idle) / MIB).toFixed(0)} MiB over idle (bound 256 MiB)`);
  probe.close();
  b.child.kill('SIGTERM');
  await new Promise((r) => b.child.once('exit', r));
});
