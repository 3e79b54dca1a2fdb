// Reset between tests on one shared broker: 1,000 "tests", each creating topics, producing,
// committing offsets as a group and leaving a transaction open, each first asserting that
// nothing of the previous one is left; and the reset's own time (median under 5 ms).
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceOne } from '../helpers/data-path.js';
import { addPartitions, transactionalProducer } from '../helpers/transactions.js';
import { DescribeTransactionsApi, ListGroupsApi, MetadataApi, OffsetCommitApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const batch = (v: string) => buildBatchSync([{ key: null, value: Buffer.from(v), timestamp: Date.now() }]);

function commit(c: WireClient, group: string, topic: string, offset: bigint) {
  return c.request(OffsetCommitApi, 8, {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  });
}

async function committed(c: WireClient, group: string, topic: string): Promise<bigint> {
  const f = await c.request(OffsetFetchApi, 1, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], groups: [], requireStable: false });
  return f.topics[0]!.partitions[0]!.committedOffset;
}

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
  t.same(await addPartitions(c, p, 'orders', [0]), [0]);
  kafka.faults.add({ api: 'Fetch', action: 'latency', ms: 10 });
  kafka.clock.freeze();
  t.same(await topicNames(c), ['__consumer_offsets', '__transaction_state', 'compacted', 'extra', 'orders']);

  const res = await fetch(`${kafka.controlUrl}/reset`, { method: 'POST' });
  const report = (await res.json()) as Record<string, number>;
  t.equal(res.status, 200);
  t.match(report, { topicsDeleted: 5, topicsRecreated: 2, groups: 1, transactions: 1, faults: 1 });
  t.ok(report.ms! >= 0);

  t.same(await topicNames(c), ['compacted', 'orders']);
  const orders = kafka.broker.cluster.topics.get('orders')!;
  t.equal(orders.partitions.length, 2);
  t.not(orders.id, ordersId, 'a new topic id, as a topic created again gets');
  t.same(orders.partitions.map((x) => x.log.logEndOffset), [0, 0]);
  t.equal(kafka.broker.cluster.topics.get('compacted')!.configs.get('cleanup.policy'), 'compact', 'declared configs are back');
  t.equal(await committed(c, 'g', 'orders'), -1n, 'no committed offset');
  t.same((await c.request(ListGroupsApi, 4, { statesFilter: [], typesFilter: [] })).groups, []);
  const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx-1'] })).transactionStates[0]!;
  t.equal(d.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  t.same(kafka.faults.list(), []);
  t.equal(kafka.clock.state().frozen, false, 'a frozen clock runs again');
  t.equal((await produceOne(c, 'orders', batch('fresh'))).baseOffset, 0n, 'the same connection keeps working');
});

t.test('1,000 tests on one broker with a reset between them: nothing leaks; reset median < 5 ms', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['shared'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const times: number[] = [];
  let leaks = 0;
  for (let i = 0; i < 1000; i++) {
    // What the previous test did must not be visible.
    const names = await topicNames(c);
    if (names.join() !== 'shared') leaks++;
    if ((await committed(c, 'group', 'shared')) !== -1n) leaks++;
    const own = `topic-${i}`;
    kafka.createTopic(own, 1);
    const base = (await produceOne(c, own, batch(`v${i}`))).baseOffset;
    const sharedBase = (await produceOne(c, 'shared', batch(`v${i}`))).baseOffset;
    if (base !== 0n || sharedBase !== 0n) leaks++;
    if ((await commit(c, 'group', 'shared', 1n)).topics[0]!.partitions[0]!.errorCode !== 0) leaks++;
    times.push(kafka.reset().ms);
  }
  t.equal(leaks, 0, 'every test saw a fresh broker');
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  t.ok(median < 5, `reset median ${median.toFixed(3)} ms (p99 ${times[989]!.toFixed(3)} ms)`);
});

t.test('reset refuses a durable broker', async (t) => {
  const { MemoryFileSystem } = await import('../../src/log/disk/memory-file-system.js');
  await using kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: new MemoryFileSystem() });
  t.throws(() => kafka.reset(), { code: 'CONFLICT' });
});
