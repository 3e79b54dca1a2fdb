// Topic configs: Kafka 4.x names and defaults, and validation failing with Kafka's own messages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  ConfigSource,
  ConfigType,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIG_NAMES,
  effectiveTopicConfig,
  effectiveTopicConfigs,
  validateTopicConfigs,
} from '../../../src/server/cluster/configs/topic-config-defs.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/errors.js';

function failure(configs: Record<string, string | null>, broker: Record<string, string> = {}): { code: number; message: string } | null {
  try {
    validateTopicConfigs(new Map(Object.entries(configs)), new Map(Object.entries(broker)));
    return null;
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return { code: e.code, message: e.message };
  }
}

t.test('the defaults are what DescribeConfigs shows on Kafka 4.x', async (t) => {
  // A topic without overrides on Apache Kafka 4.4, re-recorded by `npm run record-kafka-answers`:
  // [name, value, source, readOnly, sensitive, type, synonyms]. min.insync.replicas comes from the
  // cluster default that formatting writes (source 3); its own default is the synonym of source 5.
  const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../test/e2e/configs.kafka-4.4.json', import.meta.url)), 'utf8')) as {
    topicDefaults: [string, string | null, number, boolean, boolean, number, [string, string | null, number][]][];
  };
  const DEFAULT_CONFIG = 5;
  for (const [name, value, source, , , , synonyms] of recorded.topicDefaults) {
    const expected = source === DEFAULT_CONFIG ? value : synonyms.find((s) => s[0] === name && s[2] === DEFAULT_CONFIG)?.[1];
    t.equal(TOPIC_CONFIG_DEFS.get(name)?.defaultValue, expected, name);
  }
  t.strictSame(TOPIC_CONFIG_NAMES, recorded.topicDefaults.map((r) => r[0]), 'the names Kafka 4.4 lists, in its order');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.format.version'), 'removed in 4.0');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.timestamp.difference.max.ms'), 'removed in 4.0');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.downconversion.enable'), 'a no-op in 4.0, gone by 4.4');
  t.equal(TOPIC_CONFIG_NAMES.length, 37, 'as many as Kafka 4.4 lists in CreateTopics v7');
  t.same(TOPIC_CONFIG_NAMES, [...TOPIC_CONFIG_NAMES].sort(), 'names are sorted');
  t.equal(TOPIC_CONFIG_NAMES.length, TOPIC_CONFIG_DEFS.size);
});

t.test('valid overrides pass, including Kafka-style spellings', async (t) => {
  t.equal(
    failure({
      'retention.ms': '-1',
      'cleanup.policy': 'compact, delete',
      'min.cleanable.dirty.ratio': '0.1',
      'unclean.leader.election.enable': 'TRUE',
      'compression.type': 'zstd',
      'compression.gzip.level': '-1',
      'segment.bytes': ' 1048576 ',
      'leader.replication.throttled.replicas': '0:1,1:1',
      'follower.replication.throttled.replicas': '*',
      'message.timestamp.type': 'LogAppendTime',
      'retention.bytes': '-5',
    }),
    null,
  );
  t.equal(failure({ 'cleanup.policy': '' }), null, 'an empty list is a valid list');
});

t.test('every failure is INVALID_CONFIG with Kafka\'s message', async (t) => {
  const cases: [Record<string, string | null>, string][] = [
    [{ 'retention.ms': null, 'segment.ms': null }, 'Null value not supported for topic configs: retention.ms,segment.ms'],
    [{ 'retention.msx': '1' }, 'Unknown topic config name: retention.msx'],
    [{ 'message.format.version': '3.0' }, 'Unknown topic config name: message.format.version'],
    [{ 'retention.ms': 'abc' }, 'Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    [{ 'retention.ms': '9223372036854775808' }, 'Invalid value 9223372036854775808 for configuration retention.ms: Not a number of type LONG'],
    [{ 'retention.ms': '-2' }, 'Invalid value -2 for configuration retention.ms: Value must be at least -1'],
    [{ 'segment.bytes': '2147483648' }, 'Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT'],
    [{ 'segment.bytes': '1000' }, 'Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576'],
    [{ 'min.insync.replicas': '0' }, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1'],
    [{ 'min.cleanable.dirty.ratio': '1.5' }, 'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    [{ 'min.cleanable.dirty.ratio': '2' }, 'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    [{ 'min.cleanable.dirty.ratio': '1e10' }, 'Invalid value 1.0E10 for configuration min.cleanable.dirty.ratio: Value must be no more than 1'],
    [{ 'min.cleanable.dirty.ratio': '-0.0001' }, 'Invalid value -1.0E-4 for configuration min.cleanable.dirty.ratio: Value must be at least 0'],
    [{ 'min.cleanable.dirty.ratio': 'half' }, 'Invalid value half for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE'],
    [{ 'cleanup.policy': 'compact,remove' }, 'Invalid value remove for configuration cleanup.policy: String must be one of: compact, delete'],
    [{ 'compression.type': 'brotli' }, 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
    [{ 'message.timestamp.type': 'createtime' }, 'Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime'],
    [{ preallocate: 'yes' }, 'Invalid value yes for configuration preallocate: Expected value to be either true or false'],
    [{ 'compression.gzip.level': '0' }, 'Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1'],
    [{ 'compression.lz4.level': '18' }, 'Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17'],
    [
      { 'leader.replication.throttled.replicas': '0-1' },
      "Invalid value [0-1] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
    ],
    [{ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }, 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'],
    [{ 'remote.storage.enable': 'true' }, 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'],
  ];
  for (const [configs, message] of cases) {
    t.same(failure(configs), { code: ErrorCode.INVALID_CONFIG, message }, JSON.stringify(configs));
  }
});

t.test('null values are reported before unknown names, unknown names before bad values', async (t) => {
  t.match(failure({ 'retention.ms': 'x', nope: '1', 'segment.ms': null })?.message, /^Null value not supported/);
  t.match(failure({ 'retention.ms': 'x', nope: '1' })?.message, /^Unknown topic config name: nope/);
  // Values are checked in Kafka's definition order, not the request's.
  t.match(failure({ 'retention.ms': 'x', 'segment.bytes': 'y' })?.message, /configuration segment\.bytes/);
});

t.test('broker defaults take part in cross checks and resolve effective values', async (t) => {
  const broker = { 'log.cleaner.min.compaction.lag.ms': '100' };
  t.match(failure({ 'max.compaction.lag.ms': '50' }, broker)?.message, /min\.compaction\.lag\.ms \(100\) > max\.compaction\.lag\.ms \(50\)/);
  const brokerCfg = new Map([['log.retention.hours', '2'], ['message.max.bytes', '2000000']]);
  t.same(effectiveTopicConfig('retention.ms', new Map(), brokerCfg), {
    name: 'retention.ms',
    value: '7200000',
    source: ConfigSource.STATIC_BROKER_CONFIG,
    configType: ConfigType.LONG,
    readOnly: false,
    isSensitive: false,
  });
  t.equal(effectiveTopicConfig('max.message.bytes', new Map(), brokerCfg)?.value, '2000000');
  const own = effectiveTopicConfig('retention.ms', new Map([['retention.ms', '1000']]), brokerCfg);
  t.same([own?.value, own?.source], ['1000', ConfigSource.TOPIC_CONFIG], 'an override wins');
  const dflt = effectiveTopicConfig('cleanup.policy', new Map(), brokerCfg);
  t.same([dflt?.value, dflt?.source, dflt?.configType], ['delete', ConfigSource.DEFAULT_CONFIG, ConfigType.LIST]);
  t.equal(effectiveTopicConfig('no.such.config', new Map(), brokerCfg), undefined);
  const isr = effectiveTopicConfig('min.insync.replicas', new Map(), new Map());
  t.same([isr?.value, isr?.source], ['1', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG], 'the cluster default a formatted KRaft cluster has');
  const isrSet = effectiveTopicConfig('min.insync.replicas', new Map(), new Map([['min.insync.replicas', '2']]));
  t.same([isrSet?.value, isrSet?.source], ['2', ConfigSource.STATIC_BROKER_CONFIG], 'unless the broker sets it');
  const all = effectiveTopicConfigs(new Map(), new Map());
  t.same(all.map((c) => c.name), TOPIC_CONFIG_NAMES, 'all configs, sorted');
});
