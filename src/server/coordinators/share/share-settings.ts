/**
 * The settings a share group runs with: a GROUP config of the group (share.*, set with
 * IncrementalAlterConfigs on resource type GROUP, see cluster/configs/group-configs.ts) when set,
 * else the broker's group.share.* config (read at each use, so dynamic broker configs apply),
 * else Kafka 4.4's default.
 *
 *   group config                       broker config                            default
 *   share.session.timeout.ms           group.share.session.timeout.ms           45000
 *   share.heartbeat.interval.ms        group.share.heartbeat.interval.ms        5000
 *   share.record.lock.duration.ms      group.share.record.lock.duration.ms      30000
 *   share.delivery.count.limit         group.share.delivery.count.limit         5
 *   share.partition.max.record.locks   group.share.partition.max.record.locks   2000
 *   share.auto.offset.reset            -                                        latest
 *   share.isolation.level              -                                        read_uncommitted
 *   share.renew.acknowledge.enable     -                                        true
 *   -                                  group.share.max.size                     200
 *   -                                  group.share.max.share.sessions           2000
 */
import type { SharePartitionSettings } from './share-partition.js';

export interface ShareConfigSource {
  /** The broker's value of a config, or null when unset. */
  brokerValue(name: string): string | null;
  /** The group's own value of a GROUP config, or undefined when unset. */
  groupValue(groupId: string, name: string): string | undefined;
}

/** ISO-8601 duration of share.auto.offset.reset=by_duration:PnDTnHnMn.nS, in ms (null if malformed). */
export function parseIsoDuration(text: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (m === null || text.toUpperCase() === 'P' || text.toUpperCase().endsWith('T')) return null;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

export class ShareSettings {
  constructor(private readonly source: ShareConfigSource) {}

  #int(groupId: string | null, groupKey: string | null, brokerKey: string | null, fallback: number): number {
    const raw = (groupId !== null && groupKey !== null ? this.source.groupValue(groupId, groupKey) : undefined) ?? (brokerKey !== null ? this.source.brokerValue(brokerKey) : null);
    if (raw === null || raw === undefined) return fallback;
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : fallback;
  }

  sessionTimeoutMs(groupId: string): number {
    return this.#int(groupId, 'share.session.timeout.ms', 'group.share.session.timeout.ms', 45000);
  }

  heartbeatIntervalMs(groupId: string): number {
    return this.#int(groupId, 'share.heartbeat.interval.ms', 'group.share.heartbeat.interval.ms', 5000);
  }

  maxSize(): number {
    return this.#int(null, null, 'group.share.max.size', 200);
  }

  maxShareSessions(): number {
    return this.#int(null, null, 'group.share.max.share.sessions', 2000);
  }

  renewEnabled(groupId: string): boolean {
    return (this.source.groupValue(groupId, 'share.renew.acknowledge.enable') ?? 'true').toLowerCase() === 'true';
  }

  partition(groupId: string): SharePartitionSettings {
    const reset = (this.source.groupValue(groupId, 'share.auto.offset.reset') ?? 'latest').toLowerCase();
    let autoOffsetReset: SharePartitionSettings['autoOffsetReset'] = 'latest';
    if (reset === 'earliest') autoOffsetReset = 'earliest';
    else if (reset.startsWith('by_duration:')) autoOffsetReset = parseIsoDuration(reset.slice('by_duration:'.length)) ?? 'latest';
    return {
      lockDurationMs: this.#int(groupId, 'share.record.lock.duration.ms', 'group.share.record.lock.duration.ms', 30000),
      deliveryCountLimit: this.#int(groupId, 'share.delivery.count.limit', 'group.share.delivery.count.limit', 5),
      maxRecordLocks: this.#int(groupId, 'share.partition.max.record.locks', 'group.share.partition.max.record.locks', 2000),
      autoOffsetReset,
      readCommitted: (this.source.groupValue(groupId, 'share.isolation.level') ?? '').toLowerCase() === 'read_committed',
    };
  }
}
