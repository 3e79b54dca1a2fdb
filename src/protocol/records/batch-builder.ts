import {
  BatchLayout,
  CompressionCodec,
  Magic,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  TimestampType,
  makeAttributes,
  writeInt64,
} from './batch-header.js';
import type { CompressOptions } from './compression.js';
import { compress, compressSync } from './compression.js';
import { ControlRecordType, encodeControlKey, encodeEndTxnMarker } from './control-record.js';
import { crc32cRange } from './crc32c.js';
import { varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

/** Builds v2 batches (layout in batch-header.ts, record layout in record-iter.ts). */

export interface RecordHeaderInput {
  key: string;
  value: Buffer | null;
}

export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly RecordHeaderInput[];
  /** Absolute create time in ms; wins over timestampDelta. */
  timestamp?: number;
  /** Relative to the batch baseTimestamp; used when timestamp is absent (default 0). */
  timestampDelta?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export interface BuildBatchOptions extends CompressOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  compression?: CompressionCodec;
  timestampType?: TimestampType;
  /** Default: the first record's timestamp, else now (-1 for an empty batch). */
  baseTimestamp?: number;
  /** Default: max record timestamp (CreateTime) or logAppendTime (LogAppendTime). */
  maxTimestamp?: number;
  /** LogAppendTime batches: the broker time stored as maxTimestamp (default now). */
  logAppendTime?: number;
  /** Default: the last record's offsetDelta; set it for empty (compacted) batches. */
  lastOffsetDelta?: number;
  /** Sets the delete-horizon attribute; the value is stored as baseTimestamp. */
  deleteHorizonMs?: number;
  /** Override the magic byte (tests of bad input only). */
  magic?: number;
}

interface Plan {
  baseTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
  sectionSize: number;
  /** Per record: [timestampDelta, offsetDelta, bodySize]. */
  fields: Float64Array;
}

function plan(records: readonly RecordInput[], opts: BuildBatchOptions): Plan {
  const now = Date.now();
  const n = records.length;
  const first = records[0];
  const baseTimestamp = opts.deleteHorizonMs ?? opts.baseTimestamp ?? (n === 0 ? NO_TIMESTAMP : first?.timestamp ?? now);
  let maxCreate = NO_TIMESTAMP;
  const fields = new Float64Array(n * 3);
  let sectionSize = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const ts = r.timestamp ?? baseTimestamp + (r.timestampDelta ?? 0);
    if (ts > maxCreate) maxCreate = ts;
    const timestampDelta = ts - baseTimestamp;
    const offsetDelta = r.offsetDelta ?? i;
    let body = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta);
    body += bytesFieldSize(r.key ?? null) + bytesFieldSize(r.value ?? null);
    const headers = r.headers ?? [];
    body += varintSize(headers.length);
    for (const h of headers) {
      const keyLength = Buffer.byteLength(h.key, 'utf8');
      body += varintSize(keyLength) + keyLength + bytesFieldSize(h.value);
    }
    fields[i * 3] = timestampDelta;
    fields[i * 3 + 1] = offsetDelta;
    fields[i * 3 + 2] = body;
    sectionSize += varintSize(body) + body;
  }
  const logAppend = opts.timestampType === TimestampType.LOG_APPEND_TIME;
  const maxTimestamp = opts.maxTimestamp ?? (logAppend ? opts.logAppendTime ?? now : maxCreate);
  const lastOffsetDelta = opts.lastOffsetDelta ?? (n === 0 ? 0 : fields[(n - 1) * 3 + 1]!);
  return { baseTimestamp, maxTimestamp, lastOffsetDelta, sectionSize, fields };
}

function bytesFieldSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeBytesField(out: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, b.length);
  out.set(b, pos);
  return pos + b.length;
}

function writeRecords(records: readonly RecordInput[], p: Plan, out: Buffer, start: number): void {
  let pos = start;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeVarint(out, pos, p.fields[i * 3 + 2]!);
    out[pos++] = 0;
    pos = writeVarlong(out, pos, p.fields[i * 3]!);
    pos = writeVarint(out, pos, p.fields[i * 3 + 1]!);
    pos = writeBytesField(out, pos, r.key ?? null);
    pos = writeBytesField(out, pos, r.value ?? null);
    const headers = r.headers ?? [];
    pos = writeVarint(out, pos, headers.length);
    for (const h of headers) {
      const keyLength = Buffer.byteLength(h.key, 'utf8');
      pos = writeVarint(out, pos, keyLength);
      pos += out.write(h.key, pos, keyLength, 'utf8');
      pos = writeBytesField(out, pos, h.value);
    }
  }
}

function writeHeader(out: Buffer, records: readonly RecordInput[], p: Plan, opts: BuildBatchOptions, compression: number): void {
  writeInt64(out, BatchLayout.BASE_OFFSET, opts.baseOffset ?? 0);
  out.writeInt32BE(out.length - BatchLayout.LOG_OVERHEAD, BatchLayout.BATCH_LENGTH);
  out.writeInt32BE(opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, BatchLayout.PARTITION_LEADER_EPOCH);
  out.writeInt8(opts.magic ?? Magic.V2, BatchLayout.MAGIC);
  out.writeInt16BE(
    makeAttributes({
      compression: compression as CompressionCodec,
      timestampType: opts.timestampType ?? TimestampType.CREATE_TIME,
      transactional: opts.transactional ?? false,
      control: opts.control ?? false,
      deleteHorizon: opts.deleteHorizonMs !== undefined,
    }),
    BatchLayout.ATTRIBUTES,
  );
  out.writeInt32BE(p.lastOffsetDelta, BatchLayout.LAST_OFFSET_DELTA);
  writeInt64(out, BatchLayout.BASE_TIMESTAMP, p.baseTimestamp);
  writeInt64(out, BatchLayout.MAX_TIMESTAMP, p.maxTimestamp);
  writeInt64(out, BatchLayout.PRODUCER_ID, opts.producerId ?? NO_PRODUCER_ID);
  out.writeInt16BE(opts.producerEpoch ?? NO_PRODUCER_EPOCH, BatchLayout.PRODUCER_EPOCH);
  out.writeInt32BE(opts.baseSequence ?? NO_SEQUENCE, BatchLayout.BASE_SEQUENCE);
  out.writeInt32BE(records.length, BatchLayout.RECORDS_COUNT);
  out.writeUInt32BE(crc32cRange(out, BatchLayout.ATTRIBUTES, out.length), BatchLayout.CRC);
}

function buildUncompressed(records: readonly RecordInput[], p: Plan, opts: BuildBatchOptions): Buffer {
  const out = Buffer.alloc(BatchLayout.HEADER_SIZE + p.sectionSize);
  writeRecords(records, p, out, BatchLayout.HEADER_SIZE);
  writeHeader(out, records, p, opts, CompressionCodec.NONE);
  return out;
}

function assemble(records: readonly RecordInput[], p: Plan, opts: BuildBatchOptions, codec: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(BatchLayout.HEADER_SIZE + payload.length);
  out.set(payload, BatchLayout.HEADER_SIZE);
  writeHeader(out, records, p, opts, codec);
  return out;
}

function plainSection(records: readonly RecordInput[], p: Plan): Buffer {
  const section = Buffer.alloc(p.sectionSize);
  writeRecords(records, p, section, 0);
  return section;
}

/** Builds a batch synchronously; every codec except zstd. */
export function buildBatchSync(records: readonly RecordInput[], opts: BuildBatchOptions = {}): Buffer {
  const p = plan(records, opts);
  const codec = opts.compression ?? CompressionCodec.NONE;
  if (codec === CompressionCodec.NONE) return buildUncompressed(records, p, opts);
  return assemble(records, p, opts, codec, compressSync(codec, plainSection(records, p), opts));
}

/** Builds a batch with any codec. */
export async function buildBatch(records: readonly RecordInput[], opts: BuildBatchOptions = {}): Promise<Buffer> {
  const p = plan(records, opts);
  const codec = opts.compression ?? CompressionCodec.NONE;
  if (codec === CompressionCodec.NONE) return buildUncompressed(records, p, opts);
  return assemble(records, p, opts, codec, await compress(codec, plainSection(records, p), opts));
}

export interface ControlBatchOptions {
  type: ControlRecordType;
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  /** Default now. */
  timestamp?: number;
}

/**
 * A transaction marker batch the way Kafka writes one: transactional +
 * control, uncompressed, CreateTime, no sequence, a single record whose key
 * is the control type and whose value is the EndTransactionMarker.
 */
export function buildControlBatch(opts: ControlBatchOptions): Buffer {
  const timestamp = opts.timestamp ?? Date.now();
  return buildBatchSync(
    [{ key: encodeControlKey(opts.type), value: encodeEndTxnMarker(opts.coordinatorEpoch), timestamp }],
    {
      baseOffset: opts.baseOffset ?? 0,
      partitionLeaderEpoch: opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
      producerId: opts.producerId,
      producerEpoch: opts.producerEpoch,
      baseSequence: NO_SEQUENCE,
      transactional: true,
      control: true,
      compression: CompressionCodec.NONE,
      timestampType: TimestampType.CREATE_TIME,
      baseTimestamp: timestamp,
      maxTimestamp: timestamp,
    },
  );
}

