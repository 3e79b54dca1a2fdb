import { BatchAttribute, BatchLayout, TimestampType, readInt64, writeInt64 } from './batch-header.js';
import { computeBatchCrc } from './batch-scan.js';

/**
 * In-place edits of a v2 batch header (layout in batch-header.ts). The CRC
 * covers bytes [21, end): baseOffset (0), batchLength (8) and
 * partitionLeaderEpoch (12) sit before it, so the broker can assign them
 * without re-hashing; attributes and maxTimestamp are covered, so changing
 * the timestamp type forces a CRC recompute.
 */

export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BatchLayout.BASE_OFFSET, baseOffset);
}

/** Kafka's setLastOffset: place the batch so its last record lands on lastOffset. */
export function setLastOffset(buf: Buffer, pos: number, lastOffset: number): void {
  writeInt64(buf, pos + BatchLayout.BASE_OFFSET, lastOffset - buf.readInt32BE(pos + BatchLayout.LAST_OFFSET_DELTA));
}

export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BatchLayout.PARTITION_LEADER_EPOCH);
}

/** Rewrites the stored CRC from the current bytes. */
export function recomputeCrc(buf: Buffer, pos: number): void {
  buf.writeUInt32BE(computeBatchCrc(buf, pos), pos + BatchLayout.CRC);
}

/**
 * Same semantics as Kafka's DefaultRecordBatch.setMaxTimestamp: set the
 * timestamp-type bit and maxTimestamp, keep every other attribute bit and
 * leave baseTimestamp alone (it stays the first record's create time; readers
 * substitute maxTimestamp for every record of a LogAppendTime batch).
 * Returns false, without touching the CRC, when nothing changes.
 */
export function setMaxTimestamp(buf: Buffer, pos: number, timestampType: TimestampType, maxTimestamp: number): boolean {
  const attrPos = pos + BatchLayout.ATTRIBUTES;
  const attributes = buf.readInt16BE(attrPos);
  const newAttributes =
    timestampType === TimestampType.LOG_APPEND_TIME
      ? attributes | BatchAttribute.TIMESTAMP_TYPE
      : attributes & ~BatchAttribute.TIMESTAMP_TYPE;
  if (newAttributes === attributes && readInt64(buf, pos + BatchLayout.MAX_TIMESTAMP) === maxTimestamp) return false;
  buf.writeInt16BE(newAttributes, attrPos);
  writeInt64(buf, pos + BatchLayout.MAX_TIMESTAMP, maxTimestamp);
  recomputeCrc(buf, pos);
  return true;
}

/** message.timestamp.type=LogAppendTime: stamp the batch with the broker's clock. */
export function setLogAppendTime(buf: Buffer, pos: number, nowMs: number): boolean {
  return setMaxTimestamp(buf, pos, TimestampType.LOG_APPEND_TIME, nowMs);
}
