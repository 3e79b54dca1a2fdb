/**
 * Share groups of a cluster (KIP-932): the groups themselves (Kafka's group coordinator part:
 * ShareGroupHeartbeat, ShareGroupDescribe, the share-group side of ListGroups and DeleteGroups,
 * the share-group offset admin APIs), the share-partitions with their in-flight records (Kafka's
 * SharePartitionManager on the partition leaders) and the share sessions.
 *
 * One group id names one group of one type: a share group cannot take an id a classic or
 * consumer group holds (GROUP_ID_NOT_FOUND, "Group X is not a share group.", as Kafka), and the
 * group coordinator asks `hasGroup` before it creates one (see the GroupKindHook it is given).
 *
 * State lives in memory; in durable mode the share-partition state is kept by ./share-state-store.ts
 * when the composition root provides one.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import type { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../../protocol/messages/share-group-heartbeat.js';
import type { ShareGroupDescribeResponseDescribedGroup } from '../../../protocol/messages/share-group-describe.js';
import type { Partition } from '../../../log/partition.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Clock } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import { ShareGroup } from './share-group.js';
import type { ClientFacts } from './share-group.js';
import { SharePartition } from './share-partition.js';
import { ShareSessionCache } from './share-sessions.js';
import type { ShareSession } from './share-sessions.js';
import { ShareSettings } from './share-settings.js';
import type { ShareConfigSource } from './share-settings.js';
import { ShareOffsets } from './share-offsets.js';
import type { InFlightRange } from './in-flight-ranges.js';

/** READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS on a GROUP, as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

/** Persists share-partition state (share-state-log.ts). */
export interface SharePersister {
  save(sp: SharePartition): void;
  delete(sp: SharePartition): void;
}

export interface ListedShareGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly groupState: string;
  readonly groupType: 'share';
}

export class ShareCoordinator {
  readonly settings: ShareSettings;
  readonly sessions: ShareSessionCache;
  /** DescribeShareGroupOffsets, AlterShareGroupOffsets, DeleteShareGroupOffsets. */
  readonly offsets: ShareOffsets;
  readonly #groups = new Map<string, ShareGroup>();
  /** groupId -> "topicId:partition" -> share-partition. */
  readonly #partitions = new Map<string, Map<string, SharePartition>>();
  /** Fetches waiting for records to become available again, by share-partition. */
  readonly #availableWaiters = new Map<SharePartition, Set<() => void>>();
  persister: SharePersister | null = null;
  /** Whether a classic or consumer group holds the id (wired by the composition root). */
  otherGroupExists: (groupId: string) => boolean = () => false;

  constructor(
    private readonly cluster: Cluster,
    configs: ShareConfigSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.settings = new ShareSettings(configs);
    this.sessions = new ShareSessionCache(() => this.settings.maxShareSessions());
    this.offsets = new ShareOffsets(this, cluster.topics);
  }

  group(groupId: string): ShareGroup | undefined {
    return this.#groups.get(groupId);
  }

  get groups(): IterableIterator<ShareGroup> {
    return this.#groups.values();
  }

  // ---- ShareGroupHeartbeat ----

  heartbeat(req: ShareGroupHeartbeatRequest, client: ClientFacts): ShareGroupHeartbeatResponse {
    try {
      checkHeartbeat(req);
      if (this.otherGroupExists(req.groupId)) throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${req.groupId} is not a share group.`);
      let group = this.#groups.get(req.groupId);
      if (group === undefined) {
        if (req.memberEpoch !== 0) throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${req.groupId} not found.`);
        group = this.#createGroup(req.groupId);
      }
      return group.heartbeat(req, client);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, errorCode: e.code, errorMessage: e.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  /** An empty share group (AlterShareGroupOffsets on an unknown id creates one, as Kafka). */
  createEmptyGroup(groupId: string): ShareGroup {
    return this.#createGroup(groupId);
  }

  #createGroup(groupId: string): ShareGroup {
    const group = new ShareGroup(groupId, {
      clock: this.clock,
      topics: this.cluster.topics,
      sessionTimeoutMs: (id) => this.settings.sessionTimeoutMs(id),
      heartbeatIntervalMs: (id) => this.settings.heartbeatIntervalMs(id),
      maxSize: () => this.settings.maxSize(),
      onMemberRemoved: (id, memberId) => this.#memberRemoved(id, memberId),
    });
    this.#groups.set(groupId, group);
    return group;
  }

  /** A member that leaves (or times out) gives back its records and its share session. */
  #memberRemoved(groupId: string, memberId: string): void {
    for (const session of this.sessions.ofMember(groupId, memberId)) this.sessions.remove(session);
    for (const sp of this.#partitions.get(groupId)?.values() ?? []) sp.releaseMember(memberId);
    this.logger.debug(`share group ${groupId}: member ${memberId} left`);
  }

  // ---- ShareGroupDescribe / ListGroups / DeleteGroups ----

  describe(groupIds: readonly string[], includeAuthorizedOperations: boolean): ShareGroupDescribeResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      const group = this.#groups.get(groupId);
      if (group !== undefined) return group.describe(includeAuthorizedOperations, GROUP_AUTHORIZED_OPERATIONS);
      const message = this.otherGroupExists(groupId) ? `Group ${groupId} is not a share group.` : `Group ${groupId} not found.`;
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: message, groupId, groupState: 'Dead', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648 };
    });
  }

  list(states: ReadonlySet<string>, types: ReadonlySet<string>): ListedShareGroup[] {
    if (types.size > 0 && !types.has('share')) return [];
    const out: ListedShareGroup[] = [];
    for (const g of this.#groups.values()) {
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue;
      out.push({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: 'share' });
    }
    return out;
  }

  /** DeleteGroups for a share group: null when the id is not a share group's. */
  deleteGroup(groupId: string): number | null {
    const group = this.#groups.get(groupId);
    if (group === undefined) return null;
    if (!group.isEmpty) return ErrorCode.NON_EMPTY_GROUP;
    group.close();
    this.#groups.delete(groupId);
    for (const sp of this.#partitions.get(groupId)?.values() ?? []) {
      sp.close();
      this.persister?.delete(sp);
    }
    this.#partitions.delete(groupId);
    this.logger.info(`share group ${groupId} deleted`);
    return ErrorCode.NONE;
  }

  // ---- share-partitions ----

  /** The share-partition of a group on a topic-partition, created on first use. */
  sharePartition(groupId: string, topicId: string, partition: Partition): SharePartition {
    let byKey = this.#partitions.get(groupId);
    if (byKey === undefined) this.#partitions.set(groupId, (byKey = new Map()));
    const k = `${topicId}:${partition.partition}`;
    let sp = byKey.get(k);
    // A topic deleted and created again under the same name has a new id; a stale partition
    // object (deleted topic) is replaced.
    if (sp !== undefined && sp.partition !== partition) {
      sp.close();
      sp = undefined;
    }
    if (sp === undefined) {
      const created: SharePartition = new SharePartition(groupId, topicId, partition, {
        clock: this.clock,
        settings: () => this.settings.partition(groupId),
        onAvailable: () => this.#wakeAvailable(created),
        onChange: (changed) => this.persister?.save(changed),
      });
      sp = created;
      byKey.set(k, sp);
    }
    return sp;
  }

  /** Brings back a share-partition's state read from __share_group_state (durable mode). */
  restorePartition(groupId: string, topicId: string, partition: Partition, startOffset: number, stateEpoch: number, ranges: readonly InFlightRange[]): void {
    if (this.#groups.get(groupId) === undefined) this.#createGroup(groupId);
    const persister = this.persister;
    // Restoring is not a change to write back.
    this.persister = null;
    try {
      this.sharePartition(groupId, topicId, partition).restore(startOffset, stateEpoch, ranges);
    } finally {
      this.persister = persister;
    }
  }

  /** The share-partitions a group has state for (initialized or not). */
  partitionsOf(groupId: string): SharePartition[] {
    return [...(this.#partitions.get(groupId)?.values() ?? [])];
  }

  existingPartition(groupId: string, topicId: string, partition: number): SharePartition | undefined {
    return this.#partitions.get(groupId)?.get(`${topicId}:${partition}`);
  }

  dropPartition(sp: SharePartition): void {
    sp.close();
    this.persister?.delete(sp);
    this.#partitions.get(sp.groupId)?.delete(`${sp.topicId}:${sp.partition.partition}`);
  }

  /** Calls `fn` once when records of `sp` become Available again; returns a canceller. */
  onAvailable(sp: SharePartition, fn: () => void): () => void {
    let set = this.#availableWaiters.get(sp);
    if (set === undefined) this.#availableWaiters.set(sp, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#availableWaiters.get(sp) === set) this.#availableWaiters.delete(sp);
    };
  }

  #wakeAvailable(sp: SharePartition): void {
    const set = this.#availableWaiters.get(sp);
    if (set === undefined) return;
    this.#availableWaiters.delete(sp);
    for (const fn of set) fn();
  }

  // ---- share sessions ----

  /** Ends a session and releases what its member holds on the session's partitions. */
  closeSession(session: ShareSession): void {
    this.sessions.remove(session);
    const byKey = this.#partitions.get(session.groupId);
    if (byKey === undefined) return;
    for (const k of session.partitions.keys()) byKey.get(k)?.releaseMember(session.memberId);
  }

  /** A client connection closed: its share sessions end, as Kafka's disconnect listener does. */
  connectionClosed(nodeId: number, connectionId: number): void {
    for (const s of this.sessions.onConnection(nodeId, connectionId)) this.closeSession(s);
  }

  close(): void {
    for (const g of this.#groups.values()) g.close();
    for (const byKey of this.#partitions.values()) for (const sp of byKey.values()) sp.close();
    this.#groups.clear();
    this.#partitions.clear();
    this.sessions.clear();
    this.#availableWaiters.clear();
  }
}

/** Kafka's throwIfShareGroupHeartbeatRequestIsInvalid. */
function checkHeartbeat(req: ShareGroupHeartbeatRequest): void {
  const invalid = (why: string) => new KafkaError('INVALID_REQUEST', why);
  if (req.groupId.trim() === '') throw invalid('GroupId can\'t be empty.');
  if (req.memberId.trim() === '') throw invalid('MemberId can\'t be empty.');
  if (req.rackId !== null && req.rackId.trim() === '') throw invalid('RackId can\'t be empty.');
  if (req.memberEpoch === 0) {
    if (req.subscribedTopicNames === null || req.subscribedTopicNames.length === 0) throw invalid('SubscribedTopicNames must be set in first request.');
  } else if (req.memberEpoch < -1) {
    throw invalid('MemberEpoch is invalid.');
  }
}
