import { BatchAttribute, BatchLayout, Magic, readInt64 } from './batch-header.js';
import { decompress, decompressSync } from './compression.js';
import { corrupt, invalidRecord } from './records-error.js';
import type { ByteCursor } from './varint.js';
import { readVarint, readVarlong } from './varint.js';

/**
 * Records inside a v2 batch (after decompression when compressed):
 *
 *   length          varint   bytes of the record after this field
 *   attributes      int8     unused
 *   timestampDelta  varlong  from the batch baseTimestamp
 *   offsetDelta     varint   from the batch baseOffset
 *   keyLength       varint   -1 = null key
 *   key             bytes
 *   valueLength     varint   -1 = null value
 *   value           bytes
 *   headerCount     varint
 *   headers         headerCount x [keyLength varint, key utf-8, valueLength varint (-1 null), value]
 *
 * Any inconsistency (field running past the record, record length not
 * matching its fields, bytes left after `recordsCount` records) is
 * INVALID_RECORD, as in Kafka's DefaultRecord.readFrom.
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  offsetDelta: number;
  timestampDelta: number;
  attributes: number;
  /** Views into the batch (or decompressed) buffer, not copies. */
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/**
 * Zero-allocation record reader over a plain (uncompressed) records section:
 * `next()` fills the public fields with the current record's positions.
 * Used directly by hot paths (compaction key scans) and by the generators.
 */
export class RecordCursor implements ByteCursor {
  buf: Buffer;
  pos: number;
  end: number;

  attributes = 0;
  timestampDelta = 0;
  offsetDelta = 0;
  /** -1 for a null key. */
  keyLength = -1;
  keyOffset = 0;
  /** -1 for a null value. */
  valueLength = -1;
  valueOffset = 0;
  headerCount = 0;
  headersOffset = 0;
  recordStart = 0;
  recordEnd = 0;

  private readonly sectionEnd: number;
  private left: number;

  constructor(section: Buffer, count: number, start = 0, end = section.length) {
    if (count < 0) throw invalidRecord(`invalid record count ${count}`);
    this.buf = section;
    this.pos = start;
    this.end = end;
    this.sectionEnd = end;
    this.left = count;
  }

  next(): boolean {
    if (this.left === 0) {
      if (this.pos !== this.sectionEnd) throw invalidRecord('bytes remain after the declared number of records', this.pos);
      return false;
    }
    this.left--;
    this.end = this.sectionEnd;
    const length = readVarint(this);
    if (length < 0 || length > this.sectionEnd - this.pos) throw invalidRecord(`record length ${length} out of range`, this.pos);
    this.recordStart = this.pos;
    this.recordEnd = this.end = this.pos + length;
    if (this.pos >= this.end) throw invalidRecord('empty record', this.pos);
    this.attributes = this.buf[this.pos++]!;
    this.timestampDelta = readVarlong(this);
    this.offsetDelta = readVarint(this);
    this.keyLength = this.readBytesLength();
    this.keyOffset = this.pos;
    if (this.keyLength > 0) this.pos += this.keyLength;
    this.valueLength = this.readBytesLength();
    this.valueOffset = this.pos;
    if (this.valueLength > 0) this.pos += this.valueLength;
    const headerCount = readVarint(this);
    if (headerCount < 0) throw invalidRecord(`invalid header count ${headerCount}`, this.pos);
    this.headerCount = headerCount;
    this.headersOffset = this.pos;
    for (let i = 0; i < headerCount; i++) {
      const keyLength = readVarint(this);
      if (keyLength < 0 || keyLength > this.end - this.pos) throw invalidRecord(`invalid header key length ${keyLength}`, this.pos);
      this.pos += keyLength;
      const valueLength = this.readBytesLength();
      if (valueLength > 0) this.pos += valueLength;
    }
    if (this.pos !== this.recordEnd) throw invalidRecord('record length does not match its fields', this.recordStart);
    this.end = this.sectionEnd;
    return true;
  }

  /** Length prefix of a nullable byte field; checks the bytes are inside the record. */
  private readBytesLength(): number {
    const n = readVarint(this);
    if (n < -1 || n > this.end - this.pos) throw invalidRecord(`field length ${n} out of range`, this.pos);
    return n;
  }

  key(): Buffer | null {
    return this.keyLength < 0 ? null : this.buf.subarray(this.keyOffset, this.keyOffset + this.keyLength);
  }

  value(): Buffer | null {
    return this.valueLength < 0 ? null : this.buf.subarray(this.valueOffset, this.valueOffset + this.valueLength);
  }

  /** Decodes the current record's headers (already bounds-checked by next()). */
  headers(): RecordHeader[] {
    const out: RecordHeader[] = [];
    if (this.headerCount === 0) return out;
    const c: ByteCursor = { buf: this.buf, pos: this.headersOffset, end: this.recordEnd };
    for (let i = 0; i < this.headerCount; i++) {
      const keyLength = readVarint(c);
      const key = this.buf.toString('utf8', c.pos, c.pos + keyLength);
      c.pos += keyLength;
      const valueLength = readVarint(c);
      const value = valueLength < 0 ? null : this.buf.subarray(c.pos, c.pos + valueLength);
      if (valueLength > 0) c.pos += valueLength;
      out.push({ key, value });
    }
    return out;
  }
}

/** Batch-level values needed to turn deltas into absolute offsets/timestamps. */
export interface RecordContext {
  baseOffset: number;
  baseTimestamp: number;
  /** maxTimestamp for LogAppendTime batches (applies to every record), else null. */
  logAppendTime: number | null;
  count: number;
  compression: number;
}

function checkV2Batch(buf: Buffer, pos: number): number {
  if (pos < 0 || buf.length - pos < BatchLayout.HEADER_SIZE) throw corrupt('record batch header is truncated', pos);
  const magic = buf.readInt8(pos + BatchLayout.MAGIC);
  if (magic !== Magic.V2) throw invalidRecord(`expected a magic 2 batch, got magic ${magic}`, pos);
  const length = buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
  const end = pos + BatchLayout.LOG_OVERHEAD + length;
  if (length < BatchLayout.MIN_BATCH_LENGTH || end > buf.length) throw corrupt(`record batch length ${length} out of range`, pos);
  return end;
}

export function recordContext(buf: Buffer, pos = 0): RecordContext {
  checkV2Batch(buf, pos);
  const attributes = buf.readInt16BE(pos + BatchLayout.ATTRIBUTES);
  return {
    baseOffset: readInt64(buf, pos + BatchLayout.BASE_OFFSET),
    baseTimestamp: readInt64(buf, pos + BatchLayout.BASE_TIMESTAMP),
    logAppendTime: attributes & BatchAttribute.TIMESTAMP_TYPE ? readInt64(buf, pos + BatchLayout.MAX_TIMESTAMP) : null,
    count: buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT),
    compression: attributes & BatchAttribute.COMPRESSION_MASK,
  };
}

function compressedPayload(buf: Buffer, pos: number): Buffer {
  const end = checkV2Batch(buf, pos);
  return buf.subarray(pos + BatchLayout.RECORDS, end);
}

/**
 * The plain records section of the batch at `pos`: a view for uncompressed
 * batches, a fresh buffer otherwise. Not for zstd (use recordsSection).
 */
export function recordsSectionSync(buf: Buffer, pos = 0): Buffer {
  const payload = compressedPayload(buf, pos);
  return decompressSync(buf.readInt16BE(pos + BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK, payload);
}

/** Like recordsSectionSync for every codec; await once per batch, then iterate synchronously. */
export async function recordsSection(buf: Buffer, pos = 0): Promise<Buffer> {
  const payload = compressedPayload(buf, pos);
  return decompress(buf.readInt16BE(pos + BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK, payload);
}

/** A RecordCursor over the batch at `pos`; pass `section` when it was decompressed already. */
export function openRecordCursor(buf: Buffer, pos = 0, section?: Buffer): RecordCursor {
  const count = buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT);
  const plain = section ?? recordsSectionSync(buf, pos);
  return new RecordCursor(plain, count);
}

/** Lazily yields the records of the batch at `pos` (key/value are views). */
export function* iterateRecords(buf: Buffer, pos = 0, section?: Buffer): Generator<DecodedRecord, void, undefined> {
  const ctx = recordContext(buf, pos);
  const cursor = new RecordCursor(section ?? recordsSectionSync(buf, pos), ctx.count);
  while (cursor.next()) yield toRecord(cursor, ctx);
}

/**
 * Callback fast path: `fn` sees the shared cursor (positions, no views made)
 * for each record. Returns the number of records visited.
 */
export function forEachRecord(buf: Buffer, pos: number, section: Buffer | undefined, fn: (cursor: RecordCursor) => void): number {
  const cursor = openRecordCursor(buf, pos, section);
  let n = 0;
  while (cursor.next()) {
    fn(cursor);
    n++;
  }
  return n;
}

/** All records of one batch, decompressing (async for zstd) first. */
export async function readRecords(buf: Buffer, pos = 0): Promise<DecodedRecord[]> {
  const section = await recordsSection(buf, pos);
  return Array.from(iterateRecords(buf, pos, section));
}

function toRecord(c: RecordCursor, ctx: RecordContext): DecodedRecord {
  return {
    offset: ctx.baseOffset + c.offsetDelta,
    timestamp: ctx.logAppendTime !== null ? ctx.logAppendTime : ctx.baseTimestamp + c.timestampDelta,
    offsetDelta: c.offsetDelta,
    timestampDelta: c.timestampDelta,
    attributes: c.attributes,
    key: c.key(),
    value: c.value(),
    headers: c.headers(),
  };
}
