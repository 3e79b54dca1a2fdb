// Durable mode: the transaction coordinator is reloaded from __transaction_state at start, so a
// transaction open when the broker stopped (cleanly or not) comes back open, as on Kafka.
import t from 'tap';
import { MiniKafka, ManualClock } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/log/disk/memory-file-system.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetchOne } from '../helpers/data-path.js';
import { DescribeTransactionsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { addPartitions, committedValues, endTxn, initProducerId, send, transactionalProducer, values } from '../helpers/transactions.js';

const READ_COMMITTED = 1;

async function describe(c: WireClient, id: string) {
  return (await c.request(DescribeTransactionsApi, 0, { transactionalIds: [id] })).transactionStates[0]!;
}

t.test('an open transaction survives a restart: Ongoing, LSO held, then committed by its producer', async (t) => {
  const fs = new MemoryFileSystem();
  const kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: fs, topics: ['tx:2'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const p = await transactionalProducer(c, 'resume', 60_000);
  t.strictSame(await addPartitions(c, p, 'tx', [0, 1]), [0, 0]);
  t.equal((await send(c, p, 'tx', 0, values('r', 3))).errorCode, 0);
  t.equal((await send(c, p, 'tx', 1, values('s', 1))).errorCode, 0);
  const before = await describe(c, 'resume');
  c.close();
  await kafka.stop();

  const again = await MiniKafka.start({ dataDir: '/data', fileSystem: fs });
  t.teardown(() => again.stop());
  const c2 = await WireClient.connect(again.bootstrapServers);
  t.teardown(() => c2.close());
  const d = await describe(c2, 'resume');
  t.equal(d.errorCode, 0);
  t.strictSame([d.transactionState, d.producerId, d.producerEpoch, d.transactionTimeoutMs, d.transactionStartTimeMs], ['Ongoing', p.producerId, p.producerEpoch, 60_000, before.transactionStartTimeMs]);
  t.strictSame(d.topics.map((x) => [x.topic, [...x.partitions].sort()]), [['tx', [0, 1]]]);
  const held = await fetchOne(c2, { topic: 'tx', offset: 0 }, { isolationLevel: READ_COMMITTED });
  t.strictSame([held.lastStableOffset, held.highWatermark], [0n, 3n], 'the last stable offset is held at the transaction start');
  t.strictSame(committedValues(held.records, held.abortedTransactions), [], 'read_committed sees none of it');

  t.equal((await endTxn(c2, p, true)).errorCode, 0, 'the same producer id and epoch commit it');
  t.equal((await describe(c2, 'resume')).transactionState, 'CompleteCommit');
  const r = await fetchOne(c2, { topic: 'tx', offset: 0 }, { isolationLevel: READ_COMMITTED });
  t.equal(r.lastStableOffset, r.highWatermark);
  t.strictSame(committedValues(r.records, r.abortedTransactions).map((v) => v.value), ['r-0', 'r-1', 'r-2']);
  const r1 = await fetchOne(c2, { topic: 'tx', partition: 1, offset: 0 }, { isolationLevel: READ_COMMITTED });
  t.strictSame(committedValues(r1.records, r1.abortedTransactions).map((v) => v.value), ['s-0']);
  // The id is known: the next InitProducerId bumps the epoch of the same producer id.
  const init = await initProducerId(c2, 'resume', { timeoutMs: 60_000 });
  t.strictSame([init.errorCode, init.producerId, init.producerEpoch], [0, p.producerId, p.producerEpoch + 1]);
});

t.test('after a crash an open transaction times out and is aborted, fencing its producer', async (t) => {
  const fs = new MemoryFileSystem();
  const start = Date.now();
  const kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: fs, topics: ['slow'], clock: new ManualClock(start) });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const p = await transactionalProducer(c, 'slow-tx', 5_000);
  await addPartitions(c, p, 'slow', [0]);
  t.equal((await send(c, p, 'slow', 0, values('late', 2))).errorCode, 0);
  c.close();
  await kafka.broker.close();

  const clock = new ManualClock(start + 1_000);
  const again = await MiniKafka.start({ dataDir: '/data', fileSystem: fs.afterCrash({ mode: 'process' }), clock });
  t.teardown(() => again.stop());
  const c2 = await WireClient.connect(again.bootstrapServers);
  t.teardown(() => c2.close());
  t.equal((await describe(c2, 'slow-tx')).transactionState, 'Ongoing');
  const held = await fetchOne(c2, { topic: 'slow', offset: 0 }, { isolationLevel: READ_COMMITTED });
  t.equal(held.lastStableOffset, 0n);
  clock.advance(10_000);
  const d = await describe(c2, 'slow-tx');
  t.strictSame([d.transactionState, d.producerEpoch], ['CompleteAbort', p.producerEpoch + 1], 'aborted by the broker with a bumped epoch');
  const r = await fetchOne(c2, { topic: 'slow', offset: 0 }, { isolationLevel: READ_COMMITTED });
  t.equal(r.lastStableOffset, r.highWatermark);
  t.strictSame(r.abortedTransactions, [{ producerId: p.producerId, firstOffset: 0n }]);
  t.strictSame(committedValues(r.records, r.abortedTransactions), []);
  t.equal((await endTxn(c2, p, true)).errorCode, ErrorCode.PRODUCER_FENCED, 'the producer finds itself fenced');
});
