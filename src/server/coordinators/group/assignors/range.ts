/**
 * The `range` server assignor, as Kafka's RangeAssignor: for each topic, its subscribers (ordered
 * by instance id first, then member id) get contiguous ranges of partitions, the first
 * `numPartitions % subscribers` of them one partition more. When every member subscribes to the
 * same topics and those have the same partition count, member i gets the same partition numbers of
 * every topic (co-partitioning, what stream joins need).
 *
 * It is not sticky: a member id that sorts differently after a restart gets a different range,
 * unless the members are static (instance ids are stable across restarts).
 */
import type { AssignmentSpec, AssignorMember, ServerAssignor, TopicPartitions } from './assignor.js';
import { topicsByName } from './assignor.js';

function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export const rangeAssignor: ServerAssignor = {
  name: 'range',
  assign(spec: AssignmentSpec): Map<string, TopicPartitions> {
    const members = [...spec.members].sort(compareMembers);
    const out = new Map<string, TopicPartitions>();
    for (const m of members) out.set(m.memberId, new Map());
    for (const topic of topicsByName(spec)) {
      const subscribers = members.filter((m) => m.subscribedTopicIds.has(topic.id));
      if (subscribers.length === 0) continue;
      const quota = Math.floor(topic.numPartitions / subscribers.length);
      let extra = topic.numPartitions % subscribers.length;
      let next = 0;
      for (const m of subscribers) {
        const n = quota + (extra > 0 ? 1 : 0);
        if (extra > 0) extra--;
        const end = Math.min(next + n, topic.numPartitions);
        if (next < end) {
          const set = new Set<number>();
          for (let p = next; p < end; p++) set.add(p);
          out.get(m.memberId)!.set(topic.id, set);
        }
        next = end;
      }
    }
    return out;
  },
};
