/**
 * Kafka's own load clients, run the same way against both brokers: ProducerPerformance and
 * ConsumerPerformance from kafka-tools, and bench/kafka/FixedRateLatency.java (Kafka's Java clients;
 * see its header for why not EndToEndLatency). Each run is a JVM of its own; the summary lines are
 * parsed, and a run that fails, or moves fewer records than asked, throws.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './brokers.js';
import { runToExit } from './run-child.js';

export interface JavaTools {
  readonly classpath: string;
  /** Where FixedRateLatency was compiled to. */
  readonly classes: string;
}

/** A Java tool or javac run to its exit (run-child.ts). */
function run(cmd: string, args: string[], what: string, signal?: AbortSignal): Promise<{ stdout: string; stderr: string }> {
  return runToExit(cmd, args, what, { ...(signal ? { signal } : {}), missing: 'a JDK 17+ must be on PATH' });
}

/** Compiles FixedRateLatency once per bench run (a source-file launch would recompile on every run). */
export async function prepareJavaTools(classpath: string, workDir: string): Promise<JavaTools> {
  const classes = join(workDir, 'java-classes');
  await mkdir(classes, { recursive: true });
  await run('javac', ['-nowarn', '-cp', classpath, '-d', classes, join(repoRoot, 'bench/kafka/FixedRateLatency.java')], 'javac FixedRateLatency.java');
  return { classpath, classes };
}

/** Send failures are logged by the clients, not always reflected in the exit code. */
function checkQuiet(what: string, stderr: string): void {
  const bad = stderr.split('\n').find((l) => /Exception|\bERROR\b/.test(l));
  if (bad) throw new Error(`${what} reported an error: ${bad}\n${stderr.trimEnd().split('\n').slice(-10).join('\n')}`);
}

export interface ProducerPerfResult {
  readonly records: number;
  readonly recordsPerSec: number;
  /** ProducerPerformance's "MB/sec", which is MiB (2^20 bytes) per second. */
  readonly mibPerSec: number;
  readonly avgLatencyMs: number;
  readonly p99LatencyMs: number;
}

export interface ProducerPerfOptions {
  readonly bootstrap: string;
  readonly topic: string;
  readonly records: number;
  readonly payloadFile: string;
  readonly compression: 'none' | 'lz4';
  readonly signal?: AbortSignal;
  /** More producer properties (key=value), e.g. the TLS settings of the TLS bench. */
  readonly properties?: readonly string[];
}

/**
 * ProducerPerformance with acks=all and the chosen compression; every other producer setting is the
 * Kafka 4 default (batch.size 16384, linger.ms 5), so neither broker gets a client tuned for it.
 */
export async function producerPerformance(t: JavaTools, o: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const what = `ProducerPerformance (${o.topic})`;
  const { stdout, stderr } = await run(
    'java',
    [
      '-cp', t.classpath, 'org.apache.kafka.tools.ProducerPerformance',
      '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--num-records', String(o.records),
      '--payload-file', o.payloadFile, '--throughput', '-1', '--reporting-interval', '60000',
      '--command-property', 'acks=all', `compression.type=${o.compression}`, ...(o.properties ?? []),
    ],
    what,
    o.signal,
  );
  checkQuiet(what, stderr);
  // Summary: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, p999 ms 99.9th."
  const re = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, (\d+) ms 99th/gm;
  const all = [...stdout.matchAll(re)];
  const m = all[all.length - 1];
  if (!m) throw new Error(`${what}: no summary line in its output:\n${stdout.slice(-2000)}`);
  const records = Number(m[1]);
  if (records !== o.records) throw new Error(`${what}: sent ${records} of ${o.records} records`);
  return { records, recordsPerSec: Number(m[2]), mibPerSec: Number(m[3]), avgLatencyMs: Number(m[4]), p99LatencyMs: Number(m[5]) };
}

export interface ConsumerPerfResult {
  readonly records: number;
  readonly mib: number;
  /** Group join (JoinGroup + SyncGroup) time, ms. */
  readonly rebalanceMs: number;
  /** MiB/s from the end of the join to the last record: fetch.MB.sec. */
  readonly fetchMibPerSec: number;
  readonly fetchRecordsPerSec: number;
}

/** ConsumerPerformance from earliest in a new group, reading exactly `records` records. */
export async function consumerPerformance(
  t: JavaTools,
  o: { bootstrap: string; topic: string; records: number; group: string; signal?: AbortSignal; properties?: readonly string[] },
): Promise<ConsumerPerfResult> {
  const what = `ConsumerPerformance (${o.topic})`;
  const { stdout, stderr } = await run(
    'java',
    [
      '-cp', t.classpath, 'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--num-records', String(o.records),
      '--group', o.group, '--timeout', '30000', '--reporting-interval', '60000',
      ...(o.properties ?? []).flatMap((p) => ['--command-property', p]),
    ],
    what,
    o.signal,
  );
  checkQuiet(what, stderr);
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const h = lines.findIndex((l) => l.startsWith('start.time'));
  if (h < 0 || !lines[h + 1]) throw new Error(`${what}: no summary in its output:\n${stdout.slice(-2000)}`);
  const names = lines[h]!.split(',').map((s) => s.trim());
  const values = lines[h + 1]!.split(',').map((s) => s.trim());
  const get = (name: string): number => {
    const i = names.indexOf(name);
    const v = Number(values[i]);
    if (i < 0 || !Number.isFinite(v)) throw new Error(`${what}: no ${name} in its summary`);
    return v;
  };
  const records = get('data.consumed.in.nMsg');
  if (records < o.records) throw new Error(`${what}: read ${records} of ${o.records} records`);
  return {
    records,
    mib: get('data.consumed.in.MB'),
    rebalanceMs: get('rebalance.time.ms'),
    fetchMibPerSec: get('fetch.MB.sec'),
    fetchRecordsPerSec: get('fetch.nMsg.sec'),
  };
}

export interface LatencyResult {
  readonly records: number;
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export async function fixedRateLatency(
  t: JavaTools,
  o: { bootstrap: string; topic: string; rate: number; seconds: number; warmupSeconds: number; recordSize: number; signal?: AbortSignal },
): Promise<LatencyResult> {
  const what = `FixedRateLatency (${o.topic})`;
  const { stdout, stderr } = await run(
    'java',
    ['-cp', `${t.classpath}:${t.classes}`, 'FixedRateLatency', o.bootstrap, o.topic, String(o.rate), String(o.seconds), String(o.warmupSeconds), String(o.recordSize)],
    what,
    o.signal,
  );
  checkQuiet(what, stderr);
  const line = stdout.trim().split('\n').pop() ?? '';
  const r = JSON.parse(line) as LatencyResult;
  // The tool paces with parkNanos; a rate well below the target means the client could not keep up.
  if (r.rate < o.rate * 0.9) throw new Error(`${what}: offered only ${r.rate.toFixed(0)} of ${o.rate} records/s`);
  return r;
}
