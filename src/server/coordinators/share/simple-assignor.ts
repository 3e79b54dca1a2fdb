/**
 * The share groups' "simple" assignor (Kafka's SimpleAssignor): every partition of a subscribed
 * topic goes to at least one of the members subscribed to it, and, when a topic has more
 * subscribers than partitions, every subscriber still gets a partition, so several members share
 * one partition (share groups may: records, not partitions, are what members own).
 *
 * Per topic, with its subscribers sorted by member id: with at least as many partitions as
 * members, partition p goes to member p mod M; with more members, member m gets partition m mod P.
 * The result depends only on the member ids and the topic sizes, so it is stable across heartbeats.
 */
export interface AssignorTopic {
  readonly id: string;
  readonly name: string;
  readonly partitionCount: number;
}

export interface AssignorMember {
  readonly memberId: string;
  readonly subscribedTopicNames: readonly string[];
}

/** memberId -> topicId -> sorted partitions. */
export type ShareAssignment = Map<string, Map<string, number[]>>;

export function simpleAssign(members: readonly AssignorMember[], topicByName: (name: string) => AssignorTopic | undefined): ShareAssignment {
  const out: ShareAssignment = new Map(members.map((m) => [m.memberId, new Map<string, number[]>()]));
  const subscribers = new Map<string, string[]>();
  for (const m of members) {
    for (const name of new Set(m.subscribedTopicNames)) {
      const list = subscribers.get(name) ?? [];
      list.push(m.memberId);
      subscribers.set(name, list);
    }
  }
  for (const [name, ids] of subscribers) {
    const topic = topicByName(name);
    if (topic === undefined || topic.partitionCount === 0) continue;
    ids.sort();
    const give = (memberId: string, p: number) => {
      const byTopic = out.get(memberId)!;
      const list = byTopic.get(topic.id) ?? [];
      list.push(p);
      byTopic.set(topic.id, list);
    };
    const P = topic.partitionCount;
    const M = ids.length;
    if (P >= M) for (let p = 0; p < P; p++) give(ids[p % M]!, p);
    else for (let m = 0; m < M; m++) give(ids[m]!, m % P);
  }
  return out;
}

export function sameAssignment(a: ReadonlyMap<string, readonly number[]>, b: ReadonlyMap<string, readonly number[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [topicId, ps] of a) {
    const other = b.get(topicId);
    if (other === undefined || other.length !== ps.length || other.some((p, i) => p !== ps[i])) return false;
  }
  return true;
}
