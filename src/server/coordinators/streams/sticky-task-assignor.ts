/**
 * Kafka's sticky task assignor for streams groups (StickyTaskAssignor, KIP-1071), rack awareness
 * and offset-ranked standby candidates left out. Tasks are placed on processes (a Streams instance,
 * which may run several members, one per stream thread), then on the least loaded member of the
 * process:
 *
 * 1. active tasks, stateful ones first, then stateless ones, each pass balanced on its own:
 *    a. a task stays with the member that had it as active, while that member is under the quota
 *       (ceil(tasks / members), recomputed as members fill up);
 *    b. else it goes to a member that had it as standby (warm-up counts as standby), least loaded;
 *    c. the rest, ordered by subtopology then partition, go one by one to the least loaded process
 *       (load = tasks / members; ties: fewer stateless active tasks, then process id);
 * 2. num.standby.replicas standbys of every stateful task, never on the process that holds the task
 *    (active or standby): first the member that had it active, then one that had it standby, each
 *    under the total quota; the rest to the least loaded process without the task. When processes
 *    run out, fewer standbys are assigned (Kafka logs a warning).
 *
 * Warm-up tasks are never assigned by this assignor (as Kafka's sticky assignor).
 */
import type { ConfiguredSubtopology } from './streams-topology.js';

export type TaskMap = ReadonlyMap<string, ReadonlySet<number>>;

export interface AssignorMember {
  readonly memberId: string;
  readonly processId: string;
  /** The member's current target assignment (empty for a new member). */
  readonly active: TaskMap;
  readonly standby: TaskMap;
  readonly warmup: TaskMap;
}

export interface MemberTasks {
  readonly active: Map<string, Set<number>>;
  readonly standby: Map<string, Set<number>>;
  readonly warmup: Map<string, Set<number>>;
}

interface Task {
  readonly subtopology: string;
  readonly partition: number;
}

const key = (t: Task): string => `${t.subtopology}\u0000${t.partition}`;

class Process {
  readonly members = new Map<string, number>();
  readonly tasks = new Set<string>();
  total = 0;
  statelessActive = 0;
  constructor(readonly id: string) {}
  get load(): number {
    return this.total / this.members.size;
  }
  leastLoadedMember(): string {
    let best: string | null = null;
    for (const [m, n] of this.members) if (best === null || n < this.members.get(best)! || (n === this.members.get(best)! && m < best)) best = m;
    return best!;
  }
}

function byLoad(a: Process, b: Process): number {
  return a.load - b.load || a.statelessActive - b.statelessActive || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function assignTasks(members: readonly AssignorMember[], subtopologies: Iterable<ConfiguredSubtopology>, numStandbyReplicas: number): Map<string, MemberTasks> {
  const out = new Map<string, MemberTasks>();
  for (const m of members) out.set(m.memberId, { active: new Map(), standby: new Map(), warmup: new Map() });
  if (members.length === 0) return out;

  const processes = new Map<string, Process>();
  const processOf = new Map<string, Process>();
  const prevActive = new Map<string, string>();
  const prevStandby = new Map<string, string[]>();
  for (const m of [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    let p = processes.get(m.processId);
    if (!p) processes.set(m.processId, (p = new Process(m.processId)));
    p.members.set(m.memberId, 0);
    processOf.set(m.memberId, p);
    for (const [s, ps] of m.active) for (const n of ps) prevActive.set(key({ subtopology: s, partition: n }), m.memberId);
    for (const tasks of [m.standby, m.warmup]) {
      for (const [s, ps] of tasks) for (const n of ps) {
        const k = key({ subtopology: s, partition: n });
        const list = prevStandby.get(k) ?? [];
        list.push(m.memberId);
        prevStandby.set(k, list);
      }
    }
  }

  const stateful: Task[] = [];
  const stateless: Task[] = [];
  for (const s of subtopologies) {
    for (let i = 0; i < s.numTasks; i++) (s.stateful ? stateful : stateless).push({ subtopology: s.id, partition: i });
  }
  const memberCount = members.length;
  const totalTasks = stateful.length * (1 + numStandbyReplicas) + stateless.length;
  const totalQuota = Math.ceil(totalTasks / memberCount);

  const add = (memberId: string, t: Task, active: boolean, isStateful: boolean): void => {
    const p = processOf.get(memberId)!;
    p.members.set(memberId, p.members.get(memberId)! + 1);
    p.tasks.add(key(t));
    p.total++;
    if (active && !isStateful) p.statelessActive++;
    const target = active ? out.get(memberId)!.active : out.get(memberId)!.standby;
    let set = target.get(t.subtopology);
    if (!set) target.set(t.subtopology, (set = new Set()));
    set.add(t.partition);
  };
  const countOf = (memberId: string): number => processOf.get(memberId)!.members.get(memberId)!;

  const assignActive = (tasks: Task[], isStateful: boolean): void => {
    // Quota per member of this pass: everything assigned so far (the stateful pass runs first, so
    // during it a member's count is its stateful active count) plus this pass, spread evenly.
    let assignedBefore = 0;
    for (const p of processes.values()) assignedBefore += p.total;
    const quota = Math.ceil((assignedBefore + tasks.length) / memberCount);
    const remaining: Task[] = [];
    const byPartition = [...tasks].sort((a, b) => a.partition - b.partition || (a.subtopology < b.subtopology ? -1 : a.subtopology > b.subtopology ? 1 : 0));
    for (const t of byPartition) {
      const prev = prevActive.get(key(t));
      if (prev !== undefined && processOf.has(prev) && countOf(prev) < quota) add(prev, t, true, isStateful);
      else remaining.push(t);
    }
    const rest: Task[] = [];
    for (const t of remaining) {
      const candidates = (prevStandby.get(key(t)) ?? []).filter((m) => processOf.has(m) && countOf(m) < quota);
      candidates.sort((a, b) => byLoad(processOf.get(a)!, processOf.get(b)!) || countOf(a) - countOf(b));
      if (candidates.length > 0) add(candidates[0]!, t, true, isStateful);
      else rest.push(t);
    }
    rest.sort((a, b) => (a.subtopology < b.subtopology ? -1 : a.subtopology > b.subtopology ? 1 : a.partition - b.partition));
    for (const t of rest) {
      const p = [...processes.values()].sort(byLoad)[0]!;
      add(p.leastLoadedMember(), t, true, isStateful);
    }
  };

  assignActive(stateful, true);
  assignActive(stateless, false);

  if (numStandbyReplicas > 0) {
    const toLeastLoaded: Task[] = [];
    const ordered = [...stateful].sort((a, b) => b.partition - a.partition || (a.subtopology < b.subtopology ? 1 : a.subtopology > b.subtopology ? -1 : 0));
    for (const t of ordered) {
      for (let i = 0; i < numStandbyReplicas; i++) {
        const prev = prevActive.get(key(t));
        if (prev !== undefined && processOf.has(prev) && !processOf.get(prev)!.tasks.has(key(t)) && countOf(prev) < totalQuota) {
          add(prev, t, false, true);
          continue;
        }
        const candidates = (prevStandby.get(key(t)) ?? []).filter((m) => processOf.has(m) && !processOf.get(m)!.tasks.has(key(t)) && countOf(m) < totalQuota);
        candidates.sort((a, b) => byLoad(processOf.get(a)!, processOf.get(b)!) || countOf(a) - countOf(b));
        if (candidates.length > 0) add(candidates[0]!, t, false, true);
        else toLeastLoaded.push(t);
      }
    }
    toLeastLoaded.sort((a, b) => (a.subtopology < b.subtopology ? 1 : a.subtopology > b.subtopology ? -1 : b.partition - a.partition));
    for (const t of toLeastLoaded) {
      const p = [...processes.values()].filter((x) => !x.tasks.has(key(t))).sort(byLoad)[0];
      if (p) add(p.leastLoadedMember(), t, false, true);
    }
  }
  return out;
}
