import t from 'tap';
import {
  BatchAttribute,
  CompressionCodec,
  TimestampType,
  buildBatchSync,
  compress,
  compressSync,
  compressionOf,
  decompress,
  decompressSync,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  makeAttributes,
  readBatchHeader,
  readInt64,
  timestampTypeOf,
  writeInt64,
} from '../../../src/protocol/records/index.js';
import { errorNameOf, errorNameOfAsync, prng, randInt, textBytes } from './helpers.js';

t.test('int64 helpers agree with BigInt for values within 2^53', async (t) => {
  const rng = prng(99);
  const buf = Buffer.alloc(8);
  const bad: number[] = [];
  const values = [0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (let i = 0; i < 2000; i++) values.push(Math.floor((rng() - 0.5) * 2 * Number.MAX_SAFE_INTEGER));
  for (const v of values) {
    writeInt64(buf, 0, v);
    if (buf.readBigInt64BE(0) !== BigInt(v) || readInt64(buf, 0) !== v) bad.push(v);
  }
  t.strictSame(bad, []);
});

t.test('attribute bits', async (t) => {
  const a = makeAttributes({ compression: CompressionCodec.ZSTD, timestampType: TimestampType.LOG_APPEND_TIME, transactional: true, control: true, deleteHorizon: true });
  t.equal(a, 0x04 | 0x08 | 0x10 | 0x20 | 0x40);
  t.equal(compressionOf(a), CompressionCodec.ZSTD);
  t.equal(timestampTypeOf(a), TimestampType.LOG_APPEND_TIME);
  t.ok(isTransactional(a) && isControl(a) && hasDeleteHorizon(a));
  t.equal(makeAttributes({}), 0);
  t.notOk(isTransactional(BatchAttribute.CONTROL));
  const batch = buildBatchSync([{ value: Buffer.from('x'), timestamp: 5 }], { deleteHorizonMs: 777, compression: CompressionCodec.GZIP });
  const h = readBatchHeader(batch);
  t.equal(h.deleteHorizon, true);
  t.equal(h.baseTimestamp, 777, 'delete horizon stored as baseTimestamp');
  t.equal(h.attributes, 0x41);
});

t.test('codec round trips, including the async (large input) paths', async (t) => {
  const rng = prng(5);
  for (const size of [0, 1000, 600_000]) {
    const data = textBytes(rng, size + randInt(rng, 10));
    for (const codec of [0, 1, 2, 3, 4] as const) {
      const c = await compress(codec, data);
      t.strictSame(await decompress(codec, c), data, `async codec ${codec} size ${data.length}`);
      if (codec !== CompressionCodec.ZSTD) t.strictSame(decompressSync(codec, compressSync(codec, data)), data, `sync codec ${codec}`);
    }
  }
});

t.test('codec errors are typed', async (t) => {
  t.equal(errorNameOf(() => decompressSync(5, Buffer.alloc(3))), 'UNSUPPORTED_COMPRESSION_TYPE');
  t.equal(await errorNameOfAsync(() => decompress(7, Buffer.alloc(3))), 'UNSUPPORTED_COMPRESSION_TYPE');
  t.equal(errorNameOf(() => decompressSync(CompressionCodec.ZSTD, Buffer.alloc(3))), 'UNSUPPORTED_COMPRESSION_TYPE', 'no sync zstd');
  t.equal(await errorNameOfAsync(() => decompress(CompressionCodec.ZSTD, Buffer.from('nope'), 1)), 'UNSUPPORTED_COMPRESSION_TYPE', 'zstd needs magic 2');
  const big = Buffer.alloc(400_000, 1);
  for (const codec of [1, 2, 3, 4]) {
    t.equal(await errorNameOfAsync(() => decompress(codec, Buffer.from('definitely not compressed data'))), 'INVALID_RECORD', `garbage, codec ${codec}`);
    t.equal(await errorNameOfAsync(() => decompress(codec, big)), 'INVALID_RECORD', `large garbage, codec ${codec}`);
  }
});
