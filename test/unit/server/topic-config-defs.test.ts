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
import { KafkaError } from '../../../src/protocol/errors.js';

/** Apache Kafka 4.4's recorded DescribeConfigs and CreateTopics answers (scripts/record-kafka-answers.mjs). */
const RECORDED = fileURLToPath(new URL('../../../../test/e2e/configs.kafka-4.4.json', import.meta.url));

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
  const recorded = JSON.parse(readFileSync(RECORDED, 'utf8')) as {
    topicDefaults: [string, string | null, number, boolean, boolean, number, [string, string | null, number][]][];
  };
  const DEFAULT_CONFIG = 5;
  // One comparison of every [name, default] pair, so that the count says "the defaults", not 37.
  const kafkaDefaults = recorded.topicDefaults.map(([name, value, source, , , , synonyms]) => [name, source === DEFAULT_CONFIG ? value : synonyms.find((s) => s[0] === name && s[2] === DEFAULT_CONFIG)?.[1]]);
  t.strictSame(recorded.topicDefaults.map(([name]) => [name, TOPIC_CONFIG_DEFS.get(name)?.defaultValue]), kafkaDefaults, 'every default is Kafka 4.4\'s');
  t.strictSame(TOPIC_CONFIG_NAMES, recorded.topicDefaults.map((r) => r[0]), 'the names Kafka 4.4 lists, in its order');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.format.version'), 'removed in 4.0');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.timestamp.difference.max.ms'), 'removed in 4.0');
  t.notOk(TOPIC_CONFIG_DEFS.has('message.downconversion.enable'), 'a no-op in 4.0, gone by 4.4');
  t.equal(TOPIC_CONFIG_NAMES.length, 37, 'as many as Kafka 4.4 lists in CreateTopics v7');
  t.strictSame(TOPIC_CONFIG_NAMES, [...TOPIC_CONFIG_NAMES].sort(), 'names are sorted');
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
  // Apache Kafka 4.4's answers to CreateTopics (validateOnly) with each config set, re-recorded by
  // `npm run record-kafka-answers` (the sets are listed there).
  const { invalidTopicConfigs } = JSON.parse(readFileSync(RECORDED, 'utf8')) as { invalidTopicConfigs: { configs: Record<string, string | null>; answer: [number, string] }[] };
  t.equal(invalidTopicConfigs.length, 23, 'the 23 recorded refusals');
  for (const { configs, answer } of invalidTopicConfigs) {
    t.strictSame(failure(configs), { code: answer[0], message: answer[1] }, JSON.stringify(configs));
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
  t.strictSame(effectiveTopicConfig('retention.ms', new Map(), brokerCfg), {
    name: 'retention.ms',
    value: '7200000',
    source: ConfigSource.STATIC_BROKER_CONFIG,
    configType: ConfigType.LONG,
    readOnly: false,
    isSensitive: false,
  });
  t.equal(effectiveTopicConfig('max.message.bytes', new Map(), brokerCfg)?.value, '2000000');
  const own = effectiveTopicConfig('retention.ms', new Map([['retention.ms', '1000']]), brokerCfg);
  t.strictSame([own?.value, own?.source], ['1000', ConfigSource.TOPIC_CONFIG], 'an override wins');
  const dflt = effectiveTopicConfig('cleanup.policy', new Map(), brokerCfg);
  t.strictSame([dflt?.value, dflt?.source, dflt?.configType], ['delete', ConfigSource.DEFAULT_CONFIG, ConfigType.LIST]);
  t.equal(effectiveTopicConfig('no.such.config', new Map(), brokerCfg), undefined);
  const isr = effectiveTopicConfig('min.insync.replicas', new Map(), new Map());
  t.strictSame([isr?.value, isr?.source], ['1', ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG], 'the cluster default a formatted KRaft cluster has');
  const isrSet = effectiveTopicConfig('min.insync.replicas', new Map(), new Map([['min.insync.replicas', '2']]));
  t.strictSame([isrSet?.value, isrSet?.source], ['2', ConfigSource.STATIC_BROKER_CONFIG], 'unless the broker sets it');
  const all = effectiveTopicConfigs(new Map(), new Map());
  t.strictSame(all.map((c) => c.name), TOPIC_CONFIG_NAMES, 'all configs, sorted');
});
