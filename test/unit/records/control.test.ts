import t from 'tap';
import {
  AppendOrigin,
  ControlRecordType,
  NO_SEQUENCE,
  batchCrcMatches,
  buildControlBatch,
  checkProduceBatchHeader,
  encodeControlKey,
  iterateRecords,
  readBatchHeader,
  readControlRecordType,
  readEndTxnMarker,
} from '../../../src/protocol/records/index.js';
import { errorNameOf } from './helpers.js';

for (const [name, type] of [['COMMIT', ControlRecordType.COMMIT], ['ABORT', ControlRecordType.ABORT]] as const) {
  t.test(`${name} marker batch`, async (t) => {
    const batch = buildControlBatch({ type, producerId: 4000, producerEpoch: 7, coordinatorEpoch: 12, baseOffset: 88, timestamp: 1234 });
    const h = readBatchHeader(batch);
    t.equal(h.control, true);
    t.equal(h.transactional, true);
    t.equal(h.compression, 0);
    t.equal(h.recordsCount, 1);
    t.equal(h.lastOffsetDelta, 0);
    t.equal(h.baseSequence, NO_SEQUENCE);
    t.equal(h.producerId, 4000);
    t.equal(h.producerEpoch, 7);
    t.equal(h.baseTimestamp, 1234);
    t.equal(h.maxTimestamp, 1234);
    t.ok(batchCrcMatches(batch, 0));
    const [rec, ...rest] = [...iterateRecords(batch)];
    t.equal(rest.length, 0);
    t.equal(rec!.offset, 88);
    t.equal(rec!.key!.toString('hex'), `0000000${type}`, 'key: version 0, type');
    t.equal(rec!.value!.toString('hex'), '00000000000c', 'value: version 0, coordinatorEpoch 12');
    t.equal(readControlRecordType(rec!.key), type);
    t.strictSame(readEndTxnMarker(rec!.value), { version: 0, coordinatorEpoch: 12 });
    t.equal(errorNameOf(() => checkProduceBatchHeader(batch, 0)), 'INVALID_RECORD', 'clients cannot send it');
    t.equal(errorNameOf(() => checkProduceBatchHeader(batch, 0, AppendOrigin.COORDINATOR)), 'OK');
  });
}

t.test('malformed control keys/values', async (t) => {
  t.equal(errorNameOf(() => readControlRecordType(null)), 'INVALID_RECORD');
  t.equal(errorNameOf(() => readControlRecordType(Buffer.from([0, 0, 1]))), 'INVALID_RECORD');
  t.equal(errorNameOf(() => readControlRecordType(Buffer.from([0xff, 0xff, 0, 1]))), 'INVALID_RECORD', 'negative version');
  t.equal(readControlRecordType(encodeControlKey(3)), 3, 'unknown types passed through');
  t.equal(errorNameOf(() => readEndTxnMarker(Buffer.from([0, 0, 0]))), 'INVALID_RECORD');
  t.strictSame(readEndTxnMarker(Buffer.from([0, 1, 0, 0, 0, 5, 9, 9])), { version: 1, coordinatorEpoch: 5 }, 'newer versions with trailing fields');
});
