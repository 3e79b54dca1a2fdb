/**
 * The group coordinator: every consumer group of a cluster and their committed offsets, as Kafka's
 * GroupCoordinatorService with its GroupMetadataManager and OffsetMetadataManager. Handlers stay
 * thin: they shape requests and responses per version and call in here.
 *
 * A group has a type, 'classic' (JoinGroup/SyncGroup, classic-group.ts) or 'consumer' (KIP-848
 * ConsumerGroupHeartbeat, consumer-group.ts); one group id holds one type at a time. An empty group
 * of one type is replaced by a group of the other when a member of the other protocol joins (its
 * committed offsets stay), as in Kafka. A non-empty group migrates online as Kafka's, within
 * group.consumer.migration.policy (group-migration.ts): a ConsumerGroupHeartbeat joining a classic
 * group upgrades it to a consumer group; classic members of a consumer group are served there
 * (consumer-group-classic.ts); the departure of the last consumer-protocol member downgrades it
 * back. Where the policy forbids it, a classic group answers GROUP_ID_NOT_FOUND to a
 * ConsumerGroupHeartbeat.
 *
 * This class keeps the groups (group-coordinator-context.ts is what its parts share) and routes
 * each request to the part that serves it: the classic APIs to classic-dispatch.ts,
 * ConsumerGroupHeartbeat to consumer-dispatch.ts, the describe/list/delete APIs to
 * group-listing.ts, the offset requests (OffsetCommit, OffsetFetch, OffsetDelete, TxnOffsetCommit
 * and its markers) to offset-requests.ts, as Kafka's OffsetMetadataManager, and the periodic
 * expiry to group-housekeeping.ts.
 *
 * Every change is written to __consumer_offsets (see offsets-topic.ts) in the same synchronous
 * turn that changes the in-memory state, which is what reads use.
 *
 * Housekeeping, as Kafka's (group-housekeeping.ts): every offsets.retention.check.interval.ms
 * committed offsets older than offsets.retention.ms expire and empty groups left without offsets
 * are deleted. Offsets of a deleted topic are removed at once (TopicRegistry.onDeleted).
 *
 * Configuration: group-coordinator-settings.ts.
 *
 * Deviations from Kafka: a group.consumer.* value outside its min/max is clamped with a warning
 * (Kafka refuses to start); in durable mode the state is reloaded from __consumer_offsets at start
 * (src/server/persistence/internal-topics.ts, restoreGroup) with groups Empty: their members rejoin.
 */
import { ErrorCode, errorInfo } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/consumer-group-heartbeat.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/consumer-group-describe.js';
import type { DeleteGroupsResponseDeletableGroupResult } from '../../../protocol/messages/delete-groups.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../../protocol/messages/describe-groups.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { ListGroupsResponseListedGroup } from '../../../protocol/messages/list-groups.js';
import type { OffsetCommitRequest, OffsetCommitResponseTopic } from '../../../protocol/messages/offset-commit.js';
import type { OffsetDeleteRequestTopic, OffsetDeleteResponse } from '../../../protocol/messages/offset-delete.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopic } from '../../../protocol/messages/txn-offset-commit.js';
import type { Partition } from '../../../log/partition.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { Cluster, BrokerNode } from '../../cluster/cluster.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { TxnMarker } from '../txn/transaction-markers.js';
import { StreamsGroups } from '../streams/streams-groups.js';
import { streamsGroupSettings } from '../streams/streams-settings.js';
import type { ClassicGroup } from './classic-group.js';
import type { ClientInfo, LeaveMember, LeaveMemberResult } from './classic-group-member.js';
import { classicGroupMetadataRecord, createClassicGroup, heartbeat, joinGroup, leaveGroup, syncGroup } from './classic-dispatch.js';
import { ConsumerGroup } from './consumer-group.js';
import { addConsumerGroup, consumerGroupHeartbeat } from './consumer-dispatch.js';
import { GROUP_AUTHORIZED_OPERATIONS } from './group-coordinator-context.js';
import type { Group, GroupCoordinatorContext, GroupKindHook, GroupType } from './group-coordinator-context.js';
import { groupCoordinatorSettings } from './group-coordinator-settings.js';
import type { GroupCoordinatorSettings } from './group-coordinator-settings.js';
import { cleanupGroupMetadata, dropOffsetsOfDeletedTopic } from './group-housekeeping.js';
import { consumerGroupDescribe, deleteGroups, describeGroups, listGroups } from './group-listing.js';
import { OffsetRequests } from './offset-requests.js';
import type { CommitTopic, FetchTopicRequest, FetchedGroup } from './offset-requests.js';
import { OffsetStore } from './offset-store.js';
import { OffsetsTopicWriter, groupMetadataRecord, OFFSETS_TOPIC } from './offsets-topic.js';
import { TxnOffsetStore } from './txn-offsets.js';

export type { Group, GroupKindHook, GroupType } from './group-coordinator-context.js';
export type { CommitTopic, FetchTopicRequest, FetchedPartition, FetchedGroup } from './offset-requests.js';

export class GroupCoordinator {
  readonly settings: GroupCoordinatorSettings;
  /** Share groups (see GroupKindHook). */
  otherGroups: GroupKindHook | null = null;
  readonly offsets = new OffsetStore();
  /** Offsets of open transactions: visible to OffsetFetch only once their transaction commits. */
  readonly txnOffsets = new TxnOffsetStore();
  readonly #groups = new Map<string, Group>();
  readonly #log: OffsetsTopicWriter;
  readonly #ctx: GroupCoordinatorContext;
  /** Group metadata records written so far (tells whether an operation wrote one). */
  #groupWrites = 0;
  #closed = false;
  #cleanupTimer: TimerHandle | null = null;
  readonly #stopWatchingTopics: () => void;
  readonly #offsetRequests: OffsetRequests;
  /** StreamsGroupHeartbeat / StreamsGroupDescribe (KIP-1071); its groups live in #groups. */
  readonly streams: StreamsGroups;

  constructor(
    private readonly cluster: Cluster,
    config: BrokerConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.settings = groupCoordinatorSettings(config, logger);
    this.#log = new OffsetsTopicWriter(cluster, config, clock, this.settings.offsetsTopicNumPartitions);
    this.#ctx = {
      groups: this.#groups,
      log: this.#log,
      offsets: this.offsets,
      txnOffsets: this.txnOffsets,
      settings: this.settings,
      clock,
      logger,
      topics: cluster.topics,
      classicEnv: {
        clock,
        logger,
        initialRebalanceDelayMs: this.settings.initialRebalanceDelayMs,
        newMemberJoinTimeoutMs: this.settings.newMemberJoinTimeoutMs,
        persist: (group, assignments) => this.#persistGroup(group, assignments),
      },
      consumerEnv: {
        clock,
        logger,
        topics: cluster.topics,
        settings: this.settings.consumer,
        persist: (group, records) => this.#log.append(group.groupId, records),
      },
      otherGroups: () => this.otherGroups,
      closed: () => this.#closed,
      groupWrites: () => this.#groupWrites,
      addGroup: (group) => {
        this.#groups.set(group.groupId, group);
        this.#ensureCleanupTimer();
      },
      removeGroup: (group) => this.#removeGroup(group),
    };
    this.#stopWatchingTopics = cluster.topics.onDeleted((topic) => dropOffsetsOfDeletedTopic(this.#ctx, topic));
    this.#offsetRequests = new OffsetRequests({
      topics: cluster.topics,
      clock,
      logger,
      offsetMetadataMaxBytes: this.settings.offsetMetadataMaxBytes,
      log: this.#log,
      offsets: this.offsets,
      txnOffsets: this.txnOffsets,
      closed: () => this.#closed,
      group: (groupId) => this.#groups.get(groupId),
      createClassicGroup: (groupId) => createClassicGroup(this.#ctx, groupId),
    });
    this.streams = new StreamsGroups(
      {
        closed: () => this.#closed,
        group: (groupId) => this.#groups.get(groupId),
        removeEmptyGroup: (groupId) => {
          const g = this.#groups.get(groupId);
          if (!g) return;
          this.#log.append(groupId, g.type === 'classic' ? [groupMetadataRecord(groupId, null)] : g.deletionRecords());
          this.#removeGroup(g);
        },
        addGroup: (g) => this.#ctx.addGroup(g),
        authorizedOperations: GROUP_AUTHORIZED_OPERATIONS,
      },
      { clock, logger, topics: cluster.topics, settings: streamsGroupSettings(config, logger), onMembershipChange: () => {} },
    );
  }

  group(groupId: string): Group | undefined {
    return this.#groups.get(groupId);
  }

  classicGroup(groupId: string): ClassicGroup | undefined {
    const g = this.#groups.get(groupId);
    return g?.type === 'classic' ? g : undefined;
  }

  consumerGroup(groupId: string): ConsumerGroup | undefined {
    const g = this.#groups.get(groupId);
    return g?.type === 'consumer' ? g : undefined;
  }

  get groups(): IterableIterator<Group> {
    return this.#groups.values();
  }

  /**
   * The broker that coordinates a group: the leader of its __consumer_offsets partition, so that
   * several brokers of a cluster split the groups as Kafka's do. Null when no broker is up.
   */
  coordinatorFor(groupId: string): BrokerNode | null {
    const topic = this.#log.topic();
    const leader = this.cluster.leaderFor(topic, this.#log.partitionFor(groupId));
    return this.cluster.brokers.find((b) => b.nodeId === leader) ?? null;
  }

  /** Whether `nodeId` coordinates the group; requests elsewhere get NOT_COORDINATOR. */
  isCoordinator(groupId: string, nodeId: number): boolean {
    return this.coordinatorFor(groupId)?.nodeId === nodeId;
  }

  // ---- JoinGroup / SyncGroup / Heartbeat / LeaveGroup (classic-dispatch.ts) ----

  joinGroup(req: JoinGroupRequest, client: ClientInfo): Promise<JoinGroupResponse> {
    return joinGroup(this.#ctx, req, client);
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    return syncGroup(this.#ctx, req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    return heartbeat(this.#ctx, groupId, memberId, groupInstanceId, generationId);
  }

  leaveGroup(groupId: string, members: readonly LeaveMember[]): { errorCode: number; members: LeaveMemberResult[] } {
    return leaveGroup(this.#ctx, groupId, members);
  }

  // ---- ConsumerGroupHeartbeat (KIP-848, consumer-dispatch.ts) ----

  consumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, client: ClientInfo): ConsumerGroupHeartbeatResponse {
    return consumerGroupHeartbeat(this.#ctx, req, client);
  }

  // ---- ConsumerGroupDescribe / DescribeGroups / ListGroups / DeleteGroups (group-listing.ts) ----

  consumerGroupDescribe(groupIds: readonly string[], includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponseDescribedGroup[] {
    return consumerGroupDescribe(this.#ctx, groupIds, includeAuthorizedOperations);
  }

  describeGroups(groupIds: readonly string[], apiVersion: number, includeAuthorizedOperations: boolean): DescribeGroupsResponseDescribedGroup[] {
    return describeGroups(this.#ctx, groupIds, apiVersion, includeAuthorizedOperations);
  }

  listGroups(statesFilter: readonly string[], typesFilter: readonly string[]): ListGroupsResponseListedGroup[] {
    return listGroups(this.#ctx, statesFilter, typesFilter);
  }

  deleteGroups(groupIds: readonly string[]): DeleteGroupsResponseDeletableGroupResult[] {
    return deleteGroups(this.#ctx, groupIds);
  }

  // ---- offsets (offset-requests.ts) ----

  commitOffsets(req: OffsetCommitRequest, topics: readonly CommitTopic[], apiVersion: number): OffsetCommitResponseTopic[] {
    return this.#offsetRequests.commitOffsets(req, topics, apiVersion);
  }

  fetchOffsets(groupId: string, topics: readonly FetchTopicRequest[] | null, requireStable: boolean, member?: { readonly memberId: string | null; readonly memberEpoch: number }): FetchedGroup {
    return this.#offsetRequests.fetchOffsets(groupId, topics, requireStable, member);
  }

  offsetsPartitionOf(groupId: string): Partition {
    return this.#offsetRequests.offsetsPartitionOf(groupId);
  }

  commitTransactionalOffsets(req: TxnOffsetCommitRequest, topics: readonly TxnOffsetCommitRequestTopic[]): number | TxnOffsetCommitResponseTopic[] {
    return this.#offsetRequests.commitTransactionalOffsets(req, topics);
  }

  completeTransaction(partitionIndex: number, marker: TxnMarker): number {
    return this.#offsetRequests.completeTransaction(partitionIndex, marker);
  }

  deleteOffsets(groupId: string, topics: readonly OffsetDeleteRequestTopic[]): OffsetDeleteResponse {
    return this.#offsetRequests.deleteOffsets(groupId, topics);
  }

  // ---- lifecycle ----

  /** Stops every timer and answers parked requests; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const g of this.#groups.values()) g.kill(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (this.#cleanupTimer !== null) this.clock.clearTimeout(this.#cleanupTimer);
    this.#cleanupTimer = null;
    this.#stopWatchingTopics();
  }

  /**
   * Kafka's periodic cleanupGroupMetadata (group-housekeeping.ts). Runs every
   * offsets.retention.check.interval.ms while groups exist; public so tests can run it at once.
   */
  cleanupGroupMetadata(): void {
    cleanupGroupMetadata(this.#ctx);
  }

  #ensureCleanupTimer(): void {
    if (this.#cleanupTimer !== null || this.#closed) return;
    this.#cleanupTimer = this.clock.setTimeout(() => {
      this.#cleanupTimer = null;
      this.cleanupGroupMetadata();
      if (this.#groups.size > 0) this.#ensureCleanupTimer();
    }, this.settings.offsetsRetentionCheckIntervalMs);
  }

  /**
   * Durable mode: brings back a group found in __consumer_offsets at start (its committed offsets
   * go straight into `offsets`). The group comes back Empty, keeping its type, protocol type and
   * generation: its members rejoin (Kafka reloads the members too, and keeps those that go on
   * heartbeating). Does nothing when the group exists.
   */
  restoreGroup(groupId: string, type: GroupType, protocolType: string | null, generationId: number): void {
    if (this.#groups.has(groupId)) return;
    if (type === 'consumer') {
      addConsumerGroup(this.#ctx, new ConsumerGroup(groupId, this.#ctx.consumerEnv));
      return;
    }
    const group = createClassicGroup(this.#ctx, groupId);
    group.generationId = generationId;
    group.protocolType = protocolType === '' ? null : protocolType;
  }

  #removeGroup(group: Group): void {
    group.kill(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (this.#groups.get(group.groupId) === group) this.#groups.delete(group.groupId);
  }

  /** The group's metadata record: members with their subscription and assignment. */
  #persistGroup(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): void {
    this.#groupWrites++;
    this.#log.append(group.groupId, [classicGroupMetadataRecord(group, assignments)]);
  }
}

/** Error message as Kafka's exceptions carry it, for responses with a message field. */
export function errorMessageOf(code: number): string | null {
  return errorInfo(code).message;
}

export { OFFSETS_TOPIC };
