// Idempotent and transactional produce over the wire, told as a producer and a consumer would live
// them: retries answered with the original offsets, sequence gaps refused, producers fenced,
// transactions committed and aborted with markers in every partition, read_committed consumers that
// see only committed data (and the aborted list to drop the rest), the last stable offset in
// ListOffsets, a long poll that waits for a commit, transactional offsets that appear on commit,
// and a transaction the broker aborts when the injected clock runs past its timeout.
import t from 'tap';
import { MiniKafka, ManualClock } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetch, fetchOne, listOffset } from '../helpers/data-path.js';
import { addOffsets, addPartitions, endTxn, entriesOf, initProducerId, send, transactionalProducer, txnOffsetCommit, values } from '../helpers/transactions.js';
import type { Producer } from '../helpers/transactions.js';
import { DescribeProducersApi, DescribeTransactionsApi, FindCoordinatorApi, ListTransactionsApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { until } from '../helpers/until.js';

const READ_COMMITTED = 1;
const LATEST = -1n;

async function connect(t: { teardown(fn: () => void): void }, kafka: MiniKafka): Promise<WireClient> {
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  return c;
}

/** An idempotent (non-transactional) producer. */
async function idempotentProducer(c: WireClient): Promise<Producer> {
  const r = await initProducerId(c, null);
  return { transactionalId: '', producerId: r.producerId, producerEpoch: r.producerEpoch, sequences: new Map() };
}

t.test('idempotence: a retried batch gets its original offset; gaps and old epochs are refused', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['idem'] });
  const c = await connect(t, kafka);
  const p = await idempotentProducer(c);
  const first = await send(c, p, 'idem', 0, values('a', 3), { transactional: false, sequence: 0 });
  t.strictSame([first.errorCode, first.baseOffset, first.logAppendTimeMs], [ErrorCode.NONE, 0n, -1n], 'appended at 0');
  const retry = await send(c, p, 'idem', 0, values('a', 3), { transactional: false, sequence: 0 });
  t.equal(retry.errorCode, ErrorCode.NONE, 'the retry succeeds');
  t.equal(retry.baseOffset, 0n, 'with the original offset');
  t.ok(retry.logAppendTimeMs > 0n, "and, as Kafka, the original batch's timestamp as append time");
  t.equal((await fetchOne(c, { topic: 'idem' })).highWatermark, 3n, 'nothing appended twice');

  const gap = await send(c, p, 'idem', 0, values('b', 1), { transactional: false, sequence: 5 });
  t.strictSame([gap.errorCode, gap.logStartOffset], [ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 0n], 'a gap: OUT_OF_ORDER_SEQUENCE_NUMBER');
  const next = await send(c, p, 'idem', 0, values('b', 1), { transactional: false, sequence: 3 });
  t.strictSame([next.errorCode, next.baseOffset], [ErrorCode.NONE, 3n], 'the next sequence');
  const oldRetry = await send(c, p, 'idem', 0, values('a', 3), { transactional: false, sequence: 0 });
  t.strictSame([oldRetry.errorCode, oldRetry.baseOffset], [ErrorCode.NONE, 0n], 'still one of the last five batches');
  const bumped = await send(c, p, 'idem', 0, values('c', 1), { transactional: false, sequence: 4, epoch: 1 });
  t.equal(bumped.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a new epoch must start at 0');
  t.equal((await send(c, p, 'idem', 0, values('c', 1), { transactional: false, sequence: 0, epoch: 1 })).errorCode, ErrorCode.NONE, 'at 0 it is taken');
  t.equal((await send(c, p, 'idem', 0, values('d', 1), { transactional: false, sequence: 4, epoch: 0 })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'the old epoch is fenced');
  const unknown = await send(c, await idempotentProducer(c), 'idem', 0, values('e', 1), { transactional: false, sequence: 42 });
  t.equal(unknown.errorCode, ErrorCode.NONE, 'a producer without state may start at any sequence');
});

t.test('commit and abort write markers; read_committed sees committed data and the aborted list', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders:2'] });
  const c = await connect(t, kafka);
  const fc = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['tx'] });
  t.strictSame(fc.coordinators.map((x) => [x.errorCode, x.nodeId]), [[0, 1]], 'FindCoordinator for a transactional id');
  t.equal(kafka.broker.cluster.topics.get('__transaction_state')?.partitions.length, 50, '__transaction_state created with 50 partitions');

  const p = await transactionalProducer(c, 'tx');
  t.strictSame([p.producerEpoch], [0]);
  const notAdded = await send(c, p, 'orders', 0, values('x', 1), { version: 9 });
  t.strictSame([notAdded.errorCode, notAdded.errorMessage], [ErrorCode.INVALID_TXN_STATE, 'Partition was not added to the transaction'], 'a partition not in the transaction (Produce v9)');
  t.equal((await send(c, p, 'orders', 0, values('x', 1), { version: 11 })).errorCode, ErrorCode.TRANSACTION_ABORTABLE, 'TRANSACTION_ABORTABLE from Produce v11');

  t.strictSame(await addPartitions(c, p, 'orders', [0, 1]), [0, 0]);
  t.strictSame((await send(c, p, 'orders', 0, values('committed', 2))).baseOffset, 0n);
  const open = await fetchOne(c, { topic: 'orders' }, { isolationLevel: READ_COMMITTED });
  t.strictSame([open.highWatermark, open.lastStableOffset, open.abortedTransactions, entriesOf(open.records)], [2n, 0n, [], []], 'read_committed: nothing below the LSO yet');
  t.strictSame(entriesOf((await fetchOne(c, { topic: 'orders' })).records).length, 2, 'read_uncommitted sees the open data');
  t.strictSame([(await listOffset(c, 'orders', LATEST, { isolationLevel: READ_COMMITTED })).offset, (await listOffset(c, 'orders', LATEST)).offset], [0n, 2n], 'ListOffsets latest: the LSO for read_committed');

  const committed = await endTxn(c, p, true);
  t.equal(committed.errorCode, ErrorCode.NONE, 'EndTxn commit');
  const afterCommit = await fetchOne(c, { topic: 'orders' }, { isolationLevel: READ_COMMITTED });
  t.strictSame(entriesOf(afterCommit.records), [
    { offset: 0, value: 'committed-0' },
    { offset: 1, value: 'committed-1' },
    { offset: 2, marker: 'COMMIT', producerId: Number(p.producerId) },
  ], 'the data and the COMMIT marker, which takes an offset');
  t.strictSame([afterCommit.lastStableOffset, afterCommit.highWatermark], [3n, 3n]);
  t.strictSame(entriesOf((await fetchOne(c, { topic: 'orders', partition: 1 })).records), [{ offset: 0, marker: 'COMMIT', producerId: Number(p.producerId) }], 'a marker in every partition of the transaction, even without data');
  t.equal((await listOffset(c, 'orders', LATEST, { isolationLevel: READ_COMMITTED })).offset, 3n);

  t.strictSame(await addPartitions(c, p, 'orders', [0]), [0], 'a second transaction');
  await send(c, p, 'orders', 0, values('aborted', 3));
  t.equal((await endTxn(c, p, false)).errorCode, ErrorCode.NONE, 'EndTxn abort');
  const all = await fetchOne(c, { topic: 'orders' }, { isolationLevel: READ_COMMITTED });
  t.strictSame(all.abortedTransactions, [{ producerId: p.producerId, firstOffset: 3n }], 'the aborted transaction is listed');
  t.strictSame(entriesOf(all.records).map((e) => ('marker' in e ? e.marker : e.value)), ['committed-0', 'committed-1', 'COMMIT', 'aborted-0', 'aborted-1', 'aborted-2', 'ABORT'], 'the bytes hold everything; the client drops what the list says');
  t.strictSame((await fetchOne(c, { topic: 'orders', offset: 7 }, { isolationLevel: READ_COMMITTED })).abortedTransactions, [], 'a fetch past it gets no aborted list');
  t.strictSame((await fetchOne(c, { topic: 'orders', offset: 5 }, { isolationLevel: READ_COMMITTED })).abortedTransactions, [{ producerId: p.producerId, firstOffset: 3n }], 'a fetch inside it does');
  t.equal((await fetchOne(c, { topic: 'orders' })).abortedTransactions, null, 'read_uncommitted: null');

  t.equal((await endTxn(c, p, true)).errorCode, ErrorCode.INVALID_TXN_STATE, 'commit after abort');
  t.equal((await endTxn(c, p, false)).errorCode, ErrorCode.NONE, 'a retried abort');
});

t.test('a read_committed long poll waits for the commit, not for the data', async (t) => {
  const clock = new ManualClock(Date.now());
  await using kafka = await MiniKafka.start({ topics: ['lp'], clock });
  const c = await connect(t, kafka);
  const reader = await connect(t, kafka);
  const p = await transactionalProducer(c, 'lp-tx');
  await addPartitions(c, p, 'lp', [0]);
  let answered = false;
  const polled = fetch(reader, [{ topic: 'lp' }], { isolationLevel: READ_COMMITTED, maxWaitMs: 30_000, minBytes: 1 }).then((r) => {
    answered = true;
    return r;
  });
  const partition = kafka.broker.cluster.topics.partition('lp', 0)!;
  await until('the read_committed fetch to wait on lp-0', () => partition.listenerCount === 1);
  // The produce is answered after the append and its wake-ups (synchronous, in the same turn): a
  // fetch the data ended would no longer be listening by now.
  await send(c, p, 'lp', 0, values('v', 2));
  t.equal(partition.listenerCount, 1, 'transactional data below no LSO does not end the wait: the fetch still listens');
  t.notOk(answered, 'and has not answered');
  await endTxn(c, p, true);
  const r = await polled;
  t.equal(entriesOf(r.responses[0]!.partitions[0]!.records).length, 3, 'the commit does: data and marker');
});

t.test('fencing: a second producer with the same transactional id fences the first', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['fence'] });
  const c = await connect(t, kafka);
  const zombie = await transactionalProducer(c, 'fx');
  await addPartitions(c, zombie, 'fence', [0]);
  await send(c, zombie, 'fence', 0, values('zombie', 1));
  const fencing = await initProducerId(c, 'fx');
  t.equal(fencing.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'the open transaction is aborted first: retry');
  const fresh = await initProducerId(c, 'fx');
  t.strictSame([fresh.errorCode, fresh.producerId, fresh.producerEpoch], [0, zombie.producerId, 2], 'same producer id, epoch bumped past the fence');
  const zp = await send(c, zombie, 'fence', 0, values('zombie', 1));
  t.strictSame([zp.errorCode, zp.logStartOffset], [ErrorCode.INVALID_PRODUCER_EPOCH, -1n], "the zombie's produce");
  t.equal((await endTxn(c, zombie, true)).errorCode, ErrorCode.PRODUCER_FENCED, "the zombie's commit");
  t.equal((await endTxn(c, zombie, true, 1)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'PRODUCER_FENCED is INVALID_PRODUCER_EPOCH for EndTxn v1');
  t.strictSame(await addPartitions(c, zombie, 'fence', [0]), [ErrorCode.PRODUCER_FENCED]);
  t.strictSame(await addPartitions(c, zombie, 'fence', [0], 1), [ErrorCode.INVALID_PRODUCER_EPOCH], 'and for AddPartitionsToTxn v1');
  const rc = await fetchOne(c, { topic: 'fence' }, { isolationLevel: READ_COMMITTED });
  t.strictSame(rc.abortedTransactions, [{ producerId: zombie.producerId, firstOffset: 0n }], "the zombie's data was aborted");
  t.strictSame(entriesOf(rc.records).map((e) => ('marker' in e ? e.marker : e.value)), ['zombie-0', 'ABORT']);

  const kip360 = await initProducerId(c, 'fx', { producerId: fresh.producerId, producerEpoch: fresh.producerEpoch });
  t.strictSame([kip360.errorCode, kip360.producerEpoch], [0, 3], 'KIP-360: the current epoch given, bumped');
  t.equal((await initProducerId(c, 'fx', { producerId: fresh.producerId, producerEpoch: 0 })).errorCode, ErrorCode.PRODUCER_FENCED, 'an old one: fenced');
  t.equal((await initProducerId(c, 'fx', { producerId: fresh.producerId, producerEpoch: 0, version: 3 })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'INVALID_PRODUCER_EPOCH below v4');
  t.equal((await initProducerId(c, 'fx', { timeoutMs: 900_001 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT, 'above transaction.max.timeout.ms');
});

t.test('transactional offsets become visible on commit only', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['in', 'out'] });
  const c = await connect(t, kafka);
  const p = await transactionalProducer(c, 'ctp');
  const fetchOffsets = async (requireStable: boolean) => {
    const r = await c.request(OffsetFetchApi, 8, { groupId: '', topics: [], groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 'in', topicId: '', partitionIndexes: [0] }] }], requireStable });
    const x = r.groups[0]!.topics[0]!.partitions[0]!;
    return [x.errorCode, x.committedOffset];
  };
  t.strictSame(await addPartitions(c, p, 'out', [0]), [0]);
  t.equal(await txnOffsetCommit(c, p, 'g', 'in', 0, 5n), ErrorCode.INVALID_TXN_STATE, 'before AddOffsetsToTxn (v3)');
  t.equal(await txnOffsetCommit(c, p, 'g', 'in', 0, 5n, 4), ErrorCode.TRANSACTION_ABORTABLE, 'TRANSACTION_ABORTABLE from v4');
  t.equal(await addOffsets(c, p, 'g'), ErrorCode.NONE, 'AddOffsetsToTxn');
  t.equal(await txnOffsetCommit(c, p, 'g', 'in', 0, 5n), ErrorCode.NONE, 'TxnOffsetCommit');
  t.strictSame(await fetchOffsets(true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1n], 'requireStable: UNSTABLE_OFFSET_COMMIT while pending');
  t.strictSame(await fetchOffsets(false), [0, -1n], 'otherwise the last committed offset (none)');
  t.equal((await endTxn(c, p, true)).errorCode, 0);
  t.strictSame(await fetchOffsets(true), [0, 5n], 'visible once committed');

  await addOffsets(c, p, 'g');
  t.equal(await txnOffsetCommit(c, p, 'g', 'in', 0, 9n), ErrorCode.NONE);
  await endTxn(c, p, false);
  t.strictSame(await fetchOffsets(true), [0, 5n], 'an aborted transaction leaves the committed offset alone');
  const offsets = kafka.broker.cluster.topics.get('__consumer_offsets')!;
  const marked = offsets.partitions.filter((x) => x.producerState.lastEntry(Number(p.producerId)) !== undefined);
  t.equal(marked.length, 1, "the group's __consumer_offsets partition got the transaction and its markers");
  t.equal(marked[0]!.log.lastStableOffset, marked[0]!.log.highWatermark, 'and is stable again');
});

t.test('the clock runs past transaction.timeout.ms: the broker aborts and fences', async (t) => {
  const clock = new ManualClock(Date.now());
  await using kafka = await MiniKafka.start({ topics: ['slow'], clock });
  const c = await connect(t, kafka);
  const p = await transactionalProducer(c, 'slow-tx', 5_000);
  await addPartitions(c, p, 'slow', [0]);
  await send(c, p, 'slow', 0, values('late', 2));
  const describe = async () => (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['slow-tx'] })).transactionStates[0]!;
  t.equal((await describe()).transactionState, 'Ongoing');
  clock.advance(6_000);
  t.equal((await describe()).transactionState, 'Ongoing', 'past its timeout, but the abort check runs every 10 s');
  clock.advance(4_000);
  const d = await describe();
  t.strictSame([d.transactionState, d.producerEpoch], ['CompleteAbort', 1], 'aborted by the broker with a bumped epoch');
  t.strictSame((await fetchOne(c, { topic: 'slow' }, { isolationLevel: READ_COMMITTED })).abortedTransactions, [{ producerId: p.producerId, firstOffset: 0n }]);
  t.equal((await endTxn(c, p, true)).errorCode, ErrorCode.PRODUCER_FENCED, 'the producer finds itself fenced');
});

t.test('tools: DescribeTransactions, ListTransactions, DescribeProducers', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['tools:2'] });
  const c = await connect(t, kafka);
  const p = await transactionalProducer(c, 'tool-tx', 30_000);
  await addPartitions(c, p, 'tools', [1]);
  await send(c, p, 'tools', 1, values('v', 2));
  const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tool-tx', 'nope'] })).transactionStates;
  t.strictSame(
    d.map((x) => [x.errorCode, x.transactionState, x.transactionTimeoutMs, x.producerId, x.producerEpoch, x.topics]),
    [
      [0, 'Ongoing', 30_000, p.producerId, 0, [{ topic: 'tools', partitions: [1] }]],
      [ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '', 0, 0n, 0, []],
    ],
  );
  const list = await c.request(ListTransactionsApi, 1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null });
  t.strictSame(list.transactionStates, [{ transactionalId: 'tool-tx', producerId: p.producerId, transactionState: 'Ongoing' }]);
  const dp = await c.request(DescribeProducersApi, 0, { topics: [{ name: 'tools', partitionIndexes: [0, 1] }] });
  t.strictSame(dp.topics[0]!.partitions.map((x) => x.activeProducers.map((a) => [a.producerId, a.producerEpoch, a.lastSequence, a.coordinatorEpoch, a.currentTxnStartOffset])), [
    [],
    [[p.producerId, 0, 1, -1, 0n]],
  ]);
  await endTxn(c, p, true);
  const after = await c.request(DescribeProducersApi, 0, { topics: [{ name: 'tools', partitionIndexes: [1] }] });
  t.strictSame(after.topics[0]!.partitions[0]!.activeProducers.map((a) => [a.lastSequence, a.coordinatorEpoch, a.currentTxnStartOffset]), [[1, 0, -1n]], 'after the commit marker');
});
