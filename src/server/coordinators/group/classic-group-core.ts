/**
 * The state of one classic group and the lowest layer of its state machine, shared by the files
 * that make up ClassicGroup (classic-group.ts: the requests; classic-group-rebalance.ts: the
 * rebalance phases): the members and their parked requests, the state and its transitions, the
 * session, join-phase and sync-phase timers, protocol selection. One object, so that the request
 * handlers and the rebalance machinery see the same fields without exposing them on ClassicGroup.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { Reader } from '../../../protocol/reader.js';
import { defaultJoinGroupResponse } from '../../../protocol/messages/join-group.js';
import { defaultSyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { JoinGroupResponse, JoinGroupResponseMember } from '../../../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import { readConsumerProtocolSubscription } from '../../../protocol/messages/consumer-protocol-subscription.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import { ClassicGroupState, VALID_PREVIOUS } from './classic-group-states.js';
import type { ClassicGroupStateName } from './classic-group-states.js';
import { ClassicGroupMember } from './classic-group-member.js';
import type { JoinCallback, MemberProtocol } from './classic-group-member.js';

const S = ClassicGroupState;

/** The protocol type of Kafka's Java consumer (ConsumerProtocol.PROTOCOL_TYPE). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** What the state machine needs from the coordinator (ClassicGroupEnv adds the metadata record). */
export interface ClassicGroupCoreEnv {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly initialRebalanceDelayMs: number;
  /** How long a new member's parked JoinGroup may wait (Kafka: 5 minutes, not configurable). */
  readonly newMemberJoinTimeoutMs: number;
}

export class ClassicGroupCore {
  state: ClassicGroupStateName = S.EMPTY;
  previousState: ClassicGroupStateName = S.EMPTY;
  stateTimestamp: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Topics the members subscribe to, when they use the consumer protocol and it parses. */
  subscribedTopics: ReadonlySet<string> | null = null;
  /** Insertion order: the oldest member becomes leader when the leader leaves. */
  readonly members = new Map<string, ClassicGroupMember>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used to join. */
  readonly pendingJoin = new Set<string>();
  /** Members that got their join response and have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** A new member joined during the initial rebalance delay, which then extends. */
  newMemberAdded = false;
  readonly heartbeatTimers = new Map<string, TimerHandle>();
  joinTimer: TimerHandle | null = null;
  syncTimer: TimerHandle | null = null;
  /** What a session timer calls when it runs out (the rebalance layer's expireHeartbeat). */
  onSessionExpired: (memberId: string) => void = () => {};

  constructor(
    readonly groupId: string,
    readonly env: ClassicGroupCoreEnv,
    /** Writes the group's metadata record with these assignments (empty map for no members). */
    readonly persist: (assignments: ReadonlyMap<string, Buffer>) => void,
  ) {
    this.stateTimestamp = env.clock.now();
  }

  is(state: ClassicGroupStateName): boolean {
    return this.state === state;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** The largest rebalance timeout of the members: how long the join and sync phases may take. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingJoin.size > 0) return false;
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  // ---- membership checks ----
  /** UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or NONE, as Kafka's validateMember. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) {
        this.env.logger.info(`group ${this.groupId}: member ${memberId} with instance id ${groupInstanceId} is fenced by ${existing}`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * An empty group takes any non-empty protocol type and list; otherwise the type must match and
   * at least one of the protocols must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.is(S.EMPTY)) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const counts = this.protocolCounts();
    return protocols.some((p) => counts.get(p.name) === this.members.size);
  }

  currentGenerationResponse(memberId: string, withMembers: boolean): JoinGroupResponse {
    return {
      ...defaultJoinGroupResponse(),
      members: withMembers ? this.joinResponseMembers() : [],
      memberId,
      generationId: this.generationId,
      protocolName: this.protocolName,
      protocolType: this.protocolType,
      leader: this.leaderId ?? '',
    };
  }

  joinResponseMembers(): JoinGroupResponseMember[] {
    const out: JoinGroupResponseMember[] = [];
    for (const m of this.members.values()) {
      out.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName) });
    }
    return out;
  }

  protocolCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      for (const name of new Set(m.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /** Each member votes for its most preferred protocol among those all support; most votes wins. */
  selectProtocol(): string | null {
    const counts = this.protocolCounts();
    const candidates = new Set<string>();
    for (const [name, n] of counts) if (n === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      if (choice !== null) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        // Version 0 is the prefix of every version of the consumer protocol, so reading it works
        // for versions not invented yet, as Kafka does.
        const r = new Reader(m.metadata(this.protocolName));
        r.int16();
        for (const t of readConsumerProtocolSubscription(r, 0).topics) topics.add(t);
      }
    } catch {
      this.env.logger.warn(`group ${this.groupId}: cannot parse the consumer protocol subscriptions of ${this.protocolName}; subscribed topics unknown`);
      return null;
    }
    return topics;
  }

  assignments(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const m of this.members.values()) out.set(m.memberId, m.assignment);
    return out;
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSync.delete(memberId);
    if (this.pendingSync.size === 0 || !(this.is(S.COMPLETING_REBALANCE) || this.is(S.STABLE))) {
      if (this.syncTimer) this.env.clock.clearTimeout(this.syncTimer);
      this.syncTimer = null;
    }
  }

  clearSyncDeadline(): void {
    this.pendingSync.clear();
    if (this.syncTimer) this.env.clock.clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  /** Answers every parked SyncGroup with the member's assignment (or the error). */
  propagateAssignment(error: number): void {
    const ok = error === ErrorCode.NONE;
    for (const m of this.members.values()) {
      const reply = m.awaitingSync;
      if (reply === null) continue;
      m.awaitingSync = null;
      reply({
        ...defaultSyncGroupResponse(),
        errorCode: error,
        protocolType: ok ? this.protocolType : null,
        protocolName: ok ? this.protocolName : null,
        assignment: m.assignment,
      });
      // A session that ran out while the member waited for the leader was ignored (it was
      // parked): start counting again from now.
      this.scheduleMemberHeartbeat(m);
    }
  }

  // ---- sessions ----
  scheduleMemberHeartbeat(member: ClassicGroupMember): void {
    this.scheduleHeartbeatExpiry(member.memberId, member.sessionTimeoutMs);
  }

  scheduleHeartbeatExpiry(memberId: string, timeoutMs: number): void {
    this.cancelHeartbeat(memberId);
    this.heartbeatTimers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        this.heartbeatTimers.delete(memberId);
        this.onSessionExpired(memberId);
      }, timeoutMs),
    );
  }

  cancelHeartbeat(memberId: string): void {
    const t = this.heartbeatTimers.get(memberId);
    if (t === undefined) return;
    this.env.clock.clearTimeout(t);
    this.heartbeatTimers.delete(memberId);
  }

  // ---- members ----
  add(member: ClassicGroupMember, reply: JoinCallback | null): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    member.awaitingJoin = reply;
    this.pendingJoin.delete(member.memberId);
  }

  remove(memberId: string): void {
    const removed = this.members.get(memberId);
    if (removed) {
      this.members.delete(memberId);
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoin.delete(memberId);
    this.pendingSync.delete(memberId);
  }

  updateMember(member: ClassicGroupMember, protocols: readonly MemberProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, reply: JoinCallback | null): void {
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    // A second JoinGroup from the same member replaces the first parked one, as in Kafka, which
    // then never answers the first; here it is answered, since an unanswered request would hold
    // back every later response on its connection.
    this.completeJoin(member, { ...joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS), protocolName: null });
    member.awaitingJoin = reply;
  }

  /** The old member id is fenced: its parked join or sync is answered FENCED_INSTANCE_ID. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.members.get(oldMemberId)!;
    this.members.delete(oldMemberId);
    this.completeJoin(old, { ...defaultJoinGroupResponse(), memberId: oldMemberId, protocolName: null, errorCode: ErrorCode.FENCED_INSTANCE_ID });
    if (old.awaitingSync) {
      const reply = old.awaitingSync;
      old.awaitingSync = null;
      reply(syncError(ErrorCode.FENCED_INSTANCE_ID));
    }
    this.cancelHeartbeat(oldMemberId);
    const member = new ClassicGroupMember(newMemberId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs, old.sessionTimeoutMs, old.protocolType, old.protocols, old.assignment);
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    // Kafka keeps the pending-sync entry of the old id; the new id owes the sync instead.
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    return member;
  }

  completeJoin(member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const reply = member.awaitingJoin;
    if (reply === null) return false;
    member.awaitingJoin = null;
    reply(response);
    return true;
  }

  transitionTo(state: ClassicGroupStateName): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition from ${this.state} to ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.stateTimestamp = this.env.clock.now();
  }

  setJoinTimer(ms: number, fn: () => void): void {
    this.clearJoinTimer();
    this.joinTimer = this.env.clock.setTimeout(() => {
      this.joinTimer = null;
      fn();
    }, ms);
  }

  clearJoinTimer(): void {
    if (this.joinTimer) this.env.clock.clearTimeout(this.joinTimer);
    this.joinTimer = null;
  }
}

export function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return { ...defaultJoinGroupResponse(), memberId, errorCode };
}

export function syncError(errorCode: number): SyncGroupResponse {
  return { ...defaultSyncGroupResponse(), errorCode };
}
