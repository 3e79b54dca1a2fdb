/**
 * Reconciliation of one consumer-protocol member towards its target assignment: the step that
 * makes KIP-848 rebalances incremental and safe. Kafka's CurrentAssignmentBuilder decides the same
 * transitions; this is our rendering of them.
 *
 * The rule that matters: a partition is handed to its new owner only once the previous owner no
 * longer holds it. A member that must give up partitions is first told its assignment without
 * them and stays in its epoch (UNREVOKED_PARTITIONS) until its heartbeat's owned partitions show
 * they are gone; a member whose target includes partitions still held by someone else gets the
 * free ones now and the rest later (UNRELEASED_PARTITIONS).
 *
 * Member states (Kafka's MemberState; the numbers are the record values):
 *
 * STABLE (0): the member has everything the target of its epoch gives it.
 *   -> a newer target epoch: reconcile towards it (any of the states below, or STABLE at the new
 *      epoch).
 * UNREVOKED_PARTITIONS (1): the member was asked to revoke partitions and has not confirmed yet;
 *   its epoch stays where it was.
 *   -> once its owned partitions (heartbeat field) no longer include any of them, it reconciles
 *      again with epoch + 1 (the epoch it would have reached), which usually lands it in STABLE or
 *      UNRELEASED_PARTITIONS at the target epoch. Until then nothing changes (its rebalance timeout
 *      runs: see consumer-group.ts).
 * UNRELEASED_PARTITIONS (2): the member is at the target epoch but waits for partitions that
 *   other members have not released yet.
 *   -> every heartbeat re-checks; freed partitions are added, and when none are missing it is
 *      STABLE.
 */

/** Kafka's MemberState values, as written in ConsumerGroupCurrentMemberAssignmentValue.state. */
export const MemberState = {
  STABLE: 0,
  UNREVOKED_PARTITIONS: 1,
  UNRELEASED_PARTITIONS: 2,
} as const;
export type MemberStateValue = (typeof MemberState)[keyof typeof MemberState];

export const MEMBER_STATE_NAMES: Readonly<Record<MemberStateValue, string>> = {
  [MemberState.STABLE]: 'stable',
  [MemberState.UNREVOKED_PARTITIONS]: 'unrevoked_partitions',
  [MemberState.UNRELEASED_PARTITIONS]: 'unreleased_partitions',
};

/** topic id -> partition -> the member epoch at which the member was given it (KIP-1251). */
export type AssignedPartitions = Map<string, Map<number, number>>;
/** topic id -> partitions. */
export type PartitionSet = Map<string, Set<number>>;

export interface MemberAssignmentState {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberStateValue;
  readonly assigned: AssignedPartitions;
  /** Partitions the member must give up, with the epoch it was given them at. */
  readonly pendingRevocation: AssignedPartitions;
}

/** The owned partitions of a heartbeat (null when the field was not sent). */
export type OwnedPartitions = readonly { readonly topicId: string; readonly partitions: readonly number[] }[] | null;

export function isReconciledTo(m: MemberAssignmentState, targetEpoch: number): boolean {
  return m.state === MemberState.STABLE && m.memberEpoch === targetEpoch;
}

/** Without the owned partitions we cannot know what was revoked: assume nothing was. */
export function ownsAny(owned: OwnedPartitions, partitions: ReadonlyMap<string, { has(p: number): boolean }>): boolean {
  if (owned === null) return true;
  for (const t of owned) {
    const pending = partitions.get(t.topicId);
    if (!pending) continue;
    for (const p of t.partitions) if (pending.has(p)) return true;
  }
  return false;
}

/**
 * The member's next state given the target assignment of `targetEpoch`. Returns `member` itself
 * when nothing can change yet.
 *
 * `partitionEpoch(topicId, p)` is the epoch of the member currently holding the partition (as
 * assigned or pending revocation), -1 when nobody does.
 */
export function reconcile(
  member: MemberAssignmentState,
  targetEpoch: number,
  target: ReadonlyMap<string, ReadonlySet<number>>,
  partitionEpoch: (topicId: string, partition: number) => number,
  owned: OwnedPartitions,
): MemberAssignmentState {
  switch (member.state) {
    case MemberState.STABLE:
      if (member.memberEpoch === targetEpoch) return member;
      return next(member, member.memberEpoch, targetEpoch, target, partitionEpoch, owned);
    case MemberState.UNREVOKED_PARTITIONS:
      if (ownsAny(owned, member.pendingRevocation)) return member;
      return next(member, member.memberEpoch + 1, targetEpoch, target, partitionEpoch, owned);
    case MemberState.UNRELEASED_PARTITIONS:
      return next(member, member.memberEpoch, targetEpoch, target, partitionEpoch, owned);
  }
}

function next(
  member: MemberAssignmentState,
  memberEpoch: number,
  targetEpoch: number,
  target: ReadonlyMap<string, ReadonlySet<number>>,
  partitionEpoch: (topicId: string, partition: number) => number,
  owned: OwnedPartitions,
): MemberAssignmentState {
  const assigned: AssignedPartitions = new Map();
  const revoke: AssignedPartitions = new Map();
  const toAssign: PartitionSet = new Map();
  let unreleased = false;
  const topicIds = new Set([...target.keys(), ...member.assigned.keys()]);
  for (const topicId of topicIds) {
    const want = target.get(topicId) ?? new Set<number>();
    const have = member.assigned.get(topicId) ?? new Map<number, number>();
    const keep = new Map<number, number>();
    const gone = new Map<number, number>();
    for (const [p, epoch] of have) {
      if (want.has(p)) keep.set(p, epoch);
      else gone.set(p, epoch);
    }
    const add = new Set<number>();
    for (const p of want) {
      if (keep.has(p)) continue;
      // Still held by another member (or by this one at an older epoch, pending revocation).
      if (partitionEpoch(topicId, p) !== -1) unreleased = true;
      else add.add(p);
    }
    if (keep.size > 0) assigned.set(topicId, keep);
    if (gone.size > 0) revoke.set(topicId, gone);
    if (add.size > 0) toAssign.set(topicId, add);
  }
  if (revoke.size > 0 && ownsAny(owned, revoke)) {
    // Revoke first: the member keeps its epoch and is told its assignment without them.
    return { memberEpoch, previousMemberEpoch: member.memberEpoch, state: MemberState.UNREVOKED_PARTITIONS, assigned, pendingRevocation: revoke };
  }
  for (const [topicId, ps] of toAssign) {
    let keep = assigned.get(topicId);
    if (!keep) assigned.set(topicId, (keep = new Map()));
    for (const p of ps) keep.set(p, targetEpoch);
  }
  return {
    memberEpoch: targetEpoch,
    previousMemberEpoch: member.memberEpoch,
    state: unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
    assigned,
    pendingRevocation: new Map(),
  };
}

/** Whether two assignments hold the same partitions (assignment epochs aside). */
export function samePartitions(a: ReadonlyMap<string, ReadonlyMap<number, number> | ReadonlySet<number>>, b: ReadonlyMap<string, ReadonlyMap<number, number> | ReadonlySet<number>>): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, ps] of a) {
    const other = b.get(topicId);
    if (!other || other.size !== ps.size) return false;
    for (const p of ps.keys()) if (!other.has(p)) return false;
  }
  return true;
}

export function sameState(a: MemberAssignmentState, b: MemberAssignmentState): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    samePartitions(a.assigned, b.assigned) &&
    samePartitions(a.pendingRevocation, b.pendingRevocation)
  );
}
