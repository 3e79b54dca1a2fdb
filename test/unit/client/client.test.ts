// The client library against a minikafka broker: negotiation, metadata, produce (plain,
// compressed, idempotent, transactional committed and aborted), fetch in both isolation levels,
// list offsets, group offsets and admin calls. Each assertion reads back what the broker stored.
import t from 'tap';
import { MiniKafka } from '../../../src/index.js';
import { KafkaClient, KafkaResponseError, ConnectionError, COMPRESSION, IsolationLevel, OffsetSpec, commitOffsets, createPartitions, createTopics, deleteTopics, describeConfigs, alterConfigs, describeGroup, fetchOffsets, fetchPartition, listGroups, listOffsets, listTransactions, describeTransaction, murmur2, partitionForKey, produce, ResourceType, AlterOp } from '../../../src/client/index.js';
import type { ConsumedRecord } from '../../../src/client/index.js';

t.test('murmur2 matches Kafka (UtilsTest.testMurmur2 vectors)', async (t) => {
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [s, h] of cases) t.equal(murmur2(Buffer.from(s)), h, s);
  t.equal(partitionForKey(Buffer.from('foobar'), 3), (-790332482 & 0x7fffffff) % 3);
});

async function readAll(client: KafkaClient, topic: string, partition: number, isolationLevel = 0): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  let offset = 0;
  for (;;) {
    const r = await fetchPartition(client, topic, partition, offset, { isolationLevel, maxWaitMs: 0 });
    out.push(...r.records);
    const end = isolationLevel === IsolationLevel.READ_COMMITTED ? r.lastStableOffset : r.highWatermark;
    if (r.nextOffset >= end || r.nextOffset === offset) return out;
    offset = r.nextOffset;
  }
}

t.test('produce and fetch back, every codec, idempotent and transactional', async (t) => {
  await using kafka = await MiniKafka.start({ config: { 'transaction.state.log.replication.factor': 1 } });
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers });
  t.teardown(() => client.close());
  const created = await createTopics(client, [{ name: 'c', partitions: 1, configs: { 'cleanup.policy': 'delete' } }]);
  t.strictSame(created, [{ name: 'c', partitions: 1, replicationFactor: 1 }]);
  const rec = (i: number) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [{ key: 'h', value: Buffer.from(String(i)) }], timestamp: 1_700_000_000_000 + i, partition: 0 });
  let n = 0;
  for (const codec of Object.keys(COMPRESSION)) {
    const res = await produce(client, 'c', [rec(n++), rec(n++)], { compression: COMPRESSION[codec] });
    t.strictSame(res, [{ partition: 0, baseOffset: n - 2, count: 2 }], `${codec}: base offset`);
  }
  await produce(client, 'c', [rec(n++), rec(n++)], { idempotent: true });
  await produce(client, 'c', [rec(n++)], { transactionalId: 'tx-ok' });
  await produce(client, 'c', [rec(999)], { transactionalId: 'tx-no', abort: true });
  await produce(client, 'c', [rec(n++)], { acks: 1 });

  const committed = await readAll(client, 'c', 0, IsolationLevel.READ_COMMITTED);
  t.strictSame(committed.map((r) => r.value!.toString()), Array.from({ length: n }, (_, i) => `v${i}`), 'read_committed: all but the aborted record, in order');
  t.strictSame(committed.map((r) => r.headers[0]!.value!.toString()), Array.from({ length: n }, (_, i) => String(i)));
  t.equal(committed[3]!.timestamp, 1_700_000_000_003);
  const all = await readAll(client, 'c', 0, IsolationLevel.READ_UNCOMMITTED);
  t.ok(all.some((r) => r.value!.toString() === 'v999'), 'read_uncommitted sees the aborted record');

  const latest = await listOffsets(client, 'c', [0], OffsetSpec.LATEST);
  const earliest = await listOffsets(client, 'c', [0], OffsetSpec.EARLIEST);
  t.equal(earliest.get(0), 0);
  t.ok(latest.get(0)! > n, `latest ${latest.get(0)} counts control markers too`);
  const byTime = await listOffsets(client, 'c', [0], 1_700_000_000_004n);
  t.equal(byTime.get(0), 4, 'by timestamp');

  const txns = await listTransactions(client);
  t.strictSame(txns.map((x) => [x.transactionalId, x.state]), [['tx-no', 'CompleteAbort'], ['tx-ok', 'CompleteCommit']]);
  const d = await describeTransaction(client, 'tx-ok');
  t.equal(d.transactionState, 'CompleteCommit');
});

t.test('admin: partitions, configs, groups, errors', async (t) => {
  await using kafka = await MiniKafka.start();
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers });
  t.teardown(() => client.close());
  await createTopics(client, [{ name: 'a', partitions: 2 }]);
  await t.rejects(createTopics(client, [{ name: 'a', partitions: 2 }]), { name: 'KafkaResponseError', errorName: 'TOPIC_ALREADY_EXISTS' });
  await createPartitions(client, 'a', 4);
  t.equal((await client.topic('a')).partitions.length, 4);

  await alterConfigs(client, ResourceType.TOPIC, 'a', [{ name: 'retention.ms', op: AlterOp.SET, value: '1234' }]);
  const cfg = await describeConfigs(client, ResourceType.TOPIC, 'a', ['retention.ms']);
  t.strictSame(cfg.map((c) => [c.name, c.value]), [['retention.ms', '1234']]);

  await commitOffsets(client, 'g1', [{ topic: 'a', partition: 0, offset: 0 }, { topic: 'a', partition: 3, offset: 0 }]);
  t.strictSame((await fetchOffsets(client, 'g1')).map((o) => [o.topic, o.partition, o.offset]), [['a', 0, 0], ['a', 3, 0]]);
  t.strictSame((await listGroups(client)).map((g) => [g.groupId, g.state]), [['g1', 'Empty']]);
  t.equal((await describeGroup(client, 'g1')).groupState, 'Empty');

  await deleteTopics(client, ['a']);
  await t.rejects(client.topic('a'), KafkaResponseError);
  await t.rejects(KafkaClient.connect({ bootstrapServers: '127.0.0.1:1', requestTimeoutMs: 2000 }), ConnectionError);
});

t.test('retriable coordinator errors are retried, others are not', async (t) => {
  await using kafka = await MiniKafka.start();
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  // As a real Kafka answers while __consumer_offsets loads: twice COORDINATOR_LOAD_IN_PROGRESS.
  let failures = 2;
  const seen: string[] = [];
  const remove = kafka.intercept((req) => {
    seen.push(req.apiName);
    if (req.apiName === 'OffsetCommit' && failures > 0) {
      failures--;
      return { action: 'error', errorCode: 14 };
    }
    return undefined;
  });
  await createTopics(client, [{ name: 'r', partitions: 1 }]);
  await commitOffsets(client, 'g', [{ topic: 'r', partition: 0, offset: 0 }]);
  t.equal(seen.filter((n) => n === 'OffsetCommit').length, 3, 'two failures, then success');
  t.strictSame((await fetchOffsets(client, 'g')).map((o) => o.offset), [0]);
  remove();
  kafka.intercept((req) => (req.apiName === 'DescribeGroups' ? { action: 'error', errorCode: 30 } : undefined));
  await t.rejects(describeGroup(client, 'g'), { name: 'KafkaResponseError', message: /GROUP_AUTHORIZATION_FAILED/ }, 'a non-retriable error fails at once');
});
