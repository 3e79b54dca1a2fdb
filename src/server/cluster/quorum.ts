/**
 * The cluster's KRaft metadata quorum as DescribeQuorum reports it. minikafka has no Raft log: the
 * controller is the lowest broker, a single voter that leads the quorum at epoch 1 (a standalone
 * quorum, kraft.version 1, as `kafka-storage format --standalone` makes it).
 *
 * The high watermark moves as Kafka's does on an idle single-node cluster: the bootstrap records,
 * then a NoOpRecord every metadata.max.idle.interval.ms (500 ms), plus one record per metadata
 * change this module is told about. It is computed from the injected clock, so tests can predict it.
 */
import type { Clock } from '../../util/clock.js';
import { randomUuid } from '../../protocol/uuid.js';

/** Kafka writes this many records when a single node formats and starts (features, registration, ...). */
const BOOTSTRAP_RECORDS = 20;
/** metadata.max.idle.interval.ms: Kafka's controller appends a NoOpRecord this often when idle. */
export const METADATA_IDLE_INTERVAL_MS = 500;

export class MetadataQuorum {
  /** The voter's log directory id (Kafka's meta.properties directory.id). */
  readonly directoryId = randomUuid();
  readonly leaderEpoch = 1;
  private readonly startedAt: number;
  private appended = 0;

  constructor(private readonly clock: Clock) {
    this.startedAt = clock.now();
  }

  /** Counts metadata records written for a change (topics, configs, features). */
  recordChange(records = 1): void {
    this.appended += records;
  }

  /** The leader's log end offset, which is also the high watermark of a single-voter quorum. */
  highWatermark(): bigint {
    const idle = Math.floor(Math.max(0, this.clock.now() - this.startedAt) / METADATA_IDLE_INTERVAL_MS);
    return BigInt(BOOTSTRAP_RECORDS + this.appended + idle);
  }
}
