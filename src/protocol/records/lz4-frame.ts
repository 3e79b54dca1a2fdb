/**
 * LZ4 frame header (lz4 frame format spec), as much as we need of it:
 *
 *   0   4  magic 0x184D2204 (little-endian: 04 22 4D 18)
 *   4   1  FLG  bits 7-6 version(01) | 5 block indep | 4 block checksum
 *               | 3 content size | 2 content checksum | 1 reserved | 0 dict id
 *   5   1  BD   block max size
 *   6   8  content size   (only if FLG bit 3)
 *   .   4  dictionary id  (only if FLG bit 0)
 *   .   1  HC = (xxh32(FLG..last descriptor byte, seed 0) >> 8) & 0xff
 *
 * Kafka clients writing magic 0 hashed from the magic number instead of from
 * FLG (KAFKA-3160), so strict decoders reject those frames. We rewrite HC to
 * the correct value before decoding magic 0 data.
 */
const LZ4_MAGIC = 0x184d2204;
const FLG_CONTENT_SIZE = 0x08;
const FLG_DICT_ID = 0x01;

const PRIME32_1 = 0x9e3779b1;
const PRIME32_2 = 0x85ebca77;
const PRIME32_3 = 0xc2b2ae3d;
const PRIME32_4 = 0x27d4eb2f;
const PRIME32_5 = 0x165667b1;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** xxHash32, seed 0, for inputs shorter than 16 bytes (a frame descriptor is at most 14). */
export function xxh32Short(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len >= 16) throw new RangeError('xxh32Short handles inputs shorter than 16 bytes only');
  let h = (PRIME32_5 + len) | 0;
  let p = start;
  for (; p + 4 <= end; p += 4) {
    const word = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) | 0;
    h = (h + Math.imul(word, PRIME32_3)) | 0;
    h = Math.imul(rotl32(h, 17), PRIME32_4);
  }
  for (; p < end; p++) {
    h = (h + Math.imul(buf[p]!, PRIME32_5)) | 0;
    h = Math.imul(rotl32(h, 11), PRIME32_1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME32_2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Returns a copy of `frame` with a correct header checksum, or `frame`
 * itself when it is not a recognisable LZ4 frame (the decoder reports that).
 */
export function fixLz4HeaderChecksum(frame: Buffer): Buffer {
  if (frame.length < 7 || frame.readUInt32LE(0) !== LZ4_MAGIC) return frame;
  const flg = frame[4]!;
  const hcPos = 6 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  if (hcPos >= frame.length) return frame;
  const hc = (xxh32Short(frame, 4, hcPos) >>> 8) & 0xff;
  if (frame[hcPos] === hc) return frame;
  const fixed = Buffer.from(frame);
  fixed[hcPos] = hc;
  return fixed;
}
