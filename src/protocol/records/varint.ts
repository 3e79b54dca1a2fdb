import { invalidRecord } from './records-error.js';

/**
 * Zigzag varints as used inside v2 records (protobuf encoding):
 *
 *   each byte: [continuation bit 7][7 payload bits], least significant group first
 *   zigzag:    0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...
 *
 * varint: at most 5 bytes (int32), varlong: at most 10 bytes (int64).
 * Readers are bounded by `end`; an over-long or truncated varint is an
 * INVALID_RECORD, never a read past the end.
 *
 * varlongs are decoded into a JS number, exact for |v| < 2^53; record
 * timestamp deltas and sizes never get close to that.
 */

/** Mutable read position over a byte range, shared by the record readers so nothing is allocated per field. */
export interface ByteCursor {
  buf: Uint8Array;
  pos: number;
  end: number;
}

const MAX_VARINT_BYTES = 5;
const MAX_VARLONG_BYTES = 10;

export function readVarint(c: ByteCursor): number {
  const buf = c.buf;
  const end = c.end;
  let pos = c.pos;
  let raw = 0;
  for (let i = 0, shift = 0; i < MAX_VARINT_BYTES; i++, shift += 7) {
    if (pos >= end) throw invalidRecord('varint runs past the end of the record', pos);
    const b = buf[pos++]!;
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = pos;
      return (raw >>> 1) ^ -(raw & 1);
    }
  }
  throw invalidRecord('varint is longer than 5 bytes', pos);
}

export function readVarlong(c: ByteCursor): number {
  const buf = c.buf;
  const end = c.end;
  let pos = c.pos;
  // The first 4 groups (28 bits) fit int32 bit ops; almost every delta stops here.
  let low = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw invalidRecord('varlong runs past the end of the record', pos);
    const b = buf[pos++]!;
    low |= (b & 0x7f) << shift;
    if (b < 0x80) {
      c.pos = pos;
      return (low >>> 1) ^ -(low & 1);
    }
  }
  let value = low;
  let scale = 2 ** 28;
  for (let i = 4; i < MAX_VARLONG_BYTES; i++, scale *= 128) {
    if (pos >= end) throw invalidRecord('varlong runs past the end of the record', pos);
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      c.pos = pos;
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
  }
  throw invalidRecord('varlong is longer than 10 bytes', pos);
}

function zigzag32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

export function varintSize(v: number): number {
  const u = zigzag32(v);
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

function isInt32(v: number): boolean {
  return v >= -0x80000000 && v <= 0x7fffffff;
}

function zigzag64(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function varlongSize(v: number): number {
  if (isInt32(v)) return varintSize(v);
  let u = zigzag64(v);
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** Writes v (an int32) at pos; returns the position after it. Caller guarantees space. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let u = zigzag32(v);
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/** Writes v (an integer, exact for |v| < 2^52) at pos; returns the position after it. */
export function writeVarlong(buf: Uint8Array, pos: number, v: number): number {
  if (isInt32(v)) return writeVarint(buf, pos, v);
  let u = zigzag64(v);
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80;
    u = Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}
