// CreateTopics over the wire: creation with defaults, configs and manual assignments, validate-only,
// and every refusal with Kafka's code and message.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { CreateTopicsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import type { CreateTopicsRequestCreatableTopic, CreateTopicsResponse, CreateTopicsResponseCreatableTopicResult } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { TOPIC_CONFIG_NAMES } from '../../src/server/cluster/configs/topic-config-defs.js';

async function start(t: Test, opts: MiniKafkaOptions = {}): Promise<{ kafka: MiniKafka; c: WireClient }> {
  const kafka = await MiniKafka.start(opts);
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  return { kafka, c };
}

function topic(name: string, extra: Partial<CreateTopicsRequestCreatableTopic> = {}): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...extra };
}

function create(c: WireClient, topics: CreateTopicsRequestCreatableTopic[], v = 7, validateOnly = false): Promise<CreateTopicsResponse> {
  return c.request(CreateTopicsApi, v, { topics, timeoutMs: 30000, validateOnly });
}

const outcome = (r: CreateTopicsResponseCreatableTopicResult) => [r.name, r.errorCode, r.errorMessage] as const;

t.test('a topic with defaults and overrides, as a v7 client sees it', async (t) => {
  const { kafka, c } = await start(t, { numPartitions: 2, config: { 'log.retention.hours': 2 } });
  const resp = await create(c, [topic('orders', { configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'max.message.bytes', value: '2000000' }] }), topic('payments', { numPartitions: 5, replicationFactor: 1 })]);
  t.strictSame(resp.topics.map(outcome), [['orders', 0, null], ['payments', 0, null]]);
  const [orders, payments] = resp.topics as [CreateTopicsResponseCreatableTopicResult, CreateTopicsResponseCreatableTopicResult];
  const created = kafka.broker.cluster.topics.get('orders')!;
  t.equal(orders.topicId, created.id, 'the topic id of the new topic');
  t.strictSame([orders.numPartitions, orders.replicationFactor, created.partitions.length], [2, 1, 2], 'num.partitions and default RF');
  t.strictSame([payments.numPartitions, kafka.broker.cluster.topics.get('payments')!.partitions.length], [5, 5]);
  t.strictSame(created.configs, new Map([['cleanup.policy', 'compact'], ['max.message.bytes', '2000000']]), 'overrides are kept');
  t.strictSame(orders.configs!.map((x) => x.name), TOPIC_CONFIG_NAMES, 'every topic config, sorted by name');
  const cfg = (name: string) => orders.configs!.find((x) => x.name === name);
  t.strictSame(cfg('cleanup.policy'), { name: 'cleanup.policy', value: 'compact', readOnly: false, configSource: 1, isSensitive: false }, 'an override: TOPIC_CONFIG');
  t.strictSame([cfg('segment.bytes')?.value, cfg('segment.bytes')?.configSource], ['1073741824', 5], 'a default: DEFAULT_CONFIG');
  t.strictSame([cfg('retention.ms')?.value, cfg('retention.ms')?.configSource], ['7200000', 4], 'from the broker: STATIC_BROKER_CONFIG');

  const meta = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name: 'payments' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.equal(meta.topics[0]!.partitions.length, 5, 'Metadata sees it at once');
});

t.test('every version creates; fields appear with their version', async (t) => {
  const { kafka, c } = await start(t);
  for (let v = 0; v <= 7; v++) {
    const resp = await create(c, [topic(`t${v}`, { numPartitions: 2, replicationFactor: 1 })], v);
    const r = resp.topics[0]!;
    t.strictSame([r.name, r.errorCode], [`t${v}`, 0], `v${v} created`);
    t.equal(kafka.broker.cluster.topics.get(`t${v}`)?.partitions.length, 2, `v${v} partitions`);
    t.equal(r.numPartitions, v >= 5 ? 2 : -1, `v${v} numPartitions`);
    t.equal((r.configs ?? []).length > 0, v >= 5, `v${v} configs`);
    t.equal(r.topicId !== ZERO_UUID, v >= 7, `v${v} topic id`);
  }
});

t.test('validateOnly answers as a creation would and creates nothing', async (t) => {
  const { kafka, c } = await start(t);
  const resp = await create(c, [topic('dry', { numPartitions: 4, configs: [{ name: 'retention.ms', value: '1000' }] }), topic('dry-bad', { numPartitions: 0 })], 7, true);
  t.strictSame(resp.topics.map((x) => [x.name, x.errorCode, x.numPartitions]), [['dry', 0, 4], ['dry-bad', ErrorCode.INVALID_PARTITIONS, -1]]);
  t.not(resp.topics[0]!.topicId, ZERO_UUID, 'a would-be topic id, as Kafka gives');
  t.equal(resp.topics[0]!.configs!.find((x) => x.name === 'retention.ms')?.value, '1000');
  t.equal(kafka.broker.cluster.topics.size, 0, 'nothing created');
});

t.test('duplicates and __cluster_metadata are INVALID_REQUEST; the rest is created', async (t) => {
  const { kafka, c } = await start(t);
  const resp = await create(c, [topic('dup'), topic('ok'), topic('dup', { numPartitions: 3 }), topic('__cluster_metadata')]);
  t.strictSame(resp.topics.map(outcome), [
    ['ok', 0, null],
    ['dup', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
    ['__cluster_metadata', ErrorCode.INVALID_REQUEST, 'Creation of internal topic __cluster_metadata is prohibited.'],
  ]);
  t.notOk(kafka.broker.cluster.topics.get('dup'), 'a duplicate is not created');
  t.ok(kafka.broker.cluster.topics.get('ok'));
});

t.test('refusals: names, existence, partitions, replication factor', async (t) => {
  const { c } = await start(t, { topics: ['taken', 'a.b'] });
  const resp = await create(c, [
    topic('taken'),
    topic('bad name'),
    topic(''),
    topic('a_b'),
    topic('zero-partitions', { numPartitions: 0 }),
    topic('minus-two-partitions', { numPartitions: -2 }),
    topic('zero-rf', { replicationFactor: 0 }),
    topic('both-bad', { replicationFactor: 0, numPartitions: 0 }),
  ]);
  t.strictSame(resp.topics.map(outcome), [
    ['taken', ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'taken' already exists."],
    ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
    ['', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name is invalid: the empty string is not allowed'],
    ['a_b', ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"],
    ['zero-partitions', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
    ['minus-two-partitions', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
    ['zero-rf', ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.'],
    ['both-bad', ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.'],
  ]);
  const failed = resp.topics[0]!;
  t.strictSame([failed.topicId, failed.numPartitions, failed.replicationFactor, failed.configs], [ZERO_UUID, -1, -1, []], 'a failed topic keeps the defaults');
});

t.test('refusals: configs', async (t) => {
  const { kafka, c } = await start(t);
  const resp = await create(c, [
    topic('unknown', { configs: [{ name: 'retention.msx', value: '1' }] }),
    topic('bad-value', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
    topic('null-value', { configs: [{ name: 'retention.ms', value: null }] }),
    topic('range', { configs: [{ name: 'min.insync.replicas', value: '0' }] }),
  ]);
  t.strictSame(resp.topics.map(outcome), [
    ['unknown', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.msx'],
    ['bad-value', ErrorCode.INVALID_CONFIG, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
    ['null-value', ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: retention.ms'],
    ['range', ErrorCode.INVALID_CONFIG, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
  ]);
  t.equal(kafka.broker.cluster.topics.size, 0);
});

t.test('manual assignments', async (t) => {
  const { kafka, c } = await start(t);
  const a = (partitionIndex: number, brokerIds: number[]) => ({ partitionIndex, brokerIds });
  const resp = await create(c, [
    topic('assigned', { assignments: [a(1, [1]), a(0, [1]), a(2, [1])] }),
    topic('with-count', { numPartitions: 3, assignments: [a(0, [1])] }),
    topic('with-rf', { replicationFactor: 1, assignments: [a(0, [1])] }),
    topic('unknown-broker', { assignments: [a(0, [7])] }),
    topic('twice', { assignments: [a(0, [1, 1])] }),
    topic('empty', { assignments: [a(0, [])] }),
    topic('gap', { assignments: [a(0, [1]), a(2, [1])] }),
    topic('same-partition', { assignments: [a(0, [1]), a(0, [1])] }),
  ]);
  t.strictSame(resp.topics.map(outcome), [
    ['assigned', 0, null],
    ['with-count', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
    ['with-rf', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.'],
    ['unknown-broker', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.'],
    ['twice', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
    ['empty', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
    ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence'],
    ['same-partition', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Found multiple manual partition assignments for partition 0'],
  ]);
  t.strictSame([resp.topics[0]!.numPartitions, resp.topics[0]!.replicationFactor], [3, 1]);
  t.equal(kafka.broker.cluster.topics.get('assigned')?.partitions.length, 3);
  t.equal(kafka.broker.cluster.topics.size, 1, 'only the valid one');
});

t.test('a replication factor above the broker count is clamped (deviation: Kafka refuses it)', async (t) => {
  const { c } = await start(t);
  const resp = await create(c, [topic('connect-offsets', { numPartitions: 1, replicationFactor: 3 })]);
  t.strictSame([resp.topics[0]!.errorCode, resp.topics[0]!.replicationFactor], [0, 1]);
});

t.test('more than 10000 partitions in one request is a POLICY_VIOLATION for every topic', async (t) => {
  const { kafka, c } = await start(t);
  const resp = await create(c, [topic('big', { numPartitions: 6000 }), topic('bigger', { numPartitions: 6000 })]);
  const msg = 'Unable to perform excessively large batch operation.';
  t.strictSame(resp.topics.map(outcome), [['big', ErrorCode.POLICY_VIOLATION, msg], ['bigger', ErrorCode.POLICY_VIOLATION, msg]]);
  t.equal(kafka.broker.cluster.topics.size, 0);
  const huge = await create(c, [topic('huge', { numPartitions: 2147483647 })]);
  t.equal(huge.topics[0]!.errorCode, ErrorCode.POLICY_VIOLATION, 'no attempt to allocate 2^31 logs');
  const fine = await create(c, [topic('fine', { numPartitions: 5000 })]);
  t.equal(fine.topics[0]!.errorCode, 0, 'a large but bounded request is served');
});

t.test('an interceptor can fail the whole request with one code', async (t) => {
  const { kafka, c } = await start(t);
  kafka.intercept((r) => (r.apiName === 'CreateTopics' ? { action: 'error', errorCode: ErrorCode.NOT_CONTROLLER } : undefined));
  const resp = await create(c, [topic('a'), topic('b')]);
  t.strictSame(resp.topics.map(outcome), [['a', ErrorCode.NOT_CONTROLLER, null], ['b', ErrorCode.NOT_CONTROLLER, null]]);
  t.equal(kafka.broker.cluster.topics.size, 0);
});
