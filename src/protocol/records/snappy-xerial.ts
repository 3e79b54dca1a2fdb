import { snappy } from './native-codecs.js';
import { invalidRecord } from './records-error.js';
import { MAX_DECOMPRESSED_BATCH_BYTES, tooLarge } from './decompressed-bound.js';

/**
 * Snappy as written by the Java client (snappy-java's SnappyOutputStream,
 * "xerial" framing). librdkafka and others may instead send one raw snappy
 * block; `snappyDecode` accepts both.
 *
 *   0   8  magic  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00
 *   8   4  version              int32 (1)
 *   12  4  compatible version   int32 (1)
 *   16  .. blocks, each: [int32 compressed length][raw snappy block]
 *
 * Each block decompresses independently; the payload is their concatenation.
 */
export const XERIAL_MAGIC: readonly number[] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
export const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size; keeps our output shaped like the Java client's. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

export function isXerialFrame(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/**
 * Raw snappy starts with the uncompressed length as an unsigned varint, and
 * the format cannot expand more than ~21x per input byte (a 3-byte copy op
 * emits at most 64 bytes). Checking the claim first stops a few garbage
 * bytes from asking the native decoder for gigabytes.
 */
const SNAPPY_MAX_EXPANSION = 22;

function snappyClaimedLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0, scale = 1; i < 5 && i < block.length; i++, scale *= 128) {
    const b = block[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
  }
  return -1;
}

export function snappyRawDecode(block: Uint8Array, maxBytes = MAX_DECOMPRESSED_BATCH_BYTES): Buffer {
  const claimed = snappyClaimedLength(block);
  if (claimed < 0 || claimed > block.length * SNAPPY_MAX_EXPANSION + 16) {
    throw invalidRecord('snappy block has an invalid uncompressed length');
  }
  if (claimed > maxBytes) throw tooLarge(claimed, maxBytes);
  try {
    return snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (err) {
    throw invalidRecord(`snappy decompression failed: ${(err as Error).message}`);
  }
}

/**
 * The raw blocks of a xerial frame, checked for framing, with the uncompressed length they claim
 * together (nothing is decoded, so a bomb is refused before any allocation).
 */
function xerialBlocks(data: Buffer): { blocks: Buffer[]; claimed: number } {
  if (!isXerialFrame(data)) throw invalidRecord('missing xerial snappy header');
  const blocks: Buffer[] = [];
  let claimed = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw invalidRecord('truncated xerial block length', pos);
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || len > data.length - pos) throw invalidRecord(`xerial block length ${len} out of range`, pos);
    const block = data.subarray(pos, pos + len);
    const n = snappyClaimedLength(block);
    if (n < 0) throw invalidRecord('snappy block has an invalid uncompressed length', pos);
    claimed += n;
    blocks.push(block);
    pos += len;
  }
  return { blocks, claimed };
}

/** Upper bound of a snappy payload's decompressed size (xerial or raw), -1 when malformed. */
export function snappyDecompressedBound(data: Buffer): number {
  if (!isXerialFrame(data)) return snappyClaimedLength(data);
  try {
    return xerialBlocks(data).claimed;
  } catch {
    return -1;
  }
}

/** Decodes block by block, after checking the blocks' claimed lengths together stay within `maxBytes`. */
export function xerialDecode(data: Buffer, maxBytes = MAX_DECOMPRESSED_BATCH_BYTES): Buffer {
  const { blocks, claimed } = xerialBlocks(data);
  if (claimed > maxBytes) throw tooLarge(claimed, maxBytes);
  const chunks = blocks.map((b) => snappyRawDecode(b, maxBytes));
  let total = 0;
  for (const c of chunks) total += c.length;
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export function xerialEncode(data: Buffer, blockSize = XERIAL_BLOCK_SIZE): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  header.set(XERIAL_MAGIC, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += blockSize) {
    const block = snappy().compressSync(data.subarray(pos, Math.min(pos + blockSize, data.length)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/** Accepts xerial-framed or raw snappy. */
export function snappyDecode(data: Buffer, maxBytes = MAX_DECOMPRESSED_BATCH_BYTES): Buffer {
  return isXerialFrame(data) ? xerialDecode(data, maxBytes) : snappyRawDecode(data, maxBytes);
}
