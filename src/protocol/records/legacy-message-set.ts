import { BatchAttribute, CompressionCodec, Magic, TimestampType, readInt64 } from './batch-header.js';
import { BatchCursor, ScanMode } from './batch-scan.js';
import { decompressSync } from './compression.js';
import { crc32Range } from './crc32c.js';
import { corrupt, invalidRecord } from './records-error.js';

/**
 * Legacy message sets (magic 0 and 1), read-only support for old data:
 *
 *   0   8  offset        int64   (inner messages of a v1 wrapper: relative 0..n-1)
 *   8   4  messageSize   int32   bytes after this field
 *   12  4  crc           uint32  CRC-32 (IEEE) of [16, 12 + messageSize)
 *   16  1  magic         int8    0 or 1
 *   17  1  attributes    int8    bits 0-2 codec, bit 3 timestamp type (v1 only)
 *   18  8  timestamp     int64   v1 only
 *   .   4  keyLength     int32   -1 = null
 *   .   .  key
 *   .   4  valueLength   int32   -1 = null
 *   .   .  value
 *
 * A compressed message is a wrapper whose value is a compressed message set
 * of uncompressed inner messages. For a v1 wrapper the inner offsets are
 * relative and the wrapper's offset is that of the last inner message.
 */

export interface LegacyMessage {
  offset: number;
  magic: number;
  attributes: number;
  compression: number;
  timestampType: TimestampType;
  /** -1 for magic 0. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
}

export interface LegacyDecodeOptions {
  /** Check each message's CRC-32 (default true). */
  verifyCrc?: boolean;
  /** Expand compressed wrappers into their inner messages (default true). */
  deep?: boolean;
}

export interface LegacyDecodeResult {
  messages: LegacyMessage[];
  /** Start of a trailing incomplete message, -1 when none. */
  truncatedAt: number;
}

const KEY_LENGTH_V0 = 18;
const KEY_LENGTH_V1 = 26;

/** Decodes the single (shallow) message at pos; the scanner has checked its size fits. */
export function readLegacyMessage(buf: Buffer, pos: number, verifyCrc = true): LegacyMessage {
  const end = pos + 12 + buf.readInt32BE(pos + 8);
  const storedCrc = buf.readUInt32BE(pos + 12);
  if (verifyCrc) {
    const computed = crc32Range(buf, pos + 16, end);
    if (computed !== storedCrc) throw corrupt(`message CRC mismatch (stored ${storedCrc}, computed ${computed})`, pos);
  }
  const magic = buf.readInt8(pos + 16);
  if (magic !== Magic.V0 && magic !== Magic.V1) throw invalidRecord(`not a legacy message: magic ${magic}`, pos);
  const attributes = buf.readInt8(pos + 17);
  let p = magic === Magic.V0 ? pos + KEY_LENGTH_V0 : pos + KEY_LENGTH_V1;
  if (p + 4 > end) throw invalidRecord('message too short for its magic', pos);
  const timestamp = magic === Magic.V1 ? readInt64(buf, pos + 18) : -1;
  const keyLength = buf.readInt32BE(p);
  p += 4;
  if (keyLength < -1 || keyLength > end - p - 4) throw invalidRecord(`message key length ${keyLength} out of range`, pos);
  const key = keyLength < 0 ? null : buf.subarray(p, p + keyLength);
  if (keyLength > 0) p += keyLength;
  const valueLength = buf.readInt32BE(p);
  p += 4;
  if (valueLength < -1 || valueLength > end - p) throw invalidRecord(`message value length ${valueLength} out of range`, pos);
  const value = valueLength < 0 ? null : buf.subarray(p, p + valueLength);
  if (valueLength > 0) p += valueLength;
  if (p !== end) throw invalidRecord('message size does not match its fields', pos);
  return {
    offset: readInt64(buf, pos),
    magic,
    attributes,
    compression: attributes & BatchAttribute.COMPRESSION_MASK,
    timestampType: magic === Magic.V1 && attributes & BatchAttribute.TIMESTAMP_TYPE ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    timestamp,
    key,
    value,
    crc: storedCrc,
  };
}

/** Inner messages of a compressed wrapper, with absolute offsets and effective timestamps. */
export function expandLegacyWrapper(wrapper: LegacyMessage, verifyCrc = true): LegacyMessage[] {
  if (wrapper.value === null) throw invalidRecord('compressed message has a null value');
  const inner = decompressSync(wrapper.compression, wrapper.value, wrapper.magic);
  const cursor = new BatchCursor(inner, ScanMode.FETCH);
  const out: LegacyMessage[] = [];
  while (cursor.next()) {
    if (cursor.magic !== Magic.V0 && cursor.magic !== Magic.V1) throw invalidRecord(`magic ${cursor.magic} inside a legacy wrapper`);
    const m = readLegacyMessage(inner, cursor.position, verifyCrc);
    if (m.compression !== CompressionCodec.NONE) throw invalidRecord('nested compressed messages are not allowed');
    out.push(m);
  }
  if (cursor.truncated) throw invalidRecord('compressed message set ends with a truncated message');
  if (out.length === 0) throw invalidRecord('compressed message contains no messages');
  if (wrapper.magic === Magic.V1) {
    const lastInner = out[out.length - 1]!.offset;
    // Offset 0 on the wrapper means "not assigned yet" (client data): keep relative offsets.
    if (wrapper.offset !== 0) {
      if (wrapper.offset < lastInner) throw invalidRecord('wrapper offset is before its last inner offset');
      const base = wrapper.offset - lastInner;
      for (const m of out) m.offset += base;
    }
    if (wrapper.timestampType === TimestampType.LOG_APPEND_TIME) {
      for (const m of out) {
        if (m.magic === Magic.V1) {
          m.timestamp = wrapper.timestamp;
          m.timestampType = TimestampType.LOG_APPEND_TIME;
        }
      }
    }
  }
  return out;
}

/** Decodes a whole magic 0/1 message set (v2 entries are rejected: use the v2 readers). */
export function decodeLegacyMessageSet(buf: Buffer, opts: LegacyDecodeOptions = {}, start = 0, end = buf.length): LegacyDecodeResult {
  const verifyCrc = opts.verifyCrc ?? true;
  const deep = opts.deep ?? true;
  const cursor = new BatchCursor(buf, ScanMode.FETCH, start, end);
  const messages: LegacyMessage[] = [];
  while (cursor.next()) {
    if (cursor.magic === Magic.V2) throw invalidRecord('magic 2 batch in a legacy message set', cursor.position);
    const m = readLegacyMessage(buf, cursor.position, verifyCrc);
    if (deep && m.compression !== CompressionCodec.NONE) messages.push(...expandLegacyWrapper(m, verifyCrc));
    else messages.push(m);
  }
  return { messages, truncatedAt: cursor.truncatedAt };
}
