// Reset between tests on one shared broker: 1,000 "tests", each creating topics, producing,
// committing offsets as a group and leaving a transaction open, each first asserting that
// nothing of the previous one is left; and the reset's own time (median under 5 ms).
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceOne } from '../helpers/data-path.js';
import { addPartitions, transactionalProducer } from '../helpers/transactions.js';
import { DescribeTransactionsApi, ListGroupsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import { commit, committed } from '../helpers/group-offsets.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { LEAK_BROKER, LEAK_KINDS, SESSION_TOPIC, leakClients } from '../helpers/leak-kinds.js';

const batch = (v: string) => buildBatchSync([{ key: null, value: Buffer.from(v), timestamp: Date.now() }]);

async function topicNames(c: WireClient): Promise<string[]> {
  const m = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false });
  return m.topics.map((x) => x.name!).sort();
}

t.test('reset: declared topics back and empty, everything else gone', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders:2', { name: 'compacted', configs: { 'cleanup.policy': 'compact' } }], controlPort: 0 });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const ordersId = kafka.broker.cluster.topics.get('orders')!.id;
  await produceOne(c, 'orders', batch('a'), { partition: 1 });
  kafka.createTopic('extra');
  await produceOne(c, 'extra', batch('b'));
  kafka.broker.cluster.topics.get('compacted')!.configs.set('cleanup.policy', 'delete');
  t.equal((await commit(c, 'g', 'orders', 1n)).topics[0]!.partitions[0]!.errorCode, 0);
  const p = await transactionalProducer(c, 'tx-1');
  t.strictSame(await addPartitions(c, p, 'orders', [0]), [0]);
  kafka.faults.add({ api: 'Fetch', action: 'latency', ms: 10 });
  kafka.clock.freeze();
  t.strictSame(await topicNames(c), ['__consumer_offsets', '__transaction_state', 'compacted', 'extra', 'orders']);

  const res = await fetch(`${kafka.controlUrl}/reset`, { method: 'POST' });
  const report = (await res.json()) as Record<string, number>;
  t.equal(res.status, 200);
  t.match(report, { topicsDeleted: 5, topicsRecreated: 2, groups: 1, transactions: 1, faults: 1 });
  t.ok(report.ms! >= 0);

  t.strictSame(await topicNames(c), ['compacted', 'orders']);
  const orders = kafka.broker.cluster.topics.get('orders')!;
  t.equal(orders.partitions.length, 2);
  t.not(orders.id, ordersId, 'a new topic id, as a topic created again gets');
  t.strictSame(orders.partitions.map((x) => x.log.logEndOffset), [0, 0]);
  t.equal(kafka.broker.cluster.topics.get('compacted')!.configs.get('cleanup.policy'), 'compact', 'declared configs are back');
  t.equal(await committed(c, 'g', 'orders'), -1n, 'no committed offset');
  t.strictSame((await c.request(ListGroupsApi, 4, { statesFilter: [], typesFilter: [] })).groups, []);
  const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx-1'] })).transactionStates[0]!;
  t.equal(d.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  t.strictSame(kafka.faults.list(), []);
  t.equal(kafka.clock.state().frozen, false, 'a frozen clock runs again');
  t.equal((await produceOne(c, 'orders', batch('fresh'))).baseOffset, 0n, 'the same connection keeps working');
});

t.test('1,000 tests on one broker with a reset between them: nothing leaks; reset median < 5 ms', async (t) => {
  // Two brokers, so that a test can leave one stopped.
  await using kafka = await MiniKafka.start({ ...LEAK_BROKER, topics: [SESSION_TOPIC] });
  // One connection per broker (again after a broker was stopped); broker 1 is never stopped.
  const { clientOf, env, close } = leakClients(kafka);
  t.teardown(close);
  // No leader (a broker left stopped): asked of broker 1, which answers with the error.
  const leaderOf = (topic: string) => clientOf(Math.max(1, kafka.partition(topic, 0).leader));
  const coordinatorOf = env.coordinatorOf;
  const times: number[] = [];
  const leaks: string[] = [];
  const leaked = new Map<string, string>();
  for (let i = 0; i < 1000; i++) {
    const c = await clientOf(1);
    // What the previous test did must not be visible.
    const names = await topicNames(c);
    if (names.join() !== 'shared') leaks.push(`test ${i}: topics ${names.join()}`);
    const offset = await committed(await coordinatorOf('group'), 'group', 'shared');
    if (offset !== -1n) leaks.push(`test ${i}: committed offset ${offset}`);
    for (const kind of LEAK_KINDS) {
      const left = await kind.leftover(c, env);
      if (left !== null) leaked.set(kind.name, `test ${i}: ${left}`);
    }
    const own = `topic-${i}`;
    kafka.createTopic(own, 1);
    const base = (await produceOne(await leaderOf(own), own, batch(`v${i}`))).baseOffset;
    const sharedBase = (await produceOne(await leaderOf('shared'), 'shared', batch(`v${i}`))).baseOffset;
    if (base !== 0n || sharedBase !== 0n) leaks.push(`test ${i}: produced at ${base} and ${sharedBase}`);
    const committedNow = (await commit(await coordinatorOf('group'), 'group', 'shared', 1n)).topics[0]!.partitions[0]!.errorCode;
    if (committedNow !== 0) leaks.push(`test ${i}: commit error ${committedNow}`);
    // Each test also changes one more kind of state, in turn (last: one of them stops a broker).
    await LEAK_KINDS[i % LEAK_KINDS.length]!.change(c, i, env);
    times.push((await kafka.reset()).ms);
  }
  t.same(leaks.slice(0, 5), [], 'every test saw a fresh broker');
  t.same(Object.fromEntries(leaked), {}, `no ${LEAK_KINDS.map((k) => k.name).join(', ')} left from one test to the next`);
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  t.ok(median < 5, `reset median ${median.toFixed(3)} ms (p99 ${times[989]!.toFixed(3)} ms)`);
});

t.test('reset refuses a durable broker', async (t) => {
  const { MemoryFileSystem } = await import('../../src/log/disk/memory-file-system.js');
  await using kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: new MemoryFileSystem() });
  await t.rejects(kafka.reset(), { code: 'CONFLICT' });
});
