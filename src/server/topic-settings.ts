/**
 * The topic configs the data path obeys, resolved as Kafka resolves them: the topic's override,
 * else the broker's `log.`-prefixed synonym (or message.max.bytes), else Kafka 4.x's default.
 * Read per request rather than cached, so AlterConfigs takes effect on the next produce without
 * any invalidation; each lookup is a couple of Map reads.
 *
 * Values were validated when they were set (CreateTopics / AlterConfigs); one that does not parse
 * falls back to the default rather than failing a produce.
 */
import type { Topic } from './topics.js';
import type { BrokerConfig } from './broker-config.js';

/** Long.MAX_VALUE as a double: "no limit" for the timestamp windows. */
const LONG_MAX = 9223372036854775807;

export const TimestampTypeConfig = { CREATE_TIME: 'CreateTime', LOG_APPEND_TIME: 'LogAppendTime' } as const;

export interface ProduceSettings {
  /** max.message.bytes: the largest batch (with its 12-byte log overhead) a produce may append. */
  readonly maxMessageBytes: number;
  readonly logAppendTime: boolean;
  /** message.timestamp.before.max.ms (default Long.MAX_VALUE: no lower bound). */
  readonly timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (Kafka 4.0 default 3600000, KIP-1030). */
  readonly timestampAfterMaxMs: number;
}

function lookup(topic: Topic, broker: BrokerConfig, key: string, brokerKey: string): string | undefined {
  return topic.configs.get(key) ?? broker.extra.get(brokerKey);
}

function longValue(v: string | undefined, dflt: number, min: number): number {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return dflt;
  const n = Number(v);
  return n >= min ? n : dflt;
}

export function produceSettings(topic: Topic, broker: BrokerConfig): ProduceSettings {
  const maxRaw = topic.configs.get('max.message.bytes');
  const timestampType = lookup(topic, broker, 'message.timestamp.type', 'log.message.timestamp.type');
  return {
    maxMessageBytes: longValue(maxRaw, broker.messageMaxBytes, 0),
    logAppendTime: timestampType === TimestampTypeConfig.LOG_APPEND_TIME,
    timestampBeforeMaxMs: longValue(lookup(topic, broker, 'message.timestamp.before.max.ms', 'log.message.timestamp.before.max.ms'), LONG_MAX, 0),
    timestampAfterMaxMs: longValue(lookup(topic, broker, 'message.timestamp.after.max.ms', 'log.message.timestamp.after.max.ms'), 3600000, 0),
  };
}

/** compression.type of the topic ('producer' unless set); Fetch below v10 refuses 'zstd' topics. */
export function topicCompressionType(topic: Topic, broker: BrokerConfig): string {
  return topic.configs.get('compression.type') ?? broker.extra.get('compression.type') ?? 'producer';
}
