/** Small runtime pieces the generated codecs share. */
import type { TaggedField } from './reader.js';

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
