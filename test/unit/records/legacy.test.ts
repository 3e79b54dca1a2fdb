import t from 'tap';
import { crc32 } from '@node-rs/crc32';
import { compressFrameSync } from 'lz4-napi';
import { gzipSync } from 'node:zlib';
import {
  CompressionCodec,
  TimestampType,
  buildBatchSync,
  decodeLegacyMessageSet,
  decodeRecords,
  decodeRecordSet,
  fixLz4HeaderChecksum,
  xerialEncode,
  xxh32Short,
} from '../../../src/protocol/records/index.js';
import { errorNameOf, errorNameOfAsync } from './helpers.js';

interface MsgSpec {
  offset: number;
  magic: 0 | 1;
  attributes?: number;
  timestamp?: number;
  key?: Buffer | null;
  value?: Buffer | null;
}

/** Encodes one magic 0/1 message straight from the format description. */
function msg(s: MsgSpec): Buffer {
  const key = s.key ?? null;
  const value = s.value === undefined ? null : s.value;
  const size = 4 + 1 + 1 + (s.magic === 1 ? 8 : 0) + 4 + (key?.length ?? 0) + 4 + (value?.length ?? 0);
  const b = Buffer.alloc(12 + size);
  b.writeBigInt64BE(BigInt(s.offset), 0);
  b.writeInt32BE(size, 8);
  b.writeInt8(s.magic, 16);
  b.writeInt8(s.attributes ?? 0, 17);
  let p = 18;
  if (s.magic === 1) {
    b.writeBigInt64BE(BigInt(s.timestamp ?? -1), p);
    p += 8;
  }
  for (const f of [key, value]) {
    b.writeInt32BE(f === null ? -1 : f.length, p);
    p += 4;
    if (f) p += f.copy(b, p);
  }
  b.writeUInt32BE(crc32(b.subarray(16)), 12);
  return b;
}

const str = (b: Buffer | null) => (b === null ? null : b.toString());

t.test('xxh32 short-input vectors and LZ4 header checksums', async (t) => {
  t.equal(xxh32Short(Buffer.alloc(0), 0, 0), 0x02cc5d05, 'xxh32("")');
  t.equal(xxh32Short(Buffer.from('abc'), 0, 3), 0x32d153ff, 'xxh32("abc")');
  const frame = compressFrameSync(Buffer.from('some lz4 data some lz4 data'));
  t.equal(frame[6], (xxh32Short(frame, 4, 6) >>> 8) & 0xff, 'matches the HC lz4 writes');
  t.equal(fixLz4HeaderChecksum(frame), frame, 'correct frames are returned as-is');
});

t.test('v0 uncompressed message set', async (t) => {
  const set = Buffer.concat([
    msg({ offset: 10, magic: 0, key: Buffer.from('a'), value: Buffer.from('one') }),
    msg({ offset: 11, magic: 0, key: null, value: Buffer.from('two') }),
    msg({ offset: 12, magic: 0, key: Buffer.from('c'), value: null }),
  ]);
  const { messages, truncatedAt } = decodeLegacyMessageSet(set);
  t.equal(truncatedAt, -1);
  t.strictSame(messages.map((m) => [m.offset, m.magic, m.timestamp, str(m.key), str(m.value)]), [
    [10, 0, -1, 'a', 'one'],
    [11, 0, -1, null, 'two'],
    [12, 0, -1, 'c', null],
  ]);
});

t.test('v1 uncompressed with CreateTime timestamps', async (t) => {
  const set = Buffer.concat([
    msg({ offset: 0, magic: 1, timestamp: 1000, value: Buffer.from('x') }),
    msg({ offset: 1, magic: 1, timestamp: 2000, value: Buffer.from('y') }),
  ]);
  const { messages } = decodeLegacyMessageSet(set);
  t.strictSame(messages.map((m) => [m.offset, m.timestamp, m.timestampType]), [[0, 1000, TimestampType.CREATE_TIME], [1, 2000, TimestampType.CREATE_TIME]]);
});

const inner1 = () => Buffer.concat([0, 1, 2].map((i) => msg({ offset: i, magic: 1, timestamp: 500 + i, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) })));

t.test('v1 gzip wrapper: relative inner offsets become absolute', async (t) => {
  const wrapper = msg({ offset: 102, magic: 1, attributes: CompressionCodec.GZIP, timestamp: 502, value: gzipSync(inner1()) });
  const { messages } = decodeLegacyMessageSet(wrapper);
  t.strictSame(messages.map((m) => [m.offset, m.timestamp, str(m.key), str(m.value)]), [
    [100, 500, 'k0', 'v0'],
    [101, 501, 'k1', 'v1'],
    [102, 502, 'k2', 'v2'],
  ]);
  const shallow = decodeLegacyMessageSet(wrapper, { deep: false }).messages;
  t.equal(shallow.length, 1);
  t.equal(shallow[0]!.compression, CompressionCodec.GZIP);
  const unassigned = msg({ offset: 0, magic: 1, attributes: CompressionCodec.GZIP, timestamp: 502, value: gzipSync(inner1()) });
  t.strictSame(decodeLegacyMessageSet(unassigned).messages.map((m) => m.offset), [0, 1, 2], 'wrapper offset 0 keeps relative offsets');
  const bad = msg({ offset: 1, magic: 1, attributes: CompressionCodec.GZIP, value: gzipSync(inner1()) });
  t.equal(errorNameOf(() => decodeLegacyMessageSet(bad)), 'INVALID_RECORD', 'wrapper offset before last inner offset');
});

t.test('v1 LogAppendTime wrapper overrides inner timestamps', async (t) => {
  const wrapper = msg({ offset: 2, magic: 1, attributes: CompressionCodec.GZIP | 0x08, timestamp: 9999, value: gzipSync(inner1()) });
  const { messages } = decodeLegacyMessageSet(wrapper);
  t.strictSame(messages.map((m) => [m.timestamp, m.timestampType]), [
    [9999, TimestampType.LOG_APPEND_TIME],
    [9999, TimestampType.LOG_APPEND_TIME],
    [9999, TimestampType.LOG_APPEND_TIME],
  ]);
});

t.test('v1 snappy (xerial) wrapper', async (t) => {
  const wrapper = msg({ offset: 7, magic: 1, attributes: CompressionCodec.SNAPPY, timestamp: 1, value: xerialEncode(inner1()) });
  t.strictSame(decodeLegacyMessageSet(wrapper).messages.map((m) => [m.offset, str(m.value)]), [[5, 'v0'], [6, 'v1'], [7, 'v2']]);
});

t.test('v0 gzip wrapper keeps absolute inner offsets', async (t) => {
  const inner = Buffer.concat([msg({ offset: 5, magic: 0, value: Buffer.from('p') }), msg({ offset: 6, magic: 0, value: Buffer.from('q') })]);
  const wrapper = msg({ offset: 6, magic: 0, attributes: CompressionCodec.GZIP, value: gzipSync(inner) });
  t.strictSame(decodeLegacyMessageSet(wrapper).messages.map((m) => [m.offset, str(m.value)]), [[5, 'p'], [6, 'q']]);
});

t.test('v0 LZ4 wrapper with the pre-0.10 header checksum bug decodes', async (t) => {
  const inner = Buffer.concat([msg({ offset: 0, magic: 0, value: Buffer.from('lz') }), msg({ offset: 1, magic: 0, value: Buffer.from('4!') })]);
  const frame = Buffer.from(compressFrameSync(inner));
  // Old Kafka clients hashed from the frame magic instead of from FLG.
  frame[6] = (xxh32Short(frame, 0, 6) >>> 8) & 0xff;
  t.not(frame[6], (xxh32Short(frame, 4, 6) >>> 8) & 0xff, 'the broken checksum differs from the correct one');
  const v0 = msg({ offset: 1, magic: 0, attributes: CompressionCodec.LZ4, value: frame });
  t.strictSame(decodeLegacyMessageSet(v0).messages.map((m) => str(m.value)), ['lz', '4!']);
  const v1 = msg({ offset: 1, magic: 1, attributes: CompressionCodec.LZ4, value: frame });
  t.equal(errorNameOf(() => decodeLegacyMessageSet(v1)), 'INVALID_RECORD', 'magic 1 frames must be correct');
});

t.test('legacy errors', async (t) => {
  const good = msg({ offset: 0, magic: 1, timestamp: 5, key: Buffer.from('key'), value: Buffer.from('value') });
  const flipped = Buffer.from(good);
  flipped[good.length - 1]! ^= 1;
  t.equal(errorNameOf(() => decodeLegacyMessageSet(flipped)), 'CORRUPT_MESSAGE', 'CRC-32 mismatch');
  t.equal(errorNameOf(() => decodeLegacyMessageSet(flipped, { verifyCrc: false })), 'OK', 'CRC check can be skipped');
  const crcFlip = Buffer.from(good);
  crcFlip[12]! ^= 0x10;
  t.equal(errorNameOf(() => decodeLegacyMessageSet(crcFlip)), 'CORRUPT_MESSAGE', 'stored CRC damaged');
  const set = Buffer.concat([good, good.subarray(0, 20)]);
  t.equal(decodeLegacyMessageSet(set).truncatedAt, good.length, 'trailing partial message reported');
  t.equal(decodeLegacyMessageSet(set).messages.length, 1);
  const zstd = msg({ offset: 0, magic: 1, attributes: CompressionCodec.ZSTD, value: Buffer.from('x') });
  t.equal(errorNameOf(() => decodeLegacyMessageSet(zstd)), 'UNSUPPORTED_COMPRESSION_TYPE', 'zstd needs magic 2');
  const nested = msg({ offset: 0, magic: 1, attributes: 1, value: gzipSync(msg({ offset: 0, magic: 1, attributes: 1, value: gzipSync(inner1()) })) });
  t.equal(errorNameOf(() => decodeLegacyMessageSet(nested)), 'INVALID_RECORD', 'nested compression');
  const empty = msg({ offset: 0, magic: 1, attributes: 1, value: gzipSync(Buffer.alloc(0)) });
  t.equal(errorNameOf(() => decodeLegacyMessageSet(empty)), 'INVALID_RECORD', 'empty wrapper');
  const keyTooLong = Buffer.from(good);
  keyTooLong.writeInt32BE(100, 26);
  keyTooLong.writeUInt32BE(crc32(keyTooLong.subarray(16)), 12);
  t.equal(errorNameOf(() => decodeLegacyMessageSet(keyTooLong)), 'INVALID_RECORD', 'key length past the message');
});

t.test('mixed legacy + v2 record set through decodeRecordSet', async (t) => {
  const v2 = buildBatchSync([{ key: Buffer.from('new'), value: Buffer.from('v2'), timestamp: 3000 }], { baseOffset: 3 });
  const set = Buffer.concat([
    msg({ offset: 0, magic: 0, value: Buffer.from('v0') }),
    msg({ offset: 2, magic: 1, attributes: CompressionCodec.GZIP, timestamp: 2001, value: gzipSync(Buffer.concat([msg({ offset: 0, magic: 1, timestamp: 2000, value: Buffer.from('a') }), msg({ offset: 1, magic: 1, timestamp: 2001, value: Buffer.from('b') })])) }),
    v2,
  ]);
  const decoded = await decodeRecordSet(set);
  t.strictSame(decoded.batches.map((b) => b.magic), [0, 1, 2]);
  t.strictSame((await decodeRecords(set)).map((r) => [r.offset, r.timestamp, str(r.value)]), [
    [0, -1, 'v0'],
    [1, 2000, 'a'],
    [2, 2001, 'b'],
    [3, 3000, 'v2'],
  ]);
  t.equal(await errorNameOfAsync(() => decodeRecordSet(set, { mode: 'produce' })), 'INVALID_RECORD', 'legacy refused in produce mode');
});
