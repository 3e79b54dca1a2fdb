/**
 * One group of the classic rebalance protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup),
 * with the behaviour of Kafka's ClassicGroup and the classic half of its GroupMetadataManager.
 *
 * The group owns its members, its state and its timers (member sessions, the join phase, the sync
 * phase), all on the injected Clock. Requests that must wait (a JoinGroup until everyone has
 * rejoined, a follower's SyncGroup until the leader has sent the assignment) get a promise whose
 * resolver is kept on the member and called by the state machine: nothing polls.
 *
 * States and what each answers: classic-group-states.ts. The members and the request shapes the
 * state machine acts on: classic-group-member.ts.
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
import { ClassicGroupMember, EMPTY_ASSIGNMENT } from './classic-group-member.js';
import type { ClientInfo, JoinCallback, JoinRequest, LeaveMember, LeaveMemberResult, MemberProtocol, SyncCallback, SyncRequest } from './classic-group-member.js';

const S = ClassicGroupState;

/** The protocol type of Kafka's Java consumer (ConsumerProtocol.PROTOCOL_TYPE). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** What a group needs from its coordinator. */
export interface ClassicGroupEnv {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly initialRebalanceDelayMs: number;
  /** How long a new member's parked JoinGroup may wait (Kafka: 5 minutes, not configurable). */
  readonly newMemberJoinTimeoutMs: number;
  /** Writes the group's metadata record with these assignments (empty map for no members). */
  persist(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): void;
}

export class ClassicGroup {
  readonly type = 'classic' as const;
  #state: ClassicGroupStateName;
  #previousState: ClassicGroupStateName;
  #stateTimestamp = -1;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Topics the members subscribe to, when they use the consumer protocol and it parses. */
  subscribedTopics: ReadonlySet<string> | null = null;
  /** Insertion order: the oldest member becomes leader when the leader leaves. */
  readonly #members = new Map<string, ClassicGroupMember>();
  /** group.instance.id -> member id. */
  readonly #staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used to join. */
  readonly #pendingJoin = new Set<string>();
  /** Members that got their join response and have not sent SyncGroup yet. */
  readonly #pendingSync = new Set<string>();
  /** A new member joined during the initial rebalance delay, which then extends. */
  #newMemberAdded = false;
  readonly #heartbeatTimers = new Map<string, TimerHandle>();
  #joinTimer: TimerHandle | null = null;
  #syncTimer: TimerHandle | null = null;

  constructor(
    readonly groupId: string,
    private readonly env: ClassicGroupEnv,
  ) {
    this.#state = S.EMPTY;
    this.#previousState = S.EMPTY;
    this.#stateTimestamp = env.clock.now();
  }

  // ---- queries ----

  get state(): ClassicGroupStateName {
    return this.#state;
  }

  get previousState(): ClassicGroupStateName {
    return this.#previousState;
  }

  /** When the group entered its current state (GroupMetadataValue.currentStateTimestamp). */
  get stateTimestamp(): number {
    return this.#stateTimestamp;
  }

  is(state: ClassicGroupStateName): boolean {
    return this.#state === state;
  }

  get isEmpty(): boolean {
    return this.#state === S.EMPTY;
  }

  get size(): number {
    return this.#members.size;
  }

  get members(): IterableIterator<ClassicGroupMember> {
    return this.#members.values();
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.#members.get(memberId);
  }

  hasMember(memberId: string): boolean {
    return this.#members.has(memberId);
  }

  isPendingMember(memberId: string): boolean {
    return this.#pendingJoin.has(memberId);
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.#staticMembers.get(groupInstanceId);
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

  /** The largest rebalance timeout of the members: how long the join and sync phases may take. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.#members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  hasAllMembersJoined(): boolean {
    if (this.#pendingJoin.size > 0) return false;
    for (const m of this.#members.values()) if (m.awaitingJoin === null) return false;
    return true;
  }

  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  get pendingJoinCount(): number {
    return this.#pendingJoin.size;
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
      const existing = this.#staticMembers.get(req.groupInstanceId);
      if (existing !== undefined) {
        this.env.logger.info(`group ${this.groupId}: static member ${req.groupInstanceId} rejoins with an unknown member id; replacing ${existing} with ${newMemberId}`);
        this.#replaceStaticMemberThenRebalanceOrCompleteJoin(req, client, existing, newMemberId, reply);
      } else {
        this.#addMemberThenRebalanceOrCompleteJoin(req, client, newMemberId, reply);
      }
      return;
    }
    if (client.apiVersion >= 4) {
      // KIP-394: the member learns its id first and joins with it, so a client that times out
      // and retries does not leave a trail of ghost members in the rebalance.
      this.#pendingJoin.add(newMemberId);
      this.#scheduleHeartbeatExpiry(newMemberId, req.sessionTimeoutMs);
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
    if (this.#pendingJoin.has(memberId)) {
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
    const member = this.#members.get(memberId)!;
    switch (this.#state) {
      case S.PREPARING_REBALANCE:
        this.#updateMemberThenRebalanceOrCompleteJoin(req, member, `member ${memberId} joining during PreparingRebalance`, reply);
        return;
      case S.COMPLETING_REBALANCE:
        if (member.matches(req.protocols)) {
          // The member probably missed its join response: answer the current generation again.
          reply(this.#currentGenerationResponse(memberId, this.isLeader(memberId)));
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
          reply(this.#currentGenerationResponse(memberId, false));
        }
        return;
      default:
        // Empty with a known member cannot happen; let the member reset and rejoin.
        reply(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  #currentGenerationResponse(memberId: string, withMembers: boolean): JoinGroupResponse {
    return {
      ...defaultJoinGroupResponse(),
      members: withMembers ? this.#joinResponseMembers() : [],
      memberId,
      generationId: this.generationId,
      protocolName: this.protocolName,
      protocolType: this.protocolType,
      leader: this.leaderId ?? '',
    };
  }

  #joinResponseMembers(): JoinGroupResponseMember[] {
    const out: JoinGroupResponseMember[] = [];
    for (const m of this.#members.values()) {
      out.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName) });
    }
    return out;
  }

  #addMemberThenRebalanceOrCompleteJoin(req: JoinRequest, client: ClientInfo, memberId: string, reply: JoinCallback): void {
    const member = new ClassicGroupMember(memberId, req.groupInstanceId, client.clientId, client.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols);
    member.isNew = true;
    if (this.is(S.PREPARING_REBALANCE) && this.#previousState === S.EMPTY) this.#newMemberAdded = true;
    this.#add(member, reply);
    // A new member cannot heartbeat (it has no id yet) and a parked join does not notice the
    // client going away: bound how long its join may wait, or retries pile up defunct members.
    this.#scheduleHeartbeatExpiry(memberId, this.env.newMemberJoinTimeoutMs);
    this.#maybePrepareRebalanceOrCompleteJoin(`adding new member ${memberId}${req.reason ? ` (${req.reason})` : ''}`);
  }

  #updateMemberThenRebalanceOrCompleteJoin(req: JoinRequest, member: ClassicGroupMember, reason: string, reply: JoinCallback): void {
    this.#updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, reply);
    this.#maybePrepareRebalanceOrCompleteJoin(reason);
  }

  #replaceStaticMemberThenRebalanceOrCompleteJoin(req: JoinRequest, client: ClientInfo, oldMemberId: string, newMemberId: string, reply: JoinCallback): void {
    const previousLeader = this.leaderId;
    const member = this.#replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
    // The old id's session timer finds no member and does nothing; the new id gets its own.
    this.#scheduleHeartbeatExpiry(newMemberId, member.sessionTimeoutMs);
    this.#updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, reply);
    if (this.is(S.STABLE)) {
      if ((this.protocolName ?? '') === this.#selectProtocol()) {
        // Same protocol for the next generation: keep the assignment, persist the new member id
        // and answer without a rebalance (the point of static membership).
        this.env.persist(this, this.#assignments());
        if (client.apiVersion >= 9) {
          // KIP-814: a static leader learns the members but keeps its assignment.
          const isLeader = this.isLeader(newMemberId);
          this.#completeJoin(member, { ...this.#currentGenerationResponse(newMemberId, isLeader), skipAssignment: isLeader });
        } else {
          this.#completeJoin(member, { ...this.#currentGenerationResponse(newMemberId, false), leader: previousLeader ?? '' });
        }
        return;
      }
      this.#maybePrepareRebalanceOrCompleteJoin(`static member ${req.groupInstanceId} rejoined with a different protocol`);
      return;
    }
    if (this.is(S.COMPLETING_REBALANCE)) {
      // The leader may already be assigning to the old member id: rebalance so the new id gets a share.
      this.#prepareRebalance(`static member ${req.groupInstanceId} rejoined during CompletingRebalance`);
      return;
    }
    this.#maybeCompleteJoinPhase();
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
    switch (this.#state) {
      case S.PREPARING_REBALANCE:
        reply(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        return;
      case S.COMPLETING_REBALANCE: {
        const member = this.#members.get(memberId)!;
        // A repeated SyncGroup replaces the parked one; the first is answered rather than
        // dropped (see #updateMember).
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = reply;
        this.#removePendingSyncMember(memberId);
        if (!this.isLeader(memberId)) return;
        const assignments = new Map<string, Buffer>();
        for (const a of req.assignments) assignments.set(a.memberId, a.assignment);
        for (const m of this.#members.values()) if (!assignments.has(m.memberId)) assignments.set(m.memberId, EMPTY_ASSIGNMENT);
        const generation = this.generationId;
        this.env.persist(this, assignments);
        // Kafka re-checks after its asynchronous append; ours is synchronous, but the check keeps
        // the rule visible: only this generation's leader may complete this generation.
        if (this.is(S.COMPLETING_REBALANCE) && generation === this.generationId) {
          for (const m of this.#members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT;
          this.#propagateAssignment(ErrorCode.NONE);
          this.#transitionTo(S.STABLE);
        }
        return;
      }
      case S.STABLE: {
        this.#removePendingSyncMember(memberId);
        const member = this.#members.get(memberId)!;
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
    switch (this.#state) {
      case S.EMPTY:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case S.PREPARING_REBALANCE:
        this.#scheduleMemberHeartbeat(this.#members.get(memberId)!);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        // Consumers heartbeat from their join response on, while still CompletingRebalance.
        this.#scheduleMemberHeartbeat(this.#members.get(memberId)!);
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
        const id = m.groupInstanceId === null ? undefined : this.#staticMembers.get(m.groupInstanceId);
        if (id !== undefined) this.#removeCurrentMember(id, reason);
        else errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      } else if (this.#pendingJoin.has(m.memberId)) {
        this.#remove(m.memberId);
        this.#cancelHeartbeat(m.memberId);
      } else {
        errorCode = this.validateMember(m.memberId, m.groupInstanceId);
        if (errorCode === ErrorCode.NONE) this.#removeCurrentMember(m.memberId, reason);
      }
      if (errorCode === ErrorCode.NONE) removed++;
      results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    }
    if (removed > 0) {
      if (this.is(S.STABLE) || this.is(S.COMPLETING_REBALANCE)) this.#maybePrepareRebalanceOrCompleteJoin('members left the group');
      else if (this.is(S.PREPARING_REBALANCE)) this.#maybeCompleteJoinPhase();
    }
    return { errorCode: ErrorCode.NONE, members: results };
  }

  #removeCurrentMember(memberId: string, reason: string): void {
    const member = this.#members.get(memberId)!;
    this.#cancelHeartbeat(memberId);
    this.env.logger.info(`group ${this.groupId}: member ${memberId} left (${reason})`);
    // A member that leaves while its join is parked still gets an answer.
    this.#completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    this.#remove(memberId);
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
    const member = this.#members.get(memberId);
    if (member) this.#scheduleMemberHeartbeat(member);
  }

  // ---- membership checks ----

  /** UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or NONE, as Kafka's validateMember. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.#staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) {
        this.env.logger.info(`group ${this.groupId}: member ${memberId} with instance id ${groupInstanceId} is fenced by ${existing}`);
        return ErrorCode.FENCED_INSTANCE_ID;
      }
    }
    return this.#members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * An empty group takes any non-empty protocol type and list; otherwise the type must match and
   * at least one of the protocols must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.is(S.EMPTY)) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    const counts = this.#protocolCounts();
    return protocols.some((p) => counts.get(p.name) === this.#members.size);
  }

  #protocolCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.#members.values()) {
      for (const name of new Set(m.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /** Each member votes for its most preferred protocol among those all support; most votes wins. */
  #selectProtocol(): string | null {
    const counts = this.#protocolCounts();
    const candidates = new Set<string>();
    for (const [name, n] of counts) if (n === this.#members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.#members.values()) {
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

  #computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.#members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    try {
      for (const m of this.#members.values()) {
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

  #assignments(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const m of this.#members.values()) out.set(m.memberId, m.assignment);
    return out;
  }

  // ---- the rebalance machinery ----

  #canRebalance(): boolean {
    return VALID_PREVIOUS[S.PREPARING_REBALANCE].includes(this.#state);
  }

  #maybePrepareRebalanceOrCompleteJoin(reason: string): void {
    if (this.#canRebalance()) this.#prepareRebalance(reason);
    else this.#maybeCompleteJoinPhase();
  }

  /** Completes the join phase if every member has rejoined, except during the initial delay. */
  #maybeCompleteJoinPhase(): void {
    if (!this.is(S.PREPARING_REBALANCE)) return;
    if (this.#previousState === S.EMPTY) return;
    if (!this.hasAllMembersJoined()) return;
    this.#completeJoinPhase();
  }

  #prepareRebalance(reason: string): void {
    // Members parked in SyncGroup must rejoin: their assignment is about to be stale.
    if (this.is(S.COMPLETING_REBALANCE)) {
      for (const m of this.#members.values()) m.assignment = EMPTY_ASSIGNMENT;
      this.#propagateAssignment(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    this.#clearSyncDeadline();
    const initial = this.is(S.EMPTY);
    if (initial) {
      // A brand-new group waits a little so that members starting together land in one
      // generation instead of one rebalance each.
      const delay = this.env.initialRebalanceDelayMs;
      const remaining = Math.max(this.rebalanceTimeoutMs - delay, 0);
      this.#setJoinTimer(delay, () => this.#tryCompleteInitialRebalance(delay, remaining));
    }
    this.#transitionTo(S.PREPARING_REBALANCE);
    this.env.logger.info(`group ${this.groupId}: preparing to rebalance, old generation ${this.generationId} (${reason})`);
    if (initial) return;
    if (this.hasAllMembersJoined()) this.#completeJoinPhase();
    else this.#setJoinTimer(this.rebalanceTimeoutMs, () => this.#completeJoinPhase());
  }

  #tryCompleteInitialRebalance(delay: number, remaining: number): void {
    if (this.#newMemberAdded && remaining !== 0) {
      this.#newMemberAdded = false;
      const nextDelay = Math.min(this.env.initialRebalanceDelayMs, remaining);
      const nextRemaining = Math.max(remaining - delay, 0);
      this.#setJoinTimer(nextDelay, () => this.#tryCompleteInitialRebalance(nextDelay, nextRemaining));
      return;
    }
    this.#completeJoinPhase();
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are dropped, the generation is bumped
   * and everyone parked in JoinGroup gets an answer (the member list only to the leader).
   */
  #completeJoinPhase(): void {
    this.#clearJoinTimer();
    if (this.is(S.DEAD)) return;
    for (const m of [...this.#members.values()]) {
      if (m.awaitingJoin === null && !m.isStatic) {
        this.#remove(m.memberId);
        this.#cancelHeartbeat(m.memberId);
        this.env.logger.info(`group ${this.groupId}: removed member ${m.memberId}, which did not rejoin in time`);
      }
    }
    if (!this.#maybeElectNewJoinedLeader() && this.#members.size > 0) {
      // Only static members that did not rejoin are left: wait until their sessions expire.
      this.env.logger.warn(`group ${this.groupId}: no member rejoined; waiting another rebalance timeout`);
      this.#setJoinTimer(this.rebalanceTimeoutMs, () => this.#completeJoinPhase());
      return;
    }
    this.#initNextGeneration();
    if (this.is(S.EMPTY)) {
      this.env.logger.info(`group ${this.groupId}: generation ${this.generationId} is empty`);
      this.env.persist(this, new Map());
      return;
    }
    this.env.logger.info(`group ${this.groupId}: generation ${this.generationId} with ${this.#members.size} members, protocol ${this.protocolName}`);
    const leaderMembers = this.#joinResponseMembers();
    for (const m of this.#members.values()) {
      const response: JoinGroupResponse = {
        ...defaultJoinGroupResponse(),
        members: this.isLeader(m.memberId) ? leaderMembers : [],
        memberId: m.memberId,
        generationId: this.generationId,
        protocolName: this.protocolName,
        protocolType: this.protocolType,
        leader: this.leaderId ?? '',
      };
      this.#completeJoin(m, response);
      this.#scheduleMemberHeartbeat(m);
      m.isNew = false;
      this.#pendingSync.add(m.memberId);
    }
    const generation = this.generationId;
    if (this.#syncTimer) this.env.clock.clearTimeout(this.#syncTimer);
    this.#syncTimer = this.env.clock.setTimeout(() => this.#expirePendingSync(generation), this.rebalanceTimeoutMs);
  }

  /** Keeps the leader if it rejoined, else promotes a member that did; false if none did. */
  #maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.#members.get(this.leaderId);
    if (leader && leader.awaitingJoin !== null) return true;
    for (const m of this.#members.values()) {
      if (m.awaitingJoin !== null) {
        this.env.logger.info(`group ${this.groupId}: leader ${this.leaderId} did not rejoin; ${m.memberId} is the new leader`);
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  #initNextGeneration(): void {
    this.generationId++;
    if (this.#members.size > 0) {
      this.protocolName = this.#selectProtocol();
      this.subscribedTopics = this.#computeSubscribedTopics();
      this.#transitionTo(S.COMPLETING_REBALANCE);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.#computeSubscribedTopics();
      this.#transitionTo(S.EMPTY);
    }
    this.#pendingSync.clear();
  }

  #expirePendingSync(generation: number): void {
    this.#syncTimer = null;
    if (generation !== this.generationId) return;
    if (!this.is(S.COMPLETING_REBALANCE) && !this.is(S.STABLE)) return;
    if (this.#pendingSync.size === 0) return;
    const late = [...this.#pendingSync];
    for (const id of late) {
      this.#remove(id);
      this.#cancelHeartbeat(id);
    }
    this.env.logger.info(`group ${this.groupId}: removed members that did not send SyncGroup in time: ${late.join(', ')}`);
    this.#prepareRebalance(`members ${late.join(', ')} missed the sync deadline`);
  }

  #removePendingSyncMember(memberId: string): void {
    this.#pendingSync.delete(memberId);
    if (this.#pendingSync.size === 0 || !(this.is(S.COMPLETING_REBALANCE) || this.is(S.STABLE))) {
      if (this.#syncTimer) this.env.clock.clearTimeout(this.#syncTimer);
      this.#syncTimer = null;
    }
  }

  #clearSyncDeadline(): void {
    this.#pendingSync.clear();
    if (this.#syncTimer) this.env.clock.clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  /** Answers every parked SyncGroup with the member's assignment (or the error). */
  #propagateAssignment(error: number): void {
    const ok = error === ErrorCode.NONE;
    for (const m of this.#members.values()) {
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
      this.#scheduleMemberHeartbeat(m);
    }
  }

  // ---- sessions ----

  #scheduleMemberHeartbeat(member: ClassicGroupMember): void {
    this.#scheduleHeartbeatExpiry(member.memberId, member.sessionTimeoutMs);
  }

  #scheduleHeartbeatExpiry(memberId: string, timeoutMs: number): void {
    this.#cancelHeartbeat(memberId);
    this.#heartbeatTimers.set(
      memberId,
      this.env.clock.setTimeout(() => {
        this.#heartbeatTimers.delete(memberId);
        this.#expireHeartbeat(memberId);
      }, timeoutMs),
    );
  }

  #cancelHeartbeat(memberId: string): void {
    const t = this.#heartbeatTimers.get(memberId);
    if (t === undefined) return;
    this.env.clock.clearTimeout(t);
    this.#heartbeatTimers.delete(memberId);
  }

  #expireHeartbeat(memberId: string): void {
    if (this.is(S.DEAD)) return;
    if (this.#pendingJoin.has(memberId)) {
      this.env.logger.info(`group ${this.groupId}: pending member ${memberId} never joined; forgotten`);
      this.#remove(memberId);
      if (this.is(S.PREPARING_REBALANCE) && this.hasAllMembersJoined()) this.#completeJoinPhase();
      return;
    }
    const member = this.#members.get(memberId);
    if (!member || member.hasSatisfiedHeartbeat()) return;
    this.env.logger.info(`group ${this.groupId}: member ${memberId} session expired; removing it`);
    // A new member whose parked join times out gets UNKNOWN_MEMBER_ID, so a live client rejoins.
    this.#completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    this.#remove(memberId);
    if (this.is(S.STABLE) || this.is(S.COMPLETING_REBALANCE)) this.#maybePrepareRebalanceOrCompleteJoin(`member ${memberId} session expired`);
    else if (this.is(S.PREPARING_REBALANCE) && this.hasAllMembersJoined()) this.#completeJoinPhase();
  }

  // ---- members ----

  #add(member: ClassicGroupMember, reply: JoinCallback | null): void {
    if (member.groupInstanceId !== null) this.#staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.#members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.#members.set(member.memberId, member);
    member.awaitingJoin = reply;
    this.#pendingJoin.delete(member.memberId);
  }

  #remove(memberId: string): void {
    const removed = this.#members.get(memberId);
    if (removed) {
      this.#members.delete(memberId);
      if (removed.groupInstanceId !== null) this.#staticMembers.delete(removed.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      const next = this.#members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.#pendingJoin.delete(memberId);
    this.#pendingSync.delete(memberId);
  }

  #updateMember(member: ClassicGroupMember, protocols: readonly MemberProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, reply: JoinCallback | null): void {
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    // A second JoinGroup from the same member replaces the first parked one, as in Kafka, which
    // then never answers the first; here it is answered, since an unanswered request would hold
    // back every later response on its connection.
    this.#completeJoin(member, { ...joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS), protocolName: null });
    member.awaitingJoin = reply;
  }

  /** The old member id is fenced: its parked join or sync is answered FENCED_INSTANCE_ID. */
  #replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicGroupMember {
    const old = this.#members.get(oldMemberId)!;
    this.#members.delete(oldMemberId);
    this.#completeJoin(old, { ...defaultJoinGroupResponse(), memberId: oldMemberId, protocolName: null, errorCode: ErrorCode.FENCED_INSTANCE_ID });
    if (old.awaitingSync) {
      const reply = old.awaitingSync;
      old.awaitingSync = null;
      reply(syncError(ErrorCode.FENCED_INSTANCE_ID));
    }
    this.#cancelHeartbeat(oldMemberId);
    const member = new ClassicGroupMember(newMemberId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs, old.sessionTimeoutMs, old.protocolType, old.protocols, old.assignment);
    this.#members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.#staticMembers.set(groupInstanceId, newMemberId);
    // Kafka keeps the pending-sync entry of the old id; the new id owes the sync instead.
    if (this.#pendingSync.delete(oldMemberId)) this.#pendingSync.add(newMemberId);
    return member;
  }

  #completeJoin(member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const reply = member.awaitingJoin;
    if (reply === null) return false;
    member.awaitingJoin = null;
    reply(response);
    return true;
  }

  #transitionTo(state: ClassicGroupStateName): void {
    if (!VALID_PREVIOUS[state].includes(this.#state)) {
      throw new Error(`group ${this.groupId}: illegal transition from ${this.#state} to ${state}`);
    }
    this.#previousState = this.#state;
    this.#state = state;
    this.#stateTimestamp = this.env.clock.now();
  }

  #setJoinTimer(ms: number, fn: () => void): void {
    this.#clearJoinTimer();
    this.#joinTimer = this.env.clock.setTimeout(() => {
      this.#joinTimer = null;
      fn();
    }, ms);
  }

  #clearJoinTimer(): void {
    if (this.#joinTimer) this.env.clock.clearTimeout(this.#joinTimer);
    this.#joinTimer = null;
  }

  // ---- removal ----

  /**
   * Marks the group Dead (deleted, or the coordinator is closing), stops its timers and answers
   * every parked request with `error`.
   */
  kill(error: number = ErrorCode.COORDINATOR_NOT_AVAILABLE): void {
    if (!this.is(S.DEAD)) this.#transitionTo(S.DEAD);
    this.#clearJoinTimer();
    this.#clearSyncDeadline();
    for (const t of this.#heartbeatTimers.values()) this.env.clock.clearTimeout(t);
    this.#heartbeatTimers.clear();
    for (const m of this.#members.values()) {
      this.#completeJoin(m, joinError(m.memberId, error));
      if (m.awaitingSync) {
        const reply = m.awaitingSync;
        m.awaitingSync = null;
        reply(syncError(error));
      }
    }
  }

  /** Live timers this group holds (tests check that nothing leaks). */
  get timerCount(): number {
    return this.#heartbeatTimers.size + (this.#joinTimer ? 1 : 0) + (this.#syncTimer ? 1 : 0);
  }
}

function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return { ...defaultJoinGroupResponse(), memberId, errorCode };
}

function syncError(errorCode: number): SyncGroupResponse {
  return { ...defaultSyncGroupResponse(), errorCode };
}

/** A SyncGroup's protocol type or name conflicts only when both sides are known and differ. */
function isInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}
