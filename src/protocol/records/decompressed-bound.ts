import { CompressionCodec } from './batch-header.js';
import { invalidRecord } from './records-error.js';
import type { RecordsError } from './records-error.js';

/**
 * Upper bounds of what a compressed payload decompresses to, read from the frame structure alone,
 * so a decompression bomb is refused before the decoder allocates anything. gzip has no such
 * structure (its decoder is bounded by zlib's maxOutputLength instead) and snappy's blocks carry
 * their lengths (snappy-xerial.ts).
 *
 * The largest decompressed batch the broker holds at once: a 1 MiB batch (max.message.bytes) of
 * ordinary data decompresses to a few MiB, and of very repetitive data to tens; a bomb goes far
 * beyond. Kafka streams records and bounds each one by max.decompressed.message.bytes instead
 * (DEVIATIONS.md).
 */
export const MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

export function tooLarge(bound: number, max: number): RecordsError {
  return invalidRecord(`compressed records would decompress to more than ${max} bytes (up to ${bound})`);
}

/**
 * LZ4 frame (lz4 frame format spec 1.6):
 *
 *   magic 0x184D2204 LE | FLG | BD | [content size 8] [dict id 4] | HC
 *   blocks: [uint32 LE size, bit 31 = stored uncompressed; 0 = end mark] [data] [checksum 4 if FLG bit 4]
 *   [content checksum 4 if FLG bit 2]
 *   skippable frames: magic 0x184D2A50-5F, uint32 LE size, data
 *
 * A compressed block decodes to at most the block maximum size (BD bits 6-4: 64 KiB .. 4 MiB).
 * Returns the bound over all frames, or -1 when the bytes are not a well-formed frame sequence
 * (the decoder then reports the error).
 */
export function lz4DecompressedBound(data: Uint8Array): number {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let total = 0;
  while (pos < view.length) {
    if (view.length - pos < 8) return -1;
    const magic = view.readUInt32LE(pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      pos += 8 + view.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== 0x184d2204) return -1;
    const flg = view[pos + 4]!;
    const bd = view[pos + 5]!;
    const blockMax = 1 << (8 + 2 * ((bd >> 4) & 7));
    if (((bd >> 4) & 7) < 4) return -1;
    pos += 7 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
    const blockChecksum = flg & 0x10 ? 4 : 0;
    for (;;) {
      if (view.length - pos < 4) return -1;
      const word = view.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      total += word >>> 31 ? size : blockMax;
      pos += size + blockChecksum;
      if (pos > view.length) return -1;
    }
    pos += flg & 0x04 ? 4 : 0;
  }
  return pos === view.length ? total : -1;
}

/**
 * Zstandard frames (RFC 8878):
 *
 *   magic 0xFD2FB528 LE | Frame_Header_Descriptor | [Window_Descriptor] [Dictionary_ID] [Frame_Content_Size]
 *   blocks: 3-byte LE header (bit 0 last, bits 1-2 type: 0 raw, 1 RLE, 2 compressed; bits 3-23 size)
 *   [Content_Checksum 4]
 *   skippable frames: magic 0x184D2A50-5F, uint32 LE size, data
 *
 * A raw block yields its size, an RLE block its size (from one byte), a compressed block at most
 * Block_Maximum_Size = min(window size, 128 KiB). Returns the bound, or -1 when malformed.
 */
export function zstdDecompressedBound(data: Uint8Array): number {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let total = 0;
  while (pos < view.length) {
    if (view.length - pos < 5) return -1;
    const magic = view.readUInt32LE(pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (view.length - pos < 8) return -1;
      pos += 8 + view.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== 0xfd2fb528) return -1;
    const fhd = view[pos + 4]!;
    pos += 5;
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >> 6;
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
    const dictSize = [0, 1, 2, 4][fhd & 3]!;
    let windowSize = Infinity;
    if (!singleSegment) {
      if (pos >= view.length) return -1;
      const wd = view[pos++]!;
      const base = 2 ** (10 + (wd >> 3));
      windowSize = base + (base / 8) * (wd & 7);
    }
    pos += dictSize;
    if (singleSegment) {
      if (pos + fcsSize > view.length) return -1;
      windowSize = fcsSize === 1 ? view[pos]! : fcsSize === 2 ? view.readUInt16LE(pos) + 256 : fcsSize === 4 ? view.readUInt32LE(pos) : Number(view.readBigUInt64LE(pos));
    }
    pos += fcsSize;
    const blockMax = Math.min(windowSize, 128 * 1024);
    for (;;) {
      if (view.length - pos < 3) return -1;
      const header = view[pos]! | (view[pos + 1]! << 8) | (view[pos + 2]! << 16);
      pos += 3;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 0) {
        total += size;
        pos += size;
      } else if (type === 1) {
        total += size;
        pos += 1;
      } else if (type === 2) {
        total += blockMax;
        pos += size;
      } else {
        return -1;
      }
      if (pos > view.length) return -1;
      if (header & 1) break;
    }
    pos += fhd & 0x04 ? 4 : 0;
  }
  return pos === view.length ? total : -1;
}

/** Throws INVALID_RECORD when an lz4 or zstd payload could decompress to more than `max` bytes. */
export function checkDecompressedBound(codec: number, data: Uint8Array, max: number): void {
  if (codec !== CompressionCodec.LZ4 && codec !== CompressionCodec.ZSTD) return;
  const bound = codec === CompressionCodec.LZ4 ? lz4DecompressedBound(data) : zstdDecompressedBound(data);
  if (bound < 0) throw invalidRecord(`malformed ${codec === CompressionCodec.LZ4 ? 'lz4' : 'zstd'} frame`);
  if (bound > max) throw tooLarge(bound, max);
}
