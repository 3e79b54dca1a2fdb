/**
 * A member of a streams group (KIP-1071) and its reconciliation towards the group's target
 * assignment, as Kafka's StreamsGroupMember and streams CurrentAssignmentBuilder:
 *
 * STABLE: the member holds its target at its epoch. A newer target epoch starts a reconciliation.
 * UNREVOKED_TASKS: it still owns tasks it must give up; it stays at its epoch until a heartbeat
 *   reports them gone, then moves to epoch + 1 and on towards the target.
 * UNRELEASED_TASKS: it is at the target epoch but waits for tasks other members still hold: an
 *   active task until no member holds it as active and no member of its own process holds it as
 *   standby or warm-up; a standby or warm-up task until its process holds it in no role.
 *
 * Newly assignable tasks are handed out only once nothing is left to revoke, so a task is never
 * active on two members at once.
 */
export type Tasks = Map<string, Set<number>>;

export interface TaskTuple {
  readonly active: Tasks;
  readonly standby: Tasks;
  readonly warmup: Tasks;
}

export const MemberState = { STABLE: 'STABLE', UNREVOKED_TASKS: 'UNREVOKED_TASKS', UNRELEASED_TASKS: 'UNRELEASED_TASKS' } as const;
export type MemberStateName = (typeof MemberState)[keyof typeof MemberState];

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface StreamsGroupMember {
  readonly memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  topologyEpoch: number;
  processId: string;
  userEndpoint: Endpoint | null;
  clientTags: Map<string, string>;
  taskOffsets: { subtopologyId: string; partition: number; offset: bigint }[];
  taskEndOffsets: { subtopologyId: string; partition: number; offset: bigint }[];
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberStateName;
  assigned: TaskTuple;
  pendingRevocation: TaskTuple;
}

export const emptyTuple = (): TaskTuple => ({ active: new Map(), standby: new Map(), warmup: new Map() });

export function freshStreamsMember(memberId: string): StreamsGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    rebalanceTimeoutMs: -1,
    topologyEpoch: -1,
    processId: '',
    userEndpoint: null,
    clientTags: new Map(),
    taskOffsets: [],
    taskEndOffsets: [],
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assigned: emptyTuple(),
    pendingRevocation: emptyTuple(),
  };
}

export function tasksFrom(list: readonly { subtopologyId: string; partitions: number[] }[]): Tasks {
  const out: Tasks = new Map();
  for (const t of list) {
    if (t.partitions.length === 0) continue;
    const set = out.get(t.subtopologyId) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    out.set(t.subtopologyId, set);
  }
  return out;
}

export function tasksList(tasks: Tasks): { subtopologyId: string; partitions: number[] }[] {
  return [...tasks]
    .filter(([, ps]) => ps.size > 0)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([subtopologyId, ps]) => ({ subtopologyId, partitions: [...ps].sort((x, y) => x - y) }));
}

export function isEmptyTasks(t: Tasks): boolean {
  for (const ps of t.values()) if (ps.size > 0) return false;
  return true;
}

export function isEmptyTuple(t: TaskTuple): boolean {
  return isEmptyTasks(t.active) && isEmptyTasks(t.standby) && isEmptyTasks(t.warmup);
}

export function sameTasks(a: Tasks, b: Tasks): boolean {
  const x = tasksList(a);
  const y = tasksList(b);
  return JSON.stringify(x) === JSON.stringify(y);
}

export function sameTuple(a: TaskTuple, b: TaskTuple): boolean {
  return sameTasks(a.active, b.active) && sameTasks(a.standby, b.standby) && sameTasks(a.warmup, b.warmup);
}

function containsAnyTasks(owned: Tasks, of: Tasks): boolean {
  for (const [s, ps] of of) {
    const o = owned.get(s);
    if (o) for (const p of ps) if (o.has(p)) return true;
  }
  return false;
}

export function tupleContainsAny(owned: TaskTuple, of: TaskTuple): boolean {
  return containsAnyTasks(owned.active, of.active) || containsAnyTasks(owned.standby, of.standby) || containsAnyTasks(owned.warmup, of.warmup);
}

export function isSubsetTasks(sub: Tasks, of: Tasks): boolean {
  for (const [s, ps] of sub) {
    const o = of.get(s);
    for (const p of ps) if (!o?.has(p)) return false;
  }
  return true;
}

/** Who holds a task right now, by process (assigned or pending revocation), for the unreleased checks. */
export interface TaskHolders {
  activeProcess(subtopology: string, partition: number): string | undefined;
  standbyProcesses(subtopology: string, partition: number): ReadonlySet<string>;
  warmupProcesses(subtopology: string, partition: number): ReadonlySet<string>;
}

type Unreleased = (subtopology: string, partition: number) => boolean;

/** Splits current vs target into kept, to revoke and to assign now; says whether some wait. */
function diff(current: Tasks, target: Tasks, unreleased: Unreleased): { kept: Tasks; revoke: Tasks; add: Tasks; waiting: boolean } {
  const kept: Tasks = new Map();
  const revoke: Tasks = new Map();
  const add: Tasks = new Map();
  let waiting = false;
  for (const s of new Set([...current.keys(), ...target.keys()])) {
    const cur = current.get(s) ?? new Set<number>();
    const tgt = target.get(s) ?? new Set<number>();
    const k = new Set([...cur].filter((p) => tgt.has(p)));
    const r = new Set([...cur].filter((p) => !tgt.has(p)));
    const a = new Set<number>();
    for (const p of tgt) {
      if (k.has(p)) continue;
      if (unreleased(s, p)) waiting = true;
      else a.add(p);
    }
    if (k.size > 0) kept.set(s, k);
    if (r.size > 0) revoke.set(s, r);
    if (a.size > 0) add.set(s, a);
  }
  return { kept, revoke, add, waiting };
}

function merge(a: Tasks, b: Tasks): Tasks {
  const out: Tasks = new Map();
  for (const t of [a, b]) for (const [s, ps] of t) out.set(s, new Set([...(out.get(s) ?? []), ...ps]));
  return out;
}

/**
 * The member's next state (a new object; the input is not changed). `owned` is what the heartbeat
 * reported, null when it did not say.
 */
export function reconcileStreamsMember(member: StreamsGroupMember, targetEpoch: number, target: TaskTuple, owned: TaskTuple | null, holders: TaskHolders): StreamsGroupMember {
  switch (member.state) {
    case MemberState.STABLE:
      if (member.memberEpoch === targetEpoch) return member;
      return next(member, member.memberEpoch, targetEpoch, target, owned, holders);
    case MemberState.UNREVOKED_TASKS:
      if (owned === null || tupleContainsAny(owned, member.pendingRevocation)) return member;
      return next(member, member.memberEpoch + 1, targetEpoch, target, owned, holders);
    case MemberState.UNRELEASED_TASKS:
      return next(member, member.memberEpoch, targetEpoch, target, owned, holders);
  }
}

function next(member: StreamsGroupMember, memberEpoch: number, targetEpoch: number, target: TaskTuple, owned: TaskTuple | null, h: TaskHolders): StreamsGroupMember {
  const pid = member.processId;
  const active = diff(member.assigned.active, target.active, (s, p) => h.activeProcess(s, p) !== undefined || h.standbyProcesses(s, p).has(pid) || h.warmupProcesses(s, p).has(pid));
  const onProcess = (s: string, p: number) => h.activeProcess(s, p) === pid || h.standbyProcesses(s, p).has(pid) || h.warmupProcesses(s, p).has(pid);
  const standby = diff(member.assigned.standby, target.standby, onProcess);
  const warmup = diff(member.assigned.warmup, target.warmup, onProcess);
  const revoke: TaskTuple = { active: active.revoke, standby: standby.revoke, warmup: warmup.revoke };
  const kept: TaskTuple = { active: active.kept, standby: standby.kept, warmup: warmup.kept };
  const add: TaskTuple = { active: active.add, standby: standby.add, warmup: warmup.add };
  const waiting = active.waiting || standby.waiting || warmup.waiting;
  // The previous epoch moves only when the epoch does (a heartbeat at it is still accepted).
  const previous = (epoch: number) => (epoch !== member.memberEpoch ? member.memberEpoch : member.previousMemberEpoch);
  if (!isEmptyTuple(revoke) && (owned === null || tupleContainsAny(owned, revoke))) {
    return { ...member, previousMemberEpoch: previous(memberEpoch), state: MemberState.UNREVOKED_TASKS, memberEpoch, assigned: kept, pendingRevocation: revoke };
  }
  const assigned: TaskTuple = isEmptyTuple(add) ? kept : { active: merge(kept.active, add.active), standby: merge(kept.standby, add.standby), warmup: merge(kept.warmup, add.warmup) };
  return { ...member, previousMemberEpoch: previous(targetEpoch), state: waiting ? MemberState.UNRELEASED_TASKS : MemberState.STABLE, memberEpoch: targetEpoch, assigned, pendingRevocation: emptyTuple() };
}
