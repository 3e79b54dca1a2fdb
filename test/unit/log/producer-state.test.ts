// Producer state of a partition (Kafka's ProducerStateManager): duplicates, sequences, epochs,
// transactions, the first unstable offset, the aborted-transactions index and expiry, driven
// through Partition.append as the produce path and the transaction markers drive it.
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { Partition } from '../../../src/log/partition.js';
import { ProducerStateManager, incrementSequence, NUM_BATCHES_TO_RETAIN } from '../../../src/log/producer-state.js';
import type { DataBatch } from '../../../src/log/producer-state.js';
import { TransactionIndex } from '../../../src/log/transaction-index.js';
import { fakeBatch } from './helpers.js';

const PID = 42;

function newPartition(): Partition {
  return new Partition({ topic: 'orders', partition: 0, logOptions: { clock: new ManualClock(1_000) } });
}

interface Spec {
  readonly seq?: number;
  readonly count?: number;
  readonly epoch?: number;
  readonly pid?: number;
  readonly txn?: boolean;
  readonly ts?: number;
}

function batchOf(spec: Spec): DataBatch {
  return {
    producerId: spec.pid ?? PID,
    producerEpoch: spec.epoch ?? 0,
    baseSequence: spec.seq ?? 0,
    lastOffsetDelta: (spec.count ?? 1) - 1,
    maxTimestamp: spec.ts ?? 1_000,
    isTransactional: spec.txn ?? false,
  };
}

/** Checks and, when accepted, appends a client batch; returns the check's outcome or the base offset. */
function produce(p: Partition, spec: Spec): number | string {
  const b = batchOf(spec);
  const base = p.log.logEndOffset;
  const check = p.producerState.checkData(b, base, 'client');
  if (check !== null) return 'duplicate' in check ? `dup@${check.duplicate.firstOffset}` : check.error;
  p.append(fakeBatch(base), {
    baseOffset: base,
    lastOffset: base + b.lastOffsetDelta,
    maxTimestamp: b.maxTimestamp,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    isTransactional: b.isTransactional,
    isControl: false,
  });
  return base;
}

function marker(p: Partition, commit: boolean, opts: { pid?: number; epoch?: number; coordinatorEpoch?: number } = {}): number | string {
  const pid = opts.pid ?? PID;
  const epoch = opts.epoch ?? 0;
  const coordinatorEpoch = opts.coordinatorEpoch ?? 0;
  const base = p.log.logEndOffset;
  const refused = p.producerState.checkMarker(pid, epoch, coordinatorEpoch, base);
  if (refused !== null) return refused.error;
  p.append(fakeBatch(base), {
    baseOffset: base,
    lastOffset: base,
    maxTimestamp: 2_000,
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
    marker: { commit, coordinatorEpoch },
  });
  return base;
}

t.test('a retried batch is a duplicate and answers with its original offsets', async (t) => {
  const p = newPartition();
  t.equal(produce(p, { seq: 0, count: 3 }), 0);
  t.equal(produce(p, { seq: 3, count: 2 }), 3);
  t.equal(produce(p, { seq: 0, count: 3 }), 'dup@0', 'the first batch again');
  t.equal(produce(p, { seq: 3, count: 2 }), 'dup@3', 'the second batch again');
  t.equal(p.log.logEndOffset, 5, 'nothing appended for duplicates');
  const dup = p.producerState.checkData(batchOf({ seq: 3, count: 2, ts: 99 }), 5, 'client');
  t.same(dup, { duplicate: { firstSeq: 3, lastSeq: 4, firstOffset: 3, lastOffset: 4, timestamp: 1_000 } }, 'the original batch metadata, timestamp included');
  t.equal(produce(p, { seq: 0, count: 2 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'a different range starting at a seen sequence is no duplicate');
  t.equal(p.producerState.checkData(batchOf({ seq: 0, count: 3 }), 5, 'coordinator'), null, 'coordinator batches are not deduplicated (nor sequence-checked)');
});

t.test('only the last five batches are remembered', async (t) => {
  const p = newPartition();
  for (let i = 0; i < NUM_BATCHES_TO_RETAIN + 1; i++) t.equal(produce(p, { seq: i }), i);
  t.equal(p.producerState.lastEntry(PID)!.batches.length, NUM_BATCHES_TO_RETAIN);
  t.equal(produce(p, { seq: 1 }), 'dup@1', 'the oldest retained is still found');
  t.equal(produce(p, { seq: 0 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'the sixth-last is forgotten: out of order');
});

t.test('sequences: in order, gaps, unknown producers, epochs', async (t) => {
  const p = newPartition();
  t.equal(produce(p, { seq: 17 }), 0, 'a producer without state may start anywhere (Kafka 4)');
  t.equal(produce(p, { seq: 19 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'a gap');
  const gap = p.producerState.checkData(batchOf({ seq: 19 }), 1, 'client');
  t.match(gap, { error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: /19 \(incoming seq. number\), 17 \(current end sequence number\)/ }, "Kafka's message");
  t.equal(produce(p, { seq: 18 }), 1, 'the next one');
  t.equal(produce(p, { seq: 5, epoch: 1 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER', 'a new epoch must start at 0');
  t.equal(produce(p, { seq: 0, epoch: 1 }), 2, 'a new epoch at 0');
  t.equal(produce(p, { seq: 1, epoch: 0 }), 'INVALID_PRODUCER_EPOCH', 'an older epoch');
  t.equal(p.producerState.lastEntry(PID)!.batches.length, 1, 'the new epoch forgot the old batches');
  t.equal(produce(p, { seq: 0, pid: 7, epoch: 3 }), 3, 'other producers are independent');
});

t.test('sequences wrap after 2^31-1', async (t) => {
  t.equal(incrementSequence(2147483646, 1), 2147483647);
  t.equal(incrementSequence(2147483647, 1), 0);
  t.equal(incrementSequence(2147483640, 10), 2);
  const p = newPartition();
  t.equal(produce(p, { seq: 2147483646, count: 2 }), 0, 'ends at the maximum');
  t.equal(produce(p, { seq: 0, count: 2 }), 2, 'continues at 0');
  t.equal(produce(p, { seq: 2147483646, count: 2 }), 'dup@0');
  t.equal(produce(p, { seq: 2147483647, count: 3 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  t.equal(produce(p, { seq: 2147483647, count: 1, pid: 5 }), 4, 'another producer ending at the maximum');
  t.equal(produce(p, { seq: 0, count: 1, pid: 5 }), 5, 'wraps to 0');
});

t.test('transactions: the first unstable offset, markers and the aborted index', async (t) => {
  const p = newPartition();
  t.equal(produce(p, { seq: 0, pid: 1 }), 0, 'plain idempotent data');
  t.equal(produce(p, { seq: 0, txn: true }), 1, 'a transaction starts at 1');
  t.equal(p.log.lastStableOffset, 1, 'the LSO stops at it');
  t.equal(p.log.highWatermark, 2);
  t.ok(p.producerState.hasOngoingTransaction(PID, 0));
  t.notOk(p.producerState.hasOngoingTransaction(PID, 1), 'not at another epoch');
  t.equal(produce(p, { seq: 1, txn: false }), 'INVALID_TXN_STATE', 'non-transactional data inside a transaction');
  t.equal(produce(p, { seq: 0, pid: 9, txn: true }), 2, "another producer's transaction");
  t.equal(produce(p, { seq: 1, txn: true }), 3);
  t.equal(p.producerState.lastEntry(PID)!.currentTxnFirstOffset, 1, 'the transaction keeps its first offset');
  t.equal(marker(p, false), 4, 'abort marker at 4');
  t.equal(p.log.lastStableOffset, 2, "the LSO moves to the other producer's open transaction");
  t.same(p.txnIndex.entries(), [{ producerId: PID, firstOffset: 1, lastOffset: 4, lastStableOffset: 2 }], 'indexed with the LSO after it');
  t.equal(marker(p, true, { pid: 9 }), 5, 'commit of the other');
  t.equal(p.log.lastStableOffset, 6, 'nothing open: the high watermark');
  t.equal(p.txnIndex.size, 1, 'commits are not indexed');
  t.equal(marker(p, false, { pid: 77 }), 6, 'a marker for a producer without a transaction here');
  t.equal(p.txnIndex.size, 1, 'an empty transaction leaves no index entry');
  t.same(p.producerState.lastEntry(77), { producerId: 77, producerEpoch: 0, coordinatorEpoch: 0, lastTimestamp: 2_000, currentTxnFirstOffset: null, batches: [] }, 'but the producer now has state');
  t.equal(produce(p, { seq: 2, txn: false }), 7, 'after the marker, plain idempotent data again');
});

t.test('markers are checked for producer and coordinator epochs', async (t) => {
  const p = newPartition();
  produce(p, { seq: 0, txn: true, epoch: 2 });
  t.equal(marker(p, true, { epoch: 1 }), 'INVALID_PRODUCER_EPOCH');
  t.equal(marker(p, true, { epoch: 3, coordinatorEpoch: 5 }), 1, 'a newer epoch (a fence) is taken');
  t.equal(p.producerState.lastEntry(PID)!.producerEpoch, 3);
  t.equal(marker(p, true, { epoch: 3, coordinatorEpoch: 4 }), 'TRANSACTION_COORDINATOR_FENCED', 'an older coordinator');
  t.equal(produce(p, { seq: 1, epoch: 2 }), 'INVALID_PRODUCER_EPOCH', 'the fenced producer');
  t.equal(produce(p, { seq: 0, epoch: 3 }), 2, 'the marker reset the sequences of the new epoch');
});

t.test('the first unstable offset is never below the log start', async (t) => {
  const p = newPartition();
  produce(p, { seq: 0, pid: 1, count: 3 });
  produce(p, { seq: 0, txn: true });
  produce(p, { seq: 3, pid: 1 });
  t.equal(p.log.lastStableOffset, 3);
  p.log.deleteRecordsBefore(4);
  t.equal(p.log.lastStableOffset, 4, 'DeleteRecords past an open transaction holds the LSO at the log start');
});

t.test('expiry forgets idle producers, never ones with an open transaction', async (t) => {
  const s = new ProducerStateManager('t-0');
  s.appendData(batchOf({ pid: 1, ts: 1_000 }), 0, 0);
  s.appendData(batchOf({ pid: 2, ts: 5_000 }), 1, 1);
  s.appendData(batchOf({ pid: 3, ts: 1_000, txn: true }), 2, 2);
  t.equal(s.removeExpired(10_999, 10_000), 0, 'not yet');
  t.equal(s.removeExpired(11_000, 10_000), 1, 'the first at exactly the expiration');
  t.same([...s.activeProducers()].map((e) => e.producerId), [2, 3]);
  t.equal(s.removeExpired(1_000_000, 10_000), 1, 'the open transaction keeps producer 3');
  t.same([...s.activeProducers()].map((e) => e.producerId), [3]);
  t.equal(s.checkData(batchOf({ pid: 1, seq: 99 }), 3, 'client'), null, 'an expired producer may start anywhere again');
});

t.test('the transaction index collects what overlaps a range', async (t) => {
  const idx = new TransactionIndex();
  idx.append({ producerId: 1, firstOffset: 10, lastOffset: 50, lastStableOffset: 20 });
  idx.append({ producerId: 2, firstOffset: 20, lastOffset: 60, lastStableOffset: 61 });
  idx.append({ producerId: 3, firstOffset: 70, lastOffset: 80, lastStableOffset: 81 });
  const ids = (a: number, b: number) => idx.collect(a, b).map((x) => x.producerId);
  t.same(ids(0, 10), [], 'ends before the first starts');
  t.same(ids(0, 11), [1]);
  t.same(ids(0, 30), [1, 2], 'both overlap although the first ends later than the range');
  t.same(ids(55, 100), [2, 3], 'ends at or after the start');
  t.same(ids(61, 70), [], 'between transactions');
  t.same(ids(81, 90), []);
  t.same(ids(30, 30), [], 'an empty range');
  t.throws(() => idx.append({ producerId: 4, firstOffset: 1, lastOffset: 80, lastStableOffset: 81 }), RangeError, 'markers come in offset order');
  idx.dropBefore(55);
  t.same(idx.entries().map((x) => x.producerId), [2, 3], 'entries wholly below the log start go');
});
