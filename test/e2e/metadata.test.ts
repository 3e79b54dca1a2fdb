// Metadata over the wire: which topics are answered, how unknown ones are created or refused,
// topic ids, authorized operations, and every version 0-13 encoding.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { MetadataApi } from '../../src/protocol/messages/index.js';
import type { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID, randomUuid } from '../../src/protocol/uuid.js';

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

function req(topics: MetadataRequest['topics'], extra: Partial<MetadataRequest> = {}): MetadataRequest {
  return { topics, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false, ...extra };
}

const byName = (names: (string | null)[]) => names.map((name) => ({ topicId: ZERO_UUID, name }));

function summary(resp: MetadataResponse) {
  return resp.topics.map((t) => [t.name, t.errorCode, t.partitions.length] as const);
}

t.test('all topics, no topics, some topics', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders:3', 'payments'] });
  const all = await c.request(MetadataApi, 12, req(null));
  t.strictSame(all.brokers, [{ nodeId: 1, host: '127.0.0.1', port: kafka.port, rack: null }], 'the broker');
  t.equal(all.clusterId, 'minikafka-cluster-01');
  t.equal(all.controllerId, 1);
  t.strictSame(summary(all).sort(), [['orders', 0, 3], ['payments', 0, 1]]);
  const orders = all.topics.find((x) => x.name === 'orders')!;
  t.equal(orders.topicId, kafka.broker.cluster.topics.get('orders')!.id, 'topic id');
  t.equal(orders.isInternal, false);
  t.equal(orders.topicAuthorizedOperations, OMITTED, 'not asked for');
  t.strictSame(orders.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes, p.offlineReplicas]), [
    [0, 0, 1, 0, [1], [1], []],
    [1, 0, 1, 0, [1], [1], []],
    [2, 0, 1, 0, [1], [1], []],
  ]);

  const none = await c.request(MetadataApi, 12, req([]));
  t.strictSame(none.topics, [], 'an empty list asks for no topics');
  t.equal(none.brokers.length, 1, 'but still lists the brokers');

  const v0 = await c.request(MetadataApi, 0, req([]));
  t.strictSame(v0.topics.map((x) => x.name).sort(), ['orders', 'payments'], 'v0: an empty list means all topics');

  const some = await c.request(MetadataApi, 12, req(byName(['payments', 'payments'])));
  t.strictSame(summary(some), [['payments', 0, 1]], 'only the named topic, once');
});

t.test('every version encodes, with the fields of that version', async (t) => {
  const { c } = await start(t, { topics: ['orders:2'] });
  for (let v = 0; v <= 13; v++) {
    const resp = await c.request(MetadataApi, v, req(byName(['orders'])));
    t.strictSame(summary(resp), [['orders', 0, 2]], `v${v}`);
    t.equal(resp.brokers[0]!.nodeId, 1, `v${v} broker`);
    if (v >= 1) t.equal(resp.controllerId, 1, `v${v} controller`);
    if (v >= 2) t.equal(resp.clusterId, 'minikafka-cluster-01', `v${v} cluster id`);
    if (v >= 7) t.equal(resp.topics[0]!.partitions[0]!.leaderEpoch, 0, `v${v} leader epoch`);
    if (v >= 10) t.not(resp.topics[0]!.topicId, ZERO_UUID, `v${v} topic id`);
  }
});

t.test('topics by id (v12+)', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders'] });
  const id = kafka.broker.cluster.topics.get('orders')!.id;
  const unknown = randomUuid();
  const resp = await c.request(MetadataApi, 12, req([{ topicId: id, name: null }, { topicId: unknown, name: null }]));
  t.strictSame(
    resp.topics.map((x) => [x.name, x.topicId, x.errorCode, x.partitions.length]),
    [
      ['orders', id, ErrorCode.NONE, 1],
      [null, unknown, ErrorCode.UNKNOWN_TOPIC_ID, 0],
    ],
  );
  // As Kafka: once ids are used, names in the same request are ignored.
  const mixed = await c.request(MetadataApi, 13, req([{ topicId: id, name: null }, { topicId: ZERO_UUID, name: 'ignored-name' }]));
  t.strictSame(summary(mixed), [['orders', 0, 1]]);
  t.notOk(kafka.broker.cluster.topics.get('ignored-name'), 'and not auto-created');
});

t.test('v10 and v11 may not use topic ids or null names', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders'] });
  const id = kafka.broker.cluster.topics.get('orders')!.id;
  for (const v of [10, 11]) {
    const resp = await c.request(MetadataApi, v, req([{ topicId: id, name: 'orders' }]));
    t.strictSame(resp.topics.map((x) => [x.name, x.errorCode]), [['orders', ErrorCode.INVALID_REQUEST]], `v${v} id`);
    t.strictSame(resp.brokers, [], `v${v} error response carries no brokers`);
    const nul = await c.request(MetadataApi, v, req([{ topicId: ZERO_UUID, name: null }]));
    t.strictSame(nul.topics.map((x) => [x.name, x.errorCode]), [['', ErrorCode.INVALID_REQUEST]], `v${v} null name`);
  }
});

t.test('auto-creation on: unknown valid names are created with num.partitions and returned ready', async (t) => {
  const { kafka, c } = await start(t, { numPartitions: 3 });
  const resp = await c.request(MetadataApi, 12, req(byName(['fresh'])));
  t.strictSame(summary(resp), [['fresh', ErrorCode.NONE, 3]]);
  const topic = kafka.broker.cluster.topics.get('fresh');
  t.ok(topic, 'the topic exists');
  t.equal(resp.topics[0]!.topicId, topic?.id, 'with the id it was created with');
  for (const v of [0, 1, 3]) {
    // Before v4 the request has no flag: auto-creation is always asked for.
    const old = await c.request(MetadataApi, v, req(byName([`old-v${v}`])));
    t.strictSame(summary(old), [[`old-v${v}`, ErrorCode.NONE, 3]], `v${v} creates`);
  }
});

t.test('auto-creation refused by the request, by the broker, or for internal topics', async (t) => {
  const { kafka, c } = await start(t);
  const noFlag = await c.request(MetadataApi, 4, req(byName(['a', 'b']), { allowAutoTopicCreation: false }));
  t.strictSame(summary(noFlag), [['a', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0], ['b', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]);
  t.equal(kafka.broker.cluster.topics.size, 0, 'nothing created');

  const internal = await c.request(MetadataApi, 12, req(byName(['__consumer_offsets'])));
  t.strictSame(internal.topics.map((x) => [x.name, x.errorCode, x.isInternal]), [['__consumer_offsets', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true]]);
  t.notOk(kafka.broker.cluster.topics.get('__consumer_offsets'), 'internal topics are not auto-created');

  const off = await start(t, { autoCreateTopics: false });
  for (const v of [1, 12]) {
    const resp = await off.c.request(MetadataApi, v, req(byName(['x'])));
    t.strictSame(summary(resp), [['x', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]], `v${v} with auto.create.topics.enable=false`);
  }
  t.equal(off.kafka.broker.cluster.topics.size, 0);
});

t.test('invalid and colliding names', async (t) => {
  const { kafka, c } = await start(t, { topics: ['a.b'] });
  const bad = ['', '.', '..', 'x'.repeat(250), 'with space', 'ünïcode'];
  for (const allowAutoTopicCreation of [true, false]) {
    const resp = await c.request(MetadataApi, 12, req(byName(bad), { allowAutoTopicCreation }));
    t.strictSame(resp.topics.map((x) => x.errorCode), bad.map(() => ErrorCode.INVALID_TOPIC_EXCEPTION), `auto-create ${allowAutoTopicCreation}`);
  }
  const collide = await c.request(MetadataApi, 12, req(byName(['a_b'])));
  t.strictSame(summary(collide), [['a_b', ErrorCode.INVALID_TOPIC_EXCEPTION, 0]], "'a_b' collides with 'a.b'");
  t.notOk(kafka.broker.cluster.topics.get('a_b'));
  t.equal(kafka.broker.cluster.topics.size, 1);
});

t.test('authorized operations: the default unless asked for, all operations when asked', async (t) => {
  const { c } = await start(t, { topics: ['orders'] });
  const asked = await c.request(MetadataApi, 8, req(byName(['orders', 'nope']), { allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }));
  t.equal(asked.clusterAuthorizedOperations, 8096, 'cluster: CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE');
  t.strictSame(asked.topics.map((x) => x.topicAuthorizedOperations), [3576, 3576], 'topics: READ..ALTER_CONFIGS, errors included');
  const notAsked = await c.request(MetadataApi, 10, req(byName(['orders'])));
  t.equal(notAsked.clusterAuthorizedOperations, OMITTED);
  t.equal(notAsked.topics[0]!.topicAuthorizedOperations, OMITTED);
  const v12 = await c.request(MetadataApi, 12, req(null, { includeTopicAuthorizedOperations: true }));
  t.equal(v12.topics[0]!.topicAuthorizedOperations, 3576, 'v12 topics');
  t.equal(v12.clusterAuthorizedOperations, OMITTED, 'v11+ has no cluster field');
  const unknownId = await c.request(MetadataApi, 12, req([{ topicId: randomUuid(), name: null }], { includeTopicAuthorizedOperations: true }));
  t.equal(unknownId.topics[0]!.topicAuthorizedOperations, OMITTED, 'unknown ids are answered before authorization, as Kafka');
});

t.test('a deleted topic disappears and can be auto-created again with a new id', async (t) => {
  const { kafka, c } = await start(t, { topics: ['orders'] });
  const first = kafka.broker.cluster.topics.get('orders')!;
  kafka.broker.cluster.topics.delete(first);
  const resp = await c.request(MetadataApi, 12, req(byName(['orders'])));
  t.equal(resp.topics[0]!.errorCode, ErrorCode.NONE);
  t.not(resp.topics[0]!.topicId, first.id, 'a new topic id');
});
