/**
 * The state of one consumer group (KIP-848) and the internals of its state machine, shared by
 * ConsumerGroup (consumer-group.ts: the requests) through one object: members, static members,
 * the target assignment and partition epochs, the epochs, the session and rebalance timers, and
 * what moves them (target computation, reconciliation, fencing). The state is derived, never set
 * (see consumer-group.ts for the states and epochs).
 */
import { KafkaError } from '../../../protocol/errors.js';
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
import { compileTopicRegex, isSubset, JOIN_GROUP_MEMBER_EPOCH } from './consumer-group-member.js';
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

/** What the state machine needs from the coordinator (ConsumerGroupEnv adds persisting records). */
export interface ConsumerGroupCoreEnv {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly topics: TopicRegistry;
  readonly settings: ConsumerGroupSettings;
}

/** Every per-member timer map of a group, so that removal and shutdown miss none. */
export function memberTimerMaps(g: ConsumerGroupCore): Map<string, TimerHandle>[] {
  return [g.sessionTimers, g.rebalanceTimers, g.classicJoinTimers, g.classicSyncTimers];
}

export interface HeartbeatClient {
  readonly clientId: string;
  readonly clientHost: string;
}

/** Per-partition check of an OffsetCommit: NONE or the partition's error code. */
export type CommitPartitionCheck = (topic: string, partition: number) => number;

export const NO_PARTITIONS: ReadonlyMap<string, ReadonlySet<number>> = new Map();

export class ConsumerGroupCore {
  // Kafka 4.4 starts a new group at group and target assignment epoch 1 (ModernGroup and its
  // TargetAssignmentMetadata.INITIAL), so that the first join makes it 2 and epoch 0 only ever
  // means "joining" on the wire; an upgraded classic group starts at its generation instead.
  groupEpoch = 1;
  assignmentEpoch = 1;
  dead = false;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** member id -> target partitions by topic id. */
  readonly target = new Map<string, Map<string, Set<number>>>();
  /** topic id -> partition -> epoch of the member holding it (assigned or pending revocation). */
  readonly partitionEpochs = new Map<string, Map<number, number>>();
  /** The subscribed topics' ids and partition counts when the group epoch was last set. */
  metadataSignature = '';
  readonly sessionTimers = new Map<string, TimerHandle>();
  readonly rebalanceTimers = new Map<string, TimerHandle>();
  /** Classic-protocol members: the deadline to rejoin once told to, and to sync after a join. */
  readonly classicJoinTimers = new Map<string, TimerHandle>();
  readonly classicSyncTimers = new Map<string, TimerHandle>();
  /** Called after a member is removed for good (the coordinator may then downgrade the group). */
  onMemberRemoved: (member: ConsumerGroupMember) => void = () => {};
  /** When the group was last found empty (offset expiry counts from there, as Kafka's). */
  emptySinceMs: number;
  regexCache = new Map<string, RegExp | null>();

  constructor(
    readonly groupId: string,
    readonly env: ConsumerGroupCoreEnv,
    /** Writes the records of one operation on the group (one batch). */
    readonly persist: (records: readonly CoordinatorRecord[]) => void,
  ) {
    this.emptySinceMs = env.clock.now();
  }

  // ---- queries ----
  get state(): ConsumerGroupStateName {
    if (this.dead) return ConsumerGroupState.DEAD;
    if (this.members.size === 0) return ConsumerGroupState.EMPTY;
    if (this.groupEpoch > this.assignmentEpoch) return ConsumerGroupState.ASSIGNING;
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return ConsumerGroupState.RECONCILING;
    return ConsumerGroupState.STABLE;
  }

  /** The assignor of the next target assignment: the one most members ask for, else the default. */
  get assignorName(): string {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
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
    for (const m of this.members.values()) for (const t of this.subscribedTopics(m)) names.add(t.name);
    return names;
  }

  // ---- internals ----
  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const id = this.staticMembers.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  throwIfFull(memberId: string, instanceId: string | null): void {
    const max = this.env.settings.maxSize;
    if (this.members.size < max) return;
    if (memberId !== '' && this.members.has(memberId)) return;
    if (instanceId !== null && this.staticMembers.has(instanceId)) return;
    throw new KafkaError('GROUP_MAX_SIZE_REACHED', `The consumer group has reached its maximum capacity of ${max} members.`);
  }

  /** Kafka 4.x: epoch 0 always passes (a rejoin); a lost response's previous epoch is forgiven. */
  throwIfEpochInvalid(member: ConsumerGroupMember, received: number, owned: OwnedPartitions): void {
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

  regex(source: string): RegExp | null {
    let re = this.regexCache.get(source);
    if (re === undefined) {
      try {
        re = compileTopicRegex(source);
      } catch {
        re = null;
      }
      if (this.regexCache.size > 64) this.regexCache.clear();
      this.regexCache.set(source, re);
    }
    return re;
  }

  /**
   * The existing topics a member subscribes to. A regex is matched against every topic, internal
   * ones included, as Kafka's refreshRegularExpressions scans the whole metadata image.
   */
  subscribedTopics(m: MemberMetadata): Topic[] {
    const out = new Map<string, Topic>();
    for (const name of m.subscribedTopicNames) {
      const t = this.env.topics.get(name);
      if (t) out.set(t.name, t);
    }
    if (m.subscribedTopicRegex !== null) {
      const re = this.regex(m.subscribedTopicRegex);
      if (re) for (const t of this.env.topics.all()) if (re.test(t.name)) out.set(t.name, t);
    }
    return [...out.values()];
  }

  computeMetadataSignature(): string {
    const parts = new Set<string>();
    for (const m of this.members.values()) for (const t of this.subscribedTopics(m)) parts.add(`${t.name}\u0000${t.id}\u0000${t.partitions.length}`);
    return [...parts].sort().join('\u0001');
  }

  /** Stores a member's new version and keeps the partition epochs in step with it. */
  putMember(before: ConsumerGroupMember | undefined, after: ConsumerGroupMember): void {
    if (before && this.members.get(before.memberId) === before) this.removePartitionEpochs(before);
    this.members.set(after.memberId, after);
    if (after.instanceId !== null) this.staticMembers.set(after.instanceId, after.memberId);
    this.addPartitionEpochs(after);
  }

  removePartitionEpochs(m: ConsumerGroupMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, ps] of a) {
        const epochs = this.partitionEpochs.get(topicId);
        if (!epochs) continue;
        for (const p of ps.keys()) epochs.delete(p);
        if (epochs.size === 0) this.partitionEpochs.delete(topicId);
      }
    }
  }

  addPartitionEpochs(m: ConsumerGroupMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [topicId, ps] of a) {
        let epochs = this.partitionEpochs.get(topicId);
        if (!epochs) this.partitionEpochs.set(topicId, (epochs = new Map()));
        for (const p of ps.keys()) epochs.set(p, m.memberEpoch);
      }
    }
  }

  partitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  /** A static member's new id takes over the departed one's target and partitions. */
  replaceMember(old: ConsumerGroupMember, next: ConsumerGroupMember, records: CoordinatorRecord[]): void {
    this.removePartitionEpochs(old);
    this.members.delete(old.memberId);
    for (const timers of memberTimerMaps(this)) this.cancelTimer(timers, old.memberId);
    const target = this.target.get(old.memberId) ?? new Map<string, Set<number>>();
    this.target.delete(old.memberId);
    this.target.set(next.memberId, target);
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
  updateTargetAssignment(records: CoordinatorRecord[]): void {
    const assignorName = this.assignorName;
    const assignor = this.env.settings.assignors.get(assignorName)!;
    const topics = new Map<string, AssignorTopic>();
    const members: AssignorMember[] = [];
    for (const m of this.members.values()) {
      const ids = new Set<string>();
      for (const t of this.subscribedTopics(m)) {
        ids.add(t.id);
        topics.set(t.id, { id: t.id, name: t.name, numPartitions: t.partitions.length });
      }
      members.push({ memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, subscribedTopicIds: ids, currentAssignment: this.target.get(m.memberId) ?? NO_PARTITIONS });
    }
    const result = assignor.assign({ members, topics });
    for (const m of this.members.values()) {
      const next = result.get(m.memberId) ?? new Map<string, Set<number>>();
      const prev = this.target.get(m.memberId);
      if (!prev || !samePartitions(prev, next)) records.push(targetAssignmentMemberRecord(this.groupId, m.memberId, next));
      this.target.set(m.memberId, next);
    }
    this.assignmentEpoch = this.groupEpoch;
    records.push(targetAssignmentEpochRecord(this.groupId, this.assignmentEpoch));
    this.env.logger.info(`group ${this.groupId}: new target assignment for epoch ${this.assignmentEpoch} with the ${assignorName} assignor`);
  }

  reconcile(member: ConsumerGroupMember, owned: OwnedPartitions, records: CoordinatorRecord[]): ConsumerGroupMember {
    if (isReconciledTo(member, this.assignmentEpoch)) return member;
    const next = reconcile(member, this.assignmentEpoch, this.target.get(member.memberId) ?? NO_PARTITIONS, (t, p) => this.partitionEpoch(t, p), owned);
    if (next === member || sameState(next, member)) return member;
    const updated: ConsumerGroupMember = { ...member, ...next };
    this.putMember(member, updated);
    records.push(currentAssignmentRecord(this.groupId, updated.memberId, updated));
    if (updated.state === MemberState.UNREVOKED_PARTITIONS) this.scheduleRebalanceTimeout(updated);
    else this.cancelTimer(this.rebalanceTimers, updated.memberId);
    return updated;
  }

  /** Removes a member for good and bumps the group epoch, so the others get its partitions. */
  fence(member: ConsumerGroupMember, reason: string): void {
    if (this.members.get(member.memberId) !== member) return;
    this.removePartitionEpochs(member);
    this.members.delete(member.memberId);
    this.target.delete(member.memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === member.memberId) this.staticMembers.delete(member.instanceId);
    for (const timers of memberTimerMaps(this)) this.cancelTimer(timers, member.memberId);
    this.groupEpoch++;
    this.metadataSignature = this.computeMetadataSignature();
    if (this.members.size === 0) this.emptySinceMs = this.env.clock.now();
    this.env.logger.info(`group ${this.groupId}: member ${member.memberId} removed because ${reason}; group epoch ${this.groupEpoch}`);
    const records = [
      currentAssignmentRecord(this.groupId, member.memberId, null),
      targetAssignmentMemberRecord(this.groupId, member.memberId, null),
      memberMetadataRecord(this.groupId, member.memberId, null),
      groupEpochRecord(this.groupId, this.groupEpoch),
    ];
    // Kafka 4.4: when the last member goes, the (empty) target assignment is at the new group
    // epoch at once, so an Empty group describes the same group and target assignment epochs.
    if (this.members.size === 0) {
      this.assignmentEpoch = this.groupEpoch;
      records.push(targetAssignmentEpochRecord(this.groupId, this.assignmentEpoch));
    }
    this.persist(records);
    this.onMemberRemoved(member);
  }

  /** A classic-protocol member keeps the session timeout of its JoinGroup; the others the group's. */
  scheduleSessionTimeout(memberId: string): void {
    const ms = this.members.get(memberId)?.classic?.sessionTimeoutMs ?? this.env.settings.sessionTimeoutMs;
    this.armTimer(this.sessionTimers, memberId, ms, (m) => this.fence(m, 'its session expired'));
  }

  scheduleRebalanceTimeout(member: ConsumerGroupMember): void {
    const { memberId, memberEpoch } = member;
    this.armTimer(this.rebalanceTimers, memberId, Math.max(member.rebalanceTimeoutMs, 0), (m) => {
      if (m.memberEpoch === memberEpoch) this.fence(m, `it did not revoke its partitions of epoch ${memberEpoch} within ${member.rebalanceTimeoutMs} ms`);
    });
  }

  /** (Re)arms a member's timer; when it fires on a live group whose member is still there, `fire` decides. */
  armTimer(timers: Map<string, TimerHandle>, memberId: string, ms: number, fire: (m: ConsumerGroupMember) => void): void {
    this.cancelTimer(timers, memberId);
    timers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        timers.delete(memberId);
        const m = this.members.get(memberId);
        if (m && !this.dead) fire(m);
      }, ms),
    );
  }

  cancelTimer(timers: Map<string, TimerHandle>, memberId: string): void {
    const t = timers.get(memberId);
    if (t === undefined) return;
    this.env.clock.clearTimeout(t);
    timers.delete(memberId);
  }
}
