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
 * The offset requests (OffsetCommit, OffsetFetch, OffsetDelete, TxnOffsetCommit and its markers)
 * are offset-requests.ts, as Kafka's OffsetMetadataManager; this class keeps the groups.
 *
 * Every change is written to __consumer_offsets (see offsets-topic.ts) in the same synchronous
 * turn that changes the in-memory state, which is what reads use.
 *
 * Housekeeping, as Kafka's: every offsets.retention.check.interval.ms the coordinator expires
 * committed offsets older than offsets.retention.ms (for a classic group only once it is empty,
 * counted from when it became empty; for a consumer group, offsets of topics it no longer
 * subscribes to, counted from the commit) and deletes empty groups left without offsets. Offsets
 * of a deleted topic are removed at once (TopicRegistry.onDeleted).
 *
 * Configuration: group-coordinator-settings.ts.
 *
 * Deviations from Kafka: a group.consumer.* value outside its min/max is clamped with a warning
 * (Kafka refuses to start); in durable mode the state is reloaded from __consumer_offsets at start
 * (src/server/persistence/internal-topics.ts, restoreGroup) with groups Empty: their members rejoin.
 */
import { ErrorCode, errorInfo, KafkaError } from '../../../protocol/errors.js';
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
import { TxnOffsetStore } from './txn-offsets.js';
import { OffsetRequests } from './offset-requests.js';
import type { CommitTopic, FetchTopicRequest, FetchedGroup } from './offset-requests.js';
import type { TxnMarker } from '../txn/transaction-markers.js';
import { defaultJoinGroupResponse } from '../../../protocol/messages/join-group.js';
import { defaultSyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { GroupMetadataValueMemberMetadata } from '../../../protocol/coordinator-records/index.js';
import { ClassicGroup } from './classic-group.js';
import { ClassicGroupState } from './classic-group-states.js';
import { ConsumerGroup } from './consumer-group.js';
import { canUpgrade, downgradeToClassicGroup, shouldDowngrade, upgradeToConsumerGroup } from './group-migration.js';
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './consumer-group-member.js';
import type { ConsumerGroupEnv } from './consumer-group.js';
import type { Topic } from '../../cluster/topics.js';
import type { TimerHandle } from '../../../util/clock.js';
import type { ClassicGroupEnv } from './classic-group.js';
import type { ClientInfo, LeaveMember, LeaveMemberResult } from './classic-group-member.js';
import { groupCoordinatorSettings } from './group-coordinator-settings.js';
import type { GroupCoordinatorSettings } from './group-coordinator-settings.js';
import { OffsetStore } from './offset-store.js';
import type { CommittedOffset } from './offset-store.js';
import { OffsetsTopicWriter, groupMetadataRecord, offsetCommitRecord, OFFSETS_TOPIC } from './offsets-topic.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import type { Cluster, BrokerNode } from '../../cluster/cluster.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import { StreamsGroup } from '../streams/streams-group.js';
import { StreamsGroups } from '../streams/streams-groups.js';
import { streamsGroupSettings } from '../streams/streams-settings.js';

export type GroupType = 'classic' | 'consumer';

export type Group = ClassicGroup | ConsumerGroup | StreamsGroup;

export type { CommitTopic, FetchTopicRequest, FetchedPartition, FetchedGroup } from './offset-requests.js';

/** Every operation Kafka's ACL model allows on a GROUP (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS) as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

const GROUP_TYPES: ReadonlySet<string> = new Set(['classic', 'consumer', 'share', 'streams']);

/**
 * Groups of another kind kept outside this coordinator (share groups, coordinators/share), which
 * ListGroups, DescribeGroups and DeleteGroups cover with the classic and consumer groups; wired by
 * the composition root. One group id is one group of one type across both.
 */
export interface GroupKindHook {
  has(groupId: string): boolean;
  list(states: ReadonlySet<string>, types: ReadonlySet<string>): ListGroupsResponseListedGroup[];
  /** The DeleteGroups error code, or null when the id is not one of these groups. */
  delete(groupId: string): number | null;
}

export class GroupCoordinator {
  readonly settings: GroupCoordinatorSettings;
  /** Share groups (see GroupKindHook). */
  otherGroups: GroupKindHook | null = null;
  readonly offsets = new OffsetStore();
  readonly #groups = new Map<string, Group>();
  readonly #log: OffsetsTopicWriter;
  readonly #env: ClassicGroupEnv;
  readonly #consumerEnv: ConsumerGroupEnv;
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
    this.#env = {
      clock,
      logger,
      initialRebalanceDelayMs: this.settings.initialRebalanceDelayMs,
      newMemberJoinTimeoutMs: this.settings.newMemberJoinTimeoutMs,
      persist: (group, assignments) => this.#persistGroup(group, assignments),
    };
    this.#consumerEnv = {
      clock,
      logger,
      topics: cluster.topics,
      settings: this.settings.consumer,
      persist: (group, records) => this.#log.append(group.groupId, records),
    };
    this.#stopWatchingTopics = cluster.topics.onDeleted((topic) => this.#onTopicDeleted(topic));
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
      createClassicGroup: (groupId) => this.#createClassicGroup(groupId),
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
        addGroup: (g) => {
          this.#groups.set(g.groupId, g);
          this.#ensureCleanupTimer();
        },
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

  // ---- JoinGroup / SyncGroup / Heartbeat / LeaveGroup ----

  joinGroup(req: JoinGroupRequest, client: ClientInfo): Promise<JoinGroupResponse> {
    const error = (code: number): Promise<JoinGroupResponse> => Promise.resolve({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: code });
    if (this.#closed) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
    if (this.otherGroups?.has(req.groupId) === true) return error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (req.sessionTimeoutMs < this.settings.minSessionTimeoutMs || req.sessionTimeoutMs > this.settings.maxSessionTimeoutMs) {
      return error(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.#groups.get(req.groupId);
    if (group?.type === 'consumer' && !group.isEmpty) {
      // A classic member of a non-empty consumer group (online migration): answered at once.
      try {
        return Promise.resolve(group.classicJoin(req, client));
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        return Promise.resolve({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: e.code });
      }
    }
    if (group && group.type !== 'classic') {
      // An empty consumer group gives way to a classic group, keeping its offsets, as in Kafka.
      if (!group.isEmpty) return Promise.resolve({ ...defaultJoinGroupResponse(), errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
      this.#log.append(req.groupId, group.deletionRecords());
      this.#removeGroup(group);
      this.logger.info(`group ${req.groupId}: empty consumer group replaced by a classic group`);
      group = undefined;
    }
    const isNew = group === undefined;
    if (!group) {
      // A member id for a group that does not exist: the group expired or was deleted.
      if (req.memberId !== '') return error(ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.#createClassicGroup(req.groupId);
    }
    const writesBefore = this.#groupWrites;
    const joined = group.join(
      {
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        sessionTimeoutMs: req.sessionTimeoutMs,
        // v0 has no rebalance timeout: the session timeout serves as both, as in Kafka.
        rebalanceTimeoutMs: client.apiVersion === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
        reason: req.reason,
      },
      client,
    );
    // As Kafka: a group created by a join that wrote nothing itself is committed with an empty
    // metadata record, so that it exists in the log too.
    if (isNew && this.#groupWrites === writesBefore) {
      this.#log.append(req.groupId, [
        groupMetadataRecord(req.groupId, { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: BigInt(group.stateTimestamp), members: [] }),
      ]);
    }
    return joined;
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const error = (code: number): Promise<SyncGroupResponse> => Promise.resolve({ ...defaultSyncGroupResponse(), errorCode: code });
    if (this.#closed) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
    const group = this.#groups.get(req.groupId);
    if (group?.type === 'consumer') return Promise.resolve(this.#classicRequest(() => group.classicSync(req), (code) => ({ ...defaultSyncGroupResponse(), errorCode: code })));
    if (!group || group.isEmpty || group.type !== 'classic') return error(ErrorCode.UNKNOWN_MEMBER_ID);
    return group.sync(req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.#groups.get(groupId);
    if (group?.type === 'consumer') return this.#classicRequest(() => group.classicHeartbeat(memberId, groupInstanceId, generationId), (code) => code);
    if (!group || group.type !== 'classic') return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  leaveGroup(groupId: string, members: readonly LeaveMember[]): { errorCode: number; members: LeaveMemberResult[] } {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.#groups.get(groupId);
    if (group?.type === 'consumer') return { errorCode: ErrorCode.NONE, members: group.classicLeave(members) };
    if (!group || group.type !== 'classic') {
      // Kafka answers an unknown group member by member, not with a top-level error.
      return { errorCode: ErrorCode.NONE, members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    }
    return group.leave(members);
  }

  /** A classic request served by a consumer group: its KafkaError becomes the response's error code. */
  #classicRequest<T>(serve: () => T, error: (code: number) => T): T {
    try {
      return serve();
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return error(e.code);
    }
  }

  // ---- ConsumerGroupHeartbeat / ConsumerGroupDescribe (KIP-848) ----

  /**
   * One ConsumerGroupHeartbeat: join (epoch 0), heartbeat (the member's epoch), leave (-1) or a
   * static member's temporary leave (-2). Errors come back as the code with Kafka's message.
   */
  consumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, client: ClientInfo): ConsumerGroupHeartbeatResponse {
    const error = (code: number, message: string | null): ConsumerGroupHeartbeatResponse => ({
      throttleTimeMs: 0,
      errorCode: code,
      errorMessage: message,
      memberId: null,
      memberEpoch: 0,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
    if (this.#closed) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
    const invalid = this.#validateConsumerGroupHeartbeat(req, client.apiVersion);
    if (invalid) return error(invalid.code, invalid.message);
    if (this.otherGroups?.has(req.groupId) === true) return error(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
    try {
      if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        return this.#consumerGroup(req.groupId).leave(req.memberId, req.instanceId, req.memberEpoch);
      }
      const group = req.memberEpoch === 0 ? this.#getOrCreateConsumerGroup(req.groupId) : this.#consumerGroup(req.groupId);
      return group.heartbeat(req, { clientId: client.clientId, clientHost: client.clientHost });
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return error(e.code, e.message);
    }
  }

  /** Kafka's request checks (GroupCoordinatorService.throwIfConsumerGroupHeartbeatRequestIsInvalid). */
  #validateConsumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, apiVersion: number): KafkaError | null {
    const blank = (s: string | null) => s !== null && s.trim() === '';
    const bad = (message: string) => new KafkaError('INVALID_REQUEST', message);
    // v1 members make up their own id (KIP-1082); v0 members get one from the coordinator.
    if ((apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) && blank(req.memberId)) return bad("MemberId can't be empty.");
    if (blank(req.groupId)) return bad("GroupId can't be empty.");
    if (blank(req.instanceId)) return bad("InstanceId can't be empty.");
    if (blank(req.rackId)) return bad("RackId can't be empty.");
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return bad('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0) return bad('TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) return bad('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      if (req.instanceId === null) return bad("InstanceId can't be null.");
    } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return bad('MemberEpoch is invalid.');
    }
    const assignors = this.settings.consumer.assignors;
    if (req.serverAssignor !== null && !assignors.has(req.serverAssignor)) {
      return new KafkaError('UNSUPPORTED_ASSIGNOR', `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${[...assignors.keys()].join(', ')}.`);
    }
    return null;
  }

  /** The consumer group, or GROUP_ID_NOT_FOUND as Kafka's consumerGroup(groupId). */
  #consumerGroup(groupId: string): ConsumerGroup {
    const group = this.#groups.get(groupId);
    if (!group) throw new KafkaError('GROUP_ID_NOT_FOUND', `Consumer group ${groupId} not found.`);
    if (group.type !== 'consumer') throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
    return group;
  }

  /** A join may create the group, or replace an empty classic group (its offsets stay). */
  #getOrCreateConsumerGroup(groupId: string): ConsumerGroup {
    const existing = this.#groups.get(groupId);
    if (existing?.type === 'consumer') return existing;
    if (existing) {
      if (existing.type === 'streams') throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
      if (!existing.isEmpty) {
        // Online upgrade: the running classic group becomes a consumer group (group-migration.ts).
        if (!canUpgrade(existing, this.settings.migrationPolicy, this.settings.consumer.maxSize, this.logger)) {
          throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
        }
        const { group, records } = upgradeToConsumerGroup(existing, this.#consumerEnv);
        this.#log.append(groupId, [groupMetadataRecord(groupId, null), ...records]);
        this.#removeGroup(existing);
        return this.#addConsumerGroup(group);
      }
      this.#log.append(groupId, [groupMetadataRecord(groupId, null)]);
      this.#removeGroup(existing);
      this.logger.info(`group ${groupId}: empty classic group replaced by a consumer group`);
    }
    return this.#addConsumerGroup(new ConsumerGroup(groupId, this.#consumerEnv));
  }

  /** Registers a consumer group, watching its departures for an online downgrade. */
  #addConsumerGroup(group: ConsumerGroup): ConsumerGroup {
    group.onMemberRemoved = (removed) => {
      if (this.#closed || this.#groups.get(group.groupId) !== group) return;
      if (!shouldDowngrade(group, removed, this.settings.migrationPolicy, this.logger)) return;
      this.#log.append(group.groupId, group.deletionRecords());
      this.#removeGroup(group);
      const classic = new ClassicGroup(group.groupId, this.#env);
      this.#groups.set(group.groupId, classic);
      // The removal bumped the group epoch once; Kafka converts without that bump, and the
      // generation must be the epoch the members hold for their commits to pass until they rejoin.
      const generation = group.groupEpoch - 1;
      downgradeToClassicGroup(group, classic, generation, this.cluster.topics);
      this.logger.info(`group ${group.groupId}: consumer group downgraded to a classic group at generation ${generation}; its members rejoin`);
    };
    this.#groups.set(group.groupId, group);
    this.#ensureCleanupTimer();
    return group;
  }

  /** ConsumerGroupDescribe: a classic group is GROUP_ID_NOT_FOUND, as in Kafka. */
  consumerGroupDescribe(groupIds: readonly string[], includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      const fail = (code: number, message: string | null): ConsumerGroupDescribeResponseDescribedGroup => ({
        errorCode: code,
        errorMessage: message,
        groupId,
        groupState: '',
        groupEpoch: 0,
        assignmentEpoch: 0,
        assignorName: '',
        members: [],
        authorizedOperations: -2147483648,
      });
      if (this.#closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
      if (groupId === '') return fail(ErrorCode.INVALID_GROUP_ID, null);
      const group = this.#groups.get(groupId);
      if (!group && this.otherGroups?.has(groupId) === true) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      if (!group || group.is(ClassicGroupState.DEAD)) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
      if (group.type !== 'consumer') return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      const described = group.describe();
      if (includeAuthorizedOperations) described.authorizedOperations = GROUP_AUTHORIZED_OPERATIONS;
      return described;
    });
  }

  // ---- DescribeGroups / ListGroups / DeleteGroups ----

  describeGroups(groupIds: readonly string[], apiVersion: number, includeAuthorizedOperations: boolean): DescribeGroupsResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      const group = this.#groups.get(groupId);
      const base: DescribeGroupsResponseDescribedGroup = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: ClassicGroupState.DEAD,
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      };
      // Kafka fills the operations of every answer without an error, a Dead one included.
      if (apiVersion >= 3 && includeAuthorizedOperations) base.authorizedOperations = GROUP_AUTHORIZED_OPERATIONS;
      if (!group || group.type !== 'classic') {
        // KIP-1043: v6 says the group does not exist; older versions describe a Dead group.
        if (apiVersion >= 6) {
          base.errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
          base.errorMessage = group || this.otherGroups?.has(groupId) === true ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`;
          base.authorizedOperations = -2147483648;
        }
        return base;
      }
      const stable = group.is(ClassicGroupState.STABLE);
      base.groupState = group.state;
      base.protocolType = group.protocolType ?? '';
      // Metadata is only meaningful once a protocol is chosen and everyone has its assignment.
      base.protocolData = stable ? (group.protocolName ?? '') : '';
      for (const m of group.members) {
        base.members.push({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? m.metadata(group.protocolName) : Buffer.alloc(0),
          memberAssignment: m.assignment,
        });
      }
      return base;
    });
  }

  /** States match case-insensitively; an unknown type matches nothing, as Kafka's filters. */
  listGroups(statesFilter: readonly string[], typesFilter: readonly string[]): ListGroupsResponseListedGroup[] {
    const states = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
    const types = new Set(typesFilter.map((t) => (GROUP_TYPES.has(t.toLowerCase()) ? t.toLowerCase() : 'unknown')));
    const out: ListGroupsResponseListedGroup[] = [];
    for (const g of this.#groups.values()) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has(g.type)) continue;
      out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: g.type });
    }
    if (this.otherGroups !== null) out.push(...this.otherGroups.list(states, types));
    return out;
  }

  deleteGroups(groupIds: readonly string[]): DeleteGroupsResponseDeletableGroupResult[] {
    return groupIds.map((groupId) => {
      const group = this.#groups.get(groupId);
      if (this.#closed) return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
      const other = group ? null : (this.otherGroups?.delete(groupId) ?? null);
      if (other !== null) return { groupId, errorCode: other, errorMessage: null };
      if (!group || group.is(ClassicGroupState.DEAD)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null };
      if (!group.isEmpty) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: null };
      const records: CoordinatorRecord[] = [];
      for (const [topic, partition] of [...this.offsets.entries(groupId)]) {
        records.push(offsetCommitRecord({ group: groupId, topic, partition }, null));
        this.offsets.delete(groupId, topic, partition);
      }
      const offsetCount = records.length;
      this.txnOffsets.dropGroup(groupId);
      if (group.type !== 'classic') records.push(...group.deletionRecords());
      else records.push(groupMetadataRecord(groupId, null));
      this.#log.append(groupId, records);
      this.#removeGroup(group);
      this.logger.info(`group ${groupId} deleted with ${offsetCount} committed offsets`);
      return { groupId, errorCode: ErrorCode.NONE, errorMessage: null };
    });
  }

  // ---- offsets (offset-requests.ts) ----

  commitOffsets(req: OffsetCommitRequest, topics: readonly CommitTopic[], apiVersion: number): OffsetCommitResponseTopic[] {
    return this.#offsetRequests.commitOffsets(req, topics, apiVersion);
  }

  fetchOffsets(groupId: string, topics: readonly FetchTopicRequest[] | null, requireStable: boolean, member?: { readonly memberId: string | null; readonly memberEpoch: number }): FetchedGroup {
    return this.#offsetRequests.fetchOffsets(groupId, topics, requireStable, member);
  }

  /** Offsets of open transactions: visible to OffsetFetch only once their transaction commits. */
  readonly txnOffsets = new TxnOffsetStore();

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
   * Kafka's periodic cleanupGroupMetadata: expires committed offsets past offsets.retention.ms
   * (or past the explicit expire time an OffsetCommit v2-4 gave them), never for a topic the group
   * subscribes to, then deletes empty groups that have no offsets left. Runs every
   * offsets.retention.check.interval.ms while groups exist; public so tests can run it at once.
   */
  cleanupGroupMetadata(): void {
    if (this.#closed) return;
    const now = this.clock.now();
    const retention = this.settings.offsetsRetentionMs;
    for (const group of [...this.#groups.values()]) {
      const groupId = group.groupId;
      const base = this.#expiryBase(group);
      const records: CoordinatorRecord[] = [];
      let allExpired = true;
      for (const [topic, partition, o] of [...this.offsets.entries(groupId)]) {
        if (base === null || group.isSubscribedToTopic(topic)) {
          allExpired = false;
          continue;
        }
        const expired = o.expireTimestampMs !== null ? now >= o.expireTimestampMs : now - base(o) >= retention;
        if (!expired) {
          allExpired = false;
          continue;
        }
        this.offsets.delete(groupId, topic, partition);
        records.push(offsetCommitRecord({ group: groupId, topic, partition }, null));
      }
      if (records.length > 0) this.logger.info(`group ${groupId}: ${records.length} committed offsets expired`);
      if (allExpired && group.isEmpty) {
        records.push(...(group.type !== 'classic' ? group.deletionRecords() : [groupMetadataRecord(groupId, null)]));
        this.#removeGroup(group);
        this.logger.info(`group ${groupId}: empty and without offsets; deleted`);
      }
      this.#log.append(groupId, records);
    }
  }

  /**
   * What an offset's age is counted from, or null when the group's offsets cannot expire now
   * (Kafka's offsetExpirationCondition): a classic group that had members expires them only once
   * Empty (from when it became so) or, Stable with known subscriptions, for unsubscribed topics;
   * a simple group and a consumer group count from the commit.
   */
  #expiryBase(group: Group): ((o: CommittedOffset) => number) | null {
    if (group.type !== 'classic') return (o) => o.commitTimestampMs;
    if (group.protocolType === null) return (o) => o.commitTimestampMs;
    if (group.isEmpty) return () => group.stateTimestamp;
    if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is(ClassicGroupState.STABLE)) return (o) => o.commitTimestampMs;
    return null;
  }

  #ensureCleanupTimer(): void {
    if (this.#cleanupTimer !== null || this.#closed) return;
    this.#cleanupTimer = this.clock.setTimeout(() => {
      this.#cleanupTimer = null;
      this.cleanupGroupMetadata();
      if (this.#groups.size > 0) this.#ensureCleanupTimer();
    }, this.settings.offsetsRetentionCheckIntervalMs);
  }

  /** A deleted topic's committed offsets go with it, in every group (Kafka's onPartitionsDeleted). */
  #onTopicDeleted(topic: Topic): void {
    if (this.#closed) return;
    for (const group of this.#groups.values()) {
      const records: CoordinatorRecord[] = [];
      for (const [name, partition] of [...this.offsets.entries(group.groupId)]) {
        if (name !== topic.name) continue;
        this.offsets.delete(group.groupId, name, partition);
        records.push(offsetCommitRecord({ group: group.groupId, topic: name, partition }, null));
      }
      this.#log.append(group.groupId, records);
    }
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
      this.#addConsumerGroup(new ConsumerGroup(groupId, this.#consumerEnv));
      return;
    }
    const group = this.#createClassicGroup(groupId);
    group.generationId = generationId;
    group.protocolType = protocolType === '' ? null : protocolType;
  }

  #createClassicGroup(groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId, this.#env);
    this.#groups.set(groupId, group);
    this.#ensureCleanupTimer();
    return group;
  }

  #removeGroup(group: Group): void {
    group.kill(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (this.#groups.get(group.groupId) === group) this.#groups.delete(group.groupId);
  }

  /** The group's metadata record: members with their subscription and assignment. */
  #persistGroup(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): void {
    this.#groupWrites++;
    const members: GroupMetadataValueMemberMetadata[] = [];
    for (const m of group.members) {
      members.push({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadata(group.protocolName),
        assignment: assignments.get(m.memberId) ?? Buffer.alloc(0),
      });
    }
    this.#log.append(group.groupId, [
      groupMetadataRecord(group.groupId, {
        protocolType: group.protocolType ?? '',
        generation: group.generationId,
        protocol: group.protocolName,
        leader: group.leaderId,
        currentStateTimestamp: BigInt(group.stateTimestamp),
        members,
      }),
    ]);
  }
}

/** Error message as Kafka's exceptions carry it, for responses with a message field. */
export function errorMessageOf(code: number): string | null {
  return errorInfo(code).message;
}

export { OFFSETS_TOPIC };
