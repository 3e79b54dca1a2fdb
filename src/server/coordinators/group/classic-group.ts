/**
 * One group of the classic rebalance protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup),
 * with the behaviour of Kafka's ClassicGroup and the classic half of its GroupMetadataManager.
 *
 * The group owns its members, its state and its timers (member sessions, the join phase, the sync
 * phase), all on the injected Clock. Requests that must wait (a JoinGroup until everyone has
 * rejoined, a follower's SyncGroup until the leader has sent the assignment) get a promise whose
 * resolver is kept on the member and called by the state machine: nothing polls.
 *
 * This file is the requests; the state they share and its lowest layer (members, timers,
 * transitions): classic-group-core.ts; the rebalance phases: classic-group-rebalance.ts. States
 * and what each answers: classic-group-states.ts. The members and the request shapes the state
 * machine acts on: classic-group-member.ts.
 *
 * Deviations from Kafka:
 * - group.max.size is not enforced (Kafka's default is unlimited too);
 * - the leader picked when the leader leaves is the oldest remaining member (Kafka: HashMap order);
 * - a second JoinGroup (or SyncGroup) from a member whose first one is still parked answers the
 *   first with REBALANCE_IN_PROGRESS; Kafka drops it unanswered, which here would stall every later
 *   response on that connection (responses go out in request order);
 * - a static member replaced while it owed a SyncGroup passes that debt to its new member id, so
 *   the sync deadline does not rebalance the group for an id that no longer exists (Kafka keeps
 *   the old id pending).
 */
import { randomUuidText } from '../../../protocol/uuid.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { defaultSyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import { ClassicGroupState } from './classic-group-states.js';
import type { ClassicGroupStateName } from './classic-group-states.js';
import { ClassicGroupMember, EMPTY_ASSIGNMENT } from './classic-group-member.js';
import type { ClientInfo, JoinCallback, LeaveMember, LeaveMemberResult, MemberProtocol, SyncCallback, SyncRequest, JoinRequest } from './classic-group-member.js';
import { ClassicGroupCore, CONSUMER_PROTOCOL_TYPE, joinError, syncError } from './classic-group-core.js';
import type { ClassicGroupCoreEnv } from './classic-group-core.js';
import { expireHeartbeat, maybeCompleteJoinPhase, maybePrepareRebalanceOrCompleteJoin, prepareRebalance } from './classic-group-rebalance.js';

export { CONSUMER_PROTOCOL_TYPE } from './classic-group-core.js';

const S = ClassicGroupState;

/** What a group needs from its coordinator. */
export interface ClassicGroupEnv extends ClassicGroupCoreEnv {
  /** Writes the group's metadata record with these assignments (empty map for no members). */
  persist(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): void;
}

export class ClassicGroup {
  readonly type = 'classic' as const;
  /** The group's state, shared with the rebalance machinery (classic-group-core.ts). */
  readonly #g: ClassicGroupCore;

  constructor(
    readonly groupId: string,
    env: ClassicGroupEnv,
  ) {
    this.#g = new ClassicGroupCore(groupId, env, (assignments) => env.persist(this, assignments));
    this.#g.onSessionExpired = (memberId) => expireHeartbeat(this.#g, memberId);
  }

  // ---- the group's metadata (the coordinator restores it when it loads __consumer_offsets) ----

  get generationId(): number {
    return this.#g.generationId;
  }

  set generationId(v: number) {
    this.#g.generationId = v;
  }

  get protocolType(): string | null {
    return this.#g.protocolType;
  }

  set protocolType(v: string | null) {
    this.#g.protocolType = v;
  }

  get protocolName(): string | null {
    return this.#g.protocolName;
  }

  set protocolName(v: string | null) {
    this.#g.protocolName = v;
  }

  get leaderId(): string | null {
    return this.#g.leaderId;
  }

  set leaderId(v: string | null) {
    this.#g.leaderId = v;
  }

  /** Topics the members subscribe to, when they use the consumer protocol and it parses. */
  get subscribedTopics(): ReadonlySet<string> | null {
    return this.#g.subscribedTopics;
  }

  set subscribedTopics(v: ReadonlySet<string> | null) {
    this.#g.subscribedTopics = v;
  }

  /** The largest rebalance timeout of the members: how long the join and sync phases may take. */
  get rebalanceTimeoutMs(): number {
    return this.#g.rebalanceTimeoutMs;
  }

  hasAllMembersJoined(): boolean {
    return this.#g.hasAllMembersJoined();
  }

  /** UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or NONE, as Kafka's validateMember. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    return this.#g.validateMember(memberId, groupInstanceId);
  }

  /**
   * An empty group takes any non-empty protocol type and list; otherwise the type must match and
   * at least one of the protocols must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    return this.#g.supportsProtocols(protocolType, protocols);
  }

  // ---- queries ----
  get state(): ClassicGroupStateName {
    return this.#g.state;
  }

  get previousState(): ClassicGroupStateName {
    return this.#g.previousState;
  }

  /** When the group entered its current state (GroupMetadataValue.currentStateTimestamp). */
  get stateTimestamp(): number {
    return this.#g.stateTimestamp;
  }

  is(state: ClassicGroupStateName): boolean {
    return this.#g.state === state;
  }

  get isEmpty(): boolean {
    return this.#g.state === S.EMPTY;
  }

  get size(): number {
    return this.#g.members.size;
  }

  get members(): IterableIterator<ClassicGroupMember> {
    return this.#g.members.values();
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.#g.members.get(memberId);
  }

  hasMember(memberId: string): boolean {
    return this.#g.members.has(memberId);
  }

  isPendingMember(memberId: string): boolean {
    return this.#g.pendingJoin.has(memberId);
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.#g.staticMembers.get(groupInstanceId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** As Kafka: without known subscriptions, a consumer-protocol group counts as subscribed to everything. */
  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics !== null ? this.subscribedTopics.has(topic) : this.usesConsumerProtocol();
  }

  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  get pendingJoinCount(): number {
    return this.#g.pendingJoin.size;
  }

  // ---- JoinGroup ----
  /** Handles a JoinGroup; the promise settles when the group answers, possibly much later. */
  join(req: JoinRequest, client: ClientInfo): Promise<JoinGroupResponse> {
    return new Promise((resolve) => {
      if (req.memberId === '') this.#joinNewMember(req, client, resolve);
      else this.#joinExistingMember(req, client, resolve);
    });
  }

  #joinNewMember(req: JoinRequest, client: ClientInfo, reply: JoinCallback): void {
    if (this.is(S.DEAD)) {
      // The group was just removed; the client looks the coordinator up again and rejoins.
      reply(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!this.supportsProtocols(req.protocolType, req.protocols)) {
      reply(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    // Kafka's form: "<group.instance.id or client.id>-<java.util.UUID>".
    const newMemberId = `${req.groupInstanceId ?? client.clientId}-${randomUuidText()}`;
    if (req.groupInstanceId !== null) {
      const existing = this.#g.staticMembers.get(req.groupInstanceId);
      if (existing !== undefined) {
        this.#g.env.logger.info(`group ${this.groupId}: static member ${req.groupInstanceId} rejoins with an unknown member id; replacing ${existing} with ${newMemberId}`);
        this.#replaceStaticMemberThenRebalanceOrCompleteJoin(req, client, existing, newMemberId, reply);
      } else {
        this.#addMemberThenRebalanceOrCompleteJoin(req, client, newMemberId, reply);
      }
      return;
    }
    if (client.apiVersion >= 4) {
      // KIP-394: the member learns its id first and joins with it, so a client that times out
      // and retries does not leave a trail of ghost members in the rebalance.
      this.#g.pendingJoin.add(newMemberId);
      this.#g.scheduleHeartbeatExpiry(newMemberId, req.sessionTimeoutMs);
      reply(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
      return;
    }
    this.#addMemberThenRebalanceOrCompleteJoin(req, client, newMemberId, reply);
  }

  #joinExistingMember(req: JoinRequest, client: ClientInfo, reply: JoinCallback): void {
    const memberId = req.memberId;
    if (this.is(S.DEAD)) {
      reply(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
      return;
    }
    if (!this.supportsProtocols(req.protocolType, req.protocols)) {
      reply(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    if (this.#g.pendingJoin.has(memberId)) {
      if (req.groupInstanceId !== null) {
        // Pending ids are only handed to dynamic members; Kafka fails this as an internal error.
        reply(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
        return;
      }
      this.#addMemberThenRebalanceOrCompleteJoin(req, client, memberId, reply);
      return;
    }
    const invalid = this.validateMember(memberId, req.groupInstanceId);
    if (invalid !== ErrorCode.NONE) {
      reply({ ...joinError(memberId, invalid), protocolName: null });
      return;
    }
    const member = this.#g.members.get(memberId)!;
    switch (this.#g.state) {
      case S.PREPARING_REBALANCE:
        this.#updateMemberThenRebalanceOrCompleteJoin(req, member, `member ${memberId} joining during PreparingRebalance`, reply);
        return;
      case S.COMPLETING_REBALANCE:
        if (member.matches(req.protocols)) {
          // The member probably missed its join response: answer the current generation again.
          reply(this.#g.currentGenerationResponse(memberId, this.isLeader(memberId)));
        } else {
          this.#updateMemberThenRebalanceOrCompleteJoin(req, member, `member ${memberId} changed its metadata during CompletingRebalance`, reply);
        }
        return;
      case S.STABLE:
        if (this.isLeader(memberId)) {
          // The leader rejoins to make the group rebalance for changes the metadata does not show
          // (new partitions of a subscribed topic, for instance).
          this.#updateMemberThenRebalanceOrCompleteJoin(req, member, `leader ${memberId} rejoining during Stable`, reply);
        } else if (!member.matches(req.protocols)) {
          this.#updateMemberThenRebalanceOrCompleteJoin(req, member, `member ${memberId} changed its metadata during Stable`, reply);
        } else {
          reply(this.#g.currentGenerationResponse(memberId, false));
        }
        return;
      default:
        // Empty with a known member cannot happen; let the member reset and rejoin.
        reply(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  #addMemberThenRebalanceOrCompleteJoin(req: JoinRequest, client: ClientInfo, memberId: string, reply: JoinCallback): void {
    const member = new ClassicGroupMember(memberId, req.groupInstanceId, client.clientId, client.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols);
    member.isNew = true;
    if (this.is(S.PREPARING_REBALANCE) && this.#g.previousState === S.EMPTY) this.#g.newMemberAdded = true;
    this.#g.add(member, reply);
    // A new member cannot heartbeat (it has no id yet) and a parked join does not notice the
    // client going away: bound how long its join may wait, or retries pile up defunct members.
    this.#g.scheduleHeartbeatExpiry(memberId, this.#g.env.newMemberJoinTimeoutMs);
    maybePrepareRebalanceOrCompleteJoin(this.#g, `adding new member ${memberId}${req.reason ? ` (${req.reason})` : ''}`);
  }

  #updateMemberThenRebalanceOrCompleteJoin(req: JoinRequest, member: ClassicGroupMember, reason: string, reply: JoinCallback): void {
    this.#g.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, reply);
    maybePrepareRebalanceOrCompleteJoin(this.#g, reason);
  }

  #replaceStaticMemberThenRebalanceOrCompleteJoin(req: JoinRequest, client: ClientInfo, oldMemberId: string, newMemberId: string, reply: JoinCallback): void {
    const previousLeader = this.leaderId;
    const member = this.#g.replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
    // The old id's session timer finds no member and does nothing; the new id gets its own.
    this.#g.scheduleHeartbeatExpiry(newMemberId, member.sessionTimeoutMs);
    this.#g.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, reply);
    if (this.is(S.STABLE)) {
      if ((this.protocolName ?? '') === this.#g.selectProtocol()) {
        // Same protocol for the next generation: keep the assignment, persist the new member id
        // and answer without a rebalance (the point of static membership).
        this.#g.persist(this.#g.assignments());
        if (client.apiVersion >= 9) {
          // KIP-814: a static leader learns the members but keeps its assignment.
          const isLeader = this.isLeader(newMemberId);
          this.#g.completeJoin(member, { ...this.#g.currentGenerationResponse(newMemberId, isLeader), skipAssignment: isLeader });
        } else {
          this.#g.completeJoin(member, { ...this.#g.currentGenerationResponse(newMemberId, false), leader: previousLeader ?? '' });
        }
        return;
      }
      maybePrepareRebalanceOrCompleteJoin(this.#g, `static member ${req.groupInstanceId} rejoined with a different protocol`);
      return;
    }
    if (this.is(S.COMPLETING_REBALANCE)) {
      // The leader may already be assigning to the old member id: rebalance so the new id gets a share.
      prepareRebalance(this.#g, `static member ${req.groupInstanceId} rejoined during CompletingRebalance`);
      return;
    }
    maybeCompleteJoinPhase(this.#g);
  }

  // ---- SyncGroup ----
  sync(req: SyncRequest): Promise<SyncGroupResponse> {
    return new Promise((resolve) => this.#sync(req, resolve));
  }

  #sync(req: SyncRequest, reply: SyncCallback): void {
    const error = this.#validateSync(req);
    if (error !== ErrorCode.NONE) {
      reply(syncError(error));
      return;
    }
    const memberId = req.memberId;
    switch (this.#g.state) {
      case S.PREPARING_REBALANCE:
        reply(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        return;
      case S.COMPLETING_REBALANCE: {
        const member = this.#g.members.get(memberId)!;
        // A repeated SyncGroup replaces the parked one; the first is answered rather than
        // dropped (see #updateMember).
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = reply;
        this.#g.removePendingSyncMember(memberId);
        if (!this.isLeader(memberId)) return;
        const assignments = new Map<string, Buffer>();
        for (const a of req.assignments) assignments.set(a.memberId, a.assignment);
        for (const m of this.#g.members.values()) if (!assignments.has(m.memberId)) assignments.set(m.memberId, EMPTY_ASSIGNMENT);
        const generation = this.generationId;
        this.#g.persist(assignments);
        // Kafka re-checks after its asynchronous append; ours is synchronous, but the check keeps
        // the rule visible: only this generation's leader may complete this generation.
        if (this.is(S.COMPLETING_REBALANCE) && generation === this.generationId) {
          for (const m of this.#g.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT;
          this.#g.propagateAssignment(ErrorCode.NONE);
          this.#g.transitionTo(S.STABLE);
        }
        return;
      }
      case S.STABLE: {
        this.#g.removePendingSyncMember(memberId);
        const member = this.#g.members.get(memberId)!;
        reply({ ...defaultSyncGroupResponse(), protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment });
        return;
      }
      default:
        // Empty groups are answered by the coordinator; Dead was refused by the validation.
        reply(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  #validateSync(req: SyncRequest): number {
    if (this.is(S.DEAD)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const invalid = this.validateMember(req.memberId, req.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (req.generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (isInconsistent(req.protocolType, this.protocolType) || isInconsistent(req.protocolName, this.protocolName)) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    return ErrorCode.NONE;
  }

  // ---- Heartbeat ----
  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.is(S.DEAD)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const invalid = this.validateMember(memberId, groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (this.#g.state) {
      case S.EMPTY:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case S.PREPARING_REBALANCE:
        this.#g.scheduleMemberHeartbeat(this.#g.members.get(memberId)!);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        // Consumers heartbeat from their join response on, while still CompletingRebalance.
        this.#g.scheduleMemberHeartbeat(this.#g.members.get(memberId)!);
        return ErrorCode.NONE;
    }
  }

  // ---- LeaveGroup ----
  /** Removes members; the top-level error is COORDINATOR_NOT_AVAILABLE for a Dead group, else per member. */
  leave(members: readonly LeaveMember[]): { errorCode: number; members: LeaveMemberResult[] } {
    if (this.is(S.DEAD)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const results: LeaveMemberResult[] = [];
    let removed = 0;
    for (const m of members) {
      const reason = m.reason ?? 'not provided';
      let errorCode: number = ErrorCode.NONE;
      if (m.memberId === '') {
        // Admin removal by group.instance.id (kafka-consumer-groups --delete --instance-id ...).
        const id = m.groupInstanceId === null ? undefined : this.#g.staticMembers.get(m.groupInstanceId);
        if (id !== undefined) this.#removeCurrentMember(id, reason);
        else errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      } else if (this.#g.pendingJoin.has(m.memberId)) {
        this.#g.remove(m.memberId);
        this.#g.cancelHeartbeat(m.memberId);
      } else {
        errorCode = this.validateMember(m.memberId, m.groupInstanceId);
        if (errorCode === ErrorCode.NONE) this.#removeCurrentMember(m.memberId, reason);
      }
      if (errorCode === ErrorCode.NONE) removed++;
      results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    }
    if (removed > 0) {
      if (this.is(S.STABLE) || this.is(S.COMPLETING_REBALANCE)) maybePrepareRebalanceOrCompleteJoin(this.#g, 'members left the group');
      else if (this.is(S.PREPARING_REBALANCE)) maybeCompleteJoinPhase(this.#g);
    }
    return { errorCode: ErrorCode.NONE, members: results };
  }

  #removeCurrentMember(memberId: string, reason: string): void {
    const member = this.#g.members.get(memberId)!;
    this.#g.cancelHeartbeat(memberId);
    this.#g.env.logger.info(`group ${this.groupId}: member ${memberId} left (${reason})`);
    // A member that leaves while its join is parked still gets an answer.
    this.#g.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    this.#g.remove(memberId);
  }

  // ---- OffsetCommit ----
  /** Kafka's ClassicGroup.validateOffsetCommit for a (non-transactional) OffsetCommit. */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number): number {
    if (this.is(S.DEAD)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 without a member: an admin client or a consumer using assign(), allowed
    // only while nobody else owns the group's partitions.
    if (generationId < 0 && this.is(S.EMPTY)) return ErrorCode.NONE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const invalid = this.validateMember(memberId, groupInstanceId);
      if (invalid !== ErrorCode.NONE) return invalid;
      if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (!this.is(S.EMPTY)) {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    // The member has the new generation from its join response but no assignment yet.
    if (this.is(S.COMPLETING_REBALANCE)) return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  /** A commit keeps the committing member's session alive in Stable and PreparingRebalance. */
  touchMemberOnCommit(memberId: string): void {
    if (!this.is(S.STABLE) && !this.is(S.PREPARING_REBALANCE)) return;
    const member = this.#g.members.get(memberId);
    if (member) this.#g.scheduleMemberHeartbeat(member);
  }

  // ---- online downgrade (group-migration.ts) ----
  /**
   * Takes in the members of a consumer group being downgraded, Stable in `generationId` with the
   * assignments `assignmentOf` gives (in the protocol the members vote for), writes the group,
   * then starts a rebalance so that every member rejoins through JoinGroup, as Kafka's
   * convertToClassicGroup.
   */
  adoptMembers(generationId: number, members: readonly ClassicGroupMember[], assignmentOf: (m: ClassicGroupMember, protocolName: string) => Buffer, reason: string): void {
    const g = this.#g;
    for (const m of members) g.add(m, null);
    g.generationId = generationId;
    g.protocolName = g.selectProtocol();
    g.subscribedTopics = g.computeSubscribedTopics();
    for (const m of members) m.assignment = assignmentOf(m, g.protocolName ?? '');
    // Empty -> Stable is no transition of the state machine: the group is born Stable.
    g.previousState = g.state;
    g.state = S.STABLE;
    g.stateTimestamp = g.env.clock.now();
    g.persist(g.assignments());
    for (const m of members) g.scheduleMemberHeartbeat(m);
    prepareRebalance(g, reason);
  }

  // ---- removal ----
  /**
   * Marks the group Dead (deleted, or the coordinator is closing), stops its timers and answers
   * every parked request with `error`.
   */
  kill(error: number = ErrorCode.COORDINATOR_NOT_AVAILABLE): void {
    if (!this.is(S.DEAD)) this.#g.transitionTo(S.DEAD);
    this.#g.clearJoinTimer();
    this.#g.clearSyncDeadline();
    for (const t of this.#g.heartbeatTimers.values()) this.#g.env.clock.clearTimeout(t);
    this.#g.heartbeatTimers.clear();
    for (const m of this.#g.members.values()) {
      this.#g.completeJoin(m, joinError(m.memberId, error));
      if (m.awaitingSync) {
        const reply = m.awaitingSync;
        m.awaitingSync = null;
        reply(syncError(error));
      }
    }
  }

  /** Live timers this group holds (tests check that nothing leaks). */
  get timerCount(): number {
    return this.#g.heartbeatTimers.size + (this.#g.joinTimer ? 1 : 0) + (this.#g.syncTimer ? 1 : 0);
  }
}

/** A SyncGroup's protocol type or name conflicts only when both sides are known and differ. */
function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
