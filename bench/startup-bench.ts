/**
 * Scenario 1, startup, and the first half of scenario 2, memory at rest:
 *
 * - minikafka: CLI spawn to its ready line and to the first answered Metadata request; the
 *   in-process fixture's MiniKafka.start() to resolved;
 * - Kafka: broker JVM launch (after `kafka-storage format`, which a user runs once) to the first
 *   answered Metadata request, and start-kafka.sh as a whole, format included;
 * - both: VmRSS one second after the first Metadata answer, when start-up work has settled.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { MiniKafka } from '../src/index.js';
import { procMemory, startKafka, startMiniKafka } from './brokers.js';
import { Samples } from './stats.js';

export type { Stat } from './stats.js';
export { stat } from './stats.js';

export const STARTUP = {
  firstMetadata: 'process start → first Metadata response',
  readyLine: 'process start → ready line (minikafka CLI)',
  nodeFloor: 'process start → ready line of a bare Node listener (the floor)',
  inProcess: 'MiniKafka.start() in process',
  script: 'start script → first Metadata, storage format included (Kafka)',
  idleRss: 'RSS after start, idle',
  readyLineUi: 'process start → ready line with --ui (web inspector on)',
  inProcessUi: 'MiniKafka.start({ ui: true }) in process',
  idleRssUi: 'RSS after start, idle, with --ui',
} as const;

export interface StartupOptions {
  /** Runs of the minikafka CLI and of MiniKafka.start(); cheap, so more of them. */
  readonly miniKafkaRuns: number;
  readonly kafkaRuns: number;
  readonly kafka: boolean;
  readonly workDir: string;
  readonly settleMs?: number;
}

export interface StartupResult {
  readonly startup: Samples;
  readonly idleMemory: Samples;
}

export async function runStartupBench(o: StartupOptions): Promise<StartupResult> {
  const startup = new Samples();
  const idleMemory = new Samples();
  const settleMs = o.settleMs ?? 1000;
  /** One CLI start: its ready line, its idle RSS after settleMs, and (optionally) its first Metadata. */
  const cliRun = async (args: readonly string[], ready: string, rss: string, firstMetadata?: (ms: number) => void) => {
    const s = await startMiniKafka(args);
    try {
      firstMetadata?.(s.firstMetadataMs);
      startup.add('minikafka', ready, 'ms', s.readyMs);
      await sleep(settleMs);
      s.broker.assertAlive();
      idleMemory.add('minikafka', rss, 'MiB', (await procMemory(s.broker.pid)).rssMiB);
    } finally {
      await s.broker.stop();
    }
  };
  for (let i = 0; i < o.miniKafkaRuns; i++) {
    // Interleaved with our runs, so both see the same moments of a noisy machine.
    startup.add('minikafka', STARTUP.nodeFloor, 'ms', await bareNodeReadyMs());
    await cliRun([], STARTUP.readyLine, STARTUP.idleRss, (ms) => startup.add('minikafka', STARTUP.firstMetadata, 'ms', ms));
    // The same start with the web inspector on: the rows without it must not move (its code
    // is loaded only with --ui), and these state what it costs.
    await cliRun(['--ui'], STARTUP.readyLineUi, STARTUP.idleRssUi);
  }
  for (let i = 0; i < o.miniKafkaRuns; i++) {
    const t0 = performance.now();
    const k = await MiniKafka.start();
    startup.add('minikafka', STARTUP.inProcess, 'ms', performance.now() - t0);
    await k.stop();
  }
  for (let i = 0; i < o.miniKafkaRuns; i++) {
    const t0 = performance.now();
    const k = await MiniKafka.start({ ui: true });
    startup.add('minikafka', STARTUP.inProcessUi, 'ms', performance.now() - t0);
    await k.stop();
  }
  if (o.kafka) {
    for (let i = 0; i < o.kafkaRuns; i++) {
      const s = await startKafka(join(o.workDir, 'kafka-startup'));
      try {
        startup.add('kafka', STARTUP.firstMetadata, 'ms', s.launchToMetadataMs);
        startup.add('kafka', STARTUP.script, 'ms', s.scriptToMetadataMs);
        await sleep(settleMs);
        s.broker.assertAlive();
        idleMemory.add('kafka', STARTUP.idleRss, 'MiB', (await procMemory(s.broker.pid)).rssMiB);
      } finally {
        await s.broker.stop();
      }
    }
  }
  return { startup, idleMemory };
}

/**
 * Spawn to the ready line of a Node process that only listens on a free port and says so: what
 * Node itself costs on this machine, environment included, below which no Node CLI can start.
 */
const BARE_LISTENER = "require('node:net').createServer().listen(0, '127.0.0.1', function () { process.stdout.write('ready ' + this.address().port + '\\n'); });";

function bareNodeReadyMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', BARE_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ms: number | undefined;
    child.stdout.once('data', () => {
      ms = performance.now() - t0;
      child.kill('SIGTERM');
    });
    child.once('error', reject);
    child.once('exit', () => (ms === undefined ? reject(new Error('the bare Node listener exited before its ready line')) : resolve(ms)));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startup, idleMemory } = await runStartupBench({ miniKafkaRuns: Number(process.argv[2] ?? 10), kafkaRuns: 0, kafka: false, workDir: '' });
  for (const m of [...startup.measures(), ...idleMemory.measures()]) {
    const s = m.minikafka!;
    console.log(`${s.name}: median ${s.median.toFixed(1)} ${s.unit} (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}, ${s.runs} runs)`);
  }
}
