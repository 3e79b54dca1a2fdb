/** Small runtime pieces the generated codecs share. */
import { MalformedError } from './reader.js';
import type { Reader, TaggedField } from './reader.js';
import type { Writer } from './writer.js';

/**
 * A records field: one Buffer when read from the wire; when writing, a list of stored batches is
 * accepted too so a fetch response references the log's buffers instead of concatenating them.
 */
export type RecordsData = Buffer | readonly Buffer[] | null;

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export const NO_TAGS: readonly TaggedField[] = Object.freeze([]) as readonly TaggedField[];

export function byTag(a: TaggedField, b: TaggedField): number {
  return a.tag - b.tag;
}

/** Thrown when a value cannot be encoded in the requested version (Kafka's UnsupportedVersionException). */
export class UnsupportedFieldError extends Error {
  override readonly name = 'UnsupportedFieldError';
  constructor(
    readonly field: string,
    readonly version: number,
  ) {
    super(`field ${field} has a non-default value that version ${version} cannot carry`);
  }
}

export function requireValue<T>(x: T | null): T {
  if (x === null) throw new RangeError('null for a field that is not nullable in this version');
  return x;
}

/** Reads one array element; structs ignore `flex` (they derive it from the version). */
export type ElemReader<T> = (r: Reader, v: number, flex: boolean) => T;
export type ElemWriter<T> = (w: Writer, v: number, e: T, flex: boolean) => void;

/** Readers and writers of the primitive element types that arrays in the specs use. */
export const readElem = {
  bool: (r: Reader) => r.bool(),
  int8: (r: Reader) => r.int8(),
  int16: (r: Reader) => r.int16(),
  uint16: (r: Reader) => r.uint16(),
  int32: (r: Reader) => r.int32(),
  uint32: (r: Reader) => r.uint32(),
  int64: (r: Reader) => r.int64(),
  float64: (r: Reader) => r.float64(),
  uuid: (r: Reader) => r.uuid(),
  string: (r: Reader, _v: number, flex: boolean) => (flex ? r.compactString() : r.string()),
  bytes: (r: Reader, _v: number, flex: boolean) => (flex ? r.compactBytes() : r.bytes()),
} as const;

export const writeElem = {
  bool: (w: Writer, _v: number, e: boolean) => w.bool(e),
  int8: (w: Writer, _v: number, e: number) => w.int8(e),
  int16: (w: Writer, _v: number, e: number) => w.int16(e),
  uint16: (w: Writer, _v: number, e: number) => w.uint16(e),
  int32: (w: Writer, _v: number, e: number) => w.int32(e),
  uint32: (w: Writer, _v: number, e: number) => w.uint32(e),
  int64: (w: Writer, _v: number, e: bigint) => w.int64(e),
  float64: (w: Writer, _v: number, e: number) => w.float64(e),
  uuid: (w: Writer, _v: number, e: string) => w.uuid(e),
  string: (w: Writer, _v: number, e: string, flex: boolean) => (flex ? w.compactString(e) : w.string(e)),
  bytes: (w: Writer, _v: number, e: Buffer, flex: boolean) => (flex ? w.compactBytes(e) : w.bytes(e)),
} as const;

/**
 * Reads an array; -1 length is null when the version allows it, malformed otherwise. The reader
 * has already refused lengths larger than the bytes left, so `n` cannot allocate unboundedly.
 */
export function readArray<T>(r: Reader, v: number, flex: boolean, nullable: boolean, field: string, read: ElemReader<T>): T[] | null {
  const n = flex ? r.compactArrayLength() : r.arrayLength();
  if (n < 0) {
    if (!nullable) throw new MalformedError(`null array for non-nullable field ${field}`);
    return null;
  }
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(read(r, v, flex));
  return a;
}

export function writeArray<T>(w: Writer, v: number, flex: boolean, nullable: boolean, field: string, a: readonly T[] | null, write: ElemWriter<T>): void {
  if (a === null) {
    if (!nullable) throw new RangeError(`null for non-nullable field ${field}`);
    if (flex) w.compactArrayLength(-1);
    else w.arrayLength(-1);
    return;
  }
  if (flex) w.compactArrayLength(a.length);
  else w.arrayLength(a.length);
  for (const e of a) write(w, v, e, flex);
}
