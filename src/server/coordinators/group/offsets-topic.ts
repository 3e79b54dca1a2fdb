/**
 * The group coordinator's log: the compacted internal topic __consumer_offsets, written in
 * Kafka's coordinator-record format so that Kafka's own tools (kafka-console-consumer with the
 * GroupMetadataMessageFormatter, kafka-dump-log --offsets-decoder) read it, and so that a durable
 * log can later rebuild the groups by replaying it.
 *
 * A group lives in partition abs(hash(groupId)) % offsets.topic.num.partitions, with Java's
 * String.hashCode and Kafka's Utils.abs, so a group lands in the same partition as on Kafka.
 *
 * Record layout (Kafka's CoordinatorRecordSerde; no headers):
 *
 *   key   = int16 version | key struct in that version
 *             version 0, 1  OffsetCommitKey     group: string, topic: string, partition: int32
 *             version 2     GroupMetadataKey    group: string
 *   value = int16 version | value struct in that version
 *             OffsetCommitValue v3   offset, leaderEpoch, metadata, commitTimestamp
 *                           v1   (when the commit carried a retention time) offset, metadata,
 *                                commitTimestamp, expireTimestamp
 *             GroupMetadataValue v3  protocolType, generation, protocol, leader,
 *                                currentStateTimestamp, members[]
 *         or null: a tombstone, deleting the key (compaction then drops both)
 *
 * Each coordinator operation is one batch (v2, uncompressed, CreateTime, no producer), appended
 * at the log end offset as the produce path does, so its records are atomic as in Kafka.
 *
 * Deviations from Kafka: the topic is created synchronously on first use (Kafka answers
 * COORDINATOR_NOT_AVAILABLE while it creates it); nothing compacts it yet, so the in-memory log
 * keeps every record; in durable mode it is read back at start (src/server/persistence/internal-topics.ts).
 */
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import {
  readGroupMetadataKey,
  readGroupMetadataValue,
  readOffsetCommitKey,
  readOffsetCommitValue,
  writeGroupMetadataKey,
  writeGroupMetadataValue,
  writeOffsetCommitKey,
  writeOffsetCommitValue,
  readConsumerGroupMetadataKey,
  readConsumerGroupMetadataValue,
  readConsumerGroupMemberMetadataKey,
  readConsumerGroupMemberMetadataValue,
  readConsumerGroupTargetAssignmentMetadataKey,
  readConsumerGroupTargetAssignmentMetadataValue,
  readConsumerGroupTargetAssignmentMemberKey,
  readConsumerGroupTargetAssignmentMemberValue,
  readConsumerGroupCurrentMemberAssignmentKey,
  readConsumerGroupCurrentMemberAssignmentValue,
} from '../../../protocol/coordinator-records/index.js';
import type { GroupMetadataKey, GroupMetadataValue, OffsetCommitKey, OffsetCommitValue } from '../../../protocol/coordinator-records/index.js';
import { buildBatchSync } from '../../../protocol/records/index.js';
import { createTopic } from '../../cluster/topic-create.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { Topic } from '../../cluster/topics.js';
import type { Clock } from '../../../util/clock.js';
import { partitionForKey } from '../partition-for-key.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** The topic configs Kafka gives __consumer_offsets (offsets.topic.segment.bytes, compaction). */
const OFFSETS_TOPIC_CONFIGS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'compact'],
  ['compression.type', 'producer'],
  ['segment.bytes', '104857600'],
]);

/** Key versions, which double as record types. */
export const CoordinatorRecordType = { OFFSET_COMMIT: 1, GROUP_METADATA: 2 } as const;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
const GROUP_METADATA_VALUE_VERSION = 3;

export interface CoordinatorRecord {
  readonly key: Buffer;
  /** null: a tombstone. */
  readonly value: Buffer | null;
}

function versioned(version: number, write: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  w.int16(version);
  write(w);
  return w.toBuffer();
}

export function offsetCommitRecord(key: OffsetCommitKey, value: OffsetCommitValue | null): CoordinatorRecord {
  const k = versioned(CoordinatorRecordType.OFFSET_COMMIT, (w) => writeOffsetCommitKey(w, CoordinatorRecordType.OFFSET_COMMIT, key));
  if (value === null) return { key: k, value: null };
  const version = value.expireTimestamp >= 0n ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY : OFFSET_COMMIT_VALUE_VERSION;
  return { key: k, value: versioned(version, (w) => writeOffsetCommitValue(w, version, value)) };
}

export function groupMetadataRecord(groupId: string, value: GroupMetadataValue | null): CoordinatorRecord {
  const k = versioned(CoordinatorRecordType.GROUP_METADATA, (w) => writeGroupMetadataKey(w, CoordinatorRecordType.GROUP_METADATA, { group: groupId }));
  if (value === null) return { key: k, value: null };
  return { key: k, value: versioned(GROUP_METADATA_VALUE_VERSION, (w) => writeGroupMetadataValue(w, GROUP_METADATA_VALUE_VERSION, value)) };
}

export type DecodedCoordinatorRecord =
  | { readonly type: 'offset-commit'; readonly key: OffsetCommitKey; readonly value: OffsetCommitValue | null }
  | { readonly type: 'group-metadata'; readonly key: GroupMetadataKey; readonly value: GroupMetadataValue | null }
  /** The KIP-848 consumer group records (consumer-group-records.ts), by key version 3, 5-8. */
  | { readonly type: 'consumer-group'; readonly recordType: number; readonly key: { readonly groupId: string; readonly memberId?: string }; readonly value: object | null };

type Read<T> = (r: Reader, v: number) => T;
const CONSUMER_GROUP_RECORDS: ReadonlyMap<number, readonly [Read<{ groupId: string; memberId?: string }>, Read<object>]> = new Map<number, readonly [Read<{ groupId: string; memberId?: string }>, Read<object>]>([
  [3, [readConsumerGroupMetadataKey, readConsumerGroupMetadataValue]],
  [5, [readConsumerGroupMemberMetadataKey, readConsumerGroupMemberMetadataValue]],
  [6, [readConsumerGroupTargetAssignmentMetadataKey, readConsumerGroupTargetAssignmentMetadataValue]],
  [7, [readConsumerGroupTargetAssignmentMemberKey, readConsumerGroupTargetAssignmentMemberValue]],
  [8, [readConsumerGroupCurrentMemberAssignmentKey, readConsumerGroupCurrentMemberAssignmentValue]],
]);

/** Reads a record back (the replay side of the format; tests use it today). */
export function decodeCoordinatorRecord(key: Buffer, value: Buffer | null): DecodedCoordinatorRecord {
  const kr = new Reader(key);
  const keyVersion = kr.int16();
  const vr = value === null ? null : new Reader(value);
  const valueVersion = vr === null ? 0 : vr.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    return { type: 'offset-commit', key: readOffsetCommitKey(kr, keyVersion), value: vr === null ? null : readOffsetCommitValue(vr, valueVersion) };
  }
  if (keyVersion === 2) {
    return { type: 'group-metadata', key: readGroupMetadataKey(kr, keyVersion), value: vr === null ? null : readGroupMetadataValue(vr, valueVersion) };
  }
  const consumer = CONSUMER_GROUP_RECORDS.get(keyVersion);
  if (consumer) {
    return { type: 'consumer-group', recordType: keyVersion, key: consumer[0](kr, keyVersion), value: vr === null ? null : consumer[1](vr, valueVersion) };
  }
  throw new RangeError(`unknown coordinator record key version ${keyVersion}`);
}

/** Appends coordinator records to __consumer_offsets, creating the topic on first use. */
export class OffsetsTopicWriter {
  constructor(
    private readonly cluster: Cluster,
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
    readonly numPartitions: number,
  ) {}

  /** The topic, created if it does not exist (also after someone deleted it). */
  topic(): Topic {
    const existing = this.cluster.topics.get(OFFSETS_TOPIC);
    if (existing) return existing;
    return createTopic(this.cluster, this.config, { name: OFFSETS_TOPIC, numPartitions: this.numPartitions, configs: OFFSETS_TOPIC_CONFIGS });
  }

  partitionFor(groupId: string): number {
    return partitionForKey(groupId, this.topic().partitions.length);
  }

  /** Writes the records of one operation on one group as one batch. */
  append(groupId: string, records: readonly CoordinatorRecord[]): void {
    if (records.length === 0) return;
    const topic = this.topic();
    const partition = topic.partitions[partitionForKey(groupId, topic.partitions.length)]!;
    const baseOffset = partition.log.logEndOffset;
    const now = this.clock.now();
    const batch = buildBatchSync(
      records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      { baseOffset, partitionLeaderEpoch: partition.leaderEpoch, baseTimestamp: now, maxTimestamp: now },
    );
    partition.append(batch, { baseOffset, lastOffset: baseOffset + records.length - 1, maxTimestamp: now, recordCount: records.length });
  }
}
