/**
 * The `uniform` server assignor (Kafka's default): spreads partitions as evenly as the
 * subscriptions allow, and keeps as much of each member's current target assignment as balance
 * permits, so that a member joining or leaving moves few partitions.
 *
 * Two cases, as Kafka's UniformAssignor distinguishes them (the algorithms here are our own):
 *
 * - Homogeneous (every member subscribes to the same topics): each member gets floor(P/M) or
 *   floor(P/M)+1 partitions. Members first keep what they had, up to that quota (the +1 slots go
 *   to members that already had more); the rest (partitions that are new, orphaned by a member
 *   that left, or taken off an over-full member) fill the members below quota in member-id order.
 *
 * - Heterogeneous (subscriptions differ): members keep what they had of the topics they still
 *   subscribe to; each remaining partition goes to the least loaded subscriber; then partitions
 *   move from the most loaded member to a less loaded subscriber while that lowers the spread by
 *   more than one. The result is balanced within one partition wherever subscriptions overlap.
 *
 * Ties are broken by member id and topics are walked by name, so the result is deterministic.
 */
import type { AssignmentSpec, AssignorMember, AssignorTopic, ServerAssignor, TopicPartitions } from './assignor.js';
import { addPartition, removePartition, topicsByName } from './assignor.js';

interface Slot {
  readonly member: AssignorMember;
  readonly assignment: TopicPartitions;
  load: number;
}

function sameSubscriptions(members: readonly AssignorMember[]): boolean {
  const first = members[0]!.subscribedTopicIds;
  return members.every((m) => m.subscribedTopicIds.size === first.size && [...first].every((t) => m.subscribedTopicIds.has(t)));
}

/** owner[topicId][partition] = slot index, or -1. */
type Owners = Map<string, Int32Array>;

function ownersFor(topics: readonly AssignorTopic[]): Owners {
  const owners: Owners = new Map();
  for (const t of topics) owners.set(t.id, new Int32Array(t.numPartitions).fill(-1));
  return owners;
}

/** The valid part of each member's current assignment, in member order; a partition claimed twice goes to the first. */
function keepCurrent(slots: Slot[], topics: ReadonlyMap<string, AssignorTopic>, owners: Owners): [number, string, number][][] {
  const kept: [number, string, number][][] = slots.map(() => []);
  slots.forEach((slot, i) => {
    for (const [topicId, partitions] of slot.member.currentAssignment) {
      const topic = topics.get(topicId);
      if (!topic || !slot.member.subscribedTopicIds.has(topicId)) continue;
      const own = owners.get(topicId)!;
      for (const p of [...partitions].sort((a, b) => a - b)) {
        if (p >= topic.numPartitions || own[p] !== -1) continue;
        own[p] = i;
        kept[i]!.push([i, topicId, p]);
      }
    }
  });
  return kept;
}

function assignHomogeneous(slots: Slot[], spec: AssignmentSpec, topics: readonly AssignorTopic[]): void {
  const owners = ownersFor(topics);
  const kept = keepCurrent(slots, spec.topics, owners);
  let total = 0;
  for (const t of topics) if (slots[0]!.member.subscribedTopicIds.has(t.id)) total += t.numPartitions;
  const minQuota = Math.floor(total / slots.length);
  let extra = total % slots.length;
  // Members that already hold more than the minimum get the +1 slots first: fewer moves.
  const order = slots.map((_, i) => i).sort((a, b) => kept[b]!.length - kept[a]!.length || a - b);
  for (const i of order) {
    let allowed = minQuota;
    if (kept[i]!.length > minQuota && extra > 0) {
      allowed++;
      extra--;
    }
    for (const [k, [, topicId, p]] of kept[i]!.entries()) {
      if (k < allowed) {
        addPartition(slots[i]!.assignment, topicId, p);
        slots[i]!.load++;
      } else {
        owners.get(topicId)![p] = -1;
      }
    }
  }
  // Fill: first everyone up to the minimum, then the remaining +1 slots, in member order.
  const free: [string, number][] = [];
  for (const t of topics) {
    if (!slots[0]!.member.subscribedTopicIds.has(t.id)) continue;
    const own = owners.get(t.id)!;
    for (let p = 0; p < t.numPartitions; p++) if (own[p] === -1) free.push([t.id, p]);
  }
  let cursor = 0;
  const take = (i: number): boolean => {
    const f = free[cursor];
    if (f === undefined) return false;
    cursor++;
    addPartition(slots[i]!.assignment, f[0], f[1]);
    slots[i]!.load++;
    return true;
  };
  for (let i = 0; i < slots.length; i++) while (slots[i]!.load < minQuota && take(i));
  for (let i = 0; i < slots.length && extra > 0; i++) {
    if (slots[i]!.load === minQuota && take(i)) extra--;
  }
}

function assignHeterogeneous(slots: Slot[], spec: AssignmentSpec, topics: readonly AssignorTopic[]): void {
  const owners = ownersFor(topics);
  for (const group of keepCurrent(slots, spec.topics, owners)) {
    for (const [i, topicId, p] of group) {
      addPartition(slots[i]!.assignment, topicId, p);
      slots[i]!.load++;
    }
  }
  for (const t of topics) {
    const subscribers = slots.filter((s) => s.member.subscribedTopicIds.has(t.id));
    if (subscribers.length === 0) continue;
    const own = owners.get(t.id)!;
    for (let p = 0; p < t.numPartitions; p++) {
      if (own[p] !== -1) continue;
      let best = subscribers[0]!;
      for (const s of subscribers) if (s.load < best.load) best = s;
      own[p] = slots.indexOf(best);
      addPartition(best.assignment, t.id, p);
      best.load++;
    }
  }
  // Move partitions from heavier to lighter subscribers while that narrows the spread. Each move
  // lowers the sum of squared loads, so the loop ends.
  const names = new Map(topics.map((t) => [t.id, t.name]));
  for (;;) {
    let moved = false;
    const byLoad = [...slots].sort((a, b) => b.load - a.load);
    search: for (const from of byLoad) {
      if (from.load < 2) break;
      const held: [string, number][] = [];
      for (const [topicId, ps] of from.assignment) for (const p of ps) held.push([topicId, p]);
      // Later partitions move first, so the earliest stay put.
      held.sort((a, b) => (names.get(b[0])! < names.get(a[0])! ? -1 : names.get(b[0])! > names.get(a[0])! ? 1 : b[1] - a[1]));
      for (const [topicId, p] of held) {
        let to: Slot | undefined;
        for (const s of slots) {
          if (s === from || !s.member.subscribedTopicIds.has(topicId) || from.load - s.load <= 1) continue;
          if (!to || s.load < to.load) to = s;
        }
        if (!to) continue;
        removePartition(from.assignment, topicId, p);
        from.load--;
        addPartition(to.assignment, topicId, p);
        to.load++;
        moved = true;
        break search;
      }
    }
    if (!moved) return;
  }
}

export const uniformAssignor: ServerAssignor = {
  name: 'uniform',
  assign(spec: AssignmentSpec): Map<string, TopicPartitions> {
    const members = [...spec.members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const out = new Map<string, TopicPartitions>();
    if (members.length === 0) return out;
    const slots: Slot[] = members.map((member) => ({ member, assignment: new Map(), load: 0 }));
    const topics = topicsByName(spec);
    if (sameSubscriptions(members)) assignHomogeneous(slots, spec, topics);
    else assignHeterogeneous(slots, spec, topics);
    for (const s of slots) out.set(s.member.memberId, s.assignment);
    return out;
  },
};
