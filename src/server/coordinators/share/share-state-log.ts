/**
 * The share coordinator's log, __share_group_state (Kafka's ShareCoordinatorShard): each
 * share-partition's state as a ShareSnapshot coordinator record (key: record type 0 then
 * ShareSnapshotKey {groupId, topicId, partition}; value: version 0 then ShareSnapshotValue with
 * the start offset, state epoch and the in-flight state batches), compacted by key, a tombstone
 * when the state is deleted. Partitioned by "groupId:topicId:partition" over
 * share.coordinator.state.topic.num.partitions (50).
 *
 * Where Kafka writes ShareUpdate deltas between snapshots (share.coordinator.snapshot.update.
 * records.per.snapshot), every change here writes a whole snapshot: the state of a share-partition
 * is a few ranges (in-flight-ranges.ts), so a snapshot is small. Acquired records are written as
 * Available (an acquisition lock does not survive a restart; Kafka does not persist acquisitions
 * either), so after a restart records acquired but not acknowledged are delivered again and
 * acknowledged ones are not. In durable mode the log is read back at start
 * (persistence/internal-topics.ts, replayShareState).
 */
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import { readShareSnapshotKey, readShareSnapshotValue, writeShareSnapshotKey, writeShareSnapshotValue } from '../../../protocol/coordinator-records/index.js';
import type { ShareSnapshotKey, ShareSnapshotValue } from '../../../protocol/coordinator-records/index.js';
import { buildBatchSync } from '../../../protocol/records/index.js';
import { createTopic } from '../../cluster/topic-create.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { Topic } from '../../cluster/topics.js';
import type { Clock } from '../../../util/clock.js';
import { partitionForKey } from '../partition-for-key.js';
import type { SharePartition } from './share-partition.js';
import type { SharePersister } from './share-coordinator.js';
import { RecordState } from './in-flight-ranges.js';

export const SHARE_STATE_TOPIC = '__share_group_state';
const SHARE_SNAPSHOT_TYPE = 0;

const TOPIC_CONFIGS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'compact'],
  ['compression.type', 'producer'],
  ['segment.bytes', '104857600'],
]);

export function snapshotKey(key: ShareSnapshotKey): Buffer {
  const w = new Writer(64);
  w.int16(SHARE_SNAPSHOT_TYPE);
  writeShareSnapshotKey(w, 0, key);
  return w.toBuffer();
}

export function snapshotValue(value: ShareSnapshotValue): Buffer {
  const w = new Writer(128);
  w.int16(0);
  writeShareSnapshotValue(w, 0, value);
  return w.toBuffer();
}

/** A __share_group_state record: a snapshot (value null: deleted), or null for other record types. */
export function decodeShareStateRecord(key: Buffer, value: Buffer | null): { key: ShareSnapshotKey; value: ShareSnapshotValue | null } | null {
  const kr = new Reader(key);
  if (kr.int16() !== SHARE_SNAPSHOT_TYPE) return null;
  const k = readShareSnapshotKey(kr, 0);
  if (value === null) return { key: k, value: null };
  const vr = new Reader(value);
  return { key: k, value: readShareSnapshotValue(vr, vr.int16()) };
}

export class ShareStateLog implements SharePersister {
  #snapshotEpoch = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
  ) {}

  topic(): Topic {
    const existing = this.cluster.topics.get(SHARE_STATE_TOPIC);
    if (existing) return existing;
    const partitions = this.cluster.configs.brokerNumber('share.coordinator.state.topic.num.partitions', 50);
    return createTopic(this.cluster, this.config, { name: SHARE_STATE_TOPIC, numPartitions: partitions, configs: TOPIC_CONFIGS });
  }

  save(sp: SharePartition): void {
    const now = BigInt(this.clock.now());
    const value: ShareSnapshotValue = {
      snapshotEpoch: ++this.#snapshotEpoch,
      stateEpoch: sp.stateEpoch,
      leaderEpoch: sp.partition.leaderEpoch,
      startOffset: BigInt(sp.startOffset),
      deliveryCompleteCount: -1,
      createTimestamp: now,
      writeTimestamp: now,
      stateBatches: sp.inFlight.ranges.map((r) => ({
        firstOffset: BigInt(r.first),
        lastOffset: BigInt(r.last),
        deliveryState: r.state === RecordState.ACQUIRED ? RecordState.AVAILABLE : r.state,
        deliveryCount: r.deliveryCount,
      })),
    };
    this.#append(sp.groupId, sp.topicId, sp.partition.partition, snapshotValue(value));
  }

  delete(sp: SharePartition): void {
    this.#append(sp.groupId, sp.topicId, sp.partition.partition, null);
  }

  #append(groupId: string, topicId: string, partitionIndex: number, value: Buffer | null): void {
    const topic = this.topic();
    const partition = topic.partitions[partitionForKey(`${groupId}:${topicId}:${partitionIndex}`, topic.partitions.length)]!;
    const baseOffset = partition.log.logEndOffset;
    const now = this.clock.now();
    const batch = buildBatchSync([{ key: snapshotKey({ groupId, topicId, partition: partitionIndex }), value, timestamp: now }], {
      baseOffset,
      partitionLeaderEpoch: partition.leaderEpoch,
      baseTimestamp: now,
      maxTimestamp: now,
    });
    partition.append(batch, { baseOffset, lastOffset: baseOffset, maxTimestamp: now, recordCount: 1 });
  }
}
