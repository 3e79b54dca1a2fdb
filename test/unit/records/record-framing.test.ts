/**
 * Uncompressed client batches whose record count or a record's length lies are INVALID_RECORD at
 * produce, as Kafka's LogValidator.assignOffsetsNonCompressed finds when it iterates the records.
 * Each lie is made with a valid CRC, so only the record walk can catch it.
 */
import t from 'tap';
import { BatchLayout, buildBatchSync, computeBatchCrc, validateAndAssignOffsets, validateProduceBatch } from '../../../src/protocol/records/index.js';
import { errorNameOf } from './helpers.js';

const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(20 + i, 97), timestamp: 1000 + i }));

function resealed(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0), BatchLayout.CRC);
  return batch;
}

/** Sets recordsCount and lastOffsetDelta together, so the header checks still pass. */
function withCount(n: number): Buffer {
  const b = buildBatchSync(recs(5));
  b.writeInt32BE(n, BatchLayout.RECORDS_COUNT);
  b.writeInt32BE(n - 1, BatchLayout.LAST_OFFSET_DELTA);
  return resealed(b);
}

const assign = (b: Buffer) => () => validateAndAssignOffsets(b, { firstOffset: 0, partitionLeaderEpoch: 0 });

t.test('an honest batch passes and gets its offsets', async (t) => {
  t.equal(errorNameOf(assign(buildBatchSync(recs(5)))), 'OK');
  t.equal(validateAndAssignOffsets(buildBatchSync(recs(5)), { firstOffset: 7, partitionLeaderEpoch: 0 }).lastOffset, 11);
});

t.test('a record count that lies is INVALID_RECORD', async (t) => {
  t.equal(errorNameOf(assign(withCount(6))), 'INVALID_RECORD', 'more records claimed than present');
  t.equal(errorNameOf(assign(withCount(4))), 'INVALID_RECORD', 'fewer claimed: bytes remain after the last');
  t.equal(errorNameOf(assign(withCount(1))), 'INVALID_RECORD', 'one claimed of five');
  t.equal(errorNameOf(assign(withCount(5))), 'OK', 'the true count, resealed the same way, passes');
});

t.test("a record's length that lies is INVALID_RECORD", async (t) => {
  // The first record's length varint sits at the start of the records; lengths here are < 64, one byte.
  for (const delta of [-1, 1, 40]) {
    const b = buildBatchSync(recs(5));
    const len = b[BatchLayout.RECORDS]! >> 1; // zigzag
    b[BatchLayout.RECORDS] = (len + delta) << 1;
    t.equal(errorNameOf(() => validateProduceBatch(resealed(b), 0)), 'INVALID_RECORD', `length ${delta > 0 ? '+' : ''}${delta}`);
  }
});

t.test('a batch ending mid-record is INVALID_RECORD, and the set is left untouched', async (t) => {
  const b = buildBatchSync(recs(5));
  const cut = Buffer.from(b.subarray(0, b.length - 3));
  cut.writeInt32BE(cut.length - BatchLayout.LOG_OVERHEAD, BatchLayout.BATCH_LENGTH);
  resealed(cut);
  const before = Buffer.from(cut);
  t.equal(errorNameOf(assign(cut)), 'INVALID_RECORD');
  t.strictSame(cut, before, 'no offsets were assigned');
});
