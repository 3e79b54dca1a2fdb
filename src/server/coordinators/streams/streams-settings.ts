/**
 * The streams group settings (KIP-1071), read once from the broker's group.streams.* configs with
 * Kafka 4.4's defaults and bounds:
 *   group.streams.heartbeat.interval.ms 5000 (within group.streams.min/max.heartbeat.interval.ms,
 *   5000-15000), group.streams.session.timeout.ms 45000 (within
 *   group.streams.min/max.session.timeout.ms, 45000-60000), group.streams.max.size unlimited,
 *   group.streams.num.standby.replicas 0 (at most group.streams.max.standby.replicas, 2).
 * A value outside its bounds is clamped with a warning (Kafka refuses to start), as the
 * group.consumer.* settings are. Per-group overrides (GROUP resource configs streams.*) are not
 * read here.
 */
import type { BrokerConfig } from '../../cluster/broker-config.js';
import { intSetting } from '../../cluster/broker-config.js';
import type { Logger } from '../../../util/logger.js';

export interface StreamsGroupSettings {
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly maxSize: number;
  readonly numStandbyReplicas: number;
  /** Streams' acceptable.recovery.lag as the broker hands it out (Kafka's default 10000). */
  readonly acceptableRecoveryLag: number;
  /** How often members report their task offsets (Kafka: group.streams.task.offset.interval.ms, 60000). */
  readonly taskOffsetIntervalMs: number;
}

function bounded(config: BrokerConfig, key: string, fallback: number, minKey: string, minDefault: number, maxKey: string, maxDefault: number, logger: Logger): number {
  const min = intSetting(config, minKey, minDefault, 0, logger);
  const max = intSetting(config, maxKey, maxDefault, 0, logger);
  const v = intSetting(config, key, fallback, 0, logger);
  if (v >= min && v <= max) return v;
  const clamped = Math.min(Math.max(v, min), max);
  logger.warn(`${key}=${v} is outside [${minKey}=${min}, ${maxKey}=${max}]; using ${clamped}`);
  return clamped;
}

export function streamsGroupSettings(config: BrokerConfig, logger: Logger): StreamsGroupSettings {
  return {
    heartbeatIntervalMs: bounded(config, 'group.streams.heartbeat.interval.ms', 5000, 'group.streams.min.heartbeat.interval.ms', 5000, 'group.streams.max.heartbeat.interval.ms', 15000, logger),
    sessionTimeoutMs: bounded(config, 'group.streams.session.timeout.ms', 45000, 'group.streams.min.session.timeout.ms', 45000, 'group.streams.max.session.timeout.ms', 60000, logger),
    maxSize: intSetting(config, 'group.streams.max.size', 2147483647, 1, logger),
    numStandbyReplicas: Math.min(intSetting(config, 'group.streams.num.standby.replicas', 0, 0, logger), intSetting(config, 'group.streams.max.standby.replicas', 2, 0, logger)),
    acceptableRecoveryLag: 10000,
    taskOffsetIntervalMs: 60000,
  };
}
