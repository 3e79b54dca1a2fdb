import t from 'tap';
import {
  AppendOrigin,
  BatchCursor,
  BatchLayout,
  CompressionCodec,
  Magic,
  ScanMode,
  buildBatchSync,
  checkProduceBatchHeader,
  iterateRecords,
  listBatches,
  recomputeCrc,
  validateProduceBatch,
  verifyBatchCrc,
  writeVarint,
} from '../../../src/protocol/records/index.js';
import { errorNameOf } from './helpers.js';

const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`key${i}`), value: Buffer.alloc(20 + i, i), headers: [{ key: 'h', value: Buffer.from('x') }] }));

for (const codec of [CompressionCodec.NONE, CompressionCodec.LZ4]) {
  t.test(`one flipped byte anywhere in [21, end) is CORRUPT_MESSAGE (codec ${codec})`, async (t) => {
    const batch = buildBatchSync(recs(6), { compression: codec, producerId: 5, producerEpoch: 1, baseSequence: 0 });
    const bad: number[] = [];
    for (let i = BatchLayout.CRC; i < batch.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const copy = Buffer.from(batch);
        copy[i]! ^= mask;
        if (errorNameOf(() => verifyBatchCrc(copy, 0)) !== 'CORRUPT_MESSAGE') bad.push(i);
      }
    }
    t.strictSame(bad, [], 'every flip in the crc field and the covered range detected');
    for (let i = 0; i < BatchLayout.MAGIC; i++) {
      if (i >= BatchLayout.BATCH_LENGTH && i < BatchLayout.PARTITION_LEADER_EPOCH) continue;
      const copy = Buffer.from(batch);
      copy[i]! ^= 0xff;
      verifyBatchCrc(copy, 0); // baseOffset and leader epoch are not covered
    }
    t.pass('baseOffset/leaderEpoch changes do not affect the CRC');
  });
}

t.test('truncation: PRODUCE throws, FETCH reports the partial batch', async (t) => {
  const a = buildBatchSync(recs(3));
  const b = buildBatchSync(recs(4));
  const set = Buffer.concat([a, b]);
  for (let cut = 1; cut < set.length; cut++) {
    const part = set.subarray(0, cut);
    const fetch = listBatches(part, ScanMode.FETCH);
    const complete = cut >= a.length ? 1 : 0;
    if (fetch.batches.length !== complete) t.fail(`cut ${cut}: ${fetch.batches.length} batches`);
    const wantTrunc = cut === a.length ? -1 : cut > a.length ? a.length : 0;
    if (fetch.truncatedAt !== wantTrunc) t.fail(`cut ${cut}: truncatedAt ${fetch.truncatedAt}`);
    const name = errorNameOf(() => listBatches(part, ScanMode.PRODUCE));
    if (name !== (cut === a.length ? 'OK' : 'CORRUPT_MESSAGE')) t.fail(`cut ${cut}: produce gave ${name}`);
  }
  t.pass('all cut points checked');
  t.strictSame(listBatches(Buffer.alloc(0), ScanMode.PRODUCE), { batches: [], truncatedAt: -1 }, 'empty is fine');
});

t.test('length and magic checks', async (t) => {
  const batch = buildBatchSync(recs(1));
  const small = Buffer.from(batch);
  small.writeInt32BE(BatchLayout.MIN_BATCH_LENGTH - 1, 8);
  t.equal(errorNameOf(() => listBatches(small)), 'CORRUPT_MESSAGE', 'v2 batchLength below header size');
  const neg = Buffer.from(batch);
  neg.writeInt32BE(-5, 8);
  t.equal(errorNameOf(() => listBatches(neg)), 'CORRUPT_MESSAGE', 'negative length');
  const m1 = Buffer.from(batch);
  m1[16] = Magic.V1;
  t.equal(errorNameOf(() => listBatches(m1, ScanMode.PRODUCE)), 'INVALID_RECORD', 'magic 1 in produce');
  t.equal(errorNameOf(() => listBatches(m1, ScanMode.FETCH)), 'OK', 'magic 1 accepted when fetching');
  const m3 = Buffer.from(batch);
  m3[16] = 3;
  t.equal(errorNameOf(() => listBatches(m3, ScanMode.FETCH)), 'CORRUPT_MESSAGE', 'unknown magic');
  const big = Buffer.from(batch);
  big.writeInt32BE(batch.length, 8);
  t.equal(errorNameOf(() => listBatches(big, ScanMode.PRODUCE)), 'CORRUPT_MESSAGE', 'length past the end');
  const c = new BatchCursor(big, ScanMode.FETCH);
  t.equal(c.next(), false);
  t.equal(c.truncatedAt, 0, 'fetch sees a truncated batch');
});

t.test('produce header checks', async (t) => {
  const edit = (fn: (b: Buffer) => void, opts = {}) => {
    const b = buildBatchSync(recs(3), opts);
    fn(b);
    recomputeCrc(b, 0);
    return b;
  };
  t.equal(errorNameOf(() => validateProduceBatch(edit(() => {}), 0)), 'OK');
  t.equal(errorNameOf(() => validateProduceBatch(edit((b) => b.writeInt16BE(5, 21)), 0)), 'UNSUPPORTED_COMPRESSION_TYPE', 'codec 5');
  t.equal(errorNameOf(() => validateProduceBatch(edit((b) => b.writeInt16BE(7, 21)), 0)), 'UNSUPPORTED_COMPRESSION_TYPE', 'codec 7');
  t.equal(errorNameOf(() => validateProduceBatch(edit((b) => b.writeInt32BE(3, 23)), 0)), 'INVALID_RECORD', 'lastOffsetDelta vs count');
  t.equal(errorNameOf(() => validateProduceBatch(edit((b) => b.writeInt32BE(0, 57)), 0)), 'INVALID_RECORD', 'zero count');
  t.equal(errorNameOf(() => validateProduceBatch(edit(() => {}, { control: true }), 0)), 'INVALID_RECORD', 'control from a client');
  t.equal(errorNameOf(() => checkProduceBatchHeader(edit(() => {}, { control: true }), 0, AppendOrigin.COORDINATOR)), 'OK', 'control allowed for the broker');
  t.equal(errorNameOf(() => validateProduceBatch(edit(() => {}, { producerId: 9, baseSequence: -1 }), 0)), 'INVALID_RECORD', 'idempotent without sequence');
  t.equal(errorNameOf(() => validateProduceBatch(edit(() => {}, { producerId: 9, baseSequence: 0 }), 0)), 'OK');
});

t.test('bad inner records are INVALID_RECORD', async (t) => {
  const base = buildBatchSync(recs(3));
  const fix = (b: Buffer) => (recomputeCrc(b, 0), b);
  const countUp = Buffer.from(base);
  countUp.writeInt32BE(4, 57);
  t.equal(errorNameOf(() => [...iterateRecords(fix(countUp))]), 'INVALID_RECORD', 'count larger than records');
  const countDown = Buffer.from(base);
  countDown.writeInt32BE(2, 57);
  t.equal(errorNameOf(() => [...iterateRecords(fix(countDown))]), 'INVALID_RECORD', 'bytes left over');
  const negCount = Buffer.from(base);
  negCount.writeInt32BE(-1, 57);
  t.equal(errorNameOf(() => [...iterateRecords(fix(negCount))]), 'INVALID_RECORD', 'negative count');
  const lenUp = Buffer.from(base);
  writeVarint(lenUp, 61, lenUp[61]! / 2 + 1);
  t.equal(errorNameOf(() => [...iterateRecords(fix(lenUp))]), 'INVALID_RECORD', 'record length larger than its fields');
  const keyLen = Buffer.from(base);
  // record 0: [len][attr][tsDelta][offDelta][keyLen]... keyLen at 61+4
  writeVarint(keyLen, 65, 60);
  t.equal(errorNameOf(() => [...iterateRecords(fix(keyLen))]), 'INVALID_RECORD', 'key length past the record');
  const keyNeg = Buffer.from(base);
  writeVarint(keyNeg, 65, -2);
  t.equal(errorNameOf(() => [...iterateRecords(fix(keyNeg))]), 'INVALID_RECORD', 'key length -2');
  const garbled = buildBatchSync(recs(3), { compression: CompressionCodec.GZIP });
  garbled[garbled.length - 12]! ^= 0xff;
  t.equal(errorNameOf(() => [...iterateRecords(fix(garbled))]), 'INVALID_RECORD', 'gzip payload damaged (CRC recomputed)');
});
