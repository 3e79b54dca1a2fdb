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
 * This file is the requests; the state they share and the internals that move it (target
 * computation, reconciliation, fencing, timers): consumer-group-core.ts.
 *
 * Deviations from Kafka:
 * - regular expressions are resolved synchronously on each heartbeat (Kafka resolves them in the
 *   background and bumps the epoch when the result changes); the pattern is RE2/J syntax compiled
 *   as a JavaScript RegExp, anchored at both ends (RE2/J `matches()`): see compileTopicRegex;
 * - the subscribed topics' metadata is compared on every heartbeat (Kafka compares on metadata
 *   image changes and every group.consumer.metadata.refresh... interval), so a topic change is
 *   seen by the first heartbeat after it;
 * Classic-protocol members (JoinGroup/SyncGroup) may be members too, after an online upgrade or
 * by joining a non-empty consumer group: consumer-group-classic.ts; the conversions between the
 * two group types: group-migration.ts.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { randomUuid } from '../../../protocol/uuid.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/consumer-group-heartbeat.js';
import type { ConsumerGroupDescribeResponseDescribedGroup, ConsumerGroupDescribeResponseTopicPartitions } from '../../../protocol/messages/consumer-group-describe.js';
import { samePartitions } from './consumer-reconcile.js';
import * as rec from './consumer-group-records.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import { freshMember, JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, sameMetadata, sortedUnique } from './consumer-group-member.js';
import type { ConsumerGroupMember } from './consumer-group-member.js';
import { ConsumerGroupCore, ConsumerGroupState, memberTimerMaps, NO_PARTITIONS } from './consumer-group-core.js';
import type { CommitPartitionCheck, ConsumerGroupCoreEnv, ConsumerGroupStateName, HeartbeatClient } from './consumer-group-core.js';

import { classicHeartbeat, classicJoin, classicLeave, classicSync } from './consumer-group-classic.js';
import type { ClientInfo, JoinRequest, LeaveMember, LeaveMemberResult, SyncRequest } from './classic-group-member.js';
import type { JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../../../protocol/messages/sync-group.js';

export { ConsumerGroupState } from './consumer-group-core.js';
export type { CommitPartitionCheck, ConsumerGroupSettings, ConsumerGroupStateName, HeartbeatClient } from './consumer-group-core.js';

export interface ConsumerGroupEnv extends ConsumerGroupCoreEnv {
  /** Writes the records of one operation on the group (one batch). */
  persist(group: ConsumerGroup, records: readonly CoordinatorRecord[]): void;
}


export class ConsumerGroup {
  readonly type = 'consumer' as const;
  /** ListGroups and OffsetDelete see consumer groups as groups of the "consumer" protocol type. */
  readonly protocolType = 'consumer';
  /** The group's state, shared with its internals (consumer-group-core.ts). */
  readonly #g: ConsumerGroupCore;
  readonly #env: ConsumerGroupEnv;

  constructor(
    readonly groupId: string,
    env: ConsumerGroupEnv,
  ) {
    this.#env = env;
    this.#g = new ConsumerGroupCore(groupId, env, (records) => env.persist(this, records));
  }

  // ---- queries ----

  get state(): ConsumerGroupStateName {
    return this.#g.state;
  }

  /** The assignor of the next target assignment: the one most members ask for, else the default. */
  get assignorName(): string {
    return this.#g.assignorName;
  }

  /** Topics some member subscribes to, by name or through its regex. */
  subscribedTopicNames(): Set<string> {
    return this.#g.subscribedTopicNames();
  }

  is(state: string): boolean {
    return this.state === state;
  }

  get isEmpty(): boolean {
    return this.state === ConsumerGroupState.EMPTY;
  }

  get groupEpoch(): number {
    return this.#g.groupEpoch;
  }

  get assignmentEpoch(): number {
    return this.#g.assignmentEpoch;
  }

  get size(): number {
    return this.#g.members.size;
  }

  get members(): IterableIterator<ConsumerGroupMember> {
    return this.#g.members.values();
  }

  member(memberId: string): ConsumerGroupMember | undefined {
    return this.#g.members.get(memberId);
  }

  staticMemberId(instanceId: string): string | undefined {
    return this.#g.staticMembers.get(instanceId);
  }

  targetAssignment(memberId: string): ReadonlyMap<string, ReadonlySet<number>> {
    return this.#g.target.get(memberId) ?? NO_PARTITIONS;
  }

  /** When the group became empty, for offset expiry; the current time while it has members. */
  get emptySinceMs(): number {
    return this.#g.members.size > 0 ? this.#g.env.clock.now() : this.#g.emptySinceMs;
  }

  isSubscribedToTopic(topic: string): boolean {
    for (const m of this.#g.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      if (m.subscribedTopicRegex !== null && this.#g.regex(m.subscribedTopicRegex)?.test(topic)) return true;
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
    this.#g.throwIfFull(req.memberId, req.instanceId);
    const memberId = req.memberId !== '' ? req.memberId : randomUuid();
    const owned = req.topicPartitions;

    // The member as it stands before this request (a fresh one when it joins).
    let before: ConsumerGroupMember;
    let replaced: ConsumerGroupMember | null = null;
    let isNew = false;
    if (req.instanceId === null) {
      const existing = this.#g.members.get(memberId);
      if (!existing) {
        if (!joining) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
        before = freshMember(memberId);
        isNew = true;
      } else {
        this.#g.throwIfEpochInvalid(existing, req.memberEpoch, owned);
        before = existing;
      }
    } else {
      const existing = this.#g.staticMember(req.instanceId);
      if (joining) {
        if (!existing) {
          const sameId = this.#g.members.get(memberId);
          before = sameId ?? freshMember(memberId);
          isNew = sameId === undefined;
        } else {
          if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
            this.#g.env.logger.info(`group ${this.groupId}: static member ${memberId} with instance id ${req.instanceId} cannot join: the instance id is owned by ${existing.memberId}`);
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
        this.#g.throwIfEpochInvalid(existing, req.memberEpoch, owned);
        before = existing;
      }
    }

    let regexSource = before.subscribedTopicRegex;
    if (req.subscribedTopicRegex !== null) {
      // An empty regex clears it: a client that moves from a pattern to topic names sends "".
      regexSource = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
      if (regexSource !== null && this.#g.regex(regexSource) === null) {
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
      // A member that spoke the classic protocol and now heartbeats is a consumer-protocol member.
      classic: null,
    };

    if (replaced !== null) this.#g.replaceMember(replaced, updated, records);
    let bump = false;
    if (isNew || replaced !== null || !sameMetadata(before, updated)) {
      records.push(rec.memberMetadataRecord(this.groupId, memberId, updated));
      bump =
        isNew ||
        before.subscribedTopicRegex !== updated.subscribedTopicRegex ||
        before.subscribedTopicNames.length !== updated.subscribedTopicNames.length ||
        before.subscribedTopicNames.some((n, i) => n !== updated.subscribedTopicNames[i]) ||
        before.serverAssignor !== updated.serverAssignor;
    }
    this.#g.putMember(before, updated);
    if (isNew) this.#g.env.logger.info(`group ${this.groupId}: member ${memberId} joins${updated.instanceId ? ` (static, instance id ${updated.instanceId})` : ''}`);

    // Topic changes (creation, deletion, new partitions) of what the group subscribes to also
    // call for a new assignment.
    const signature = this.#g.computeMetadataSignature();
    if (signature !== this.#g.metadataSignature) {
      this.#g.metadataSignature = signature;
      bump = true;
    }
    if (bump) {
      this.#g.groupEpoch++;
      records.push(rec.groupEpochRecord(this.groupId, this.#g.groupEpoch));
      this.#g.env.logger.info(`group ${this.groupId}: group epoch bumped to ${this.#g.groupEpoch}`);
    }
    if (this.#g.groupEpoch > this.#g.assignmentEpoch) this.#g.updateTargetAssignment(records);

    updated = this.#g.reconcile(this.#g.members.get(memberId)!, owned, records);
    this.#g.scheduleSessionTimeout(memberId);
    this.#env.persist(this, records);

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
      heartbeatIntervalMs: this.#g.env.settings.heartbeatIntervalMs,
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
      const member = this.#g.members.get(memberId);
      if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
      this.#g.fence(member, 'it left the group');
      return response;
    }
    const member = this.#g.staticMember(instanceId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Instance id ${instanceId} is unknown.`);
    if (member.memberId !== memberId) {
      throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`);
    }
    if (memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      this.#g.fence(member, `static member with instance id ${instanceId} left the group`);
      return response;
    }
    // Temporarily gone: it keeps its partitions (nobody else gets them) until its session ends.
    const leaving: ConsumerGroupMember = { ...member, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: new Map() };
    this.#g.putMember(member, leaving);
    this.#g.cancelTimer(this.#g.rebalanceTimers, memberId);
    this.#g.env.logger.info(`group ${this.groupId}: static member ${memberId} with instance id ${instanceId} left temporarily`);
    this.#env.persist(this, [rec.currentAssignmentRecord(this.groupId, memberId, leaving)]);
    return { ...response, memberId: member.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH };
  }

  // ---- classic-protocol members (consumer-group-classic.ts) ----
  classicJoin(req: JoinRequest, client: ClientInfo): JoinGroupResponse {
    return classicJoin(this.#g, req, client, (records) => this.#env.persist(this, records));
  }

  classicSync(req: SyncRequest): SyncGroupResponse {
    return classicSync(this.#g, req);
  }

  classicHeartbeat(memberId: string, instanceId: string | null, generationId: number): number {
    return classicHeartbeat(this.#g, memberId, instanceId, generationId);
  }

  classicLeave(members: readonly LeaveMember[]): LeaveMemberResult[] {
    return classicLeave(this.#g, members);
  }

  /** Called after a member is removed for good (left, fenced, timed out). */
  set onMemberRemoved(fn: (member: ConsumerGroupMember) => void) {
    this.#g.onMemberRemoved = fn;
  }

  /**
   * Takes in the members of a classic group being upgraded (group-migration.ts), all Stable at
   * `epoch` with their last assignment as their target, and returns the records that create the
   * group in Kafka's order. Their sessions start now, with their classic session timeouts.
   */
  adoptMembers(members: readonly ConsumerGroupMember[], epoch: number): CoordinatorRecord[] {
    const g = this.#g;
    g.groupEpoch = epoch;
    g.assignmentEpoch = epoch;
    for (const m of members) {
      const target = new Map<string, Set<number>>();
      for (const [topicId, ps] of m.assigned) target.set(topicId, new Set(ps.keys()));
      g.target.set(m.memberId, target);
      g.putMember(undefined, m);
    }
    g.metadataSignature = g.computeMetadataSignature();
    for (const m of members) g.scheduleSessionTimeout(m.memberId);
    return [
      ...members.map((m) => rec.memberMetadataRecord(this.groupId, m.memberId, m)),
      rec.groupEpochRecord(this.groupId, epoch),
      ...members.map((m) => rec.targetAssignmentMemberRecord(this.groupId, m.memberId, g.target.get(m.memberId)!)),
      rec.targetAssignmentEpochRecord(this.groupId, epoch),
      ...members.map((m) => rec.currentAssignmentRecord(this.groupId, m.memberId, m)),
    ];
  }

  // ---- offsets ----
  /**
   * Kafka 4.x's ConsumerGroup.validateOffsetCommit: an empty group takes commits with epoch -1
   * (admin tools, assign()); a member's commit must come with its epoch, or (KIP-1251) an older
   * epoch at which it already held each committed partition. Throws for whole-request errors;
   * returns the per-partition check.
   */
  validateOffsetCommit(memberId: string, memberEpoch: number, apiVersion: number): CommitPartitionCheck | null {
    if (this.#g.dead) throw new KafkaError('COORDINATOR_NOT_AVAILABLE');
    if (memberEpoch < 0 && this.#g.members.size === 0) return null;
    const member = this.#g.members.get(memberId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${this.groupId}.`);
    if (member.classic !== null) {
      // A classic member commits with its generation, which is its member epoch, at any version.
      if (memberEpoch !== member.memberEpoch) {
        throw new KafkaError('ILLEGAL_GENERATION', `The received generation id ${memberEpoch} does not match the expected member epoch ${member.memberEpoch}.`);
      }
      return null;
    }
    if (apiVersion < 9) throw new KafkaError('UNSUPPORTED_VERSION', 'OffsetCommit version 9 or above must be used by members using the consumer group protocol');
    if (memberEpoch === member.memberEpoch) return null;
    if (memberEpoch > member.memberEpoch) {
      throw new KafkaError('STALE_MEMBER_EPOCH', `Received member epoch ${memberEpoch} is newer than current member epoch ${member.memberEpoch}.`);
    }
    return (topic, partition) => {
      const t = this.#g.env.topics.get(topic);
      const epoch = t === undefined ? undefined : (member.assigned.get(t.id)?.get(partition) ?? member.pendingRevocation.get(t.id)?.get(partition));
      if (epoch === undefined || memberEpoch < epoch) return ErrorCode.STALE_MEMBER_EPOCH;
      return ErrorCode.NONE;
    };
  }

  /** OffsetFetch v9+ from a member: it must be one, at its current epoch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const member = memberId === null ? undefined : this.#g.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (member.memberEpoch === memberEpoch) return ErrorCode.NONE;
    return member.classic !== null ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
  }

  // ---- ConsumerGroupDescribe ----
  describe(): ConsumerGroupDescribeResponseDescribedGroup {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: this.groupId,
      groupState: this.state,
      groupEpoch: this.#g.groupEpoch,
      assignmentEpoch: this.#g.assignmentEpoch,
      assignorName: this.assignorName,
      members: [...this.#g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: { topicPartitions: this.#describePartitions(m.assigned) },
        targetAssignment: { topicPartitions: this.#describePartitions(this.#g.target.get(m.memberId) ?? NO_PARTITIONS) },
        memberType: m.classic !== null ? 0 : 1, // Kafka's MemberType: 0 classic protocol, 1 consumer protocol
      })),
      authorizedOperations: -2147483648,
    };
  }

  #describePartitions(a: ReadonlyMap<string, ReadonlySet<number> | ReadonlyMap<number, number>>): ConsumerGroupDescribeResponseTopicPartitions[] {
    const out: ConsumerGroupDescribeResponseTopicPartitions[] = [];
    for (const [topicId, ps] of a) {
      // Kafka leaves out topics that no longer exist.
      const topic = this.#g.env.topics.getById(topicId);
      if (topic) out.push({ topicId, topicName: topic.name, partitions: [...ps.keys()].sort((x, y) => x - y) });
    }
    return out;
  }

  // ---- lifecycle ----
  /** Tombstones for every record of the group, in Kafka's order (DeleteGroups, cleanup). */
  deletionRecords(): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = [];
    for (const id of this.#g.members.keys()) records.push(rec.currentAssignmentRecord(this.groupId, id, null));
    for (const id of this.#g.members.keys()) records.push(rec.targetAssignmentMemberRecord(this.groupId, id, null));
    records.push(rec.targetAssignmentEpochRecord(this.groupId, null));
    for (const id of this.#g.members.keys()) records.push(rec.memberMetadataRecord(this.groupId, id, null));
    records.push(rec.groupEpochRecord(this.groupId, null));
    return records;
  }

  /** The records that make an empty group exist in the log (it replaced a classic one). */
  creationRecords(): CoordinatorRecord[] {
    return [rec.groupEpochRecord(this.groupId, this.#g.groupEpoch)];
  }

  /** Marks the group Dead and stops its timers (deleted, or the coordinator is closing). */
  kill(_error?: number): void {
    this.#g.dead = true;
    for (const timers of memberTimerMaps(this.#g)) {
      for (const t of timers.values()) this.#g.env.clock.clearTimeout(t);
      timers.clear();
    }
  }

  get isDead(): boolean {
    return this.#g.dead;
  }

  /** Live timers (tests check that nothing leaks). */
  get timerCount(): number {
    return memberTimerMaps(this.#g).reduce((n, timers) => n + timers.size, 0);
  }
}
