/**
 * The states of a classic group, what each answers, and which transitions are allowed; the state
 * machine itself is classic-group.ts.
 *
 * States (Kafka's ClassicGroupState; the names are the wire strings of DescribeGroups/ListGroups):
 *
 * Empty: no members. A group only used for committed offsets ("simple group") lives here too.
 *   JoinGroup: a new member is accepted and starts the initial rebalance;
 *   SyncGroup, Heartbeat, LeaveGroup: UNKNOWN_MEMBER_ID (there are no members);
 *   OffsetCommit: accepted only from generation -1 with no member id (admin or manual commits);
 *   OffsetFetch: allowed.
 *   -> PreparingRebalance when a member joins; -> Dead when the group is deleted.
 *
 * PreparingRebalance: waiting for every known member to (re)join.
 *   JoinGroup: parked until all members have joined or the rebalance timeout expires (members that
 *     did not rejoin are then removed); the first rebalance of an empty group also waits
 *     group.initial.rebalance.delay.ms, extended while new members keep arriving;
 *   SyncGroup, Heartbeat: REBALANCE_IN_PROGRESS (the heartbeat still keeps the session alive);
 *   LeaveGroup: removes the member (may complete the join phase);
 *   OffsetCommit: accepted from members of the previous generation.
 *   -> CompletingRebalance when the join phase completes with members; -> Empty when it completes
 *   without any; -> Dead on deletion.
 *
 * CompletingRebalance: joined, generation bumped, waiting for the leader's assignment.
 *   SyncGroup: followers are parked until the leader's SyncGroup arrives, then all get their share;
 *   Heartbeat: normal; OffsetCommit: REBALANCE_IN_PROGRESS;
 *   JoinGroup: a member with unchanged metadata gets the current generation again; changed metadata
 *     or a new member starts a new rebalance.
 *   -> Stable on the leader's SyncGroup; -> PreparingRebalance on a join with new metadata, a leave,
 *   a session expiry, or members missing the sync deadline (the rebalance timeout); -> Dead.
 *
 * Stable: every member has its assignment.
 *   SyncGroup: answers the member's current assignment; Heartbeat: normal; OffsetCommit: from
 *   members of the current generation;
 *   JoinGroup: from the leader or with changed metadata starts a rebalance; a follower with
 *     unchanged metadata gets the current generation; a known static member rejoining with an
 *     unknown member id replaces its old member id without a rebalance.
 *   -> PreparingRebalance on a leave, a session expiry, the leader's join or a metadata change; -> Dead.
 *
 * Dead: removed (DeleteGroups). Every request answers COORDINATOR_NOT_AVAILABLE, so a client that
 *   raced the removal looks the coordinator up again. No transitions out.
 *
 */

export const ClassicGroupState = {
  EMPTY: 'Empty',
  PREPARING_REBALANCE: 'PreparingRebalance',
  COMPLETING_REBALANCE: 'CompletingRebalance',
  STABLE: 'Stable',
  DEAD: 'Dead',
} as const;
export type ClassicGroupStateName = (typeof ClassicGroupState)[keyof typeof ClassicGroupState];

const S = ClassicGroupState;

/** The states a group may come from to enter each state (Kafka's validPreviousStates). */
export const VALID_PREVIOUS: Readonly<Record<ClassicGroupStateName, readonly ClassicGroupStateName[]>> = {
  [S.EMPTY]: [S.PREPARING_REBALANCE],
  [S.PREPARING_REBALANCE]: [S.STABLE, S.COMPLETING_REBALANCE, S.EMPTY],
  [S.COMPLETING_REBALANCE]: [S.PREPARING_REBALANCE],
  [S.STABLE]: [S.COMPLETING_REBALANCE],
  [S.DEAD]: [S.STABLE, S.PREPARING_REBALANCE, S.COMPLETING_REBALANCE, S.EMPTY, S.DEAD],
};
