import type { PartitionLog } from '../../../src/log/partition-log.js';

/**
 * A stand-in batch: the log never parses batches, so any bytes do. The first 8 bytes carry the
 * base offset so a test can tell which batch it got back.
 */
export function fakeBatch(baseOffset: number, size = 100): Buffer {
  const b = Buffer.alloc(Math.max(size, 8), 0xab);
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  return b;
}

export function baseOf(batch: Buffer): number {
  return Number(batch.readBigInt64BE(0));
}

export interface AppendSpec {
  readonly records?: number;
  readonly size?: number;
  readonly timestamp?: number;
  readonly leaderEpoch?: number;
}

/** Appends one batch at the log end the way the produce path will, returning its base offset. */
export function appendBatch(log: PartitionLog, spec: AppendSpec = {}): number {
  const base = log.logEndOffset;
  const records = spec.records ?? 1;
  log.append(fakeBatch(base, spec.size ?? 100), {
    baseOffset: base,
    lastOffset: base + records - 1,
    maxTimestamp: spec.timestamp ?? -1,
    recordCount: records,
    ...(spec.leaderEpoch === undefined ? {} : { leaderEpoch: spec.leaderEpoch }),
  });
  return base;
}

/** Base offsets of what a read returned. */
export function bases(batches: readonly Buffer[]): number[] {
  return batches.map(baseOf);
}
