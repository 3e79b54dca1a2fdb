/**
 * Bounds-checked reader for Kafka wire primitives.
 *
 * Every byte read here comes from an untrusted peer, so each length is checked against what is
 * left before anything is allocated: a frame that claims a 2 GiB array inside a 40-byte request
 * fails with a MalformedError at once instead of allocating.
 */
import { uuidFromBytes } from './uuid.js';

/** Thrown for any malformed input: truncated, oversized lengths, bad varints, bad UTF-8 sizes. */
export class MalformedError extends Error {
  override readonly name = 'MalformedError';
}

export interface TaggedField {
  tag: number;
  data: Buffer;
}

export class Reader {
  pos: number;
  end: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n > this.end - this.pos || n < 0) {
      throw new MalformedError(`need ${n} bytes at ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  uuid(): string {
    this.need(16);
    const v = uuidFromBytes(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  /** Unsigned LEB128 up to 32 bits; more than 5 bytes is malformed. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new MalformedError('unsigned varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed 64-bit varint. */
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw new MalformedError('varlong longer than 10 bytes');
  }

  private utf8(len: number): string {
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new MalformedError('null string where a string is required');
    return this.utf8(len);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    return this.utf8(len);
  }

  compactString(): string {
    const len = this.uvarint() - 1;
    if (len < 0) throw new MalformedError('null compact string where a string is required');
    return this.utf8(len);
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    return this.utf8(len);
  }

  /** A view of the next len bytes: no copy, so the caller keeps the frame alive while it holds it. */
  raw(len: number): Buffer {
    this.need(len);
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new MalformedError('null bytes where bytes are required');
    return this.raw(len);
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    return this.raw(len);
  }

  compactBytes(): Buffer {
    const len = this.uvarint() - 1;
    if (len < 0) throw new MalformedError('null compact bytes where bytes are required');
    return this.raw(len);
  }

  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    return this.raw(len);
  }

  /**
   * Array length (int32, -1 = null). Each element takes at least one byte on the wire, so a count
   * larger than the bytes left is malformed: this is what stops a hostile length from allocating.
   */
  arrayLength(): number {
    const n = this.int32();
    if (n < -1) throw new MalformedError(`negative array length ${n}`);
    if (n > this.end - this.pos) throw new MalformedError(`array length ${n} exceeds ${this.end - this.pos} bytes left`);
    return n;
  }

  compactArrayLength(): number {
    const n = this.uvarint() - 1;
    if (n > this.end - this.pos) throw new MalformedError(`array length ${n} exceeds ${this.end - this.pos} bytes left`);
    return n;
  }

  /**
   * Reads a tagged-field section, calling onKnown for each tag with a reader bounded to that
   * field; returns the tags onKnown did not claim so they can be written back unchanged.
   */
  taggedFields(onKnown: ((tag: number, r: Reader) => boolean) | null): TaggedField[] | undefined {
    const count = this.uvarint();
    if (count === 0) return undefined;
    if (count > this.end - this.pos) throw new MalformedError(`tagged field count ${count} exceeds bytes left`);
    let unknown: TaggedField[] | undefined;
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= lastTag) throw new MalformedError(`tagged fields out of order: ${tag} after ${lastTag}`);
      lastTag = tag;
      const size = this.uvarint();
      this.need(size);
      const start = this.pos;
      const stop = start + size;
      if (onKnown !== null) {
        const sub = new Reader(this.buf, start, stop);
        if (onKnown(tag, sub)) {
          this.pos = stop;
          continue;
        }
      }
      (unknown ??= []).push({ tag, data: this.buf.subarray(start, stop) });
      this.pos = stop;
    }
    return unknown;
  }
}
