/**
 * Record-exact timestamp answers for the log (ListOffsets by timestamp and MAX_TIMESTAMP), the
 * way Kafka's LogSegment.findOffsetByTimestamp and RecordBatch.offsetOfMaxTimestamp look inside
 * the one batch the log's indexes found. Only that batch is decoded, and only for ListOffsets.
 *
 * Record timestamps: baseTimestamp + timestampDelta, except in a LogAppendTime batch where every
 * record carries the batch's maxTimestamp (DefaultRecordBatch semantics).
 *
 * Deviation: zstd batches cannot be decompressed synchronously here (the binding is async-only)
 * and the log's lookup is synchronous, so for them, and for any batch that fails to decode, the
 * answer falls back to batch granularity: the batch's base offset (at least minOffset) and its
 * max timestamp, which is what the log answers without a search. A consumer seeking there sees
 * the wanted record, plus a few earlier ones of the same batch.
 */
import type { RecordTimestampSearch } from '../../log/partition-log.js';
import {
  BatchAttribute,
  BatchLayout,
  CompressionCodec,
  Magic,
  RecordCursor,
  readInt64,
  recordsSectionSync,
} from '../../protocol/records/index.js';

interface Header {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly logAppendTime: boolean;
  readonly count: number;
  readonly decodable: boolean;
}

function header(batch: Buffer): Header | null {
  if (batch.length < BatchLayout.HEADER_SIZE || batch.readInt8(BatchLayout.MAGIC) !== Magic.V2) return null;
  const attributes = batch.readInt16BE(BatchLayout.ATTRIBUTES);
  const baseOffset = readInt64(batch, BatchLayout.BASE_OFFSET);
  return {
    baseOffset,
    lastOffset: baseOffset + batch.readInt32BE(BatchLayout.LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(batch, BatchLayout.BASE_TIMESTAMP),
    maxTimestamp: readInt64(batch, BatchLayout.MAX_TIMESTAMP),
    logAppendTime: (attributes & BatchAttribute.TIMESTAMP_TYPE) !== 0,
    count: batch.readInt32BE(BatchLayout.RECORDS_COUNT),
    decodable: (attributes & BatchAttribute.COMPRESSION_MASK) !== CompressionCodec.ZSTD,
  };
}

/** Calls fn(offset, timestamp) per record until it returns true; false when decoding is not possible. */
function scan(batch: Buffer, h: Header, fn: (offset: number, timestamp: number) => boolean): boolean {
  if (!h.decodable) return false;
  try {
    const cursor = new RecordCursor(recordsSectionSync(batch, 0), h.count);
    while (cursor.next()) {
      const ts = h.logAppendTime ? h.maxTimestamp : h.baseTimestamp + cursor.timestampDelta;
      if (fn(h.baseOffset + cursor.offsetDelta, ts)) break;
    }
    return true;
  } catch {
    // A stored batch that does not decode (it passed the CRC, so this is a client's bad
    // compressed payload): answer at batch granularity rather than fail the lookup.
    return false;
  }
}

export const recordTimestampSearch: RecordTimestampSearch = {
  firstAtOrAfter(batch, target, minOffset) {
    const h = header(batch);
    if (h === null) return null;
    let hit: { offset: number; timestamp: number } | null = null;
    const scanned = scan(batch, h, (offset, timestamp) => {
      if (timestamp >= target && offset >= minOffset) {
        hit = { offset, timestamp };
        return true;
      }
      return false;
    });
    if (scanned) return hit;
    if (h.maxTimestamp < target || h.lastOffset < minOffset) return null;
    return { offset: Math.max(h.baseOffset, minOffset), timestamp: h.maxTimestamp };
  },

  offsetOfMaxTimestamp(batch) {
    const h = header(batch);
    if (h === null) return batch.length >= 8 ? readInt64(batch, 0) : 0;
    let found = h.baseOffset;
    scan(batch, h, (offset, timestamp) => {
      if (timestamp === h.maxTimestamp) {
        found = offset;
        return true;
      }
      return false;
    });
    return found;
  },
};
