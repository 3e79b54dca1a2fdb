/**
 * Decompression is bounded everywhere: a compressed payload that would decompress past
 * MAX_DECOMPRESSED_BATCH_BYTES is INVALID_RECORD before (lz4, zstd, snappy) or as soon as (gzip)
 * the bound is passed, so memory stays bounded; and compressed produce batches get Kafka's record
 * walk (checkCompressedRecords).
 */
import t from 'tap';
import { zlib, lz4, zstd } from '../../../src/protocol/records/native-codecs.js';
import {
  BatchLayout,
  CompressionCodec,
  MAX_DECOMPRESSED_BATCH_BYTES,
  buildBatch,
  checkCompressedRecords,
  compress,
  computeBatchCrc,
  decompress,
  decompressSync,
  lz4DecompressedBound,
  xerialEncode,
  zstdDecompressedBound,
} from '../../../src/protocol/records/index.js';
import { errorNameOf, errorNameOfAsync, prng, textBytes } from './helpers.js';

const BOMB_BYTES = MAX_DECOMPRESSED_BATCH_BYTES + 16 * 1024 * 1024;
const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(100, 97), timestamp: 1000 + i }));

/** A batch of `codec` whose records section is `payload` (header from a real batch, length and CRC fixed). */
async function withPayload(codec: CompressionCodec, payload: Buffer, count = 1): Promise<Buffer> {
  const header = (await buildBatch(recs(1), { compression: codec })).subarray(0, BatchLayout.RECORDS);
  const b = Buffer.concat([header, payload]);
  b.writeInt32BE(b.length - BatchLayout.LOG_OVERHEAD, BatchLayout.BATCH_LENGTH);
  b.writeInt32BE(count, BatchLayout.RECORDS_COUNT);
  b.writeInt32BE(count - 1, BatchLayout.LAST_OFFSET_DELTA);
  b.writeUInt32BE(computeBatchCrc(b, 0), BatchLayout.CRC);
  return b;
}

/**
 * gzip of `n` zero bytes without holding them: one gzip member per MiB, concatenated, which
 * gunzip reads as one stream (multi-member gzip), ~1 KiB per MiB.
 */
function gzipZeros(n: number): Buffer {
  const mib = 1024 * 1024;
  const member = zlib().gzipSync(Buffer.alloc(mib), { level: 9 });
  const parts: Buffer[] = [];
  for (let left = n; left > 0; left -= mib) parts.push(left >= mib ? member : zlib().gzipSync(Buffer.alloc(left), { level: 9 }));
  return Buffer.concat(parts);
}

t.test('bounds read from lz4 and zstd frames are never below the real size', async (t) => {
  const rng = prng(7);
  for (const size of [0, 1, 100, 65_536, 65_537, 300_000, 2_000_000]) {
    const data = size % 2 === 0 ? Buffer.alloc(size, 120) : textBytes(rng, size);
    const l = lz4().compressFrameSync(data);
    const z = await zstd().compress(data, 3);
    t.ok(lz4DecompressedBound(l) >= size, `lz4 ${size}: ${lz4DecompressedBound(l)}`);
    t.ok(lz4DecompressedBound(l) <= size + 4 * 1024 * 1024, 'and not absurdly above');
    t.ok(zstdDecompressedBound(z) >= size, `zstd ${size}: ${zstdDecompressedBound(z)}`);
    t.ok(zstdDecompressedBound(z) <= size + 128 * 1024, 'and within one block');
  }
  t.equal(lz4DecompressedBound(Buffer.from('not a frame')), -1);
  t.equal(zstdDecompressedBound(Buffer.from('not a frame at all')), -1);
});

t.test('every codec refuses a payload past the bound (the broker-level RSS check is in test/e2e/robustness-bombs.test.ts)', async (t) => {
  const zeros = Buffer.alloc(BOMB_BYTES);
  const bombs: [string, CompressionCodec, Buffer][] = [
    ['gzip', CompressionCodec.GZIP, gzipZeros(BOMB_BYTES)],
    ['snappy', CompressionCodec.SNAPPY, xerialEncode(zeros)],
    ['lz4', CompressionCodec.LZ4, lz4().compressFrameSync(zeros)],
    ['zstd', CompressionCodec.ZSTD, await zstd().compress(zeros, 3)],
  ];
  for (const [name, codec, payload] of bombs) {
    t.ok(payload.length < 4 * 1024 * 1024, `${name} bomb is ${payload.length} bytes`);
    t.equal(await errorNameOfAsync(() => decompress(codec, payload)), 'INVALID_RECORD', `${name}: decompress`);
    if (codec !== CompressionCodec.ZSTD) t.equal(errorNameOf(() => decompressSync(codec, payload)), 'INVALID_RECORD', `${name}: decompressSync`);
    t.equal(await errorNameOfAsync(async () => checkCompressedRecords(await withPayload(codec, payload))), 'INVALID_RECORD', `${name}: produce check`);
  }
});

t.test('compressed produce batches get the record walk', async (t) => {
  for (const codec of [CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]) {
    const good = await buildBatch(recs(20), { compression: codec });
    t.equal(await errorNameOfAsync(() => checkCompressedRecords(good)), 'OK', `codec ${codec}: a real batch passes`);
    const plain = Buffer.concat([Buffer.alloc(0), (await buildBatch(recs(20))).subarray(BatchLayout.RECORDS)]);
    t.equal(await errorNameOfAsync(async () => checkCompressedRecords(await withPayload(codec, await compress(codec, plain), 21))), 'INVALID_RECORD', `codec ${codec}: count says 21 of 20`);
    t.equal(await errorNameOfAsync(async () => checkCompressedRecords(await withPayload(codec, await compress(codec, plain), 19))), 'INVALID_RECORD', `codec ${codec}: count says 19 of 20`);
    t.equal(await errorNameOfAsync(async () => checkCompressedRecords(await withPayload(codec, await compress(codec, Buffer.alloc(4096)), 1))), 'INVALID_RECORD', `codec ${codec}: zeros are no record`);
    t.equal(await errorNameOfAsync(async () => checkCompressedRecords(await withPayload(codec, Buffer.from('garbage that is not compressed'), 1))), 'INVALID_RECORD', `codec ${codec}: garbage`);
  }
});
