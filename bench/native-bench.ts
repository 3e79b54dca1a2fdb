/**
 * The produce and consume paths under native clients, so that the broker, not the client, is the
 * bottleneck (issue 20).
 *
 * librdkafka's rdkafka_performance (bench/rdkafka/setup.sh builds it) produces, then consumes from
 * the beginning exactly the records produced, for 1 KiB and 100 B records, uncompressed and lz4,
 * acks=all, linger 5 ms, over 8 partitions; each configuration on a freshly started broker:
 * minikafka in memory, and Apache Kafka (bench/kafka/start-kafka.sh) unless run without it.
 * Reported per configuration: the client's MB/s of record values, produce and consume, and the
 * broker's CPU-seconds per GB of values over each client run (user + system, from
 * /proc/<pid>/stat): the figure a loaded 2-core machine distorts least. In the 1 KiB uncompressed
 * run, minikafka's memory held per byte stored: (peak RSS after the produce - RSS before it) /
 * bytes of values.
 *
 * Also per run: the same 1 KiB uncompressed produce with franz-go (test/interop/go/cmd/franz-bench,
 * `bash test/interop/setup.sh go`), the client earlier figures were measured with; and the floor
 * under minikafka's produce path (bench/receive-floor.ts): the CPU per GB of merely receiving over
 * loopback into fresh kept buffers, with and without a CRC32C, and into one reused buffer.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTopics, procCpuSeconds, procMemory, repoRoot, resetPeakRss, startKafka, startMiniKafka } from './brokers.js';
import type { RunningBroker } from './brokers.js';
import { Samples, targetOn, targetOnRatio } from './stats.js';
import { FRANZ_CPU, FRANZ_THROUGHPUT, NATIVE_CPU, NATIVE_MEMORY, NATIVE_THROUGHPUT, nativeMeasure } from './published.js';
import type { Section } from './stats.js';
import { assertRdkafkaPerformance, checkConsumed, checkProduced, consumeArgs, parseConsumeSummary, parseProduceSummary, produceArgs, runRdkafkaPerformance } from './rdkafka-perf.js';
import type { ClientRun, NativeConfig } from './rdkafka-perf.js';
import { FLOOR_MODES, runReceiveFloor } from './receive-floor.js';
import { runToExit } from './run-child.js';
import type { FloorMode } from './receive-floor.js';

const FRANZ_BENCH = join(repoRoot, 'test/interop/go/bin/franz-bench');
const PARTITIONS = 8;

export const NATIVE_CONFIGS: readonly NativeConfig[] = [
  { size: 1024, compression: 'none' },
  { size: 1024, compression: 'lz4' },
  { size: 100, compression: 'none' },
  { size: 100, compression: 'lz4' },
];

/** "1 KiB, none", as the measure names and published.ts spell a configuration. */
export function configLabel(c: NativeConfig): string {
  return `${c.size === 1024 ? '1 KiB' : `${c.size} B`}, ${c.compression}`;
}

/** Records per configuration: `bytes` of values for 1 KiB records, half that for smaller ones. */
export function recordsFor(c: NativeConfig, bytes: number): number {
  return Math.round((c.size >= 1024 ? bytes : bytes / 2) / c.size);
}

const FLOOR_NAMES: Record<FloorMode, string> = {
  fresh: 'floor (minikafka side): receive over loopback into fresh 8 MiB buffers, kept',
  'fresh-crc': 'floor: the same with a CRC32C of each buffer',
  'reused-crc': 'floor: into one reused 8 MiB buffer, with the CRC32C',
};

async function franzBench(bootstrap: string, records: number, topic: string, signal: AbortSignal): Promise<ClientRun> {
  const args = ['-bootstrap', bootstrap, '-records', String(records), '-size', '1024', '-partitions', String(PARTITIONS), '-topic', topic];
  return JSON.parse((await runToExit(FRANZ_BENCH, args, 'franz-bench', { signal })).stdout) as ClientRun;
}

/** The broker's CPU-seconds while `run` runs, and what `run` returned. */
async function withCpu<T>(broker: RunningBroker, run: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const before = await procCpuSeconds(broker.pid);
  const result = await run();
  return { result, cpu: (await procCpuSeconds(broker.pid)) - before };
}

/** One configuration against a freshly started broker: produce, then consume every record. */
async function measureConfig(samples: Samples, broker: RunningBroker, c: NativeConfig, records: number): Promise<void> {
  const kind = broker.kind;
  const label = configLabel(c);
  const topic = `native-${c.size}-${c.compression}`;
  await createTopics(broker.bootstrap, [{ name: topic, partitions: PARTITIONS }]);
  const memory = kind === 'minikafka' && c.size === 1024 && c.compression === 'none';
  if (memory) await resetPeakRss(broker.pid);
  const rssBefore = memory ? (await procMemory(broker.pid)).rssMiB : 0;
  const produced = await withCpu(broker, async () => checkProduced(parseProduceSummary(await runRdkafkaPerformance(produceArgs(broker.bootstrap, topic, records, c), broker.signal)), records, c.size));
  if (memory) samples.add(kind, NATIVE_MEMORY, 'ratio', (((await procMemory(broker.pid)).hwmMiB - rssBefore) * 2 ** 20) / produced.result.bytes);
  const consumed = await withCpu(broker, async () => checkConsumed(parseConsumeSummary(await runRdkafkaPerformance(consumeArgs(broker.bootstrap, topic, records, PARTITIONS), broker.signal)), records, c.size));
  broker.assertAlive();
  samples.add(kind, nativeMeasure(label, 'produce throughput'), 'MB/s', produced.result.mbPerSec);
  samples.add(kind, nativeMeasure(label, 'consume throughput'), 'MB/s', consumed.result.mbPerSec);
  samples.add(kind, nativeMeasure(label, 'broker CPU per GB produced'), 's/GB', produced.cpu / (produced.result.bytes / 1e9));
  samples.add(kind, nativeMeasure(label, 'broker CPU per GB consumed'), 's/GB', consumed.cpu / (consumed.result.bytes / 1e9));
}

async function measureFranz(samples: Samples, broker: RunningBroker, records: number): Promise<void> {
  const { result, cpu } = await withCpu(broker, () => franzBench(broker.bootstrap, records, 'native-franz', broker.signal));
  samples.add(broker.kind, FRANZ_CPU, 's/GB', cpu / (result.bytes / 1e9));
  samples.add(broker.kind, FRANZ_THROUGHPUT, 'MB/s', result.mbPerSec);
}

/** Runs `measure` on a fresh minikafka, then (with `kafkaDir`) on a fresh Kafka whose data is removed after. */
async function onFreshBrokers(kafkaDir: string | null, name: string, measure: (b: RunningBroker) => Promise<void>): Promise<void> {
  const { broker } = await startMiniKafka();
  try {
    await measure(broker);
  } finally {
    await broker.stop();
  }
  if (kafkaDir === null) return;
  const dir = join(kafkaDir, name);
  const kafka = (await startKafka(dir)).broker;
  try {
    await measure(kafka);
  } finally {
    await kafka.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface NativeBenchOptions {
  readonly runs: number;
  /** Bytes of record values per 1 KiB configuration (half for 100 B records). */
  readonly bytes: number;
  /** franz-go records of 1 KiB per run. */
  readonly franzRecords: number;
  /** Bytes received per floor measure. */
  readonly floorBytes: number;
  /** Where Kafka runs are started (each wiped, then removed), or null for minikafka only. */
  readonly kafkaDir: string | null;
  readonly log: (line: string) => void;
}

/** Throws, saying what to run, when a client the scenario needs is not built. */
export function checkNativeClients(): void {
  assertRdkafkaPerformance();
  if (!existsSync(FRANZ_BENCH)) throw new Error(`${FRANZ_BENCH} is missing: run \`bash test/interop/setup.sh go\``);
}

export async function runNativeBench(o: NativeBenchOptions): Promise<Section> {
  checkNativeClients();
  const samples = new Samples();
  for (let i = 0; i < o.runs; i++) {
    for (const c of NATIVE_CONFIGS) {
      o.log(`native run ${i + 1}/${o.runs}: rdkafka_performance ${configLabel(c)}`);
      await onFreshBrokers(o.kafkaDir, `kafka-native-${i}-${c.size}-${c.compression}`, (b) => measureConfig(samples, b, c, recordsFor(c, o.bytes)));
    }
    o.log(`native run ${i + 1}/${o.runs}: franz-go`);
    await onFreshBrokers(o.kafkaDir, `kafka-native-${i}-franz`, (b) => measureFranz(samples, b, o.franzRecords));
    for (const mode of FLOOR_MODES) samples.add('minikafka', FLOOR_NAMES[mode], 's/GB', (await runReceiveFloor(mode, o.floorBytes)).secondsPerGB);
  }
  const measures = samples.measures();
  const find = (name: string) => measures.find((m) => m.name === name);
  const gb = (n: number) => `${(n / 1e9).toFixed(n < 1e8 ? 3 : 1)} GB`;
  return {
    id: 'native',
    title: `Produce and consume under native clients (rdkafka_performance: ${gb(o.bytes)} of 1 KiB values, ${gb(o.bytes / 2)} of 100 B, per configuration; acks=all, linger 5 ms, 8 partitions)`,
    notes: [
      'Each configuration on a freshly started broker: rdkafka_performance (librdkafka 2.0.2) produces, then consumes every record from the beginning. Its values are its default text pattern, which lz4 compresses well.',
      'MB/s: 10^6 bytes of record values per second, as the client times it (producer: first record to last delivery report; consumer: first record to last).',
      'CPU per GB: user + system seconds of the broker process over the client run, from /proc/<pid>/stat, per 10^9 bytes of record values.',
      'Memory held: minikafka\'s (peak RSS after the produce - RSS before it) / bytes of values; 1.07 is 7% overhead.',
      `franz-go: ${o.franzRecords.toLocaleString('en')} records of 1 KiB, same settings, on its own fresh brokers. Floor: ${gb(o.floorBytes)} received by a bare Node process (bench/receive-floor.ts), its CPU per GB; the broker's produce path in memory mode cannot go below the fresh + CRC line.`,
    ],
    measures,
    targets: [
      targetOn('broker CPU per GB produced (rdkafka_performance, 1 KiB, none) at most 0.8 s', find(NATIVE_CPU)?.minikafka, (v) => v <= 0.8, (v) => `${v.toFixed(2)} s/GB`),
      targetOnRatio("produce throughput (rdkafka_performance, 1 KiB, none) at least 2.5x Kafka's", find(NATIVE_THROUGHPUT), (r) => r >= 2.5),
      targetOn('memory held per byte of values stored at most 1.10', find(NATIVE_MEMORY)?.minikafka, (v) => v <= 1.1, (v) => v.toFixed(2)),
    ],
  };
}
