/**
 * The group coordinator: every consumer group of a cluster and their committed offsets, as Kafka's
 * GroupCoordinatorService with its GroupMetadataManager and OffsetMetadataManager. Handlers stay
 * thin: they shape requests and responses per version and call in here.
 *
 * A group has a type, 'classic' (JoinGroup/SyncGroup) or 'consumer' (KIP-848, to come); one group
 * id holds one type at a time, and requests of the other protocol are answered as Kafka answers
 * them (INCONSISTENT_GROUP_PROTOCOL for a JoinGroup, UNKNOWN_MEMBER_ID for the others).
 *
 * Every change is written to __consumer_offsets (see offsets-topic.ts) in the same synchronous
 * turn that changes the in-memory state, which is what reads use.
 *
 * Configuration (Kafka's names, read from the broker's key=value configs):
 *   group.min.session.timeout.ms 6000, group.max.session.timeout.ms 1800000,
 *   group.initial.rebalance.delay.ms (0 here, Kafka 3000), offsets.topic.num.partitions 50,
 *   offset.metadata.max.bytes 4096.
 *
 * Deviations from Kafka: committed offsets never expire (offsets.retention.ms is not applied) and
 * empty groups are never cleaned up; offsets of deleted topics are kept; the coordinator does not
 * reload its state from the log at startup (the log is in memory, so there is nothing to reload).
 */
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { DeleteGroupsResponseDeletableGroupResult } from '../../protocol/messages/delete-groups.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../protocol/messages/describe-groups.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../protocol/messages/join-group.js';
import type { ListGroupsResponseListedGroup } from '../../protocol/messages/list-groups.js';
import type { OffsetCommitRequest, OffsetCommitResponseTopic } from '../../protocol/messages/offset-commit.js';
import type { OffsetDeleteRequestTopic, OffsetDeleteResponse } from '../../protocol/messages/offset-delete.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/sync-group.js';
import { defaultJoinGroupResponse } from '../../protocol/messages/join-group.js';
import { defaultSyncGroupResponse } from '../../protocol/messages/sync-group.js';
import type { GroupMetadataValueMemberMetadata } from '../../protocol/coordinator-records/index.js';
import { ClassicGroup, ClassicGroupState } from './classic-group.js';
import type { ClassicGroupEnv, ClientInfo, LeaveMember, LeaveMemberResult } from './classic-group.js';
import { OffsetStore } from './offset-store.js';
import type { CommittedOffset } from './offset-store.js';
import { OffsetsTopicWriter, groupMetadataRecord, offsetCommitRecord, OFFSETS_TOPIC } from './offsets-topic.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import type { Cluster, BrokerNode } from '../cluster.js';
import type { BrokerConfig } from '../broker-config.js';
import type { Broker } from '../broker.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

export type GroupType = 'classic' | 'consumer';

/** Only classic groups exist so far; consumer groups (KIP-848) join this union. */
export type Group = ClassicGroup;

export interface GroupCoordinatorSettings {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly initialRebalanceDelayMs: number;
  readonly newMemberJoinTimeoutMs: number;
  readonly offsetsTopicNumPartitions: number;
  readonly offsetMetadataMaxBytes: number;
}

function intConfig(config: BrokerConfig, key: string, fallback: number, min: number, logger: Logger): number {
  const raw = config.extra.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    logger.warn(`${key}=${raw} is not an integer >= ${min}; using ${fallback}`);
    return fallback;
  }
  return n;
}

export function groupCoordinatorSettings(config: BrokerConfig, logger: Logger): GroupCoordinatorSettings {
  return {
    minSessionTimeoutMs: intConfig(config, 'group.min.session.timeout.ms', 6000, 0, logger),
    maxSessionTimeoutMs: intConfig(config, 'group.max.session.timeout.ms', 1800000, 0, logger),
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    newMemberJoinTimeoutMs: 5 * 60 * 1000,
    // Kafka's default. Fifty empty in-memory partitions cost little, and tools that show the
    // topic (or compute a group's partition) then see what they would see on Kafka.
    offsetsTopicNumPartitions: intConfig(config, 'offsets.topic.num.partitions', 50, 1, logger),
    offsetMetadataMaxBytes: intConfig(config, 'offset.metadata.max.bytes', 4096, 0, logger),
  };
}

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

/** Every operation Kafka's ACL model allows on a GROUP (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS) as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

const GROUP_TYPES: ReadonlySet<string> = new Set(['classic', 'consumer', 'share', 'streams']);

export class GroupCoordinator {
  readonly settings: GroupCoordinatorSettings;
  readonly offsets = new OffsetStore();
  readonly #groups = new Map<string, Group>();
  readonly #log: OffsetsTopicWriter;
  readonly #env: ClassicGroupEnv;
  /** Group metadata records written so far (tells whether an operation wrote one). */
  #groupWrites = 0;
  #closed = false;

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
  }

  group(groupId: string): Group | undefined {
    return this.#groups.get(groupId);
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
    if (req.sessionTimeoutMs < this.settings.minSessionTimeoutMs || req.sessionTimeoutMs > this.settings.maxSessionTimeoutMs) {
      return error(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.#groups.get(req.groupId);
    if (group && group.type !== 'classic') {
      return Promise.resolve({ ...defaultJoinGroupResponse(), errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
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
    if (!group || group.isEmpty || group.type !== 'classic') return error(ErrorCode.UNKNOWN_MEMBER_ID);
    return group.sync(req);
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.#groups.get(groupId);
    if (!group || group.type !== 'classic') return ErrorCode.UNKNOWN_MEMBER_ID;
    return group.heartbeat(memberId, groupInstanceId, generationId);
  }

  leaveGroup(groupId: string, members: readonly LeaveMember[]): { errorCode: number; members: LeaveMemberResult[] } {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.#groups.get(groupId);
    if (!group || group.type !== 'classic') {
      // Kafka answers an unknown group member by member, not with a top-level error.
      return { errorCode: ErrorCode.NONE, members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    }
    return group.leave(members);
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
          base.errorMessage = group ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`;
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
    return out;
  }

  deleteGroups(groupIds: readonly string[]): DeleteGroupsResponseDeletableGroupResult[] {
    return groupIds.map((groupId) => {
      const group = this.#groups.get(groupId);
      if (this.#closed) return { groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
      if (!group || group.is(ClassicGroupState.DEAD)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (!group.isEmpty) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      const records: CoordinatorRecord[] = [];
      for (const [topic, partition] of [...this.offsets.entries(groupId)]) {
        records.push(offsetCommitRecord({ group: groupId, topic, partition }, null));
        this.offsets.delete(groupId, topic, partition);
      }
      records.push(groupMetadataRecord(groupId, null));
      this.#log.append(groupId, records);
      this.#removeGroup(group);
      this.logger.info(`group ${groupId} deleted with ${records.length - 1} committed offsets`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
  }

  // ---- offsets ----

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
      const known = t.name === '' ? undefined : this.cluster.topics.get(t.name);
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
    if (this.#closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);

    let group = this.#groups.get(req.groupId);
    if (!group) {
      if (req.generationIdOrMemberEpoch < 0) {
        // A "simple" group: offsets stored for a consumer that assigns partitions itself.
        this.logger.info(`group ${req.groupId}: created by a manual offset commit`);
        group = this.#createClassicGroup(req.groupId);
      } else {
        // v9 speaks both protocols and so can say what happened; older clients expect this.
        return fail(apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
    }
    const invalid = group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch);
    if (invalid !== ErrorCode.NONE) return fail(invalid);
    group.touchMemberOnCommit(req.memberId);

    const now = this.clock.now();
    // Only v2-v4 carry a retention time; -1 means the broker default (no per-offset expiry).
    const expireTimestampMs = req.retentionTimeMs >= 0n && apiVersion <= 4 ? now + Number(req.retentionTimeMs) : null;
    const records: CoordinatorRecord[] = [];
    for (const { out, topic, p } of valid) {
      if (p.committedMetadata !== null && p.committedMetadata.length > this.settings.offsetMetadataMaxBytes) {
        out.errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        continue;
      }
      const value: CommittedOffset = {
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata ?? '',
        commitTimestampMs: now,
        expireTimestampMs,
      };
      this.offsets.put(req.groupId, topic, p.partitionIndex, value);
      records.push(
        offsetCommitRecord(
          { group: req.groupId, topic, partition: p.partitionIndex },
          { offset: value.offset, leaderEpoch: value.leaderEpoch, metadata: value.metadata, commitTimestamp: BigInt(now), expireTimestamp: expireTimestampMs === null ? -1n : BigInt(expireTimestampMs) },
        ),
      );
    }
    this.#log.append(req.groupId, records);
    return response;
  }

  /**
   * OffsetFetch for one group. `topics` null means every committed offset. An unknown group is
   * not an error: its partitions have no offset (-1), and "all" is nothing.
   * `requireStable` needs no waiting until transactional offset commits exist.
   */
  fetchOffsets(groupId: string, topics: readonly FetchTopicRequest[] | null, _requireStable: boolean): FetchedGroup {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    const group = this.#groups.get(groupId);
    const known = group !== undefined && !group.is(ClassicGroupState.DEAD);
    const entry = (partitionIndex: number, o: CommittedOffset | undefined): FetchedPartition =>
      o === undefined
        ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }
        : { partitionIndex, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
    if (topics === null) {
      const out: FetchedGroup['topics'] = [];
      if (!known) return { errorCode: ErrorCode.NONE, topics: out };
      const byTopic = new Map<string, FetchedPartition[]>();
      for (const [topic, partition, o] of this.offsets.entries(groupId)) {
        let ps = byTopic.get(topic);
        if (!ps) {
          byTopic.set(topic, (ps = []));
          out.push({ name: topic, partitions: ps });
        }
        ps.push(entry(partition, o));
      }
      return { errorCode: ErrorCode.NONE, topics: out };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => entry(p, known ? this.offsets.get(groupId, t.name, p) : undefined)),
      })),
    };
  }

  /** OffsetDelete: refused for a group whose members consume the topic. */
  deleteOffsets(groupId: string, topics: readonly OffsetDeleteRequestTopic[]): OffsetDeleteResponse {
    const top = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    if (this.#closed) return top(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (groupId === '') return top(ErrorCode.INVALID_GROUP_ID);
    const group = this.#groups.get(groupId);
    if (!group || group.is(ClassicGroupState.DEAD)) return top(ErrorCode.GROUP_ID_NOT_FOUND);
    // A non-empty group that is not a consumer group has no subscriptions to check against.
    if (!group.isEmpty && !group.usesConsumerProtocol()) return top(ErrorCode.NON_EMPTY_GROUP);
    const response: OffsetDeleteResponse = { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics: [] };
    const records: CoordinatorRecord[] = [];
    for (const t of topics) {
      const known = this.cluster.topics.get(t.name);
      const subscribed = group.isSubscribedToTopic(t.name);
      const out = { name: t.name, partitions: [] as { partitionIndex: number; errorCode: number }[] };
      response.topics.push(out);
      for (const p of t.partitions) {
        let errorCode: number = ErrorCode.NONE;
        if (!known || known.partitions[p.partitionIndex] === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (this.offsets.delete(groupId, t.name, p.partitionIndex)) {
          records.push(offsetCommitRecord({ group: groupId, topic: t.name, partition: p.partitionIndex }, null));
        }
        out.partitions.push({ partitionIndex: p.partitionIndex, errorCode });
      }
    }
    this.#log.append(groupId, records);
    return response;
  }

  // ---- lifecycle ----

  /** Stops every timer and answers parked requests; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const g of this.#groups.values()) g.kill(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }

  #createClassicGroup(groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId, this.#env);
    this.#groups.set(groupId, group);
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

const coordinators = new WeakMap<Cluster, GroupCoordinator>();

/**
 * The coordinator of a broker's cluster, created on first use: one per cluster, so every
 * in-process broker of a cluster sees the same groups. It stops its timers when the last broker
 * of the cluster closes.
 */
export function groupCoordinatorOf(broker: Broker): GroupCoordinator {
  const cluster = broker.cluster;
  let c = coordinators.get(cluster);
  if (!c) {
    const created = new GroupCoordinator(cluster, broker.config, broker.clock, broker.logger);
    coordinators.set(cluster, created);
    cluster.onClose(() => {
      created.close();
      if (coordinators.get(cluster) === created) coordinators.delete(cluster);
    });
    c = created;
  }
  return c;
}

export { OFFSETS_TOPIC };
