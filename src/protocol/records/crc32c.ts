import { crc } from './native-codecs.js';

/**
 * CRC-32C (Castagnoli) of buf[start, end), as an unsigned 32-bit number.
 * The native call needs a view; we skip creating one when the range is the
 * whole buffer, which is the common case for single-batch produce payloads.
 */
export function crc32cRange(buf: Uint8Array, start: number, end: number): number {
  if (start === 0 && end === buf.length) return crc().crc32c(buf);
  return crc().crc32c(buf.subarray(start, end));
}

/** CRC-32 (IEEE), used only by legacy magic 0/1 messages. Unsigned. */
export function crc32Range(buf: Uint8Array, start: number, end: number): number {
  if (start === 0 && end === buf.length) return crc().crc32(buf);
  return crc().crc32(buf.subarray(start, end));
}
