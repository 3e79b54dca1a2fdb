/**
 * One group of the consumer group protocol (KIP-848, ConsumerGroupHeartbeat), with the behaviour
 * of Kafka's ConsumerGroup and the consumer half of its GroupMetadataManager. The broker assigns:
 * members only say what they subscribe to and what they own, and the group moves each of them
 * towards a target assignment computed by a server-side assignor.
 *
 * Three epochs drive everything:
 * - the group epoch, bumped whenever the assignment must change: a member joins, leaves or is
 *   fenced, a subscription changes, or the subscribed topics change (created, deleted, new
 *   partitions; noticed on the next heartbeat of any member);
 * - the target assignment epoch, the group epoch for which the current target was computed; the
 *   target is recomputed (lazily, on a heartbeat) whenever it lags the group epoch;
 * - each member's epoch, which reaches the target epoch once the member holds its target
 *   partitions (see consumer-reconcile.ts for revocation before reassignment).
 *
 * Group states (Kafka's ConsumerGroupState; the names are the wire strings of
 * ConsumerGroupDescribe and ListGroups). The state is derived from the members and epochs, never
 * set, so it cannot drift:
 *
 * Empty: no members. Offsets may be committed with member epoch -1 (admin tools, assign()).
 *   -> Assigning when a member joins (the join bumps the group epoch); -> Dead on deletion.
 * Assigning: the group epoch is ahead of the target assignment epoch (a member was fenced or left
 *   and no heartbeat has recomputed the target yet).
 *   -> Reconciling or Stable on the next heartbeat, which computes the new target; -> Empty when
 *   the last member goes.
 * Reconciling: the target is current but some member has not reached it (still revoking, waiting
 *   for partitions others hold, or a static member that left temporarily with epoch -2).
 *   -> Stable when every member is STABLE at the target epoch; -> Assigning on a new group epoch.
 * Stable: every member holds its target at the target epoch.
 *   -> Assigning on any change that bumps the group epoch.
 * Dead: deleted (DeleteGroups, or cleanup of an empty group without offsets); requests answer as
 *   for a group that does not exist. No transitions out.
 *
 * Timers, all on the injected clock: a session timeout per member (group.consumer.session.timeout.ms,
 * re-armed by every heartbeat; on expiry the member is fenced: removed, group epoch bumped) and a
 * rebalance timeout while a member owes a revocation (its rebalanceTimeoutMs; on expiry, if the
 * member is still in that epoch, it is fenced).
 *
 * Static members (group.instance.id): leaving with epoch -2 keeps the member and its partitions
 * (nobody else gets them) until its session times out; a new member id joining with the same
 * instance id then takes over its assignment without a new group epoch, so nothing moves.
 *
 * Deviations from Kafka:
 * - regular expressions are resolved synchronously on each heartbeat (Kafka resolves them in the
 *   background and bumps the epoch when the result changes); the pattern is RE2/J syntax compiled
 *   as a JavaScript RegExp, anchored at both ends (RE2/J `matches()`): see compileTopicRegex;
 * - the subscribed topics' metadata is compared on every heartbeat (Kafka compares on metadata
 *   image changes and every group.consumer.metadata.refresh... interval), so a topic change is
 *   seen by the first heartbeat after it;
 * - classic-protocol members cannot join a consumer group (no online upgrade/downgrade): see
 *   GroupCoordinator.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { randomUuid } from '../../../protocol/uuid.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/consumer-group-heartbeat.js';
import type { ConsumerGroupDescribeResponseDescribedGroup, ConsumerGroupDescribeResponseTopicPartitions } from '../../../protocol/messages/consumer-group-describe.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import type { Topic, TopicRegistry } from '../../cluster/topics.js';
import type { AssignorMember, AssignorTopic, ServerAssignor } from './assignors/assignor.js';
import { MemberState, isReconciledTo, reconcile, samePartitions, sameState } from './consumer-reconcile.js';
import type { OwnedPartitions } from './consumer-reconcile.js';
import {
  currentAssignmentRecord,
  groupEpochRecord,
  memberMetadataRecord,
  targetAssignmentEpochRecord,
  targetAssignmentMemberRecord,
} from './consumer-group-records.js';
import type { MemberMetadata } from './consumer-group-records.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import { compileTopicRegex, freshMember, isSubset, JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, sameMetadata, sortedUnique } from './consumer-group-member.js';
import type { ConsumerGroupMember } from './consumer-group-member.js';

export const ConsumerGroupState = {
  EMPTY: 'Empty',
  ASSIGNING: 'Assigning',
  RECONCILING: 'Reconciling',
  STABLE: 'Stable',
  DEAD: 'Dead',
} as const;
export type ConsumerGroupStateName = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState];

export interface ConsumerGroupSettings {
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  /** group.consumer.max.size */
  readonly maxSize: number;
  /** group.consumer.assignors, by name; the first is the default. */
  readonly assignors: ReadonlyMap<string, ServerAssignor>;
}

export interface ConsumerGroupEnv {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly topics: TopicRegistry;
  readonly settings: ConsumerGroupSettings;
  /** Writes the records of one operation on the group (one batch). */
  persist(group: ConsumerGroup, records: readonly CoordinatorRecord[]): void;
}

export interface HeartbeatClient {
  readonly clientId: string;
  readonly clientHost: string;
}

/** Per-partition check of an OffsetCommit: NONE or the partition's error code. */
export type CommitPartitionCheck = (topic: string, partition: number) => number;

const NO_PARTITIONS: ReadonlyMap<string, ReadonlySet<number>> = new Map();

export class ConsumerGroup {
  readonly type = 'consumer' as const;
  /** ListGroups and OffsetDelete see consumer groups as groups of the "consumer" protocol type. */
  readonly protocolType = 'consumer';
  #groupEpoch = 0;
  #assignmentEpoch = 0;
  #dead = false;
  readonly #members = new Map<string, ConsumerGroupMember>();
  /** group.instance.id -> member id. */
  readonly #staticMembers = new Map<string, string>();
  /** member id -> target partitions by topic id. */
  readonly #target = new Map<string, Map<string, Set<number>>>();
  /** topic id -> partition -> epoch of the member holding it (assigned or pending revocation). */
  readonly #partitionEpochs = new Map<string, Map<number, number>>();
  /** The subscribed topics' ids and partition counts when the group epoch was last set. */
  #metadataSignature = '';
  readonly #sessionTimers = new Map<string, TimerHandle>();
  readonly #rebalanceTimers = new Map<string, TimerHandle>();
  /** When the group was last found empty (offset expiry counts from there, as Kafka's). */
  #emptySinceMs: number;

  constructor(
    readonly groupId: string,
    private readonly env: ConsumerGroupEnv,
  ) {
    this.#emptySinceMs = env.clock.now();
  }

  // ---- queries ----

  get state(): ConsumerGroupStateName {
    if (this.#dead) return ConsumerGroupState.DEAD;
    if (this.#members.size === 0) return ConsumerGroupState.EMPTY;
    if (this.#groupEpoch > this.#assignmentEpoch) return ConsumerGroupState.ASSIGNING;
    for (const m of this.#members.values()) if (!isReconciledTo(m, this.#assignmentEpoch)) return ConsumerGroupState.RECONCILING;
    return ConsumerGroupState.STABLE;
  }

  is(state: string): boolean {
    return this.state === state;
  }

  get isEmpty(): boolean {
    return this.state === ConsumerGroupState.EMPTY;
  }

  get groupEpoch(): number {
    return this.#groupEpoch;
  }

  get assignmentEpoch(): number {
    return this.#assignmentEpoch;
  }

  get size(): number {
    return this.#members.size;
  }

  get members(): IterableIterator<ConsumerGroupMember> {
    return this.#members.values();
  }

  member(memberId: string): ConsumerGroupMember | undefined {
    return this.#members.get(memberId);
  }

  staticMemberId(instanceId: string): string | undefined {
    return this.#staticMembers.get(instanceId);
  }

  targetAssignment(memberId: string): ReadonlyMap<string, ReadonlySet<number>> {
    return this.#target.get(memberId) ?? NO_PARTITIONS;
  }

  /** When the group became empty, for offset expiry; the current time while it has members. */
  get emptySinceMs(): number {
    return this.#members.size > 0 ? this.env.clock.now() : this.#emptySinceMs;
  }

  /** The assignor of the next target assignment: the one most members ask for, else the default. */
  get assignorName(): string {
    const counts = new Map<string, number>();
    for (const m of this.#members.values()) if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    let bestCount = 0;
    for (const [name, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (n > bestCount) {
        best = name;
        bestCount = n;
      }
    }
    return best ?? this.env.settings.assignors.keys().next().value!;
  }

  /** Topics some member subscribes to, by name or through its regex. */
  subscribedTopicNames(): Set<string> {
    const names = new Set<string>();
    for (const m of this.#members.values()) for (const t of this.#subscribedTopics(m)) names.add(t.name);
    return names;
  }

  isSubscribedToTopic(topic: string): boolean {
    for (const m of this.#members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      if (m.subscribedTopicRegex !== null && this.#regex(m.subscribedTopicRegex)?.test(topic)) return true;
    }
    return false;
  }

  // ---- ConsumerGroupHeartbeat ----

  /**
   * A heartbeat with member epoch 0 (join) or above. The request was validated by the handler;
   * errors are thrown as KafkaError with Kafka's message.
   */
  heartbeat(req: ConsumerGroupHeartbeatRequest, client: HeartbeatClient): ConsumerGroupHeartbeatResponse {
    const records: CoordinatorRecord[] = [];
    const joining = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH;
    this.#throwIfFull(req.memberId, req.instanceId);
    const memberId = req.memberId !== '' ? req.memberId : randomUuid();
    const owned = req.topicPartitions;

    // The member as it stands before this request (a fresh one when it joins).
    let before: ConsumerGroupMember;
    let replaced: ConsumerGroupMember | null = null;
    let isNew = false;
    if (req.instanceId === null) {
      const existing = this.#members.get(memberId);
      if (!existing) {
        if (!joining) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
        before = freshMember(memberId);
        isNew = true;
      } else {
        this.#throwIfEpochInvalid(existing, req.memberEpoch, owned);
        before = existing;
      }
    } else {
      const existing = this.#staticMember(req.instanceId);
      if (joining) {
        if (!existing) {
          const sameId = this.#members.get(memberId);
          before = sameId ?? freshMember(memberId);
          isNew = sameId === undefined;
        } else {
          if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            this.env.logger.info(`group ${this.groupId}: static member ${memberId} with instance id ${req.instanceId} cannot join: the instance id is owned by ${existing.memberId}`);
            throw new KafkaError(
              'UNRELEASED_INSTANCE_ID',
              `Static member ${memberId} with instance id ${req.instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
            );
          }
          // The returning instance takes over the departed member's assignment under its new id.
          before = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
          replaced = existing;
        }
      } else {
        if (!existing) throw new KafkaError('UNKNOWN_MEMBER_ID', `Instance id ${req.instanceId} is unknown.`);
        if (existing.memberId !== memberId) {
          throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${req.instanceId} was fenced by member ${existing.memberId}.`);
        }
        this.#throwIfEpochInvalid(existing, req.memberEpoch, owned);
        before = existing;
      }
    }

    let regexSource = before.subscribedTopicRegex;
    if (req.subscribedTopicRegex !== null) {
      // An empty regex clears it: a client that moves from a pattern to topic names sends "".
      regexSource = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      if (regexSource !== null && this.#regex(regexSource) === null) {
        throw new KafkaError('INVALID_REGULAR_EXPRESSION', `SubscribedTopicRegex ${regexSource} is not a valid regular expression.`);
      }
    }
    let updated: ConsumerGroupMember = {
      ...before,
      instanceId: req.instanceId ?? before.instanceId,
      rackId: req.rackId ?? before.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : before.rebalanceTimeoutMs,
      serverAssignor: req.serverAssignor ?? before.serverAssignor,
      subscribedTopicNames: req.subscribedTopicNames !== null ? sortedUnique(req.subscribedTopicNames) : before.subscribedTopicNames,
      subscribedTopicRegex: regexSource,
      clientId: client.clientId,
      clientHost: client.clientHost,
    };

    if (replaced !== null) this.#replaceMember(replaced, updated, records);
    let bump = false;
    if (isNew || replaced !== null || !sameMetadata(before, updated)) {
      records.push(memberMetadataRecord(this.groupId, memberId, updated));
      bump =
        isNew ||
        before.subscribedTopicRegex !== updated.subscribedTopicRegex ||
        before.subscribedTopicNames.length !== updated.subscribedTopicNames.length ||
        before.subscribedTopicNames.some((n, i) => n !== updated.subscribedTopicNames[i]) ||
        before.serverAssignor !== updated.serverAssignor;
    }
    this.#putMember(before, updated);
    if (isNew) this.env.logger.info(`group ${this.groupId}: member ${memberId} joins${updated.instanceId ? ` (static, instance id ${updated.instanceId})` : ''}`);

    // Topic changes (creation, deletion, new partitions) of what the group subscribes to also
    // call for a new assignment.
    const signature = this.#computeMetadataSignature();
    if (signature !== this.#metadataSignature) {
      this.#metadataSignature = signature;
      bump = true;
    }
    if (bump) {
      this.#groupEpoch++;
      records.push(groupEpochRecord(this.groupId, this.#groupEpoch));
      this.env.logger.info(`group ${this.groupId}: group epoch bumped to ${this.#groupEpoch}`);
    }
    if (this.#groupEpoch > this.#assignmentEpoch) this.#updateTargetAssignment(records);

    updated = this.#reconcile(this.#members.get(memberId)!, owned, records);
    this.#scheduleSessionTimeout(memberId);
    this.env.persist(this, records);

    // Full requests (a join, or one carrying every field after an error) always get the
    // assignment; others only when it changed.
    const full =
      joining ||
      (req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && req.topicPartitions !== null);
    const changed = !samePartitions(before.assigned, updated.assigned);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: updated.memberEpoch,
      heartbeatIntervalMs: this.env.settings.heartbeatIntervalMs,
      assignment: full || changed ? { topicPartitions: [...updated.assigned].map(([topicId, ps]) => ({ topicId, partitions: [...ps.keys()].sort((a, b) => a - b) })) } : null,
    };
  }

  /** Member epoch -1 (leave) or -2 (a static member leaving for now). */
  leave(memberId: string, instanceId: string | null, memberEpoch: number): ConsumerGroupHeartbeatResponse {
    const response: ConsumerGroupHeartbeatResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
    if (instanceId === null) {
      const member = this.#members.get(memberId);
      if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
      this.#fence(member, 'it left the group');
      return response;
    }
    const member = this.#staticMember(instanceId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Instance id ${instanceId} is unknown.`);
    if (member.memberId !== memberId) {
      throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`);
    }
    if (memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      this.#fence(member, `static member with instance id ${instanceId} left the group`);
      return response;
    }
    // Temporarily gone: it keeps its partitions (nobody else gets them) until its session ends.
    const leaving: ConsumerGroupMember = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: new Map() };
    this.#putMember(member, leaving);
    this.#cancelTimer(this.#rebalanceTimers, memberId);
    this.env.logger.info(`group ${this.groupId}: static member ${memberId} with instance id ${instanceId} left temporarily`);
    this.env.persist(this, [currentAssignmentRecord(this.groupId, memberId, leaving)]);
    return { ...response, memberId: member.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH };
  }

  // ---- offsets ----

  /**
   * Kafka 4.x's ConsumerGroup.validateOffsetCommit: an empty group takes commits with epoch -1
   * (admin tools, assign()); a member's commit must come with its epoch, or (KIP-1251) an older
   * epoch at which it already held each committed partition. Throws for whole-request errors;
   * returns the per-partition check.
   */
  validateOffsetCommit(memberId: string, memberEpoch: number, apiVersion: number): CommitPartitionCheck | null {
    if (this.#dead) throw new KafkaError('COORDINATOR_NOT_AVAILABLE');
    if (memberEpoch < 0 && this.#members.size === 0) return null;
    const member = this.#members.get(memberId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
    if (apiVersion < 9) throw new KafkaError('UNSUPPORTED_VERSION', 'OffsetCommit version 9 or above must be used by members using the consumer group protocol');
    if (memberEpoch === member.memberEpoch) return null;
    if (memberEpoch > member.memberEpoch) {
      throw new KafkaError('STALE_MEMBER_EPOCH', `Received member epoch ${memberEpoch} is newer than current member epoch ${member.memberEpoch}.`);
    }
    return (topic, partition) => {
      const t = this.env.topics.get(topic);
      const epoch = t === undefined ? undefined : (member.assigned.get(t.id)?.get(partition) ?? member.pendingRevocation.get(t.id)?.get(partition));
      if (epoch === undefined || memberEpoch < epoch) return ErrorCode.STALE_MEMBER_EPOCH;
      return ErrorCode.NONE;
    };
  }

  /** OffsetFetch v9+ from a member: it must be one, at its current epoch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.#members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return member.memberEpoch === memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  // ---- ConsumerGroupDescribe ----

  describe(): ConsumerGroupDescribeResponseDescribedGroup {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: this.groupId,
      groupState: this.state,
      groupEpoch: this.#groupEpoch,
      assignmentEpoch: this.#assignmentEpoch,
      assignorName: this.assignorName,
      members: [...this.#members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: { topicPartitions: this.#describePartitions(m.assigned) },
        targetAssignment: { topicPartitions: this.#describePartitions(this.#target.get(m.memberId) ?? NO_PARTITIONS) },
        memberType: 1, // a consumer-protocol member: classic members cannot join these groups (header)
      })),
      authorizedOperations: -2147483648,
    };
  }

  #describePartitions(a: ReadonlyMap<string, ReadonlySet<number> | ReadonlyMap<number, number>>): ConsumerGroupDescribeResponseTopicPartitions[] {
    const out: ConsumerGroupDescribeResponseTopicPartitions[] = [];
    for (const [topicId, ps] of a) {
      // Kafka leaves out topics that no longer exist.
      const topic = this.env.topics.getById(topicId);
      if (topic) out.push({ topicId, topicName: topic.name, partitions: [...ps.keys()].sort((x, y) => x - y) });
    }
    return out;
  }

  // ---- lifecycle ----

  /** Tombstones for every record of the group, in Kafka's order (DeleteGroups, cleanup). */
  deletionRecords(): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const id of this.#members.keys()) records.push(currentAssignmentRecord(this.groupId, id, null));
    for (const id of this.#members.keys()) records.push(targetAssignmentMemberRecord(this.groupId, id, null));
    records.push(targetAssignmentEpochRecord(this.groupId, null));
    for (const id of this.#members.keys()) records.push(memberMetadataRecord(this.groupId, id, null));
    records.push(groupEpochRecord(this.groupId, null));
    return records;
  }

  /** The records that make an empty group exist in the log (it replaced a classic one). */
  creationRecords(): CoordinatorRecord[] {
    return [groupEpochRecord(this.groupId, this.#groupEpoch)];
  }

  /** Marks the group Dead and stops its timers (deleted, or the coordinator is closing). */
  kill(_error?: number): void {
    this.#dead = true;
    for (const t of this.#sessionTimers.values()) this.env.clock.clearTimeout(t);
    for (const t of this.#rebalanceTimers.values()) this.env.clock.clearTimeout(t);
    this.#sessionTimers.clear();
    this.#rebalanceTimers.clear();
  }

  get isDead(): boolean {
    return this.#dead;
  }

  /** Live timers (tests check that nothing leaks). */
  get timerCount(): number {
    return this.#sessionTimers.size + this.#rebalanceTimers.size;
  }

  // ---- internals ----

  #staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const id = this.#staticMembers.get(instanceId);
    return id === undefined ? undefined : this.#members.get(id);
  }

  #throwIfFull(memberId: string, instanceId: string | null): void {
    const max = this.env.settings.maxSize;
    if (this.#members.size < max) return;
    if (memberId !== '' && this.#members.has(memberId)) return;
    if (instanceId !== null && this.#staticMembers.has(instanceId)) return;
    throw new KafkaError('GROUP_MAX_SIZE_REACHED', `The consumer group has reached its maximum capacity of ${max} members.`);
  }

  /** Kafka 4.x: epoch 0 always passes (a rejoin); a lost response's previous epoch is forgiven. */
  #throwIfEpochInvalid(member: ConsumerGroupMember, received: number, owned: OwnedPartitions): void {
    if (received === JOIN_GROUP_MEMBER_EPOCH) return;
    if (received > member.memberEpoch) {
      throw new KafkaError(
        'FENCED_MEMBER_EPOCH',
        `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
    if (received < member.memberEpoch && (received !== member.previousMemberEpoch || !isSubset(owned, member.assigned))) {
      throw new KafkaError(
        'FENCED_MEMBER_EPOCH',
        `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
  }

  #regexCache = new Map<string, RegExp | null>();

  #regex(source: string): RegExp | null {
    let re = this.#regexCache.get(source);
    if (re === undefined) {
      try {
        re = compileTopicRegex(source);
      } catch {
        re = null;
      }
      if (this.#regexCache.size > 64) this.#regexCache.clear();
      this.#regexCache.set(source, re);
    }
    return re;
  }

  /**
   * The existing topics a member subscribes to. A regex is matched against every topic, internal
   * ones included, as Kafka's refreshRegularExpressions scans the whole metadata image.
   */
  #subscribedTopics(m: MemberMetadata): Topic[] {
    const out = new Map<string, Topic>();
    for (const name of m.subscribedTopicNames) {
      const t = this.env.topics.get(name);
      if (t) out.set(t.name, t);
    }
    if (m.subscribedTopicRegex !== null) {
      const re = this.#regex(m.subscribedTopicRegex);
      if (re) for (const t of this.env.topics.all()) if (re.test(t.name)) out.set(t.name, t);
    }
    return [...out.values()];
  }

  #computeMetadataSignature(): string {
    const parts = new Set<string>();
    for (const m of this.#members.values()) for (const t of this.#subscribedTopics(m)) parts.add(`${t.name}\u0000${t.id}\u0000${t.partitions.length}`);
    return [...parts].sort().join('\u0001');
  }

  /** Stores a member's new version and keeps the partition epochs in step with it. */
  #putMember(before: ConsumerGroupMember | undefined, after: ConsumerGroupMember): void {
    if (before && this.#members.get(before.memberId) === before) this.#removePartitionEpochs(before);
    this.#members.set(after.memberId, after);
    if (after.instanceId !== null) this.#staticMembers.set(after.instanceId, after.memberId);
    this.#addPartitionEpochs(after);
  }

  #removePartitionEpochs(m: ConsumerGroupMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, ps] of a) {
        const epochs = this.#partitionEpochs.get(topicId);
        if (!epochs) continue;
        for (const p of ps.keys()) epochs.delete(p);
        if (epochs.size === 0) this.#partitionEpochs.delete(topicId);
      }
    }
  }

  #addPartitionEpochs(m: ConsumerGroupMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, ps] of a) {
        let epochs = this.#partitionEpochs.get(topicId);
        if (!epochs) this.#partitionEpochs.set(topicId, (epochs = new Map()));
        for (const p of ps.keys()) epochs.set(p, m.memberEpoch);
      }
    }
  }

  #partitionEpoch(topicId: string, partition: number): number {
    return this.#partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  /** A static member's new id takes over the departed one's target and partitions. */
  #replaceMember(old: ConsumerGroupMember, next: ConsumerGroupMember, records: CoordinatorRecord[]): void {
    this.#removePartitionEpochs(old);
    this.#members.delete(old.memberId);
    this.#cancelTimer(this.#sessionTimers, old.memberId);
    this.#cancelTimer(this.#rebalanceTimers, old.memberId);
    const target = this.#target.get(old.memberId) ?? new Map<string, Set<number>>();
    this.#target.delete(old.memberId);
    this.#target.set(next.memberId, target);
    if (old.memberId !== next.memberId) {
      records.push(currentAssignmentRecord(this.groupId, old.memberId, null));
      records.push(targetAssignmentMemberRecord(this.groupId, old.memberId, null));
      records.push(memberMetadataRecord(this.groupId, old.memberId, null));
    }
    records.push(targetAssignmentMemberRecord(this.groupId, next.memberId, target));
    records.push(currentAssignmentRecord(this.groupId, next.memberId, next));
    this.env.logger.info(`group ${this.groupId}: static member with instance id ${old.instanceId} rejoins as ${next.memberId}, replacing ${old.memberId}`);
  }

  /** Runs the assignor for the current group epoch and records each member's changed target. */
  #updateTargetAssignment(records: CoordinatorRecord[]): void {
    const assignorName = this.assignorName;
    const assignor = this.env.settings.assignors.get(assignorName)!;
    const topics = new Map<string, AssignorTopic>();
    const members: AssignorMember[] = [];
    for (const m of this.#members.values()) {
      const ids = new Set<string>();
      for (const t of this.#subscribedTopics(m)) {
        ids.add(t.id);
        topics.set(t.id, { id: t.id, name: t.name, numPartitions: t.partitions.length });
      }
      members.push({ memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, subscribedTopicIds: ids, currentAssignment: this.#target.get(m.memberId) ?? NO_PARTITIONS });
    }
    const result = assignor.assign({ members, topics });
    for (const m of this.#members.values()) {
      const next = result.get(m.memberId) ?? new Map<string, Set<number>>();
      const prev = this.#target.get(m.memberId);
      if (!prev || !samePartitions(prev, next)) records.push(targetAssignmentMemberRecord(this.groupId, m.memberId, next));
      this.#target.set(m.memberId, next);
    }
    this.#assignmentEpoch = this.#groupEpoch;
    records.push(targetAssignmentEpochRecord(this.groupId, this.#assignmentEpoch));
    this.env.logger.info(`group ${this.groupId}: new target assignment for epoch ${this.#assignmentEpoch} with the ${assignorName} assignor`);
  }

  #reconcile(member: ConsumerGroupMember, owned: OwnedPartitions, records: CoordinatorRecord[]): ConsumerGroupMember {
    if (isReconciledTo(member, this.#assignmentEpoch)) return member;
    const next = reconcile(member, this.#assignmentEpoch, this.#target.get(member.memberId) ?? NO_PARTITIONS, (t, p) => this.#partitionEpoch(t, p), owned);
    if (next === member || sameState(next, member)) return member;
    const updated: ConsumerGroupMember = { ...member, ...next };
    this.#putMember(member, updated);
    records.push(currentAssignmentRecord(this.groupId, updated.memberId, updated));
    if (updated.state === MemberState.UNREVOKED_PARTITIONS) this.#scheduleRebalanceTimeout(updated);
    else this.#cancelTimer(this.#rebalanceTimers, updated.memberId);
    return updated;
  }

  /** Removes a member for good and bumps the group epoch, so the others get its partitions. */
  #fence(member: ConsumerGroupMember, reason: string): void {
    if (this.#members.get(member.memberId) !== member) return;
    this.#removePartitionEpochs(member);
    this.#members.delete(member.memberId);
    this.#target.delete(member.memberId);
    if (member.instanceId !== null && this.#staticMembers.get(member.instanceId) === member.memberId) this.#staticMembers.delete(member.instanceId);
    this.#cancelTimer(this.#sessionTimers, member.memberId);
    this.#cancelTimer(this.#rebalanceTimers, member.memberId);
    this.#groupEpoch++;
    this.#metadataSignature = this.#computeMetadataSignature();
    if (this.#members.size === 0) this.#emptySinceMs = this.env.clock.now();
    this.env.logger.info(`group ${this.groupId}: member ${member.memberId} removed because ${reason}; group epoch ${this.#groupEpoch}`);
    this.env.persist(this, [
      currentAssignmentRecord(this.groupId, member.memberId, null),
      targetAssignmentMemberRecord(this.groupId, member.memberId, null),
      memberMetadataRecord(this.groupId, member.memberId, null),
      groupEpochRecord(this.groupId, this.#groupEpoch),
    ]);
  }

  #scheduleSessionTimeout(memberId: string): void {
    this.#cancelTimer(this.#sessionTimers, memberId);
    this.#sessionTimers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        this.#sessionTimers.delete(memberId);
        const m = this.#members.get(memberId);
        if (m && !this.#dead) this.#fence(m, 'its session expired');
      }, this.env.settings.sessionTimeoutMs),
    );
  }

  #scheduleRebalanceTimeout(member: ConsumerGroupMember): void {
    const { memberId, memberEpoch } = member;
    this.#cancelTimer(this.#rebalanceTimers, memberId);
    this.#rebalanceTimers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        this.#rebalanceTimers.delete(memberId);
        const m = this.#members.get(memberId);
        if (m && !this.#dead && m.memberEpoch === memberEpoch) this.#fence(m, `it did not revoke its partitions of epoch ${memberEpoch} within ${member.rebalanceTimeoutMs} ms`);
      }, Math.max(member.rebalanceTimeoutMs, 0)),
    );
  }

  #cancelTimer(timers: Map<string, TimerHandle>, memberId: string): void {
    const t = timers.get(memberId);
    if (t === undefined) return;
    this.env.clock.clearTimeout(t);
    timers.delete(memberId);
  }
}
