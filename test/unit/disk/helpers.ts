/**
 * Durable partitions on a MemoryFileSystem for the disk tests: real v2 batches (recovery checks
 * their structure and CRC), an idempotent producer, and a reader that lists what the log holds.
 */
import { buildBatchSync, BatchLayout, readInt64 } from '../../../src/protocol/records/index.js';
import type { Partition } from '../../../src/log/partition.js';
import { TailCache } from '../../../src/log/disk/tail-cache.js';
import type { DiskLogContext, DiskLogSettings } from '../../../src/log/disk/disk-log.js';
import { createDurablePartition, recoverDurablePartition } from '../../../src/log/disk/durable-partition.js';
import type { DurablePartition } from '../../../src/log/disk/durable-partition.js';
import type { FileSystem } from '../../../src/log/disk/file-system.js';
import type { PartitionLogOptions } from '../../../src/log/partition-log.js';
import { ManualClock } from '../../../src/util/clock.js';
import { appendTxnMarker } from '../../../src/server/coordinators/txn/transaction-markers.js';

export const DIR = '/data/orders-0';
export const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

export function context(fs: FileSystem, cacheBytes = 4096): DiskLogContext {
  return { fs, cache: new TailCache(cacheBytes), logStartOffsetChanged: () => {} };
}

export const SETTINGS: DiskLogSettings = { indexIntervalBytes: 200, flushMessages: Infinity };

export function logOptions(clock = new ManualClock(1_700_000_000_000), segmentBytes = 700): PartitionLogOptions {
  return { clock, config: { segmentBytes } };
}

export function create(fs: FileSystem, opts: { cacheBytes?: number; settings?: DiskLogSettings; log?: PartitionLogOptions } = {}): DurablePartition {
  fs.mkdir('/data');
  return createDurablePartition(context(fs, opts.cacheBytes), DIR, 'orders', 0, TOPIC_ID, opts.settings ?? SETTINGS, opts.log ?? logOptions());
}

export function recover(fs: FileSystem, opts: { cacheBytes?: number; settings?: DiskLogSettings; log?: PartitionLogOptions; recoveryPoint?: number; cleanShutdown?: boolean } = {}): DurablePartition {
  return recoverDurablePartition(context(fs, opts.cacheBytes), DIR, 'orders', 0, opts.settings ?? SETTINGS, opts.log ?? logOptions(), {
    recoveryPoint: opts.recoveryPoint ?? 0,
    logStartOffset: undefined,
    cleanShutdown: opts.cleanShutdown ?? false,
  });
}

export interface ProduceSpec {
  readonly id: number;
  readonly records?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly sequence?: number;
  readonly transactional?: boolean;
  readonly timestamp?: number;
}

/** Appends one batch the way the produce path does; each record's value is "<id>:<i>". */
export function produce(p: Partition, spec: ProduceSpec): number {
  const base = p.log.logEndOffset;
  const n = spec.records ?? 1;
  const ts = spec.timestamp ?? 1_700_000_000_000 + spec.id;
  const batch = buildBatchSync(
    Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${spec.id % 7}`), value: Buffer.from(`${spec.id}:${i}`), timestamp: ts })),
    {
      baseOffset: base,
      partitionLeaderEpoch: p.leaderEpoch,
      producerId: spec.producerId ?? -1,
      producerEpoch: spec.producerEpoch ?? -1,
      baseSequence: spec.sequence ?? -1,
      transactional: spec.transactional ?? false,
      baseTimestamp: ts,
      maxTimestamp: ts,
    },
  );
  p.append(batch, {
    baseOffset: base,
    lastOffset: base + n - 1,
    maxTimestamp: ts,
    recordCount: n,
    producerId: spec.producerId ?? -1,
    producerEpoch: spec.producerEpoch ?? -1,
    baseSequence: spec.sequence ?? -1,
    isTransactional: spec.transactional ?? false,
    isControl: false,
  });
  return base;
}

export function marker(p: Partition, producerId: number, producerEpoch: number, commit: boolean): number {
  const base = p.log.logEndOffset;
  const code = appendTxnMarker(p, { producerId, producerEpoch, coordinatorEpoch: 0, commit }, 1_700_000_000_000);
  if (code !== 0) throw new Error(`marker refused: ${code}`);
  return base;
}

export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The id given to produce (the first record's value prefix); -1 for control batches. */
  readonly id: number;
  readonly control: boolean;
}

/** Every batch from the log start, read through the log (memory or file). */
export function stored(p: Partition): StoredBatch[] {
  const log = p.log;
  const out: StoredBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1 << 30, { minOneBatch: true });
    if (r.batches.length === 0) break;
    for (const b of r.batches) {
      const baseOffset = readInt64(b, BatchLayout.BASE_OFFSET);
      const lastOffset = baseOffset + b.readInt32BE(BatchLayout.LAST_OFFSET_DELTA);
      const control = (b.readInt16BE(BatchLayout.ATTRIBUTES) & 0x20) !== 0;
      out.push({ baseOffset, lastOffset, id: control ? -1 : idOf(b), control });
      offset = lastOffset + 1;
    }
  }
  return out;
}

function idOf(batch: Buffer): number {
  // The first record's value starts with "<id>:"; uncompressed, so it is in the bytes.
  const text = batch.subarray(BatchLayout.RECORDS).toString('latin1');
  const m = /(\d+):0/.exec(text);
  return m === null ? -2 : Number(m[1]);
}
