import { crc32cRange } from './crc32c.js';
import { BatchAttribute, BatchLayout, CompressionCodec, Magic } from './batch-header.js';
import { corrupt, invalidRecord, unsupportedCompression } from './records-error.js';

/**
 * Walks the entries of a `records` field (Produce request / Fetch response /
 * log segment). Every entry, whatever its magic, starts with:
 *
 *   0   int64  offset (v2: baseOffset)
 *   8   int32  length of what follows
 *   12  int32  v2: partitionLeaderEpoch | v0/v1: crc
 *   16  int8   magic
 *
 * so an entry occupies 12 + length bytes.
 */

export const ScanMode = {
  /** Client data: magic must be 2, any truncation is CORRUPT_MESSAGE. */
  PRODUCE: 'produce',
  /** Stored/fetched data: magic 0/1/2 accepted, a trailing partial entry is reported, not thrown. */
  FETCH: 'fetch',
} as const;
export type ScanMode = (typeof ScanMode)[keyof typeof ScanMode];

/** Minimum `length` per magic: the fixed part of a v0 message, a v1 message and a v2 batch header. */
const MIN_LENGTH_V0 = 14;
const MIN_LENGTH_V1 = 22;

/**
 * Zero-allocation iterator over entries: after `next()` returns true,
 * `position`, `size` and `magic` describe the current entry. Structural
 * problems throw RecordsError; CRC is not checked here (see verifyBatchCrc)
 * so the fetch path can skip it.
 */
export class BatchCursor {
  /** Start of the current entry in buf. */
  position = -1;
  /** Bytes of the current entry including the 12-byte log overhead. */
  size = 0;
  magic = -1;
  /** FETCH mode: start of a trailing incomplete entry, -1 when there is none. */
  truncatedAt = -1;
  /** Entries returned so far. */
  count = 0;

  readonly buf: Buffer;
  readonly mode: ScanMode;
  readonly end: number;
  private nextPos: number;

  constructor(buf: Buffer, mode: ScanMode = ScanMode.FETCH, start = 0, end = buf.length) {
    this.buf = buf;
    this.mode = mode;
    this.end = end;
    this.nextPos = start;
  }

  get truncated(): boolean {
    return this.truncatedAt >= 0;
  }

  /** Start of the first byte not consumed by a complete entry. */
  get consumed(): number {
    return this.nextPos;
  }

  next(): boolean {
    const buf = this.buf;
    const pos = this.nextPos;
    const remaining = this.end - pos;
    if (remaining <= 0) return false;
    if (remaining < BatchLayout.LOG_OVERHEAD) return this.partial(pos, remaining);
    const length = buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
    if (length < MIN_LENGTH_V0) throw corrupt(`record batch length ${length} is smaller than the minimum ${MIN_LENGTH_V0}`, pos);
    const size = length + BatchLayout.LOG_OVERHEAD;
    if (size > remaining) return this.partial(pos, remaining);
    const magic = buf.readInt8(pos + BatchLayout.MAGIC);
    if (magic === Magic.V2) {
      if (length < BatchLayout.MIN_BATCH_LENGTH) {
        throw corrupt(`record batch length ${length} is smaller than the v2 header (${BatchLayout.MIN_BATCH_LENGTH})`, pos);
      }
    } else if (magic === Magic.V0 || magic === Magic.V1) {
      if (this.mode === ScanMode.PRODUCE) throw invalidRecord(`produce requires magic 2, got magic ${magic}`, pos);
      if (magic === Magic.V1 && length < MIN_LENGTH_V1) throw corrupt(`v1 message length ${length} is too small`, pos);
    } else {
      throw corrupt(`unknown magic ${magic}`, pos);
    }
    this.position = pos;
    this.size = size;
    this.magic = magic;
    this.nextPos = pos + size;
    this.count++;
    return true;
  }

  private partial(pos: number, remaining: number): false {
    if (this.mode === ScanMode.PRODUCE) throw corrupt(`record set ends with a truncated batch (${remaining} bytes)`, pos);
    this.truncatedAt = pos;
    this.nextPos = this.end;
    return false;
  }
}

export interface BatchRef {
  position: number;
  size: number;
  magic: number;
}

export interface BatchList {
  batches: BatchRef[];
  /** Start of a trailing incomplete entry (FETCH mode), -1 when none. */
  truncatedAt: number;
}

/** Convenience over BatchCursor for tests, tools and fixtures (allocates one object per entry). */
export function listBatches(buf: Buffer, mode: ScanMode = ScanMode.FETCH, start = 0, end = buf.length): BatchList {
  const cursor = new BatchCursor(buf, mode, start, end);
  const batches: BatchRef[] = [];
  while (cursor.next()) batches.push({ position: cursor.position, size: cursor.size, magic: cursor.magic });
  return { batches, truncatedAt: cursor.truncatedAt };
}

/** v2 only; caller has scanned the batch so its length is known to fit in buf. */
export function computeBatchCrc(buf: Buffer, pos: number): number {
  const end = pos + BatchLayout.LOG_OVERHEAD + buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
  return crc32cRange(buf, pos + BatchLayout.ATTRIBUTES, end);
}

export function batchCrcMatches(buf: Buffer, pos: number): boolean {
  return computeBatchCrc(buf, pos) === buf.readUInt32BE(pos + BatchLayout.CRC);
}

export function verifyBatchCrc(buf: Buffer, pos: number): void {
  const stored = buf.readUInt32BE(pos + BatchLayout.CRC);
  const computed = computeBatchCrc(buf, pos);
  if (stored !== computed) {
    throw corrupt(`record batch CRC mismatch (stored ${stored}, computed ${computed})`, pos);
  }
}

/**
 * Who is appending. Client data gets the full header checks; batches the
 * broker writes itself (transaction markers) skip the client-only ones, as
 * Kafka's AppendOrigin.COORDINATOR does.
 */
export const AppendOrigin = { CLIENT: 'client', COORDINATOR: 'coordinator' } as const;
export type AppendOrigin = (typeof AppendOrigin)[keyof typeof AppendOrigin];

/**
 * Header-only checks a broker applies to appended batches (mirrors Kafka's
 * LogValidator.validateBatch), none of which needs the records decoded.
 */
export function checkProduceBatchHeader(buf: Buffer, pos: number, origin: AppendOrigin = AppendOrigin.CLIENT): void {
  const attributes = buf.readInt16BE(pos + BatchLayout.ATTRIBUTES);
  const codec = attributes & BatchAttribute.COMPRESSION_MASK;
  if (codec > CompressionCodec.ZSTD) throw unsupportedCompression(`unknown compression codec ${codec}`, pos);
  if (origin !== AppendOrigin.CLIENT) return;
  const count = buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT);
  if (count <= 0) throw invalidRecord(`invalid record count ${count}`, pos);
  const lastOffsetDelta = buf.readInt32BE(pos + BatchLayout.LAST_OFFSET_DELTA);
  if (lastOffsetDelta + 1 !== count) {
    throw invalidRecord(`lastOffsetDelta ${lastOffsetDelta} does not match record count ${count}`, pos);
  }
  if ((attributes & BatchAttribute.CONTROL) !== 0) throw invalidRecord('clients may not write control batches', pos);
  // An int64 is >= 0 exactly when its high word is, so no 64-bit read is needed.
  const hasProducerId = buf.readInt32BE(pos + BatchLayout.PRODUCER_ID) >= 0;
  if (hasProducerId && buf.readInt32BE(pos + BatchLayout.BASE_SEQUENCE) < 0) {
    throw invalidRecord('batch with a producer id has a negative base sequence', pos);
  }
}

/**
 * The framing of an uncompressed client batch's records, as Kafka's iterator finds it while
 * LogValidator.assignOffsetsNonCompressed walks them: every record's length (a varint) positive
 * and inside the batch, exactly recordsCount records, no bytes after the last. Each failure is
 * INVALID_RECORD with Kafka's message. Only the length varints are read: this walk costs ~3% of
 * the CPU time of produce validation for 1 KiB records, a field-by-field parse (RecordCursor, as
 * DefaultRecord.readFrom) ~23% (node dist/bench/records-bench-checks.js). A record whose inner
 * fields disagree with its length is therefore not caught at produce (DEVIATIONS.md).
 */
export function checkUncompressedRecords(buf: Buffer, pos: number): void {
  const end = pos + BatchLayout.LOG_OVERHEAD + buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
  let left = buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT);
  let p = pos + BatchLayout.RECORDS;
  while (left-- > 0) {
    let raw = 0;
    let shift = 0;
    let b: number;
    do {
      if (p >= end) throw invalidRecord('Incorrect declared batch size, premature EOF reached', p);
      if (shift > 28) throw invalidRecord('Invalid record length varint', p);
      b = buf[p++]!;
      raw |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    const length = (raw >>> 1) ^ -(raw & 1);
    if (length <= 0) throw invalidRecord(`Invalid record size ${length}`, p);
    if (length > end - p) throw invalidRecord('Incorrect declared batch size, premature EOF reached', p);
    p += length;
  }
  if (p !== end) throw invalidRecord('Incorrect declared batch size, records still remaining in file', p);
}

/**
 * CRC then header checks, then (client data, uncompressed) the records' framing: everything the
 * produce path checks per batch without decompressing. Compressed batches' records are checked by
 * validateCompressedRecords, which is asynchronous.
 */
export function validateProduceBatch(buf: Buffer, pos: number, origin: AppendOrigin = AppendOrigin.CLIENT): void {
  verifyBatchCrc(buf, pos);
  checkProduceBatchHeader(buf, pos, origin);
  if (origin === AppendOrigin.CLIENT && (buf.readInt16BE(pos + BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK) === CompressionCodec.NONE) {
    checkUncompressedRecords(buf, pos);
  }
}
