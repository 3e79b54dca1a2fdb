/**
 * The rebalance phases of a classic group, as Kafka's GroupMetadataManager drives them: preparing
 * a rebalance (with the initial delay of a new group), completing the join phase (dropping members
 * that did not rejoin, electing a leader, the next generation), the sync deadline, and session
 * expiry. Functions of the group's shared state (classic-group-core.ts); the requests that start
 * them are in classic-group.ts.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { defaultJoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import { ClassicGroupState, VALID_PREVIOUS } from './classic-group-states.js';
import { EMPTY_ASSIGNMENT } from './classic-group-member.js';
import { joinError } from './classic-group-core.js';
import type { ClassicGroupCore } from './classic-group-core.js';

const S = ClassicGroupState;

// ---- the rebalance machinery ----
export function canRebalance(g: ClassicGroupCore): boolean {
  return VALID_PREVIOUS[S.PREPARING_REBALANCE].includes(g.state);
}

export function maybePrepareRebalanceOrCompleteJoin(g: ClassicGroupCore, reason: string): void {
  if (canRebalance(g)) prepareRebalance(g, reason);
  else maybeCompleteJoinPhase(g);
}

/** Completes the join phase if every member has rejoined, except during the initial delay. */
export function maybeCompleteJoinPhase(g: ClassicGroupCore): void {
  if (!g.is(S.PREPARING_REBALANCE)) return;
  if (g.previousState === S.EMPTY) return;
  if (!g.hasAllMembersJoined()) return;
  completeJoinPhase(g);
}

export function prepareRebalance(g: ClassicGroupCore, reason: string): void {
  // Members parked in SyncGroup must rejoin: their assignment is about to be stale.
  if (g.is(S.COMPLETING_REBALANCE)) {
    for (const m of g.members.values()) m.assignment = EMPTY_ASSIGNMENT;
    g.propagateAssignment(ErrorCode.REBALANCE_IN_PROGRESS);
  }
  g.clearSyncDeadline();
  const initial = g.is(S.EMPTY);
  if (initial) {
    // A brand-new group waits a little so that members starting together land in one
    // generation instead of one rebalance each.
    const delay = g.env.initialRebalanceDelayMs;
    const remaining = Math.max(g.rebalanceTimeoutMs - delay, 0);
    g.setJoinTimer(delay, () => tryCompleteInitialRebalance(g, delay, remaining));
  }
  g.transitionTo(S.PREPARING_REBALANCE);
  g.env.logger.info(`group ${g.groupId}: preparing to rebalance, old generation ${g.generationId} (${reason})`);
  if (initial) return;
  if (g.hasAllMembersJoined()) completeJoinPhase(g);
  else g.setJoinTimer(g.rebalanceTimeoutMs, () => completeJoinPhase(g));
}

export function tryCompleteInitialRebalance(g: ClassicGroupCore, delay: number, remaining: number): void {
  if (g.newMemberAdded && remaining !== 0) {
    g.newMemberAdded = false;
    const nextDelay = Math.min(g.env.initialRebalanceDelayMs, remaining);
    const nextRemaining = Math.max(remaining - delay, 0);
    g.setJoinTimer(nextDelay, () => tryCompleteInitialRebalance(g, nextDelay, nextRemaining));
    return;
  }
  completeJoinPhase(g);
}

/**
 * Ends the join phase: dynamic members that did not rejoin are dropped, the generation is bumped
 * and everyone parked in JoinGroup gets an answer (the member list only to the leader).
 */
export function completeJoinPhase(g: ClassicGroupCore): void {
  g.clearJoinTimer();
  if (g.is(S.DEAD)) return;
  for (const m of [...g.members.values()]) {
    if (m.awaitingJoin === null && !m.isStatic) {
      g.remove(m.memberId);
      g.cancelHeartbeat(m.memberId);
      g.env.logger.info(`group ${g.groupId}: removed member ${m.memberId}, which did not rejoin in time`);
    }
  }
  if (!maybeElectNewJoinedLeader(g) && g.members.size > 0) {
    // Only static members that did not rejoin are left: wait until their sessions expire.
    g.env.logger.warn(`group ${g.groupId}: no member rejoined; waiting another rebalance timeout`);
    g.setJoinTimer(g.rebalanceTimeoutMs, () => completeJoinPhase(g));
    return;
  }
  initNextGeneration(g);
  if (g.is(S.EMPTY)) {
    g.env.logger.info(`group ${g.groupId}: generation ${g.generationId} is empty`);
    g.persist(new Map());
    return;
  }
  g.env.logger.info(`group ${g.groupId}: generation ${g.generationId} with ${g.members.size} members, protocol ${g.protocolName}`);
  const leaderMembers = g.joinResponseMembers();
  for (const m of g.members.values()) {
    const response: JoinGroupResponse = {
      ...defaultJoinGroupResponse(),
      members: g.isLeader(m.memberId) ? leaderMembers : [],
      memberId: m.memberId,
      generationId: g.generationId,
      protocolName: g.protocolName,
      protocolType: g.protocolType,
      leader: g.leaderId ?? '',
    };
    g.completeJoin(m, response);
    g.scheduleMemberHeartbeat(m);
    m.isNew = false;
    g.pendingSync.add(m.memberId);
  }
  const generation = g.generationId;
  if (g.syncTimer) g.env.clock.clearTimeout(g.syncTimer);
  g.syncTimer = g.env.clock.setTimeout(() => expirePendingSync(g, generation), g.rebalanceTimeoutMs);
}

/** Keeps the leader if it rejoined, else promotes a member that did; false if none did. */
export function maybeElectNewJoinedLeader(g: ClassicGroupCore): boolean {
  if (g.leaderId === null) return false;
  const leader = g.members.get(g.leaderId);
  if (leader && leader.awaitingJoin !== null) return true;
  for (const m of g.members.values()) {
    if (m.awaitingJoin !== null) {
      g.env.logger.info(`group ${g.groupId}: leader ${g.leaderId} did not rejoin; ${m.memberId} is the new leader`);
      g.leaderId = m.memberId;
      return true;
    }
  }
  return false;
}

export function initNextGeneration(g: ClassicGroupCore): void {
  g.generationId++;
  if (g.members.size > 0) {
    g.protocolName = g.selectProtocol();
    g.subscribedTopics = g.computeSubscribedTopics();
    g.transitionTo(S.COMPLETING_REBALANCE);
  } else {
    g.protocolName = null;
    g.subscribedTopics = g.computeSubscribedTopics();
    g.transitionTo(S.EMPTY);
  }
  g.pendingSync.clear();
}

export function expirePendingSync(g: ClassicGroupCore, generation: number): void {
  g.syncTimer = null;
  if (generation !== g.generationId) return;
  if (!g.is(S.COMPLETING_REBALANCE) && !g.is(S.STABLE)) return;
  if (g.pendingSync.size === 0) return;
  const late = [...g.pendingSync];
  for (const id of late) {
    g.remove(id);
    g.cancelHeartbeat(id);
  }
  g.env.logger.info(`group ${g.groupId}: removed members that did not send SyncGroup in time: ${late.join(', ')}`);
  prepareRebalance(g, `members ${late.join(', ')} missed the sync deadline`);
}

export function expireHeartbeat(g: ClassicGroupCore, memberId: string): void {
  if (g.is(S.DEAD)) return;
  if (g.pendingJoin.has(memberId)) {
    g.env.logger.info(`group ${g.groupId}: pending member ${memberId} never joined; forgotten`);
    g.remove(memberId);
    if (g.is(S.PREPARING_REBALANCE) && g.hasAllMembersJoined()) completeJoinPhase(g);
    return;
  }
  const member = g.members.get(memberId);
  if (!member || member.hasSatisfiedHeartbeat()) return;
  g.env.logger.info(`group ${g.groupId}: member ${memberId} session expired; removing it`);
  // A new member whose parked join times out gets UNKNOWN_MEMBER_ID, so a live client rejoins.
  g.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
  g.remove(memberId);
  if (g.is(S.STABLE) || g.is(S.COMPLETING_REBALANCE)) maybePrepareRebalanceOrCompleteJoin(g, `member ${memberId} session expired`);
  else if (g.is(S.PREPARING_REBALANCE) && g.hasAllMembersJoined()) completeJoinPhase(g);
}
