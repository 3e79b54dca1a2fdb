import { BatchLayout, readInt64 } from './batch-header.js';
import { AppendOrigin, BatchCursor, ScanMode, validateProduceBatch } from './batch-scan.js';
import { setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from './batch-patch.js';

/**
 * The whole produce-path treatment of one partition's `records`: scan,
 * check CRC + header of every batch, then assign offsets and the leader
 * epoch (and LogAppendTime when configured) in place. Records are never
 * decoded, so the cost is one CRC pass plus a few header writes per batch.
 *
 * Unlike Kafka, CreateTime batches keep the client's maxTimestamp instead of
 * recomputing it from the records (that would need per-record decoding).
 */

export interface AssignOffsetsOptions {
  /** Offset given to the first record of the first batch. */
  firstOffset: number;
  partitionLeaderEpoch: number;
  /** When set, every batch becomes LogAppendTime with this timestamp (CRC recomputed). */
  logAppendTimeMs?: number;
  /** CLIENT (default) applies the client-only header checks; COORDINATOR is for broker-written markers. */
  origin?: AppendOrigin;
  start?: number;
  end?: number;
}

export interface AssignOffsetsResult {
  batchCount: number;
  recordCount: number;
  firstOffset: number;
  lastOffset: number;
  /** Largest batch maxTimestamp after patching (-1 if none). */
  maxTimestamp: number;
}

export function validateAndAssignOffsets(buf: Buffer, opts: AssignOffsetsOptions): AssignOffsetsResult {
  const start = opts.start ?? 0;
  const end = opts.end ?? buf.length;
  const origin = opts.origin ?? AppendOrigin.CLIENT;

  // Validate everything first so a bad batch late in the set leaves earlier ones untouched.
  const check = new BatchCursor(buf, ScanMode.PRODUCE, start, end);
  while (check.next()) validateProduceBatch(buf, check.position, origin);

  const patch = new BatchCursor(buf, ScanMode.PRODUCE, start, end);
  let nextOffset = opts.firstOffset;
  let recordCount = 0;
  let maxTimestamp = -1;
  while (patch.next()) {
    const pos = patch.position;
    setBaseOffset(buf, pos, nextOffset);
    setPartitionLeaderEpoch(buf, pos, opts.partitionLeaderEpoch);
    if (opts.logAppendTimeMs !== undefined) setLogAppendTime(buf, pos, opts.logAppendTimeMs);
    // For client data the header checks guaranteed lastOffsetDelta + 1 === count;
    // the offset span is what must stay contiguous either way.
    nextOffset += buf.readInt32BE(pos + BatchLayout.LAST_OFFSET_DELTA) + 1;
    recordCount += buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT);
    const ts = readInt64(buf, pos + BatchLayout.MAX_TIMESTAMP);
    if (ts > maxTimestamp) maxTimestamp = ts;
  }
  return {
    batchCount: patch.count,
    recordCount,
    firstOffset: opts.firstOffset,
    lastOffset: nextOffset - 1,
    maxTimestamp,
  };
}
