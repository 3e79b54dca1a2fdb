/**
 * The offset requests of the group coordinator, as Kafka's OffsetMetadataManager beside its
 * GroupMetadataManager: OffsetCommit, OffsetFetch, OffsetDelete, and the transactional offsets
 * (TxnOffsetCommit, then the transaction's marker on the group's __consumer_offsets partition).
 *
 * It owns no group: it reads and creates groups through the coordinator (OffsetRequestsEnv), keeps
 * the committed and pending offsets in the coordinator's stores, and writes every change to
 * __consumer_offsets in the same synchronous turn that changes the in-memory state.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { ZERO_UUID } from '../../../protocol/uuid.js';
import type { OffsetCommitRequest, OffsetCommitResponseTopic } from '../../../protocol/messages/offset-commit.js';
import type { OffsetDeleteRequestTopic, OffsetDeleteResponse } from '../../../protocol/messages/offset-delete.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopic } from '../../../protocol/messages/txn-offset-commit.js';
import { buildBatchSync } from '../../../protocol/records/index.js';
import type { Partition } from '../../../log/partition.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import { appendTxnMarker } from '../txn/transaction-markers.js';
import type { TxnMarker } from '../txn/transaction-markers.js';
import { ClassicGroupState } from './classic-group-states.js';
import type { ClassicGroup } from './classic-group.js';
import type { CommitPartitionCheck, ConsumerGroup } from './consumer-group.js';
import type { StreamsGroup } from '../streams/streams-group.js';
import type { OffsetStore, CommittedOffset } from './offset-store.js';
import { offsetCommitRecord } from './offsets-topic.js';
import type { CoordinatorRecord, OffsetsTopicWriter } from './offsets-topic.js';
import { validateTxnOffsetCommit } from './txn-offsets.js';
import type { TxnOffsetStore } from './txn-offsets.js';

/** A topic of an OffsetCommit, with its name resolved (v10 sends topic ids). */
export interface CommitTopic {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: OffsetCommitRequest['topics'][number]['partitions'];
}

export interface FetchTopicRequest {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchedGroup {
  errorCode: number;
  topics: { name: string; partitions: FetchedPartition[] }[];
}

/** What the offset requests need of the group coordinator. */
export interface OffsetRequestsEnv {
  readonly topics: TopicRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** offset.metadata.max.bytes */
  readonly offsetMetadataMaxBytes: number;
  readonly log: OffsetsTopicWriter;
  readonly offsets: OffsetStore;
  readonly txnOffsets: TxnOffsetStore;
  /** Whether the coordinator has closed (requests get COORDINATOR_NOT_AVAILABLE). */
  closed(): boolean;
  group(groupId: string): ClassicGroup | ConsumerGroup | StreamsGroup | undefined;
  /** A new empty classic group (a "simple" group of manual offset commits). */
  createClassicGroup(groupId: string): ClassicGroup;
}

export class OffsetRequests {
  readonly #env: OffsetRequestsEnv;

  constructor(env: OffsetRequestsEnv) {
    this.#env = env;
  }

  /**
   * OffsetCommit for topics whose names are resolved. Topic checks come first (unknown topic or
   * partition), then the group checks, which fail every remaining partition with one code.
   */
  commitOffsets(req: OffsetCommitRequest, topics: readonly CommitTopic[], apiVersion: number): OffsetCommitResponseTopic[] {
    const response: OffsetCommitResponseTopic[] = [];
    const valid: { out: OffsetCommitResponseTopic['partitions'][number]; topic: string; p: CommitTopic['partitions'][number] }[] = [];
    for (const t of topics) {
      const out: OffsetCommitResponseTopic = { name: t.name, topicId: t.topicId, partitions: [] };
      response.push(out);
      const known = t.name === '' ? undefined : this.#env.topics.get(t.name);
      for (const p of t.partitions) {
        const entry = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE as number };
        out.partitions.push(entry);
        if (apiVersion >= 10 && t.name === '') entry.errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
        else if (!known || known.partitions[p.partitionIndex] === undefined) entry.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else valid.push({ out: entry, topic: t.name, p });
      }
    }
    if (valid.length === 0) return response;
    const fail = (code: number): OffsetCommitResponseTopic[] => {
      for (const v of valid) v.out.errorCode = code;
      return response;
    };
    if (this.#env.closed()) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);

    let group = this.#env.group(req.groupId);
    if (!group) {
      if (req.generationIdOrMemberEpoch < 0) {
        // A "simple" group: offsets stored for a consumer that assigns partitions itself.
        this.#env.logger.info(`group ${req.groupId}: created by a manual offset commit`);
        group = this.#env.createClassicGroup(req.groupId);
      } else {
        // v9 speaks both protocols and so can say what happened; older clients expect this.
        return fail(apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
    }
    let check: CommitPartitionCheck | null = null;
    if (group.type !== 'classic') {
      try {
        check = group.validateOffsetCommit(req.memberId, req.generationIdOrMemberEpoch, apiVersion);
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        return fail(e.code);
      }
    } else {
      const invalid = group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch);
      if (invalid !== ErrorCode.NONE) return fail(invalid);
      group.touchMemberOnCommit(req.memberId);
    }

    const now = this.#env.clock.now();
    // Only v2-v4 carry a retention time; -1 means the broker default (no per-offset expiry).
    const expireTimestampMs = req.retentionTimeMs >= 0n && apiVersion <= 4 ? now + Number(req.retentionTimeMs) : null;
    const records: CoordinatorRecord[] = [];
    for (const { out, topic, p } of valid) {
      if (p.committedMetadata !== null && p.committedMetadata.length > this.#env.offsetMetadataMaxBytes) {
        out.errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        continue;
      }
      // KIP-1251: a consumer-group member's older epoch is fine for partitions it held then.
      const partitionError = check === null ? ErrorCode.NONE : check(topic, p.partitionIndex);
      if (partitionError !== ErrorCode.NONE) {
        out.errorCode = partitionError;
        continue;
      }
      const value: CommittedOffset = {
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
        commitTimestampMs: now,
        expireTimestampMs,
      };
      this.#env.offsets.put(req.groupId, topic, p.partitionIndex, value);
      records.push(
        offsetCommitRecord(
          { group: req.groupId, topic, partition: p.partitionIndex },
          { offset: value.offset, leaderEpoch: value.leaderEpoch, metadata: value.metadata, commitTimestamp: BigInt(now), expireTimestamp: expireTimestampMs === null ? -1n : BigInt(expireTimestampMs), topicId: ZERO_UUID },
        ),
      );
    }
    this.#env.log.append(req.groupId, records);
    return response;
  }

  /**
   * OffsetFetch for one group. `topics` null means every committed offset. An unknown group is
   * not an error: its partitions have no offset (-1), and "all" is nothing. With `requireStable`,
   * a partition with a pending transactional offset answers UNSTABLE_OFFSET_COMMIT (offset -1),
   * as Kafka's OffsetMetadataManager; without it the last committed offset is returned.
   */
  fetchOffsets(groupId: string, topics: readonly FetchTopicRequest[] | null, requireStable: boolean, member?: { readonly memberId: string | null; readonly memberEpoch: number }): FetchedGroup {
    if (this.#env.closed()) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    const group = this.#env.group(groupId);
    const known = group !== undefined && !group.is(ClassicGroupState.DEAD);
    // v9+: a consumer-group member fetching its offsets must be one, at its current epoch.
    if (known && member && group.type !== 'classic') {
      const invalid = group.validateOffsetFetch(member.memberId, member.memberEpoch);
      if (invalid !== ErrorCode.NONE) return { errorCode: invalid, topics: [] };
    }
    const entry = (topic: string, partitionIndex: number, o: CommittedOffset | undefined): FetchedPartition =>
      requireStable && this.#env.txnOffsets.hasPending(groupId, topic, partitionIndex)
        ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
        : o === undefined
          ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }
          : { partitionIndex, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
    if (topics === null) {
      const out: FetchedGroup['topics'] = [];
      if (!known) return { errorCode: ErrorCode.NONE, topics: out };
      const byTopic = new Map<string, FetchedPartition[]>();
      for (const [topic, partition, o] of this.#env.offsets.entries(groupId)) {
        let ps = byTopic.get(topic);
        if (!ps) {
          byTopic.set(topic, (ps = []));
          out.push({ name: topic, partitions: ps });
        }
        ps.push(entry(topic, partition, o));
      }
      return { errorCode: ErrorCode.NONE, topics: out };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => entry(t.name, p, known ? this.#env.offsets.get(groupId, t.name, p) : undefined)),
      })),
    };
  }

  // ---- transactional offsets (TxnOffsetCommit; see txn-offsets.ts) ----

  /** The __consumer_offsets partition that holds a group (where its transactions' markers go). */
  offsetsPartitionOf(groupId: string): Partition {
    return this.#env.log.topic().partitions[this.#env.log.partitionFor(groupId)]!;
  }

  /**
   * TxnOffsetCommit for partitions that exist, once the handler has verified the transaction
   * (KIP-890 part 1). As Kafka's commitTransactionalOffset: a missing group is created as a simple
   * group for generation -1 and is ILLEGAL_GENERATION otherwise; the member checks of a
   * transactional commit; the producer epoch against the partition's producer state
   * (INVALID_PRODUCER_EPOCH); then one transactional batch of the producer with an offset record
   * per partition (OFFSET_METADATA_TOO_LARGE ones left out). The offsets stay pending until the
   * transaction's marker. A number is the error of every partition.
   */
  commitTransactionalOffsets(req: TxnOffsetCommitRequest, topics: readonly TxnOffsetCommitRequestTopic[]): number | TxnOffsetCommitResponseTopic[] {
    if (this.#env.closed()) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    let group = this.#env.group(req.groupId);
    if (!group) {
      if (req.generationIdOrMemberEpoch >= 0) return ErrorCode.ILLEGAL_GENERATION;
      this.#env.logger.info(`group ${req.groupId}: created by a transactional offset commit`);
      group = this.#env.createClassicGroup(req.groupId);
    }
    if (group.type !== 'classic') {
      // A transactional commit skips the version check, and any epoch mismatch is ILLEGAL_GENERATION.
      try {
        if (group.validateOffsetCommit(req.memberId, req.generationIdOrMemberEpoch, 9) !== null) return ErrorCode.ILLEGAL_GENERATION;
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        return e.code === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : e.code;
      }
    } else {
      const invalid = validateTxnOffsetCommit(group, req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch);
      if (invalid !== ErrorCode.NONE) return invalid;
    }
    const now = this.#env.clock.now();
    const response: TxnOffsetCommitResponseTopic[] = [];
    const pending: { topic: string; partition: number; value: CommittedOffset }[] = [];
    for (const t of topics) {
      const out: TxnOffsetCommitResponseTopic = { name: t.name, topicId: ZERO_UUID, partitions: [] };
      response.push(out);
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.#env.offsetMetadataMaxBytes) {
          out.partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        out.partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE });
        pending.push({ topic: t.name, partition: p.partitionIndex, value: { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestampMs: now, expireTimestampMs: null } });
      }
    }
    if (pending.length === 0) return response;
    const partition = this.offsetsPartitionOf(req.groupId);
    const producerId = Number(req.producerId);
    const producerEpoch = req.producerEpoch;
    const baseOffset = partition.log.logEndOffset;
    const check = partition.producerState.checkData(
      { producerId, producerEpoch, baseSequence: -1, lastOffsetDelta: pending.length - 1, maxTimestamp: now, isTransactional: true },
      baseOffset,
      'coordinator',
    );
    if (check !== null && 'error' in check) return ErrorCode[check.error];
    const records = pending.map((p) =>
      offsetCommitRecord(
        { group: req.groupId, topic: p.topic, partition: p.partition },
        { offset: p.value.offset, leaderEpoch: p.value.leaderEpoch, metadata: p.value.metadata, commitTimestamp: BigInt(now), expireTimestamp: -1n, topicId: ZERO_UUID },
      ),
    );
    const batch = buildBatchSync(
      records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      { baseOffset, partitionLeaderEpoch: partition.leaderEpoch, baseTimestamp: now, maxTimestamp: now, producerId, producerEpoch, baseSequence: -1, transactional: true },
    );
    partition.append(batch, {
      baseOffset,
      lastOffset: baseOffset + records.length - 1,
      maxTimestamp: now,
      recordCount: records.length,
      producerId,
      producerEpoch,
      baseSequence: -1,
      isTransactional: true,
      isControl: false,
    });
    pending.forEach((p, i) => this.#env.txnOffsets.add(producerId, req.groupId, p.topic, p.partition, p.value, baseOffset + i, this.#env.offsets.get(req.groupId, p.topic, p.partition)));
    return response;
  }

  /**
   * A transaction marker for __consumer_offsets partition `partitionIndex` (Kafka's
   * completeTransaction of the group coordinator): written into the partition like any marker,
   * then the producer's pending offsets of the groups held there are committed or dropped.
   * Returns the marker's error code.
   */
  completeTransaction(partitionIndex: number, marker: TxnMarker): number {
    const partition = this.#env.log.topic().partitions[partitionIndex];
    if (partition === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const code = appendTxnMarker(partition, marker, this.#env.clock.now());
    if (code !== ErrorCode.NONE) return code;
    const committed = this.#env.txnOffsets.complete(marker.producerId, marker.commit, (groupId) => this.#env.log.partitionFor(groupId) === partitionIndex, this.#env.offsets);
    if (committed > 0) this.#env.logger.debug(`${committed} transactional offsets of producer ${marker.producerId} committed`);
    return ErrorCode.NONE;
  }

  /** OffsetDelete: refused for a group whose members consume the topic. */
  deleteOffsets(groupId: string, topics: readonly OffsetDeleteRequestTopic[]): OffsetDeleteResponse {
    const top = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (this.#env.closed()) return top(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (groupId === '') return top(ErrorCode.INVALID_GROUP_ID);
    const group = this.#env.group(groupId);
    if (!group || group.is(ClassicGroupState.DEAD)) return top(ErrorCode.GROUP_ID_NOT_FOUND);
    // A non-empty group that is not a consumer group has no subscriptions to check against.
    if (!group.isEmpty && group.type === 'classic' && !group.usesConsumerProtocol()) return top(ErrorCode.NON_EMPTY_GROUP);
    const response: OffsetDeleteResponse = { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [] };
    const records: CoordinatorRecord[] = [];
    for (const t of topics) {
      const known = this.#env.topics.get(t.name);
      const subscribed = group.isSubscribedToTopic(t.name);
      const out = { name: t.name, partitions: [] as { partitionIndex: number; errorCode: number }[] };
      response.topics.push(out);
      for (const p of t.partitions) {
        let errorCode: number = ErrorCode.NONE;
        if (!known || known.partitions[p.partitionIndex] === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (this.#env.offsets.delete(groupId, t.name, p.partitionIndex)) {
          records.push(offsetCommitRecord({ group: groupId, topic: t.name, partition: p.partitionIndex }, null));
        }
        out.partitions.push({ partitionIndex: p.partitionIndex, errorCode });
      }
    }
    this.#env.log.append(groupId, records);
    return response;
  }
}
