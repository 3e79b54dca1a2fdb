// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs over the wire. Every expected value
// is what Apache Kafka 4.4.0 (bench/kafka/start-kafka.sh, a single KRaft node) answered to the
// same request, once its metadata had settled (Kafka applies config changes asynchronously, so a
// describe right after an alter may still show the old value there, never here). The describe
// answers are in configs.kafka-4.4.json, re-recorded by `npm run record-kafka-answers`; the alter
// answers below are still transcribed by hand.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi } from '../../src/protocol/messages/index.js';
import type { DescribeConfigsResponseDescribeConfigsResourceResult } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

async function setup(t: { teardown(fn: () => void): void }, opts: Parameters<typeof MiniKafka.start>[0] = {}) {
  const kafka = await MiniKafka.start({ topics: [{ name: 'cfg', configs: { 'retention.ms': 1000 } }], ...opts });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });

  const describe = async (type: number, name: string, keys: string[] | null = null, o: { synonyms?: boolean; docs?: boolean; version?: number } = {}) => {
    const r = await c.request(DescribeConfigsApi, o.version ?? 4, {
      resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
      includeSynonyms: o.synonyms ?? true,
      includeDocumentation: o.docs ?? false,
    });
    return r.results[0]!;
  };
  /** [name, value, source, readOnly, sensitive, type, synonyms] per config. */
  const rows = (configs: DescribeConfigsResponseDescribeConfigsResourceResult[]) =>
    configs.map((x) => [x.name, x.value, x.configSource, x.readOnly, x.isSensitive, x.configType, x.synonyms.map((s) => [s.name, s.value, s.source])]);
  const alter = async (type: number, name: string, configs: [string, string | null][], validateOnly = false) => {
    const r = await c.request(AlterConfigsApi, 2, { resources: [{ resourceType: type, resourceName: name, configs: configs.map(([n, value]) => ({ name: n, value })) }], validateOnly });
    return [r.responses[0]!.errorCode, r.responses[0]!.errorMessage];
  };
  const incremental = async (type: number, name: string, ops: [string, number, string | null][], validateOnly = false) => {
    const r = await c.request(IncrementalAlterConfigsApi, 1, {
      resources: [{ resourceType: type, resourceName: name, configs: ops.map(([n, configOperation, value]) => ({ name: n, configOperation, value })) }],
      validateOnly,
    });
    return [r.responses[0]!.errorCode, r.responses[0]!.errorMessage];
  };
  const value = async (type: number, name: string, key: string) => {
    const r = await describe(type, name, [key]);
    return [r.configs[0]?.value, r.configs[0]?.configSource];
  };
  return { kafka, c, describe, rows, alter, incremental, value };
}

/** Apache Kafka 4.4's answers to the same requests, re-recorded by `npm run record-kafka-answers`. */
type Row = [string, string | null, number, boolean, boolean, number, [string, string | null, number][]];
const KAFKA = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/e2e/configs.kafka-4.4.json', import.meta.url)), 'utf8')) as {
  topicWithRetention: { errorCode: number; errorMessage: string | null; configs: Row[] };
  brokerConfigCount: number;
  broker: Row[];
  clusterDefault: Row[];
  describeErrors: { resourceType: number; resourceName: string; answer: [number, string | null, number] }[];
  alterRefusals: { request: ['alter', number, string, [string, string | null][]] | ['incremental', number, string, [string, number, string | null][]]; answer: [number, string | null] }[];
};

t.test('refused AlterConfigs and IncrementalAlterConfigs: the code and message Kafka 4.4 gave', async (t) => {
  const { alter, incremental } = await setup(t);
  t.equal(KAFKA.alterRefusals.length, 34, 'the recorded refusals');
  for (const { request, answer } of KAFKA.alterRefusals) {
    const got = request[0] === 'alter' ? await alter(request[1], request[2], request[3]) : await incremental(request[1], request[2], request[3]);
    t.strictSame(got, answer, JSON.stringify(request));
  }
});

t.test('a topic: all 37 configs with Kafka 4.4 values, sources, types and synonyms', async (t) => {
  const { describe, rows } = await setup(t);
  const r = await describe(TOPIC, 'cfg');
  t.strictSame([r.errorCode, r.errorMessage], [KAFKA.topicWithRetention.errorCode, KAFKA.topicWithRetention.errorMessage], 'errorMessage is "" on success, as Kafka 4.4 sends it');
  t.equal(KAFKA.topicWithRetention.configs.length, 37, 'Kafka 4.4 lists 37 topic configs');
  t.strictSame(rows(r.configs), KAFKA.topicWithRetention.configs);
  const noSynonyms = await describe(TOPIC, 'cfg', ['retention.ms', 'segment.ms', 'not.a.config'], { synonyms: false });
  t.strictSame(rows(noSynonyms.configs), [['retention.ms', '1000', 1, false, false, 5, []], ['segment.ms', '604800000', 5, false, false, 5, []]], 'configurationKeys filters; unknown names are left out');
  const v1 = await describe(TOPIC, 'cfg', ['retention.ms'], { version: 1 });
  t.strictSame([v1.configs[0]!.value, v1.configs[0]!.configSource], ['1000', 1], 'v1 is served');
});

t.test('a broker: Kafka 4.4 broker configs, the cluster default resource, loggers', async (t) => {
  const { kafka, describe, rows } = await setup(t);
  const r = await describe(BROKER, '1');
  t.equal(r.errorCode, 0);
  t.equal(r.configs.length, KAFKA.brokerConfigCount, `Kafka 4.4's ${KAFKA.brokerConfigCount} broker configs`);
  const byName = new Map(rows(r.configs).map((row) => [row[0], row]));
  for (const expected of KAFKA.broker) t.strictSame(byName.get(expected[0]), expected, String(expected[0]));
  t.strictSame(byName.get('listeners')!.slice(1, 4), [`PLAINTEXT://127.0.0.1:${kafka.port}`, 4, false], 'listeners: where minikafka listens, static, dynamic per broker');
  t.strictSame(byName.get('log.dirs')!.slice(1, 3), ['/minikafka/data', 4], 'log.dirs: what DescribeLogDirs reports');

  const cluster = await describe(BROKER, '');
  t.strictSame(rows(cluster.configs), KAFKA.clusterDefault, 'the cluster default: what formatting a KRaft cluster writes');

  const loggers = await describe(BROKER_LOGGER, '1');
  t.strictSame(rows(loggers.configs), [['root', 'WARN', 6, false, false, 0, []]], 'the root logger at minikafka\'s level');

  const docs = await describe(TOPIC, 'cfg', ['cleanup.policy'], { docs: true });
  t.match(docs.configs[0]!.documentation, /compact/, 'documentation when asked (v3+)');
  t.equal((await describe(TOPIC, 'cfg', ['cleanup.policy'])).configs[0]!.documentation, null, 'not unless asked');
});

t.test('describe errors, as Kafka 4.4 words them', async (t) => {
  const { describe, c } = await setup(t);
  const err = async (type: number, name: string) => {
    const r = await describe(type, name);
    return [r.errorCode, r.errorMessage, r.configs.length];
  };
  t.equal(KAFKA.describeErrors.length, 7, 'seven recorded failures');
  for (const e of KAFKA.describeErrors) t.strictSame(await err(e.resourceType, e.resourceName), e.answer, `${e.resourceType}/'${e.resourceName}'`);
  // An unknown resource type fails the whole request with the default message.
  const r = await c.request(DescribeConfigsApi, 4, {
    resources: [
      { resourceType: 99, resourceName: 'x', configurationKeys: null },
      { resourceType: TOPIC, resourceName: 'cfg', configurationKeys: null },
    ],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  t.strictSame(
    r.results.map((x) => [x.errorCode, x.errorMessage]),
    [
      [ErrorCode.INVALID_REQUEST, 'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.'],
      [ErrorCode.INVALID_REQUEST, 'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.'],
    ],
  );
});

t.test('AlterConfigs replaces a topic\'s overrides; errors and validateOnly', async (t) => {
  const { alter, describe, rows, value, kafka } = await setup(t);
  t.strictSame(await alter(TOPIC, 'cfg', [['retention.ms', '2000'], ['cleanup.policy', 'compact']]), [0, null]);
  t.strictSame(rows((await describe(TOPIC, 'cfg', ['cleanup.policy', 'retention.ms', 'segment.ms'])).configs), [
    ['cleanup.policy', 'compact', 1, false, false, 7, [['cleanup.policy', 'compact', 1], ['log.cleanup.policy', 'delete', 5]]],
    ['retention.ms', '2000', 1, false, false, 5, [['retention.ms', '2000', 1]]],
    ['segment.ms', '604800000', 5, false, false, 5, []],
  ]);
  t.strictSame(await alter(TOPIC, 'cfg', [['segment.ms', '100000']]), [0, null], 'the whole set is replaced');
  t.strictSame(await value(TOPIC, 'cfg', 'cleanup.policy'), ['delete', 5]);
  t.strictSame(await value(TOPIC, 'cfg', 'retention.ms'), ['604800000', 5]);
  t.strictSame(await value(TOPIC, 'cfg', 'segment.ms'), ['100000', 1]);
  t.equal(kafka.broker.cluster.topics.partition('cfg', 0)!.log.config.segmentMs, 100000, 'applied to the existing partition');


  t.strictSame(await alter(TOPIC, 'cfg', [['retention.ms', '5']], true), [0, null], 'validateOnly');
  t.strictSame(await value(TOPIC, 'cfg', 'retention.ms'), ['604800000', 5], 'changes nothing');
  t.strictSame(await value(TOPIC, 'cfg', 'segment.ms'), ['100000', 1]);
});

t.test('IncrementalAlterConfigs on a topic: SET, DELETE, APPEND, SUBTRACT', async (t) => {
  const { incremental, describe, rows, value } = await setup(t);
  t.strictSame(await incremental(TOPIC, 'cfg', [['retention.ms', SET, '3000'], ['cleanup.policy', SET, 'compact']]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'retention.ms'), ['3000', 1]);
  t.strictSame(await incremental(TOPIC, 'cfg', [['retention.bytes', DELETE, null]]), [0, null], 'DELETE of an unset key is a no-op');
  t.strictSame(await incremental(TOPIC, 'cfg', [['foo.bar', DELETE, null]]), [0, null], 'even an unknown one');
  t.strictSame(await incremental(TOPIC, 'cfg', [['cleanup.policy', APPEND, 'delete']]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'cleanup.policy'), ['compact,delete', 1]);
  t.strictSame(await incremental(TOPIC, 'cfg', [['cleanup.policy', APPEND, 'delete,compact']]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'cleanup.policy'), ['compact,delete', 1], 'APPEND adds only what is missing');
  t.strictSame(await incremental(TOPIC, 'cfg', [['cleanup.policy', SUBTRACT, 'compact']]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'cleanup.policy'), ['delete', 1]);
  t.strictSame(await incremental(TOPIC, 'cfg', [['cleanup.policy', SUBTRACT, 'delete']]), [0, null]);
  t.strictSame(rows((await describe(TOPIC, 'cfg', ['cleanup.policy'])).configs), [['cleanup.policy', '', 1, false, false, 7, [['cleanup.policy', '', 1], ['log.cleanup.policy', 'delete', 5]]]], 'an empty list is a value');
  t.strictSame(await incremental(TOPIC, 'cfg', [['leader.replication.throttled.replicas', APPEND, '0:1']]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'leader.replication.throttled.replicas'), ['0:1', 1], 'APPEND to an unset list starts from its default');


  t.strictSame(await incremental(TOPIC, 'cfg', [['retention.ms', DELETE, null]]), [0, null]);
  t.strictSame(await value(TOPIC, 'cfg', 'retention.ms'), ['604800000', 5]);
  t.strictSame(await incremental(TOPIC, 'cfg', [['retention.ms', SET, '77']], true), [0, null], 'validateOnly');
  t.strictSame(await value(TOPIC, 'cfg', 'retention.ms'), ['604800000', 5], 'changes nothing');
});

t.test('dynamic broker configs: per broker, cluster-wide, and what topics and logs make of them', async (t) => {
  const { incremental, alter, describe, rows, kafka } = await setup(t);
  t.strictSame(await incremental(BROKER, '1', [['log.retention.ms', SET, '5000']]), [0, null]);
  t.strictSame(rows((await describe(BROKER, '1', ['log.retention.ms'])).configs), [['log.retention.ms', '5000', 2, false, false, 5, [['log.retention.ms', '5000', 2], ['log.retention.hours', '168', 5]]]]);
  t.strictSame(rows((await describe(TOPIC, 'cfg', ['retention.ms', 'segment.bytes'])).configs)[0], ['retention.ms', '1000', 1, false, false, 5, [['retention.ms', '1000', 1], ['log.retention.ms', '5000', 2], ['log.retention.hours', '168', 5]]], 'the override still wins');
  kafka.createTopic('plain');
  t.strictSame(rows((await describe(TOPIC, 'plain', ['retention.ms'])).configs), [['retention.ms', '5000', 2, false, false, 5, [['log.retention.ms', '5000', 2], ['log.retention.hours', '168', 5]]]], 'a topic without an override follows the broker');
  t.equal(kafka.broker.cluster.topics.partition('plain', 0)!.log.config.retentionMs, 5000, 'and so does its log');

  t.strictSame(await incremental(BROKER, '', [['log.retention.ms', SET, '6000'], ['log.segment.bytes', SET, '2000000']]), [0, null], 'the cluster default');
  t.strictSame(rows((await describe(BROKER, '1', ['log.retention.ms', 'log.segment.bytes'])).configs), [
    ['log.retention.ms', '5000', 2, false, false, 5, [['log.retention.ms', '5000', 2], ['log.retention.ms', '6000', 3], ['log.retention.hours', '168', 5]]],
    ['log.segment.bytes', '2000000', 3, false, false, 3, [['log.segment.bytes', '2000000', 3], ['log.segment.bytes', '1073741824', 5]]],
  ]);
  t.strictSame(rows((await describe(BROKER, '')).configs).map((r) => r.slice(0, 3)), [
    ['log.retention.ms', '6000', 3],
    ['log.segment.bytes', '2000000', 3],
    ['min.insync.replicas', '1', 3],
  ]);
  t.equal(kafka.broker.cluster.topics.partition('plain', 0)!.log.config.segmentBytes, 2000000, 'existing partitions roll at the new size');

  t.strictSame(await incremental(BROKER, '1', [['foo.bar', SET, 'x']]), [0, null], 'unknown names are stored, as Kafka does');
  t.strictSame(rows((await describe(BROKER, '1', ['foo.bar'])).configs), [['foo.bar', null, 2, true, true, 0, [['foo.bar', null, 2]]]], 'and shown as Kafka shows names it has no definition for');

  t.strictSame(await incremental(BROKER, '1', [['log.cleanup.policy', APPEND, 'compact']]), [0, null]);
  t.strictSame(rows((await describe(BROKER, '1', ['log.cleanup.policy'])).configs), [['log.cleanup.policy', 'delete,compact', 2, false, false, 7, [['log.cleanup.policy', 'delete,compact', 2], ['log.cleanup.policy', 'delete', 5]]]]);
  t.strictSame(await incremental(BROKER, '1', [['log.cleanup.policy', SUBTRACT, 'delete,compact']]), [0, null]);
  t.strictSame((await describe(BROKER, '1', ['log.cleanup.policy'])).configs[0]!.value, '');

  t.strictSame(await incremental(BROKER, '1', [['log.retention.bytes', DELETE, null]]), [0, null], 'DELETE of an unset key');
  t.strictSame(await incremental(BROKER, '1', [['log.retention.ms', DELETE, null], ['log.cleanup.policy', DELETE, null], ['foo.bar', DELETE, null]]), [0, null]);
  t.strictSame(await incremental(BROKER, '', [['log.retention.ms', DELETE, null], ['log.segment.bytes', DELETE, null]]), [0, null]);
  t.strictSame(rows((await describe(BROKER, '1', ['log.cleanup.policy', 'log.retention.ms', 'log.segment.bytes'])).configs), [
    ['log.cleanup.policy', 'delete', 5, false, false, 7, [['log.cleanup.policy', 'delete', 5]]],
    ['log.retention.ms', null, 5, false, false, 5, []],
    ['log.segment.bytes', '1073741824', 5, false, false, 3, [['log.segment.bytes', '1073741824', 5]]],
  ]);

  // The legacy API replaces a resource's whole dynamic set.
  t.strictSame(await alter(BROKER, '1', [['log.retention.bytes', '12345678']]), [0, null]);
  t.strictSame(rows((await describe(BROKER, '1', ['log.retention.bytes'])).configs), [['log.retention.bytes', '12345678', 2, false, false, 5, [['log.retention.bytes', '12345678', 2], ['log.retention.bytes', '-1', 5]]]]);
  t.strictSame(await alter(BROKER, '1', [['log.retention.bytes', '1']], true), [0, null], 'validateOnly');
  t.equal((await describe(BROKER, '1', ['log.retention.bytes'])).configs[0]!.value, '12345678');
  t.strictSame(await alter(BROKER, '1', []), [0, null]);
  t.strictSame((await describe(BROKER, '1', ['log.retention.bytes'])).configs[0]!.configSource, 5);
});

t.test('broker loggers: validated as Kafka does; minikafka keeps its level', async (t) => {
  const { incremental } = await setup(t);
  t.strictSame(await incremental(BROKER_LOGGER, '1', [['kafka.server', SET, 'LOUD']]), [
    ErrorCode.INVALID_CONFIG,
    'Cannot set the log level of kafka.server to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN',
  ]);
  t.strictSame(await incremental(BROKER_LOGGER, '1', [['root', SET, 'DEBUG']], true), [0, null], 'validateOnly passes');
  t.equal((await incremental(BROKER_LOGGER, '1', [['root', SET, 'DEBUG']]))[0], ErrorCode.INVALID_REQUEST, 'a real change is refused (deviation)');
});

t.test('static broker configs (--config) are STATIC_BROKER_CONFIG and topic defaults', async (t) => {
  const { describe, rows } = await setup(t, { config: { 'log.retention.hours': 2, 'log.segment.bytes': 2097152 } });
  t.strictSame(rows((await describe(BROKER, '1', ['log.retention.hours', 'log.segment.bytes'])).configs), [
    ['log.retention.hours', '2', 4, true, false, 3, [['log.retention.hours', '2', 4], ['log.retention.hours', '168', 5]]],
    ['log.segment.bytes', '2097152', 4, false, false, 3, [['log.segment.bytes', '2097152', 4], ['log.segment.bytes', '1073741824', 5]]],
  ]);
  // Kafka's synonym list drops everything before log.retention.ms, which is unset: no synonyms and
  // DEFAULT_CONFIG, although the value comes from log.retention.hours.
  t.strictSame(rows((await describe(TOPIC, 'cfg', ['retention.ms'])).configs), [['retention.ms', '1000', 1, false, false, 5, [['retention.ms', '1000', 1]]]]);
  const created = await describe(TOPIC, 'cfg', ['segment.bytes']);
  t.strictSame(rows(created.configs), [['segment.bytes', '2097152', 4, false, false, 3, [['log.segment.bytes', '2097152', 4], ['log.segment.bytes', '1073741824', 5]]]]);
});

t.test('a resource named twice fails both times (Kafka 4.4 closes the connection)', async (t) => {
  const { c } = await setup(t);
  const r = await c.request(IncrementalAlterConfigsApi, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'cfg', configs: [] },
      { resourceType: TOPIC, resourceName: 'cfg', configs: [] },
      { resourceType: BROKER, resourceName: '1', configs: [] },
    ],
    validateOnly: false,
  });
  t.strictSame(r.responses.map((x) => [x.resourceName, x.errorCode, x.errorMessage]), [
    ['cfg', ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
    ['cfg', ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
    ['1', 0, null],
  ]);
});
