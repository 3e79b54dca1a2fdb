/**
 * The topic configs the data path obeys, read through the cluster's config store (override,
 * else the broker's log.* synonym in any layer, else Kafka 4.x's default). Produce asks once per
 * topic per request; the answer is cached per topic until any config changes (the store's
 * version moves), so a produce costs one WeakMap lookup here and AlterConfigs still takes effect
 * on the next request.
 */
import type { Topic } from '../topics.js';
import type { ConfigStore } from './config-store.js';

export const TimestampTypeConfig = { CREATE_TIME: 'CreateTime', LOG_APPEND_TIME: 'LogAppendTime' } as const;

export interface ProduceSettings {
  /** max.message.bytes: the largest batch (with its 12-byte log overhead) a produce may append. */
  readonly maxMessageBytes: number;
  readonly logAppendTime: boolean;
  /** message.timestamp.before.max.ms (default Long.MAX_VALUE: no lower bound). */
  readonly timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (Kafka 4.0 default 3600000, KIP-1030). */
  readonly timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every record needs a key. */
  readonly compacted: boolean;
}

const cache = new WeakMap<Topic, { version: number; settings: ProduceSettings }>();

export function produceSettings(topic: Topic, store: ConfigStore): ProduceSettings {
  const hit = cache.get(topic);
  if (hit !== undefined && hit.version === store.version) return hit.settings;
  const settings = computeSettings(store, topic);
  cache.set(topic, { version: store.version, settings });
  return settings;
}

function computeSettings(store: ConfigStore, topic: Topic): ProduceSettings {
  return {
    maxMessageBytes: store.topicNumber(topic, 'max.message.bytes'),
    logAppendTime: store.topicValue(topic, 'message.timestamp.type').trim() === TimestampTypeConfig.LOG_APPEND_TIME,
    timestampBeforeMaxMs: store.topicNumber(topic, 'message.timestamp.before.max.ms'),
    timestampAfterMaxMs: store.topicNumber(topic, 'message.timestamp.after.max.ms'),
    compacted: store.cleanupPolicy(topic).compact,
  };
}

/** compression.type of the topic ('producer' unless set); Fetch below v10 refuses 'zstd' topics. */
export function topicCompressionType(topic: Topic, store: ConfigStore): string {
  return store.topicValue(topic, 'compression.type').trim();
}
