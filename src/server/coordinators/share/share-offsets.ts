/**
 * The share-group offset admin APIs (KIP-932), on the share-partitions' start offsets:
 * - DescribeShareGroupOffsets: each partition's start offset (-1 while the share-partition is not
 *   initialized, i.e. before its first fetch) and, from v1, its lag: the records from the start
 *   offset to the high watermark not yet acknowledged or archived (-1 when unknown). Topics null:
 *   every partition the group has state for. An unknown group: GROUP_ID_NOT_FOUND.
 * - AlterShareGroupOffsets: sets start offsets, dropping the in-flight state; only on an empty
 *   group (NON_EMPTY_GROUP otherwise); creates the group when it does not exist, as Kafka does.
 * - DeleteShareGroupOffsets: forgets the state of whole topics; empty groups only.
 * Unknown topics or partitions: UNKNOWN_TOPIC_OR_PARTITION. An id of a classic or consumer group:
 * GROUP_ID_NOT_FOUND.
 */
import { ErrorCode, errorInfo } from '../../../protocol/errors.js';
import type { DescribeShareGroupOffsetsRequestTopic, DescribeShareGroupOffsetsResponseGroup, DescribeShareGroupOffsetsResponsePartition, DescribeShareGroupOffsetsResponseTopic } from '../../../protocol/messages/describe-share-group-offsets.js';
import type { AlterShareGroupOffsetsRequestTopic, AlterShareGroupOffsetsResponse } from '../../../protocol/messages/alter-share-group-offsets.js';
import type { DeleteShareGroupOffsetsRequestTopic, DeleteShareGroupOffsetsResponse } from '../../../protocol/messages/delete-share-group-offsets.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import { ZERO_UUID } from '../../../protocol/uuid.js';
import type { SharePartition } from './share-partition.js';
import type { ShareGroup } from './share-group.js';
import type { Partition } from '../../../log/partition.js';
import { RecordState } from './in-flight-ranges.js';

function lagOf(sp: SharePartition): bigint {
  if (!sp.initialized) return -1n;
  const hw = sp.partition.log.highWatermark;
  let done = 0;
  for (const r of sp.inFlight.ranges) if (r.state === RecordState.ACKNOWLEDGED || r.state === RecordState.ARCHIVED) done += r.last - r.first + 1;
  return BigInt(Math.max(0, hw - sp.startOffset - done));
}

/** What the offset APIs need of the share coordinator (kept narrow: no import cycle). */
export interface ShareGroupsView {
  group(groupId: string): ShareGroup | undefined;
  otherGroupExists(groupId: string): boolean;
  createEmptyGroup(groupId: string): ShareGroup;
  partitionsOf(groupId: string): SharePartition[];
  existingPartition(groupId: string, topicId: string, partition: number): SharePartition | undefined;
  sharePartition(groupId: string, topicId: string, partition: Partition): SharePartition;
  dropPartition(sp: SharePartition): void;
}

export class ShareOffsets {
  constructor(
    private readonly shares: ShareGroupsView,
    private readonly topics: TopicRegistry,
  ) {}

  describe(groupId: string, topics: readonly DescribeShareGroupOffsetsRequestTopic[] | null): DescribeShareGroupOffsetsResponseGroup {
    const group = this.shares.group(groupId);
    const fail = (code: number, message: string | null) => ({ groupId, topics: [], errorCode: code, errorMessage: message });
    if (group === undefined) return fail(ErrorCode.GROUP_ID_NOT_FOUND, this.shares.otherGroupExists(groupId) ? `Group ${groupId} is not a share group.` : `Group ${groupId} not found.`);
    const out: DescribeShareGroupOffsetsResponseTopic[] = [];
    if (topics === null) {
      const byTopic = new Map<string, SharePartition[]>();
      for (const sp of this.shares.partitionsOf(groupId)) {
        const list = byTopic.get(sp.topicId) ?? [];
        list.push(sp);
        byTopic.set(sp.topicId, list);
      }
      for (const [topicId, sps] of byTopic) {
        const topic = this.topics.getById(topicId);
        if (topic === undefined) continue;
        sps.sort((a, b) => a.partition.partition - b.partition.partition);
        out.push({ topicName: topic.name, topicId, partitions: sps.map((sp) => this.#partition(sp.partition.partition, sp)) });
      }
      return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
    }
    for (const t of topics) {
      const topic = this.topics.get(t.topicName);
      const partitions: DescribeShareGroupOffsetsResponsePartition[] = t.partitions.map((p) => {
        if (topic === undefined || topic.partitions[p] === undefined) return { partitionIndex: p, startOffset: -1n, leaderEpoch: -1, lag: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message };
        return this.#partition(p, this.shares.existingPartition(groupId, topic.id, p));
      });
      out.push({ topicName: t.topicName, topicId: topic?.id ?? ZERO_UUID, partitions });
    }
    return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
  }

  #partition(index: number, sp: SharePartition | undefined): DescribeShareGroupOffsetsResponsePartition {
    if (sp === undefined || !sp.initialized) return { partitionIndex: index, startOffset: -1n, leaderEpoch: -1, lag: -1n, errorCode: ErrorCode.NONE, errorMessage: null };
    return { partitionIndex: index, startOffset: BigInt(sp.reportedStartOffset), leaderEpoch: sp.partition.leaderEpoch, lag: lagOf(sp), errorCode: ErrorCode.NONE, errorMessage: null };
  }

  alter(groupId: string, topics: readonly AlterShareGroupOffsetsRequestTopic[]): AlterShareGroupOffsetsResponse {
    const top = (code: number, message: string | null): AlterShareGroupOffsetsResponse => ({ throttleTimeMs: 0, errorCode: code, errorMessage: message, responses: [] });
    if (groupId === '') return top(ErrorCode.INVALID_GROUP_ID, 'The group id must not be empty.');
    if (this.shares.otherGroupExists(groupId)) return top(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`);
    const group = this.shares.group(groupId) ?? this.shares.createEmptyGroup(groupId);
    if (!group.isEmpty) return top(ErrorCode.NON_EMPTY_GROUP, 'The group has active members.');
    const responses = topics.map((t) => {
      const topic = this.topics.get(t.topicName);
      return {
        topicName: t.topicName,
        topicId: topic?.id ?? ZERO_UUID,
        partitions: t.partitions.map((p) => {
          const partition = topic?.partitions[p.partitionIndex];
          if (topic === undefined || partition === undefined) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message };
          this.shares.sharePartition(groupId, topic.id, partition).reset(Number(p.startOffset));
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
        }),
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  }

  delete(groupId: string, topics: readonly DeleteShareGroupOffsetsRequestTopic[]): DeleteShareGroupOffsetsResponse {
    const top = (code: number, message: string | null): DeleteShareGroupOffsetsResponse => ({ throttleTimeMs: 0, errorCode: code, errorMessage: message, responses: [] });
    const group = this.shares.group(groupId);
    if (group === undefined) return top(ErrorCode.GROUP_ID_NOT_FOUND, this.shares.otherGroupExists(groupId) ? `Group ${groupId} is not a share group.` : `Group ${groupId} not found.`);
    if (!group.isEmpty) return top(ErrorCode.NON_EMPTY_GROUP, 'The group has active members.');
    const responses = topics.map((t) => {
      const topic = this.topics.get(t.topicName);
      if (topic === undefined) return { topicName: t.topicName, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message };
      for (const sp of this.shares.partitionsOf(groupId)) if (sp.topicId === topic.id) this.shares.dropPartition(sp);
      return { topicName: t.topicName, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  }
}
