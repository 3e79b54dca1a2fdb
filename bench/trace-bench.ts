/**
 * The request trace's cost on produce throughput (`minikafka start --trace`): one in-process
 * broker per run, a wire client keeping 32 produce requests in flight (each a batch of 10
 * records of 100 bytes, acks=1), for a fixed number of requests; runs alternate trace off, trace
 * on (NDJSON to a file, every request traced) and trace on with a filter that leaves produce out,
 * and the median of the rounds is reported: requests/s, and the process's CPU time per request
 * (client and broker share the process; the difference between modes is the trace's cost). On a
 * loaded machine the CPU time is the steadier figure: wall-clock throughput follows the load.
 *
 *   node dist/bench/trace-bench.js [--requests N] [--rounds R]
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MiniKafka } from '../src/index.js';
import type { TraceOptions } from '../src/index.js';
import { streamSink } from '../src/server/net/trace.js';
import { WireClient } from '../test/helpers/wire-client.js';
import { produceOne } from '../test/helpers/data-path.js';
import { buildBatchSync } from '../src/protocol/records/index.js';

type Mode = 'off' | 'on' | 'filtered-out';

interface Result {
  readonly perSecond: number;
  readonly cpuUsPerRequest: number;
}

async function round(mode: Mode, requests: number, dir: string): Promise<Result> {
  const file = createWriteStream(join(dir, `trace-${mode}.ndjson`));
  const trace: TraceOptions | undefined = mode === 'off' ? undefined : { sink: streamSink(file, { json: true }).sink, ...(mode === 'filtered-out' ? { apis: ['Fetch'] } : {}) };
  const kafka = await MiniKafka.start({ topics: ['bench'], logLevel: 'error', ...(trace ? { trace } : {}) });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const batch = buildBatchSync(Array.from({ length: 10 }, () => ({ key: null, value: Buffer.alloc(100, 1), timestamp: Date.now() })));
  try {
    for (let i = 0; i < 200; i++) await produceOne(c, 'bench', batch, { acks: 1 }); // warm-up
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let sent = 0;
    const worker = async () => {
      while (sent < requests) {
        sent++;
        await produceOne(c, 'bench', batch, { acks: 1 });
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: requests / ((performance.now() - t0) / 1000), cpuUsPerRequest: (cpu.user + cpu.system) / requests };
  } finally {
    c.socket.destroy();
    await kafka.stop();
    await new Promise<void>((r) => file.end(() => r()));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : def;
  };
  const requests = arg('requests', 20_000);
  const rounds = arg('rounds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'trace-bench-'));
  const results: Record<Mode, Result[]> = { off: [], on: [], 'filtered-out': [] };
  try {
    for (let r = 0; r < rounds; r++) for (const mode of ['off', 'on', 'filtered-out'] as const) results[mode].push(await round(mode, requests, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const off = median(results.off.map((r) => r.cpuUsPerRequest));
  for (const mode of ['off', 'on', 'filtered-out'] as const) {
    const cpu = median(results[mode].map((r) => r.cpuUsPerRequest));
    const rate = median(results[mode].map((r) => r.perSecond));
    const rel = mode === 'off' ? '' : ` (${cpu >= off ? '+' : ''}${(((cpu - off) / off) * 100).toFixed(1)}% CPU vs off)`;
    console.log(`trace ${mode.padEnd(12)} ${cpu.toFixed(1)} us CPU per produce request${rel}; ${Math.round(rate).toLocaleString('en')} requests/s (${Math.round(rate * 10).toLocaleString('en')} records/s); medians of ${rounds} rounds of ${requests.toLocaleString('en')} requests`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
