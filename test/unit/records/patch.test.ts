import t from 'tap';
import {
  CompressionCodec,
  TimestampType,
  batchCrcMatches,
  buildBatch,
  buildBatchSync,
  iterateRecords,
  readBatchHeader,
  readRecords,
  setBaseOffset,
  setLastOffset,
  setLogAppendTime,
  setMaxTimestamp,
  setPartitionLeaderEpoch,
  validateAndAssignOffsets,
} from '../../../src/protocol/records/index.js';
import { errorNameOf } from './helpers.js';

const recs = (n: number, ts = 1000) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: ts + i }));

t.test('baseOffset and leader epoch are outside the CRC', async (t) => {
  const batch = buildBatchSync(recs(5));
  const crcBefore = batch.readUInt32BE(17);
  setBaseOffset(batch, 0, 2 ** 40 + 3);
  setPartitionLeaderEpoch(batch, 0, 42);
  t.equal(batch.readUInt32BE(17), crcBefore, 'stored CRC untouched');
  t.ok(batchCrcMatches(batch, 0), 'and still valid');
  const h = readBatchHeader(batch);
  t.equal(h.baseOffset, 2 ** 40 + 3);
  t.equal(h.partitionLeaderEpoch, 42);
  t.strictSame([...iterateRecords(batch)].map((r) => r.offset), [0, 1, 2, 3, 4].map((i) => 2 ** 40 + 3 + i));
  setLastOffset(batch, 0, 99);
  t.equal(readBatchHeader(batch).baseOffset, 95);
  setBaseOffset(batch, 0, -1);
  t.equal(readBatchHeader(batch).baseOffset, -1, 'negative int64 round-trips');
});

for (const codec of [CompressionCodec.NONE, CompressionCodec.ZSTD]) {
  t.test(`LogAppendTime patch keeps the CRC valid (codec ${codec})`, async (t) => {
    const batch = await buildBatch(recs(4), { compression: codec, transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 });
    const before = readBatchHeader(batch);
    t.equal(setLogAppendTime(batch, 0, 1_800_000_000_123), true, 'changed');
    const after = readBatchHeader(batch);
    t.not(after.crc, before.crc, 'CRC was recomputed');
    t.ok(batchCrcMatches(batch, 0), 'CRC matches the new bytes');
    t.equal(after.timestampType, TimestampType.LOG_APPEND_TIME);
    t.equal(after.maxTimestamp, 1_800_000_000_123);
    t.equal(after.baseTimestamp, before.baseTimestamp, 'baseTimestamp left as the first create time, as Kafka does');
    t.equal(after.transactional, true, 'other attribute bits preserved');
    t.equal(after.compression, codec);
    t.strictSame((await readRecords(batch)).map((r) => r.timestamp), [1_800_000_000_123, 1_800_000_000_123, 1_800_000_000_123, 1_800_000_000_123]);
    t.equal(setLogAppendTime(batch, 0, 1_800_000_000_123), false, 'no-op when already stamped');
    t.equal(setMaxTimestamp(batch, 0, TimestampType.CREATE_TIME, 1003), true, 'back to CreateTime');
    t.ok(batchCrcMatches(batch, 0));
    t.strictSame((await readRecords(batch)).map((r) => r.timestamp), [1000, 1001, 1002, 1003]);
  });
}

t.test('validateAndAssignOffsets assigns contiguous offsets across batches', async (t) => {
  const a = buildBatchSync(recs(3), { baseOffset: 0 });
  const b = buildBatchSync(recs(5, 5000), { baseOffset: 0, compression: CompressionCodec.GZIP });
  const c = buildBatchSync(recs(1, 2000), { baseOffset: 0 });
  const set = Buffer.concat([a, b, c]);
  const res = validateAndAssignOffsets(set, { firstOffset: 100, partitionLeaderEpoch: 7 });
  t.strictSame(res, { batchCount: 3, recordCount: 9, firstOffset: 100, lastOffset: 108, maxTimestamp: 5004 });
  t.equal(readBatchHeader(set, 0).baseOffset, 100);
  t.equal(readBatchHeader(set, a.length).baseOffset, 103);
  t.equal(readBatchHeader(set, a.length + b.length).baseOffset, 108);
  t.equal(readBatchHeader(set, a.length).partitionLeaderEpoch, 7);

  const withTime = Buffer.concat([a, b]);
  const r2 = validateAndAssignOffsets(withTime, { firstOffset: 0, partitionLeaderEpoch: 1, logAppendTimeMs: 777 });
  t.equal(r2.maxTimestamp, 777);
  t.ok(batchCrcMatches(withTime, 0) && batchCrcMatches(withTime, a.length), 'CRCs valid after LogAppendTime');
});

t.test('a bad batch late in the set leaves earlier batches untouched', async (t) => {
  const a = buildBatchSync(recs(2));
  const b = buildBatchSync(recs(2));
  b[b.length - 1]! ^= 1;
  const set = Buffer.concat([a, b]);
  const copy = Buffer.from(set);
  t.equal(errorNameOf(() => validateAndAssignOffsets(set, { firstOffset: 500, partitionLeaderEpoch: 1 })), 'CORRUPT_MESSAGE');
  t.strictSame(set, copy, 'no byte changed');
});
