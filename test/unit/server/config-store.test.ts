// The cluster's config store: which layer and which synonym a topic's effective value comes from,
// the broker table's consistency with the topic definitions, and changes reaching the logs.
import t from 'tap';
import { Cluster } from '../../../src/server/cluster/cluster.js';
import { defaultBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { BROKER_CONFIG_DEFS, brokerConfigSynonyms } from '../../../src/server/cluster/configs/broker-config-defs.js';
import { TOPIC_CONFIG_DEFS, brokerDefaultFor, staticLayers } from '../../../src/server/cluster/configs/topic-config-defs.js';
import { ManualClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/logger.js';

function store(extra: Record<string, string> = {}) {
  const config = defaultBrokerConfig();
  for (const [k, v] of Object.entries(extra)) config.extra.set(k, v);
  const cluster = new Cluster('c', new ManualClock(0), createLogger('error'), config);
  return { cluster, store: cluster.configs };
}

t.test('every broker synonym of a topic config is a Kafka broker config', async (t) => {
  for (const d of TOPIC_CONFIG_DEFS.values()) {
    for (const s of d.synonyms) t.ok(BROKER_CONFIG_DEFS.has(s.name), `${d.name} <- ${s.name}`);
  }
  t.equal(BROKER_CONFIG_DEFS.size, 350);
  t.same(brokerConfigSynonyms('log.retention.hours'), ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']);
  t.same(brokerConfigSynonyms('log.flush.scheduler.interval.ms'), ['log.flush.scheduler.interval.ms']);
  t.same(brokerConfigSynonyms('num.partitions'), ['num.partitions']);
});

t.test('a topic default: synonyms in order over the merged layers (KafkaConfig getters)', async (t) => {
  const retention = TOPIC_CONFIG_DEFS.get('retention.ms')!;
  t.equal(brokerDefaultFor(retention, staticLayers(new Map())), '604800000');
  t.equal(brokerDefaultFor(retention, staticLayers(new Map([['log.retention.hours', '2']]))), '7200000', 'hours converted');
  t.equal(brokerDefaultFor(retention, staticLayers(new Map([['log.retention.minutes', '3'], ['log.retention.hours', '2']]))), '180000', 'minutes beat hours');
  const layers = { dynamicBroker: new Map([['log.retention.hours', '5']]), dynamicDefault: new Map(), static: new Map([['log.retention.ms', '1000']]) };
  t.equal(brokerDefaultFor(retention, layers), '1000', 'a static log.retention.ms beats a dynamic log.retention.hours, as in Kafka');
});

t.test('changes reach the partition logs; caches see a new version', async (t) => {
  const { cluster, store: s } = store({ 'log.segment.bytes': '2097152' });
  const topic = cluster.topics.create('x', 2, new Map([['retention.ms', '5000']]));
  t.same([topic.partitions[0]!.log.config.segmentBytes, topic.partitions[0]!.log.config.retentionMs], [2097152, 5000], 'a new partition starts with the effective settings');
  const v = s.version;
  s.setTopicConfigs(topic, new Map([['segment.bytes', '3145728']]));
  t.ok(s.version > v);
  t.same([topic.partitions[1]!.log.config.segmentBytes, topic.partitions[1]!.log.config.retentionMs], [3145728, 604800000], 'replaced, not merged');
  s.setDynamicConfigs(null, new Map([['min.insync.replicas', '1'], ['log.retention.ms', '42']]));
  t.equal(topic.partitions[0]!.log.config.retentionMs, 42, 'a cluster default reaches topics without an override');
  s.setTopicConfigs(topic, new Map([['cleanup.policy', 'compact'], ['max.compaction.lag.ms', '60000']]));
  t.equal(topic.partitions[0]!.log.config.segmentMs, 60000, 'compacted topics roll by max.compaction.lag.ms too (LogConfig.maxSegmentMs)');
  t.same(s.cleanupPolicy(topic), { delete: false, compact: true });
  t.equal(s.brokerValue('log.cleaner.backoff.ms'), '15000');
  t.equal(s.brokerValue('log.segment.bytes'), '2097152');
});
