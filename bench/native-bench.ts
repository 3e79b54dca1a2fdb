/**
 * The produce path under a native client: franz-go (test/interop/go/cmd/franz-bench, built by
 * `bash test/interop/setup.sh go`) produces 1 KiB records, acks=all, linger 5 ms, uncompressed,
 * over 8 partitions as fast as it can, against minikafka in memory. A Go client costs a fraction
 * of the JVM tools' CPU per record, so the broker is the bottleneck. Reported per run: the
 * client's throughput and the broker's CPU-seconds per GB taken in (user + system, from
 * /proc/<pid>/stat): the figure a loaded 2-core machine distorts least. With Kafka, each run also
 * produces the same records to Apache Kafka (bench/kafka/start-kafka.sh) with the same client, for
 * the issue's throughput target (at least 2.5x Kafka's).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { procCpuSeconds, repoRoot, startKafka, startMiniKafka } from './brokers.js';
import type { RunningBroker } from './brokers.js';
import { Samples, targetOn, targetOnRatio } from './stats.js';
import { NATIVE_CPU, NATIVE_THROUGHPUT } from './published.js';
import type { Section } from './stats.js';

const BENCH = join(repoRoot, 'test/interop/go/bin/franz-bench');

function franzBench(bootstrap: string, records: number, topic: string): Promise<{ bytes: number; mbPerSec: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BENCH, ['-bootstrap', bootstrap, '-records', String(records), '-size', '1024', '-partitions', '8', '-topic', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { bytes: number; mbPerSec: number }) : reject(new Error(`franz-bench exited ${code}: ${err}`))));
  });
}

/** One franz-bench run against a started broker: its CPU-seconds per GB and the client's MB/s. */
async function measureRun(samples: Samples, kind: 'minikafka' | 'kafka', broker: RunningBroker, records: number, topic: string): Promise<void> {
  const before = await procCpuSeconds(broker.pid);
  const r = await franzBench(broker.bootstrap, records, topic);
  const cpu = (await procCpuSeconds(broker.pid)) - before;
  samples.add(kind, NATIVE_CPU, 's/GB', cpu / (r.bytes / 1e9));
  samples.add(kind, NATIVE_THROUGHPUT, 'MB/s', r.mbPerSec);
}

/** `kafkaDir`: where Kafka runs are started (wiped per run), or null for minikafka only. */
export async function runNativeBench(opts: { runs: number; records: number; kafkaDir: string | null }): Promise<Section> {
  if (!existsSync(BENCH)) throw new Error(`${BENCH} is missing: run \`bash test/interop/setup.sh go\``);
  const samples = new Samples();
  for (let i = 0; i < opts.runs; i++) {
    const { broker } = await startMiniKafka();
    try {
      await measureRun(samples, 'minikafka', broker, opts.records, `native-${i}`);
    } finally {
      await broker.stop();
    }
    if (opts.kafkaDir === null) continue;
    const kafka = (await startKafka(join(opts.kafkaDir, `kafka-native-${i}`))).broker;
    try {
      await measureRun(samples, 'kafka', kafka, opts.records, `native-${i}`);
    } finally {
      await kafka.stop();
    }
  }
  const measures = samples.measures();
  const cpu = measures.find((m) => m.name === NATIVE_CPU);
  return {
    id: 'native',
    title: `Produce path under a native client (franz-go, ${opts.records.toLocaleString('en')} records of 1 KiB, linger 5 ms, uncompressed)`,
    notes: ['CPU per GB: user + system seconds of the broker process during the run, from /proc/<pid>/stat, per 10^9 bytes of record values.'],
    measures,
    targets: [
      targetOn('broker CPU per GB produced at most 0.8 s', cpu?.minikafka, (v) => v <= 0.8, (v) => `${v.toFixed(2)} s/GB`),
      targetOnRatio('client throughput at least 2.5x Kafka\'s', measures.find((m) => m.name === NATIVE_THROUGHPUT), (r) => r >= 2.5),
    ],
  };
}
