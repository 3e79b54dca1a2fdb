// The other admin APIs over the wire: DeleteTopics, CreatePartitions, DescribeCluster,
// DescribeTopicPartitions (with paging) and DescribeLogDirs.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import {
  CreatePartitionsApi,
  DeleteTopicsApi,
  DescribeClusterApi,
  DescribeLogDirsApi,
  DescribeTopicPartitionsApi,
  MetadataApi,
} from '../../src/protocol/messages/index.js';
import type { CreatePartitionsRequestCreatePartitionsTopic, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID, randomUuid } from '../../src/protocol/uuid.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import type { Topic } from '../../src/server/cluster/topics.js';
import { fetchOne } from '../helpers/data-path.js';

const OMITTED = -2147483648;

async function start(t: Test, opts: MiniKafkaOptions = {}): Promise<{ kafka: MiniKafka; c: WireClient }> {
  const kafka = await MiniKafka.start(opts);
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  return { kafka, c };
}

async function metadataError(c: WireClient, name: string): Promise<number> {
  const resp = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  return resp.topics[0]!.errorCode;
}

// ---- DeleteTopics ----

t.test('DeleteTopics by name, every version', async (t) => {
  const { kafka, c } = await start(t, { topics: ['t0', 't1', 't2', 't3', 't4', 't5', 't6'] });
  for (let v = 0; v <= 6; v++) {
    const name = `t${v}`;
    const id = kafka.broker.cluster.topics.get(name)!.id;
    const body = v >= 6 ? { topics: [{ name, topicId: ZERO_UUID }], topicNames: [], timeoutMs: 1000 } : { topics: [], topicNames: [name], timeoutMs: 1000 };
    const resp = await c.request(DeleteTopicsApi, v, body);
    t.strictSame(resp.responses.map((r) => [r.name, r.errorCode]), [[name, 0]], `v${v}`);
    if (v >= 6) t.equal(resp.responses[0]!.topicId, id, 'v6 answers the id of the deleted topic');
    t.notOk(kafka.broker.cluster.topics.get(name), `v${v} deleted`);
    t.equal(await metadataError(c, name), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `v${v} Metadata no longer knows it`);
  }
});

t.test('DeleteTopics by id, and the refusals', async (t) => {
  const { kafka, c } = await start(t, { topics: ['by-id', 'dup', 'both', 'named-and-id', 'keep'] });
  const reg = kafka.broker.cluster.topics;
  const id = reg.get('by-id')!.id;
  const bothId = reg.get('both')!.id;
  const namedAndId = reg.get('named-and-id')!.id;
  const unknownId = randomUuid();
  const resp = await c.request(DeleteTopicsApi, 6, {
    topics: [
      { name: null, topicId: id },
      { name: null, topicId: unknownId },
      { name: 'nope', topicId: ZERO_UUID },
      { name: 'dup', topicId: ZERO_UUID },
      { name: 'dup', topicId: ZERO_UUID },
      { name: 'both', topicId: bothId },
      { name: null, topicId: ZERO_UUID },
      { name: 'named-and-id', topicId: ZERO_UUID },
      { name: null, topicId: namedAndId },
    ],
    topicNames: [],
    timeoutMs: 1000,
  });
  const rows = resp.responses.map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage]);
  t.strictSame(
    rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
    [
      ['both', bothId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
      ['by-id', id, ErrorCode.NONE, null],
      ['dup', ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
      ['named-and-id', namedAndId, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.'],
      ['nope', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
      [null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
  );
  t.notOk(reg.get('by-id'), 'deleted by id');
  t.strictSame(['dup', 'both', 'named-and-id', 'keep'].map((n) => !!reg.get(n)), [true, true, true, true], 'refused ones are kept');
  t.equal(reg.getById(id), undefined, 'the id is gone too');
});

t.test('DeleteTopics: internal topics are deleted as Kafka 4.x deletes them; delete.topic.enable=false refuses', async (t) => {
  const { kafka, c } = await start(t, { topics: ['__consumer_offsets'] });
  const resp = await c.request(DeleteTopicsApi, 5, { topics: [], topicNames: ['__consumer_offsets'], timeoutMs: 1000 });
  t.strictSame(resp.responses.map((r) => [r.name, r.errorCode]), [['__consumer_offsets', 0]]);
  t.notOk(kafka.broker.cluster.topics.get('__consumer_offsets'));

  const off = await start(t, { topics: ['kept'], config: { 'delete.topic.enable': false } });
  const v5 = await off.c.request(DeleteTopicsApi, 5, { topics: [], topicNames: ['kept'], timeoutMs: 1000 });
  t.strictSame(v5.responses.map((r) => [r.name, r.errorCode]), [['kept', ErrorCode.TOPIC_DELETION_DISABLED]]);
  const v2 = await off.c.request(DeleteTopicsApi, 2, { topics: [], topicNames: ['kept'], timeoutMs: 1000 });
  t.strictSame(v2.responses.map((r) => [r.name, r.errorCode]), [['kept', ErrorCode.INVALID_REQUEST]], 'before v3: INVALID_REQUEST');
  t.ok(off.kafka.broker.cluster.topics.get('kept'));
});

t.test('DeleteTopics tells deletion listeners at once, and waiters on a deleted partition do not crash', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders:2'] });
  const reg = kafka.broker.cluster.topics;
  const topic = reg.get('orders')!;
  const deleted: Topic[] = [];
  const stop = reg.onDeleted((x) => deleted.push(x));
  t.teardown(stop);
  // A long-poll fetch's way of waiting: an append listener on a partition it holds.
  let woken = 0;
  const unsubscribe = topic.partitions[0]!.onAppend(() => woken++);
  const resp = await c.request(DeleteTopicsApi, 6, { topics: [{ name: null, topicId: topic.id }], topicNames: [], timeoutMs: 1000 });
  t.equal(resp.responses[0]!.errorCode, 0);
  t.strictSame(deleted, [topic], 'the listener saw the deleted topic');
  t.equal(reg.isLive(topic), false, 'a waiter can tell its topic is gone');
  unsubscribe();
  t.equal(woken, 0);
  // The same name can be created again: a new topic, not the old log.
  kafka.createTopic('orders', 1);
  t.equal(reg.isLive(topic), false, 'still not live after re-creation');
  t.not(reg.get('orders')!.id, topic.id);
});

t.test('a long-poll fetch on a topic deleted under it answers with an error; the broker keeps serving', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders', 'other'] });
  const id = kafka.broker.cluster.topics.get('orders')!.id;
  const admin = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => admin.close());
  const byName = fetchOne(c, { topic: 'orders' }, { maxWaitMs: 300, version: 12 });
  const byId = fetchOne(admin, { topic: '', topicId: id }, { maxWaitMs: 300, version: 13 });
  const del = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => del.close());
  const resp = await del.request(DeleteTopicsApi, 6, { topics: [{ name: 'orders', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 1000 });
  t.equal(resp.responses[0]!.errorCode, 0);
  t.equal((await byName).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'by name');
  t.equal((await byId).errorCode, ErrorCode.UNKNOWN_TOPIC_ID, 'by id');
  t.equal(await metadataError(c, 'other'), ErrorCode.NONE, 'the broker still serves');
});

// ---- CreatePartitions ----

function grow(name: string, count: number, assignments: number[][] | null = null): CreatePartitionsRequestCreatePartitionsTopic {
  return { name, count, assignments: assignments?.map((brokerIds) => ({ brokerIds })) ?? null };
}

t.test('CreatePartitions grows topics, every version', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders'] });
  for (let v = 0; v <= 3; v++) {
    const resp = await c.request(CreatePartitionsApi, v, { topics: [grow('orders', v + 2)], timeoutMs: 1000, validateOnly: false });
    t.strictSame(resp.results.map((r) => [r.name, r.errorCode, r.errorMessage]), [['orders', 0, null]], `v${v}`);
    t.equal(kafka.broker.cluster.topics.get('orders')!.partitions.length, v + 2);
  }
  const meta = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name: 'orders' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.strictSame(meta.topics[0]!.partitions.map((p) => [p.partitionIndex, p.leaderId]), [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]], 'Metadata sees the new partitions');
});

t.test('CreatePartitions refusals and validateOnly', async (t) => {
  const { kafka, c } = await start(t, { topics: ['three:3', 'one', 'dup', 'dry'] });
  const resp = await c.request(CreatePartitionsApi, 3, {
    topics: [
      grow('three', 3),
      grow('three', 2),
      grow('nope', 2),
      grow('dup', 2),
      grow('dup', 3),
      grow('one', 3, [[1]]),
      grow('one', 2, [[7]]),
      grow('one', 2, [[1, 1]]),
      grow('one', 2, [[]]),
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.strictSame(resp.results.map((r) => [r.name, r.errorCode, r.errorMessage]), [
    ['three', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ['dup', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ['one', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null],
  ]);
  // One topic per request from here, to see each check on its own.
  const one = async (topic: CreatePartitionsRequestCreatePartitionsTopic, validateOnly = false) => {
    const r = await c.request(CreatePartitionsApi, 3, { topics: [topic], timeoutMs: 1000, validateOnly });
    return [r.results[0]!.errorCode, r.results[0]!.errorMessage];
  };
  t.strictSame(await one(grow('three', 3)), [ErrorCode.INVALID_PARTITIONS, 'Topic already has 3 partition(s).']);
  t.strictSame(await one(grow('three', 2)), [ErrorCode.INVALID_PARTITIONS, 'The topic three currently has 3 partition(s); 2 would not be an increase.']);
  t.strictSame(await one(grow('one', 3, [[1]])), [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.']);
  t.strictSame(await one(grow('one', 2, [[7]])), [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.']);
  t.strictSame(await one(grow('one', 2, [[1, 1]])), [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.']);
  t.strictSame(await one(grow('one', 2, [[]])), [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']);
  t.equal(kafka.broker.cluster.topics.get('one')!.partitions.length, 1, 'no refused change was made');
  t.strictSame(await one(grow('one', 3, [[1], [1]])), [ErrorCode.NONE, null], 'a valid assignment');
  t.equal(kafka.broker.cluster.topics.get('one')!.partitions.length, 3);
  t.strictSame(await one(grow('dry', 4), true), [ErrorCode.NONE, null], 'validateOnly');
  t.equal(kafka.broker.cluster.topics.get('dry')!.partitions.length, 1, 'validateOnly changes nothing');
  t.strictSame(await one(grow('dry', 20000)), [ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.']);
  t.equal(kafka.broker.cluster.topics.get('dry')!.partitions.length, 1);
});

// ---- DescribeCluster ----

t.test('DescribeCluster, every version', async (t) => {
  const { kafka, c } = await start(t);
  for (let v = 0; v <= 2; v++) {
    const resp = await c.request(DescribeClusterApi, v, { includeClusterAuthorizedOperations: v === 1, endpointType: 1, includeFencedBrokers: v === 2 });
    t.strictSame(
      [resp.errorCode, resp.errorMessage, resp.clusterId, resp.controllerId, resp.endpointType],
      [0, null, 'minikafka-cluster-01', 1, 1],
      `v${v}`,
    );
    t.strictSame(resp.brokers.map((b) => [b.brokerId, b.host, b.port, b.rack]), [[1, '127.0.0.1', kafka.port, null]]);
    t.equal(resp.clusterAuthorizedOperations, v === 1 ? 8096 : OMITTED, `v${v} authorized operations`);
    if (v === 2) t.equal(resp.brokers[0]!.isFenced, false);
  }
});

t.test('DescribeCluster refuses controller and unknown endpoint types', async (t) => {
  const { c } = await start(t);
  const ctl = await c.request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
  t.strictSame([ctl.errorCode, ctl.errorMessage, ctl.brokers], [ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', []]);
  const odd = await c.request(DescribeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 9, includeFencedBrokers: false });
  t.strictSame([odd.errorCode, odd.errorMessage], [ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'Unsupported endpoint type 9']);
});

// ---- DescribeTopicPartitions ----

function dtp(topics: string[], responsePartitionLimit: number, cursor: DescribeTopicPartitionsRequest['cursor'] = null): DescribeTopicPartitionsRequest {
  return { topics: topics.map((name) => ({ name })), responsePartitionLimit, cursor };
}

const page = (r: DescribeTopicPartitionsResponse) => ({
  topics: r.topics.map((x) => [x.name, x.errorCode, x.partitions.map((p) => p.partitionIndex)]),
  next: r.nextCursor ? [r.nextCursor.topicName, r.nextCursor.partitionIndex] : null,
});

t.test('DescribeTopicPartitions pages through all topics in name order', async (t) => {
  const { kafka, c } = await start(t, { topics: ['c', 'a:3', 'b:2'] });
  const first = await c.request(DescribeTopicPartitionsApi, 0, dtp([], 4));
  t.strictSame(page(first), { topics: [['a', 0, [0, 1, 2]], ['b', 0, [0]]], next: ['b', 1] }, 'cut inside b');
  const second = await c.request(DescribeTopicPartitionsApi, 0, dtp([], 4, { topicName: 'b', partitionIndex: 1 }));
  t.strictSame(page(second), { topics: [['b', 0, [1]], ['c', 0, [0]]], next: null }, 'the rest, no cursor');
  const boundary = await c.request(DescribeTopicPartitionsApi, 0, dtp([], 3));
  t.strictSame(page(boundary), { topics: [['a', 0, [0, 1, 2]]], next: ['b', 0] }, 'full at a topic boundary: the next topic, partition 0');
  const zero = await c.request(DescribeTopicPartitionsApi, 0, dtp([], 0));
  t.strictSame(page(zero), { topics: [['a', 0, [0]]], next: ['a', 1] }, 'a limit below 1 is 1');

  const a = first.topics[0]!;
  const topic = kafka.broker.cluster.topics.get('a')!;
  t.strictSame([a.topicId, a.isInternal, a.topicAuthorizedOperations], [topic.id, false, 3576]);
  t.strictSame(a.partitions[0], { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] });
});

t.test('DescribeTopicPartitions with named topics: errors take no room; bad cursors are INVALID_REQUEST', async (t) => {
  const { c } = await start(t, { topics: ['x:2', 'y:2'] });
  const named = await c.request(DescribeTopicPartitionsApi, 0, dtp(['y', 'nope', 'bad name', 'x', 'y'], 3));
  t.strictSame(page(named), {
    topics: [['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION, []], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, []], ['x', 0, [0, 1]], ['y', 0, [0]]],
    next: ['y', 1],
  });
  t.strictSame(named.topics.map((x) => x.topicAuthorizedOperations), [3576, 3576, 3576, 3576]);
  const resumed = await c.request(DescribeTopicPartitionsApi, 0, dtp(['x', 'y'], 3, { topicName: 'y', partitionIndex: 1 }));
  t.strictSame(page(resumed), { topics: [['y', 0, [1]]], next: null }, 'topics before the cursor are skipped');
  const notListed = await c.request(DescribeTopicPartitionsApi, 0, dtp(['x'], 3, { topicName: 'y', partitionIndex: 0 }));
  t.strictSame(page(notListed), { topics: [['x', ErrorCode.INVALID_REQUEST, []]], next: null }, 'cursor topic must be listed');
  const negative = await c.request(DescribeTopicPartitionsApi, 0, dtp([], 3, { topicName: 'x', partitionIndex: -1 }));
  t.strictSame(page(negative), { topics: [], next: null }, 'negative cursor partition: INVALID_REQUEST (no topics to report it on)');
  const negNamed = await c.request(DescribeTopicPartitionsApi, 0, dtp(['x'], 3, { topicName: 'x', partitionIndex: -1 }));
  t.strictSame(page(negNamed), { topics: [['x', ErrorCode.INVALID_REQUEST, []]], next: null });
});

// ---- DescribeLogDirs ----

function append(kafka: MiniKafka, topic: string, partition: number, values: string[]): void {
  const p = kafka.broker.cluster.topics.partition(topic, partition)!;
  const base = p.log.logEndOffset;
  const batch = buildBatchSync(values.map((v) => ({ value: Buffer.from(v) })), { baseOffset: base, partitionLeaderEpoch: p.leaderEpoch });
  p.append(batch, { baseOffset: base, lastOffset: base + values.length - 1, maxTimestamp: Date.now(), recordCount: values.length });
}

t.test('DescribeLogDirs: one directory, sizes that grow with appends, every version', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders:2', 'empty'] });
  const sizes = async (v: number) => {
    const resp = await c.request(DescribeLogDirsApi, v, { topics: null });
    t.equal(resp.results.length, 1, `v${v} one log dir`);
    const dir = resp.results[0]!;
    t.strictSame([dir.errorCode, dir.logDir, dir.totalBytes, dir.usableBytes], [0, '/minikafka/data', -1n, -1n], `v${v} dir`);
    const out: Record<string, bigint> = {};
    for (const topic of dir.topics) for (const p of topic.partitions) {
      t.strictSame([p.offsetLag, p.isFutureKey], [0n, false]);
      out[`${topic.name}-${p.partitionIndex}`] = p.partitionSize;
    }
    return out;
  };
  t.strictSame(await sizes(1), { 'orders-0': 0n, 'orders-1': 0n, 'empty-0': 0n }, 'empty logs');
  append(kafka, 'orders', 1, ['hello', 'world']);
  const size = BigInt(kafka.broker.cluster.topics.partition('orders', 1)!.log.size);
  t.ok(size > 0n, 'the log has bytes');
  for (let v = 0; v <= 5; v++) t.strictSame(await sizes(v), { 'orders-0': 0n, 'orders-1': size, 'empty-0': 0n }, `v${v} after an append`);
  append(kafka, 'orders', 1, ['again']);
  t.ok((await sizes(4))['orders-1']! > size, 'and grows again');
});

t.test('DescribeLogDirs for named partitions, and log.dirs naming the directory', async (t) => {
  const { c } = await start(t, { topics: ['orders:3'], config: { 'log.dirs': '/var/kafka/a,/var/kafka/b' } });
  const resp = await c.request(DescribeLogDirsApi, 4, { topics: [{ topic: 'orders', partitions: [2, 0, 9] }, { topic: 'nope', partitions: [0] }] });
  const dir = resp.results[0]!;
  t.equal(dir.logDir, '/var/kafka/a');
  t.strictSame(dir.topics.map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['orders', [0, 2]]], 'unknown topics and partitions are left out');
  const none = await c.request(DescribeLogDirsApi, 4, { topics: [] });
  t.strictSame(none.results[0]!.topics, [], 'an empty list describes no partitions');
});
