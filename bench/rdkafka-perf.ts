/**
 * librdkafka's rdkafka_performance (bench/rdkafka/setup.sh builds it) as the bench's native client:
 * how it is run, and what its summary lines say.
 *
 * It prints a summary line every second and a last one at the end; the figures are taken from the
 * last. Its MB/s is printed with 2 decimals over a millisecond count, so throughput is recomputed
 * here from the byte and millisecond counts of that line. Producer: the time runs from the first
 * message produced to the last delivery report, and the line counts bytes produced (all delivered
 * when delivered = produced and none failed, which is checked). Consumer: from the first message
 * received to the last.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './brokers.js';
import { runToExit } from './run-child.js';

export const RDKAFKA_PERFORMANCE = join(repoRoot, 'bench/rdkafka/bin/rdkafka_performance');

export interface ProduceSummary {
  readonly produced: number;
  readonly bytes: number;
  readonly delivered: number;
  readonly failed: number;
  readonly ms: number;
}

export interface ConsumeSummary {
  readonly consumed: number;
  readonly bytes: number;
  readonly ms: number;
}

// "% 2000000 messages produced (200000000 bytes), 2000000 delivered (offset 295746, 0 failed) in 1165ms: ..."
const PRODUCED = /^% (\d+) messages produced \((\d+) bytes\), (\d+) delivered \(offset -?\d+, (\d+) failed\) in (\d+)ms:/gm;
// "% 200000 messages (204800000 bytes) consumed in 191ms: 1042801 msgs/s (1067.83 MB/s)"
const CONSUMED = /^% (\d+) messages \((\d+) bytes\) consumed in (\d+)ms:/gm;

function lastMatch(re: RegExp, text: string, what: string): RegExpExecArray {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(re)) last = m as RegExpExecArray;
  if (last === null) throw new Error(`rdkafka_performance printed no ${what} summary:\n${text.slice(-2000)}`);
  return last;
}

/** The producer's last summary line. */
export function parseProduceSummary(stdout: string): ProduceSummary {
  const m = lastMatch(PRODUCED, stdout, 'producer');
  return { produced: Number(m[1]), bytes: Number(m[2]), delivered: Number(m[3]), failed: Number(m[4]), ms: Number(m[5]) };
}

/** The consumer's last summary line. */
export function parseConsumeSummary(stdout: string): ConsumeSummary {
  const m = lastMatch(CONSUMED, stdout, 'consumer');
  return { consumed: Number(m[1]), bytes: Number(m[2]), ms: Number(m[3]) };
}

/** What a run moved: bytes of record values and the client's MB/s (10^6 bytes per second). */
export interface ClientRun {
  readonly bytes: number;
  readonly mbPerSec: number;
}

/** Throws unless the producer delivered exactly `records` records of `size` bytes. */
export function checkProduced(s: ProduceSummary, records: number, size: number): ClientRun {
  if (s.produced !== records || s.delivered !== records || s.failed !== 0 || s.bytes !== records * size) {
    throw new Error(`rdkafka_performance delivered ${s.delivered} of ${s.produced} records (${s.bytes} bytes, ${s.failed} failed); expected ${records} of ${size} bytes`);
  }
  return { bytes: s.bytes, mbPerSec: s.bytes / 1e3 / Math.max(s.ms, 1) };
}

/** Throws unless the consumer read exactly `records` records of `size` bytes. */
export function checkConsumed(s: ConsumeSummary, records: number, size: number): ClientRun {
  if (s.consumed !== records || s.bytes !== records * size) {
    throw new Error(`rdkafka_performance consumed ${s.consumed} records (${s.bytes} bytes); expected ${records} of ${size} bytes`);
  }
  return { bytes: s.bytes, mbPerSec: s.bytes / 1e3 / Math.max(s.ms, 1) };
}

export interface NativeConfig {
  /** Bytes per record value. */
  readonly size: number;
  readonly compression: 'none' | 'lz4';
}

/**
 * The producer's arguments: acks=all, linger 5 ms (rdkafka_performance's own default is 1000 ms),
 * no key, so librdkafka spreads records over the topic's partitions; the value is its default text
 * pattern repeated, which lz4 compresses well.
 */
export function produceArgs(bootstrap: string, topic: string, records: number, c: NativeConfig): string[] {
  return ['-P', '-t', topic, '-b', bootstrap, '-s', String(c.size), '-c', String(records), '-a', '-1', '-z', c.compression, '-X', 'linger.ms=5'];
}

/** The consumer's arguments: every partition from the beginning, exiting after `records` records. */
export function consumeArgs(bootstrap: string, topic: string, records: number, partitions: number): string[] {
  const ps = Array.from({ length: partitions }, (_, i) => ['-p', String(i)]).flat();
  return ['-C', '-t', topic, '-b', bootstrap, ...ps, '-o', 'beginning', '-c', String(records)];
}

export function assertRdkafkaPerformance(): void {
  if (!existsSync(RDKAFKA_PERFORMANCE)) throw new Error(`${RDKAFKA_PERFORMANCE} is missing: run \`bash bench/rdkafka/setup.sh\``);
}

/** Runs rdkafka_performance to its exit; its stdout, or an error with what it printed. */
export async function runRdkafkaPerformance(args: readonly string[], signal: AbortSignal): Promise<string> {
  return (await runToExit(RDKAFKA_PERFORMANCE, args, `rdkafka_performance ${args.slice(0, 2).join(' ')}`, { signal, missing: 'run `bash bench/rdkafka/setup.sh`' })).stdout;
}
