// The transaction coordinator's state machine, every transition, with the injected clock and a
// marker writer that can hold markers back (so the Prepare states and CONCURRENT_TRANSACTIONS are
// observable, as they are on Kafka while markers are in flight).
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/logger.js';
import { Cluster } from '../../../src/server/cluster/cluster.js';
import { defaultBrokerConfig, applyBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { createTopic } from '../../../src/server/cluster/topic-create.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { iterateRecords, readBatchHeader, readControlRecordType } from '../../../src/protocol/records/index.js';
import { TransactionCoordinator } from '../../../src/server/coordinators/txn/transaction-coordinator.js';
import { clusterMarkerWriter } from '../../../src/server/coordinators/txn/transaction-markers.js';
import type { MarkerWriter, TxnMarker } from '../../../src/server/coordinators/txn/transaction-markers.js';
import { TransactionMetadata, TxnState, IllegalTxnTransition } from '../../../src/server/coordinators/txn/transaction-metadata.js';
import type { TxnPartition } from '../../../src/server/coordinators/txn/transaction-metadata.js';
import { TRANSACTION_STATE_TOPIC, decodeTransactionLogRecord, transactionLogKey } from '../../../src/server/coordinators/txn/transaction-state-log.js';
import { partitionForKey } from '../../../src/server/coordinators/partition-for-key.js';

const T0 = 1_700_000_000_000;
const S = TxnState;

interface Held {
  readonly marker: TxnMarker;
  readonly partitions: readonly TxnPartition[];
  readonly done: () => void;
}

function setup(opts: { hold?: boolean; configs?: Record<string, string> } = {}) {
  const clock = new ManualClock(T0);
  const logger = createLogger('error');
  const config = defaultBrokerConfig();
  for (const [k, v] of Object.entries(opts.configs ?? {})) applyBrokerConfig(config, k, v);
  const cluster = new Cluster('test-cluster', clock, logger, config);
  cluster.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
  createTopic(cluster, config, { name: 'orders', numPartitions: 3 });
  const held: Held[] = [];
  const direct = clusterMarkerWriter(cluster, () => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, logger);
  const markers: MarkerWriter = (marker, partitions, done) => {
    if (opts.hold) held.push({ marker, partitions, done });
    else direct(marker, partitions, done);
  };
  const tc = new TransactionCoordinator(cluster, config, clock, logger, { markers });
  /** Releases the held markers: writes them, then completes. */
  const release = () => {
    for (const h of held.splice(0)) direct(h.marker, h.partitions, h.done);
  };
  /** The states written to __transaction_state for an id, in order (null: a tombstone). */
  const logged = (id: string): (string | null)[] => {
    const topic = cluster.topics.get(TRANSACTION_STATE_TOPIC)!;
    const p = topic.partitions[partitionForKey(id, topic.partitions.length)]!;
    const { batches } = p.log.read(0, Number.MAX_SAFE_INTEGER, { minOneBatch: true });
    const out: (string | null)[] = [];
    const names = Object.values(S);
    for (const b of batches) {
      for (const r of iterateRecords(b)) {
        const rec = decodeTransactionLogRecord(r.key!, r.value);
        if (rec.transactionalId === id) out.push(rec.value === null ? null : names[rec.value.transactionStatus]!);
      }
    }
    return out;
  };
  return { clock, cluster, tc, held, release, logged };
}

const P = (partition: number): TxnPartition => ({ topic: 'orders', partition });

/** Control batches of a partition: [offset, COMMIT/ABORT, producer epoch]. */
function markersOn(cluster: Cluster, partition: number): [number, string, number][] {
  const p = cluster.topics.partition('orders', partition)!;
  const { batches } = p.log.read(0, Number.MAX_SAFE_INTEGER, { minOneBatch: true });
  const out: [number, string, number][] = [];
  for (const b of batches) {
    const h = readBatchHeader(b);
    if (!h.control) continue;
    const [r] = [...iterateRecords(b)];
    out.push([h.baseOffset, readControlRecordType(r!.key) === 1 ? 'COMMIT' : 'ABORT', h.producerEpoch]);
  }
  return out;
}

t.test('Empty: created by InitProducerId at epoch 0, each call bumps the epoch (Empty -> Empty)', async (t) => {
  const { tc, logged } = setup();
  const first = tc.initProducerId('tx', 60000, null);
  t.same(first, { errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 0 });
  const again = tc.initProducerId('tx', 30000, null);
  t.same([again.producerId, again.producerEpoch], [first.producerId, 1], 'same id, next epoch');
  t.equal(tc.transaction('tx')!.txnTimeoutMs, 30000, 'the new timeout is taken');
  t.same(logged('tx'), [S.EMPTY, S.EMPTY]);
  t.same(tc.describe('tx'), { errorCode: 0, state: 'Empty', transactionTimeoutMs: 30000, transactionStartTimeMs: -1, producerId: first.producerId, producerEpoch: 1, topics: [] });
  const other = tc.initProducerId(null, 0, null);
  t.same([other.errorCode, other.producerEpoch], [0, 0], 'idempotent producers: a new id each time');
  t.not(other.producerId, first.producerId);
});

t.test('InitProducerId refusals', async (t) => {
  const { tc } = setup({ configs: { 'transaction.max.timeout.ms': '1000' } });
  t.equal(tc.initProducerId('', 100, null).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(tc.initProducerId('tx', 0, null).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.equal(tc.initProducerId('tx', 1001, null).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT, 'above transaction.max.timeout.ms');
  t.equal(tc.transaction('tx'), undefined, 'nothing was created');
  const ok = tc.initProducerId('tx', 1000, null);
  t.equal(ok.errorCode, ErrorCode.NONE, 'at the maximum');
  t.same(tc.initProducerId('tx', 1000, { producerId: ok.producerId + 1, producerEpoch: 0 }), { errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 }, 'another producer id');
});

t.test('KIP-360: a given producer id and epoch', async (t) => {
  const { tc } = setup();
  const a = tc.initProducerId('tx', 60000, null);
  const b = tc.initProducerId('tx', 60000, { producerId: a.producerId, producerEpoch: 0 });
  t.same([b.errorCode, b.producerEpoch], [0, 1], 'the current epoch: bumped');
  const retry = tc.initProducerId('tx', 60000, { producerId: a.producerId, producerEpoch: 0 });
  t.same([retry.errorCode, retry.producerEpoch], [0, 1], 'the previous epoch (a lost answer): the same epoch again');
  t.equal(tc.initProducerId('tx', 60000, { producerId: a.producerId, producerEpoch: 7 }).errorCode, ErrorCode.PRODUCER_FENCED, 'any other epoch');
  const fresh = tc.initProducerId('new', 60000, { producerId: 12345, producerEpoch: 3 });
  t.same([fresh.errorCode, fresh.producerEpoch], [0, 0], 'an id just created accepts any (UNKNOWN_PRODUCER_ID recovery)');
});

t.test('an exhausted epoch moves to a new producer id', async (t) => {
  const { tc } = setup();
  const a = tc.initProducerId('tx', 60000, null);
  const meta = tc.transaction('tx')!;
  meta.producerEpoch = 32765;
  t.same(tc.initProducerId('tx', 60000, null).producerEpoch, 32766, 'the last epoch handed out');
  const rotated = tc.initProducerId('tx', 60000, { producerId: a.producerId, producerEpoch: 32766 });
  t.same(rotated.producerEpoch, 0, 'epoch 0');
  t.not(rotated.producerId, a.producerId, 'of a new producer id');
  t.equal(meta.previousProducerId, a.producerId, 'the previous one is remembered');
  const lost = tc.initProducerId('tx', 60000, { producerId: a.producerId, producerEpoch: 32766 });
  t.same([lost.errorCode, lost.producerId, lost.producerEpoch], [0, rotated.producerId, 0], 'a retry of the rotation (its answer was lost) gets the same id and epoch');
  meta.producerEpoch = 32766;
  const unasked = tc.initProducerId('tx', 60000, null);
  t.same(unasked.producerEpoch, 0, 'without a given epoch too');
  t.not(unasked.producerId, rotated.producerId);
});

t.test('Empty -> Ongoing -> Ongoing -> PrepareCommit -> CompleteCommit, markers in every partition', async (t) => {
  const { tc, cluster, logged, clock, held, release } = setup({ hold: true });
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  t.equal(tc.addPartitions('tx', pid, 0, [P(0)]), ErrorCode.NONE);
  t.equal(tc.transaction('tx')!.state, S.ONGOING);
  t.equal(tc.transaction('tx')!.txnStartTimestamp, T0, 'the transaction starts with its first partition');
  clock.advance(5);
  t.equal(tc.addPartitions('tx', pid, 0, [P(0), P(1)]), ErrorCode.NONE, 'Ongoing -> Ongoing');
  t.equal(tc.addPartitions('tx', pid, 0, [P(1)]), ErrorCode.NONE, 'already in: no write');
  t.same(logged('tx'), [S.EMPTY, S.ONGOING, S.ONGOING]);
  t.equal(tc.transaction('tx')!.txnStartTimestamp, T0, 'the start does not move');
  t.same(tc.describe('tx').topics, [{ topic: 'orders', partitions: [0, 1] }]);

  const ended = tc.endTxn('tx', pid, 0, true);
  t.same(ended, { errorCode: 0, producerId: pid, producerEpoch: 0 }, 'answered once the outcome is logged');
  t.equal(tc.transaction('tx')!.state, S.PREPARE_COMMIT, 'markers are pending');
  t.same(held.map((h) => h.partitions), [[P(0), P(1)]], 'one marker per partition of the transaction');
  t.equal(tc.endTxn('tx', pid, 0, true).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'a retry while markers are pending');
  t.equal(tc.endTxn('tx', pid, 0, false).errorCode, ErrorCode.INVALID_TXN_STATE, 'the other outcome');
  t.equal(tc.addPartitions('tx', pid, 0, [P(2)]), ErrorCode.CONCURRENT_TRANSACTIONS);
  t.same(tc.verifyPartitions('tx', pid, 0, [P(0)]), [ErrorCode.CONCURRENT_TRANSACTIONS]);
  t.equal(tc.initProducerId('tx', 60000, null).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'InitProducerId waits too');
  t.same(tc.list({ states: ['PrepareCommit'], producerIds: [], durationMs: -1, transactionalIdPattern: null }).transactions.map((x) => x.transactionalId), ['tx']);

  release();
  t.equal(tc.transaction('tx')!.state, S.COMPLETE_COMMIT);
  t.same(tc.describe('tx').topics, [], 'no partitions once complete');
  t.same(markersOn(cluster, 0), [[0, 'COMMIT', 0]]);
  t.same(markersOn(cluster, 1), [[0, 'COMMIT', 0]]);
  t.same(markersOn(cluster, 2), [], 'not in the transaction');
  t.same(logged('tx'), [S.EMPTY, S.ONGOING, S.ONGOING, S.PREPARE_COMMIT, S.COMPLETE_COMMIT]);
  t.same(tc.endTxn('tx', pid, 0, true), { errorCode: 0, producerId: pid, producerEpoch: 0 }, 'a retry of the completed commit');
  t.equal(tc.endTxn('tx', pid, 0, false).errorCode, ErrorCode.INVALID_TXN_STATE, 'abort after commit');
  clock.advance(1000);
  t.equal(tc.addPartitions('tx', pid, 0, [P(2)]), ErrorCode.NONE, 'CompleteCommit -> Ongoing: the next transaction');
  t.same([tc.transaction('tx')!.state, tc.transaction('tx')!.txnStartTimestamp], [S.ONGOING, T0 + 1005], 'it starts now');
});

t.test('Ongoing -> PrepareAbort -> CompleteAbort, then CompleteAbort -> Ongoing and -> Empty', async (t) => {
  const { tc, cluster, logged } = setup();
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  tc.addPartitions('tx', pid, 0, [P(2)]);
  t.equal(tc.endTxn('tx', pid, 0, false).errorCode, ErrorCode.NONE);
  t.equal(tc.transaction('tx')!.state, S.COMPLETE_ABORT, 'with markers written at once');
  t.same(markersOn(cluster, 2), [[0, 'ABORT', 0]]);
  t.same(tc.endTxn('tx', pid, 0, false).errorCode, ErrorCode.NONE, 'a retry of the abort');
  t.equal(tc.endTxn('tx', pid, 0, true).errorCode, ErrorCode.INVALID_TXN_STATE);
  t.equal(tc.addPartitions('tx', pid, 0, [P(0)]), ErrorCode.NONE, 'CompleteAbort -> Ongoing');
  t.equal(tc.transaction('tx')!.txnStartTimestamp, T0, 'a new transaction, a new start');
  tc.endTxn('tx', pid, 0, true);
  t.equal(tc.initProducerId('tx', 60000, null).producerEpoch, 1, 'CompleteCommit -> Empty');
  t.equal(tc.endTxn('tx', pid, 1, true).errorCode, ErrorCode.INVALID_TXN_STATE, 'EndTxn on Empty');
  t.same(logged('tx'), [S.EMPTY, S.ONGOING, S.PREPARE_ABORT, S.COMPLETE_ABORT, S.ONGOING, S.PREPARE_COMMIT, S.COMPLETE_COMMIT, S.EMPTY]);
});

t.test('the producer is checked on every operation', async (t) => {
  const { tc } = setup();
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  t.equal(tc.addPartitions('nope', pid, 0, [P(0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'unknown id');
  t.equal(tc.addPartitions('tx', pid + 1, 0, [P(0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'another producer id');
  t.equal(tc.addPartitions('tx', pid, 1, [P(0)]), ErrorCode.PRODUCER_FENCED, 'another epoch');
  t.equal(tc.addPartitions('', pid, 0, [P(0)]), ErrorCode.INVALID_REQUEST);
  t.same(tc.endTxn('tx', pid + 1, 0, true).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  t.same(tc.endTxn('tx', pid, 1, true).errorCode, ErrorCode.PRODUCER_FENCED, 'a newer epoch from a client is fenced too');
  t.same(tc.endTxn('nope', pid, 0, true).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  t.same(tc.verifyPartitions('tx', pid, 0, [P(0), P(1)]), [ErrorCode.TRANSACTION_ABORTABLE, ErrorCode.TRANSACTION_ABORTABLE], 'not in the transaction');
  tc.addPartitions('tx', pid, 0, [P(1)]);
  t.same(tc.verifyPartitions('tx', pid, 0, [P(0), P(1)]), [ErrorCode.TRANSACTION_ABORTABLE, ErrorCode.NONE]);
  t.same(tc.verifyPartitions('tx', pid, 3, [P(1)]), [ErrorCode.PRODUCER_FENCED]);
  t.same(tc.verifyPartitions('nope', pid, 0, [P(1)]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING]);
});

// The coordinator's own aborts (a fence) bump the epoch once at either transaction.version (as
// Apache Kafka 4.4 does: the abort after the fence does not bump again).
for (const tv of [1, 2]) {
const tvConfig = { 'transaction.version': String(tv) };
const fenceBump = 0;

t.test(`transaction.version ${tv}: Ongoing -> PrepareEpochFence -> PrepareAbort -> CompleteAbort: InitProducerId fences an open transaction`, async (t) => {
  const { tc, cluster, logged } = setup({ configs: tvConfig });
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  tc.addPartitions('tx', pid, 0, [P(0)]);
  const fenced = tc.initProducerId('tx', 60000, null);
  t.same(fenced, { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, producerId: -1, producerEpoch: -1 }, 'the client must retry');
  t.equal(tc.transaction('tx')!.state, S.COMPLETE_ABORT);
  t.same(markersOn(cluster, 0), [[0, 'ABORT', 1 + fenceBump]], 'aborted with the bumped epoch');
  t.same(logged('tx'), [S.EMPTY, S.ONGOING, S.PREPARE_ABORT, S.COMPLETE_ABORT], 'the fence itself is never written');
  t.equal(tc.endTxn('tx', pid, 0, false).errorCode, ErrorCode.PRODUCER_FENCED, 'the old producer is fenced');
  t.equal(tc.addPartitions('tx', pid, 0, [P(0)]), ErrorCode.PRODUCER_FENCED);
  const retry = tc.initProducerId('tx', 60000, null);
  t.same([retry.errorCode, retry.producerId, retry.producerEpoch], [0, pid, 2 + fenceBump], 'the retry bumps once more');
});

t.test(`transaction.version ${tv}: a fence held by pending markers answers CONCURRENT_TRANSACTIONS until they are written`, async (t) => {
  const { tc, held, release } = setup({ hold: true, configs: tvConfig });
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  tc.addPartitions('tx', pid, 0, [P(0)]);
  t.equal(tc.initProducerId('tx', 60000, null).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  t.equal(tc.transaction('tx')!.state, S.PREPARE_ABORT);
  t.equal(held[0]!.marker.producerEpoch, 1 + fenceBump);
  t.equal(tc.initProducerId('tx', 60000, null).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'still aborting');
  release();
  t.equal(tc.initProducerId('tx', 60000, null).producerEpoch, 2 + fenceBump);
});

t.test(`transaction.version ${tv}: the timeout aborts an Ongoing transaction on the abort interval, fencing its producer`, async (t) => {
  const { tc, clock, cluster, logged } = setup({ configs: tvConfig });
  const { producerId: pid } = tc.initProducerId('tx', 1000, null);
  clock.advance(9_500);
  tc.addPartitions('tx', pid, 0, [P(1)]);
  clock.advance(500);
  t.equal(tc.transaction('tx')!.state, S.ONGOING, 'the first check (at 10 s) finds it 0.5 s old');
  clock.advance(5_000);
  t.equal(tc.addPartitions('tx', pid, 0, [P(2)]), ErrorCode.NONE, 'past its timeout but before the next check: still usable');
  clock.advance(5_000);
  t.equal(tc.transaction('tx')!.state, S.COMPLETE_ABORT, 'aborted at the next check');
  t.equal(tc.transaction('tx')!.producerEpoch, 1 + fenceBump, 'with a bumped epoch');
  t.same(markersOn(cluster, 1), [[0, 'ABORT', 1 + fenceBump]]);
  t.same(markersOn(cluster, 2), [[0, 'ABORT', 1 + fenceBump]]);
  t.equal(tc.endTxn('tx', pid, 0, true).errorCode, ErrorCode.PRODUCER_FENCED, 'the producer learns it was fenced');
  t.same(logged('tx').slice(-2), [S.PREPARE_ABORT, S.COMPLETE_ABORT]);
  const again = tc.initProducerId('tx', 1000, null);
  t.same([again.errorCode, again.producerEpoch], [0, 2 + fenceBump], 'a new producer continues');
});

}

t.test('a transaction within its timeout is left alone', async (t) => {
  const { tc, clock } = setup();
  const { producerId: pid } = tc.initProducerId('tx', 60_000, null);
  tc.addPartitions('tx', pid, 0, [P(0)]);
  clock.advance(50_000);
  t.equal(tc.transaction('tx')!.state, S.ONGOING);
  clock.advance(20_000);
  t.equal(tc.transaction('tx')!.state, S.COMPLETE_ABORT);
});

t.test('Empty/CompleteCommit/CompleteAbort -> Dead: idle ids expire with a tombstone', async (t) => {
  const { tc, clock, logged } = setup({ configs: { 'transactional.id.expiration.ms': '60000', 'transaction.remove.expired.transaction.cleanup.interval.ms': '10000' } });
  const a = tc.initProducerId('empty', 60000, null);
  const b = tc.initProducerId('committed', 60000, null);
  tc.addPartitions('committed', b.producerId, 0, [P(0)]);
  tc.endTxn('committed', b.producerId, 0, true);
  const c = tc.initProducerId('open', 60000, null);
  tc.addPartitions('open', c.producerId, 0, [P(0)]);
  clock.advance(50_000);
  tc.addPartitions('open', c.producerId, 0, [P(1)]);
  t.ok(tc.transaction('empty'), 'idle for 50 s');
  clock.advance(10_000);
  t.equal(tc.transaction('empty'), undefined, 'Empty expired');
  t.equal(tc.transaction('committed'), undefined, 'CompleteCommit expired');
  t.equal(tc.describe('empty').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  t.same(logged('empty'), [S.EMPTY, null], 'a tombstone');
  t.equal(tc.addPartitions('empty', a.producerId, 0, [P(0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'an expired id is unknown');
  t.ok(tc.transaction('open'), 'an Ongoing one never expires (it times out instead)');
  const reborn = tc.initProducerId('empty', 60000, null);
  t.not(reborn.producerId, a.producerId, 'a reused id starts over with a new producer id');
});

t.test('producer state expires on the check interval', async (t) => {
  const { tc, clock, cluster } = setup({ configs: { 'producer.id.expiration.ms': '100000', 'producer.id.expiration.check.interval.ms': '60000' } });
  const p = cluster.topics.partition('orders', 0)!;
  p.producerState.appendData({ producerId: 5, producerEpoch: 0, baseSequence: 0, lastOffsetDelta: 0, maxTimestamp: T0, isTransactional: false }, 0, 0);
  clock.advance(60_000);
  t.equal(p.producerState.size, 1);
  clock.advance(60_000);
  t.equal(p.producerState.size, 0, 'gone at the first check past producer.id.expiration.ms');
  tc.close();
  t.equal(clock.pendingTimers, 0, 'close stops every timer');
  t.equal(tc.initProducerId('tx', 1000, null).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

t.test('ListTransactions filters', async (t) => {
  const { tc, clock } = setup();
  const a = tc.initProducerId('app-1', 60000, null);
  const b = tc.initProducerId('app-2', 60000, null);
  tc.addPartitions('app-2', b.producerId, 0, [P(0)]);
  clock.advance(5000);
  const c = tc.initProducerId('other', 60000, null);
  tc.addPartitions('other', c.producerId, 0, [P(1)]);
  const ids = (f: Partial<Parameters<TransactionCoordinator['list']>[0]>) =>
    tc.list({ states: [], producerIds: [], durationMs: -1, transactionalIdPattern: null, ...f }).transactions.map((x) => x.transactionalId);
  t.same(ids({}), ['app-1', 'app-2', 'other']);
  t.same(ids({ states: ['Ongoing'] }), ['app-2', 'other']);
  t.same(tc.list({ states: ['Ongoing', 'Nope'], producerIds: [], durationMs: -1, transactionalIdPattern: null }).unknownStateFilters, ['Nope']);
  t.same(ids({ states: ['Nope'] }), [], 'only unknown states: nothing');
  t.same(ids({ producerIds: [a.producerId] }), ['app-1']);
  t.same(ids({ durationMs: 1000 }), ['app-1', 'app-2'], 'running longer than 1 s (an Empty id counts from -1, as Kafka)');
  t.same(ids({ transactionalIdPattern: 'app-.*' }), ['app-1', 'app-2']);
  t.same(ids({ transactionalIdPattern: 'app' }), [], 'the whole id must match');
  t.equal(tc.list({ states: [], producerIds: [], durationMs: -1, transactionalIdPattern: '[' }).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
});

t.test('TransactionMetadata refuses transitions the state machine does not have', async (t) => {
  const m = new TransactionMetadata('x', 1, 1000, T0);
  t.throws(() => m.prepareAbortOrCommit(S.PREPARE_COMMIT, T0), IllegalTxnTransition, 'Empty -> PrepareCommit');
  t.throws(() => m.prepareAbortOrCommit(S.PREPARE_ABORT, T0), IllegalTxnTransition, 'Empty -> PrepareAbort (transactions V2 only)');
  t.throws(() => m.prepareFenceProducerEpoch(), IllegalTxnTransition, 'Empty -> PrepareEpochFence');
  const bump = m.prepareIncrementProducerEpoch(1000, null, T0)!;
  t.throws(() => m.prepareAddPartitions([P(0)], T0), IllegalTxnTransition, 'one pending transition at a time');
  m.completeTransitionTo(bump);
  t.throws(() => m.completeTransitionTo(bump), IllegalTxnTransition, 'nothing pending');
  const add = m.prepareAddPartitions([P(0)], T0);
  m.completeTransitionTo(add);
  t.throws(() => m.prepareDead(), IllegalTxnTransition, 'Ongoing -> Dead');
  t.throws(() => m.prepareIncrementProducerEpoch(1000, null, T0), IllegalTxnTransition, 'Ongoing -> Empty');
  const fence = m.prepareFenceProducerEpoch();
  t.throws(() => m.completeTransitionTo(fence), IllegalTxnTransition, 'PrepareEpochFence is never made current');
  m.applyEpochFence(fence.producerEpoch);
  const abort = m.prepareAbortOrCommit(S.PREPARE_ABORT, T0);
  m.completeTransitionTo(abort);
  t.throws(() => m.prepareAddPartitions([P(1)], T0), IllegalTxnTransition, 'PrepareAbort -> Ongoing');
  t.throws(() => m.prepareIncrementProducerEpoch(1000, null, T0), IllegalTxnTransition, 'PrepareAbort -> Empty');
  m.completeTransitionTo(m.prepareComplete(T0));
  t.equal(m.state, S.COMPLETE_ABORT);
  t.equal(m.producerEpoch, 1, 'the fence epoch stuck');
  t.throws(() => m.prepareComplete(T0), IllegalTxnTransition, 'CompleteAbort -> CompleteAbort');
  m.prepareDead();
  t.equal(m.pendingState, S.DEAD, 'CompleteAbort -> Dead');
});

// ---- transactions V2 (KIP-890 part 2): EndTxn v5 is clientTransactionVersion 2 ----

const V2 = 2;

t.test('transactions V2: every EndTxn bumps the epoch; retries are recognised by the epoch below', async (t) => {
  const { tc, cluster, held, release, logged } = setup({ hold: true });
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  t.equal(tc.addPartitions('tx', pid, 0, [P(0)], V2), ErrorCode.NONE, 'added (as a broker does for Produce v12)');
  t.same(tc.endTxn('tx', pid, 0, true, V2), { errorCode: 0, producerId: pid, producerEpoch: 1 }, 'answered with the next epoch');
  t.same(tc.describe('tx').state, S.PREPARE_COMMIT, 'PrepareCommit while the markers are in flight');
  t.same([tc.describe('tx').producerEpoch, held[0]!.marker.producerEpoch], [1, 1], 'the markers carry the bumped epoch');
  t.equal(tc.endTxn('tx', pid, 0, true, V2).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'a retry while the markers are written');
  t.equal(tc.endTxn('tx', pid, 1, true, V2).errorCode, ErrorCode.PRODUCER_FENCED, 'the new epoch before the transaction completed');
  t.equal(tc.addPartitions('tx', pid, 1, [P(1)], V2), ErrorCode.CONCURRENT_TRANSACTIONS, 'the next transaction waits for the markers');
  release();
  t.same(markersOn(cluster, 0), [[0, 'COMMIT', 1]], 'the marker, at the bumped epoch');
  t.equal(tc.describe('tx').state, S.COMPLETE_COMMIT);
  t.same(tc.endTxn('tx', pid, 0, true, V2), { errorCode: 0, producerId: pid, producerEpoch: 1 }, 'a retry after completion: NONE with the epoch to go on with');
  t.equal(tc.endTxn('tx', pid, 0, false, V2).errorCode, ErrorCode.INVALID_TXN_STATE, 'a retry of the other outcome');
  t.equal(tc.endTxn('tx', pid, 1, true, V2).errorCode, ErrorCode.INVALID_TXN_STATE, 'a commit with nothing open');
  t.same(tc.endTxn('tx', pid, 1, false, V2), { errorCode: 0, producerId: pid, producerEpoch: 2 }, 'an abort with nothing open bumps too');
  t.same([tc.describe('tx').state, held.length], [S.PREPARE_ABORT, 1]);
  t.same(held[0]!.partitions, [], 'and has no partition to mark');
  release();
  t.same(tc.endTxn('tx', pid, 1, false, V2), { errorCode: 0, producerId: pid, producerEpoch: 2 }, 'its retry');
  t.equal(tc.endTxn('tx', pid, 0, true, V2).errorCode, ErrorCode.PRODUCER_FENCED, 'two epochs below');
  t.same(logged('tx'), [S.EMPTY, S.ONGOING, S.PREPARE_COMMIT, S.COMPLETE_COMMIT, S.PREPARE_ABORT, S.COMPLETE_ABORT]);
  const describeAfter = tc.describe('tx');
  t.same([describeAfter.state, describeAfter.producerEpoch, describeAfter.topics], [S.COMPLETE_ABORT, 2, []]);
});

t.test('transactions V2: the bump past the last epoch moves to a new producer id', async (t) => {
  const { tc, cluster } = setup();
  const { producerId: pid } = tc.initProducerId('tx', 60000, null);
  const meta = tc.transaction('tx')!;
  meta.producerEpoch = 32766;
  tc.addPartitions('tx', pid, 32766, [P(2)], V2);
  const next = tc.endTxn('tx', pid, 32766, true, V2);
  t.equal(next.errorCode, ErrorCode.NONE);
  t.not(next.producerId, pid, 'a new producer id');
  t.equal(next.producerEpoch, 0, 'at epoch 0');
  t.same(markersOn(cluster, 2), [[0, 'COMMIT', 32767]], 'the markers of the old id carry Short.MAX_VALUE');
  t.same([meta.producerId, meta.producerEpoch, meta.previousProducerId], [next.producerId, 0, pid]);
  t.same(tc.endTxn('tx', pid, 32766, true, V2), next, 'a retry with the old id and epoch gets the new ones');
  t.equal(tc.addPartitions('tx', next.producerId, 0, [P(2)], V2), ErrorCode.NONE, 'the new id goes on');
});

t.test('transaction.version: finalized 2 by default, 1 on request; the log value version follows it', async (t) => {
  for (const [configs, level, valueVersion] of [[{}, 2, 1], [{ 'transaction.version': '1' }, 1, 1], [{ 'transaction.version': '0' }, 0, 0], [{ 'transaction.version': '7' }, 2, 1]] as const) {
    const { tc, cluster } = setup({ configs });
    t.equal(cluster.features.level('transaction.version'), level, `${JSON.stringify(configs)}: level ${level}`);
    const { producerId: pid } = tc.initProducerId('tx', 60000, null);
    tc.addPartitions('tx', pid, 0, [P(0)], V2);
    const topic = cluster.topics.get(TRANSACTION_STATE_TOPIC)!;
    const p = topic.partitions[partitionForKey('tx', topic.partitions.length)]!;
    const { batches } = p.log.read(0, Number.MAX_SAFE_INTEGER, { minOneBatch: true });
    const values = batches.flatMap((b) => [...iterateRecords(b)].map((r) => r.value!));
    t.same(values.map((v) => v.readInt16BE(0)), [valueVersion, valueVersion], `value version ${valueVersion}`);
    const last = decodeTransactionLogRecord(transactionLogKey('tx'), values[1]!).value!;
    t.equal(last.clientTransactionVersion, valueVersion === 1 ? 2 : 0, 'the client transaction version is kept from version 1');
  }
});
