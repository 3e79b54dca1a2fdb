/**
 * The group coordinator's settings, read once from the broker's configs.
 *
 * Configuration (Kafka's names, read from the broker's key=value configs):
 *   group.min.session.timeout.ms 6000, group.max.session.timeout.ms 1800000,
 *   group.initial.rebalance.delay.ms (0 here, Kafka 3000), offsets.topic.num.partitions 50,
 *   offset.metadata.max.bytes 4096, offsets.retention.ms 604800000 (7 days),
 *   offsets.retention.check.interval.ms 600000;
 *   group.consumer.heartbeat.interval.ms 5000 (within group.consumer.min/max.heartbeat.interval.ms,
 *   5000-15000), group.consumer.session.timeout.ms 45000 (within group.consumer.min/max.session.timeout.ms,
 *   45000-60000), group.consumer.max.size unlimited, group.consumer.assignors "uniform,range",
 *   group.consumer.migration.policy bidirectional.
 */
import type { BrokerConfig } from '../../cluster/broker-config.js';
import { intSetting } from '../../cluster/broker-config.js';
import type { Logger } from '../../../util/logger.js';
import type { ConsumerGroupSettings } from './consumer-group.js';
import type { ServerAssignor } from './assignors/assignor.js';
import { uniformAssignor } from './assignors/uniform.js';
import { rangeAssignor } from './assignors/range.js';
import { migrationPolicy } from './group-migration.js';
import type { MigrationPolicy } from './group-migration.js';

export interface GroupCoordinatorSettings {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
  readonly newMemberJoinTimeoutMs: number;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetMetadataMaxBytes: number;
  readonly offsetsRetentionMs: number;
  readonly offsetsRetentionCheckIntervalMs: number;
  readonly consumer: ConsumerGroupSettings;
  /** group.consumer.migration.policy (group-migration.ts). */
  readonly migrationPolicy: MigrationPolicy;
}

/** The server assignors Kafka ships for consumer groups, by name and by class name. */
const KNOWN_ASSIGNORS: ReadonlyMap<string, ServerAssignor> = new Map([
  ['uniform', uniformAssignor],
  ['range', rangeAssignor],
  ['org.apache.kafka.coordinator.group.assignor.UniformAssignor', uniformAssignor],
  ['org.apache.kafka.coordinator.group.assignor.RangeAssignor', rangeAssignor],
]);

function assignorsConfig(config: BrokerConfig, logger: Logger): Map<string, ServerAssignor> {
  const out = new Map<string, ServerAssignor>();
  const raw = config.extra.get('group.consumer.assignors') ?? 'uniform,range';
  for (const name of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const a = KNOWN_ASSIGNORS.get(name);
    if (a) out.set(a.name, a);
    else logger.warn(`group.consumer.assignors: unknown assignor '${name}' ignored (known: uniform, range)`);
  }
  if (out.size === 0) out.set(uniformAssignor.name, uniformAssignor);
  return out;
}

/** A group.consumer.* timeout within its min and max configs; out of range is clamped, with a warning. */
function boundedConfig(config: BrokerConfig, key: string, fallback: number, minKey: string, minDefault: number, maxKey: string, maxDefault: number, logger: Logger): number {
  const min = intSetting(config, minKey, minDefault, 1, logger);
  const max = intSetting(config, maxKey, maxDefault, 1, logger);
  const v = intSetting(config, key, fallback, 1, logger);
  if (v < min || v > max) {
    const clamped = Math.min(Math.max(v, min), max);
    logger.warn(`${key}=${v} is outside [${minKey}=${min}, ${maxKey}=${max}]; using ${clamped}`);
    return clamped;
  }
  return v;
}

export function groupCoordinatorSettings(config: BrokerConfig, logger: Logger): GroupCoordinatorSettings {
  return {
    minSessionTimeoutMs: intSetting(config, 'group.min.session.timeout.ms', 6000, 0, logger),
    maxSessionTimeoutMs: intSetting(config, 'group.max.session.timeout.ms', 1800000, 0, logger),
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    newMemberJoinTimeoutMs: 5 * 60 * 1000,
    // Kafka's default. Fifty empty in-memory partitions cost little, and tools that show the
    // topic (or compute a group's partition) then see what they would see on Kafka.
    offsetsTopicNumPartitions: intSetting(config, 'offsets.topic.num.partitions', 50, 1, logger),
    offsetMetadataMaxBytes: intSetting(config, 'offset.metadata.max.bytes', 4096, 0, logger),
    offsetsRetentionMs: intSetting(config, 'offsets.retention.ms', 7 * 24 * 60 * 60 * 1000, 1, logger),
    offsetsRetentionCheckIntervalMs: intSetting(config, 'offsets.retention.check.interval.ms', 600_000, 1, logger),
    consumer: {
      heartbeatIntervalMs: boundedConfig(config, 'group.consumer.heartbeat.interval.ms', 5000, 'group.consumer.min.heartbeat.interval.ms', 5000, 'group.consumer.max.heartbeat.interval.ms', 15000, logger),
      sessionTimeoutMs: boundedConfig(config, 'group.consumer.session.timeout.ms', 45000, 'group.consumer.min.session.timeout.ms', 45000, 'group.consumer.max.session.timeout.ms', 60000, logger),
      maxSize: intSetting(config, 'group.consumer.max.size', 2147483647, 1, logger),
      assignors: assignorsConfig(config, logger),
    },
    migrationPolicy: migrationPolicy(config, logger),
  };
}
