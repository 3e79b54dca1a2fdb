/**
 * Server-side partition assignors of the consumer group protocol (KIP-848): given each member's
 * subscription (topic ids that exist) and its current target assignment, compute the next target
 * assignment of the whole group. The coordinator then moves every member towards its target,
 * revoking before reassigning (see consumer-reconcile.ts), so an assignor never has to care about
 * who owns what right now, only about what each member should end up with.
 *
 * Assignors are pure functions of their input: the same spec gives the same assignment, which is
 * what makes the coordinator's behaviour reproducible in tests.
 */

/** Partitions by topic id. */
export type TopicPartitions = Map<string, Set<number>>;

export interface AssignorMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** The ids of the existing topics the member subscribes to (names and regex resolved). */
  readonly subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment: where a sticky assignor starts from. */
  readonly currentAssignment: ReadonlyMap<string, ReadonlySet<number>>;
}

export interface AssignorTopic {
  readonly id: string;
  readonly name: string;
  readonly numPartitions: number;
}

export interface AssignmentSpec {
  readonly members: readonly AssignorMember[];
  /** Every topic some member subscribes to, by id. */
  readonly topics: ReadonlyMap<string, AssignorTopic>;
}

export interface ServerAssignor {
  /** The name clients select it by (ConsumerGroupHeartbeat.serverAssignor, group.remote.assignor). */
  readonly name: string;
  /** The target assignment of every member of the spec (members without partitions map to an empty map). */
  assign(spec: AssignmentSpec): Map<string, TopicPartitions>;
}

/** Topics ordered by name, so that assignments do not depend on topic id randomness. */
export function topicsByName(spec: AssignmentSpec): AssignorTopic[] {
  return [...spec.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function addPartition(a: TopicPartitions, topicId: string, partition: number): void {
  let set = a.get(topicId);
  if (!set) a.set(topicId, (set = new Set()));
  set.add(partition);
}

export function removePartition(a: TopicPartitions, topicId: string, partition: number): void {
  const set = a.get(topicId);
  if (!set) return;
  set.delete(partition);
  if (set.size === 0) a.delete(topicId);
}

export function countPartitions(a: ReadonlyMap<string, ReadonlySet<number>>): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}
