/**
 * Committed offsets, by group, topic and partition: the in-memory view that OffsetFetch reads.
 * Every change is also written to __consumer_offsets by the coordinator (the log is what a
 * restart will load); this store never touches the log itself.
 *
 * Maps keep insertion order, so "all offsets of a group" come out in commit order, topic by
 * topic, as Kafka's timeline maps do closely enough for clients (which never rely on the order).
 */

export interface CommittedOffset {
  readonly offset: bigint;
  /** -1 when the client did not send one. */
  readonly leaderEpoch: number;
  /** "" when the client sent null, as Kafka stores it. */
  readonly metadata: string;
  readonly commitTimestampMs: number;
  /** Only from OffsetCommit v2-v4 with an explicit retention time; null otherwise. */
  readonly expireTimestampMs: number | null;
}

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  put(groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    let topics = this.#byGroup.get(groupId);
    if (!topics) this.#byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  }

  /** Returns whether an offset was there. */
  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.#byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (!topics || !partitions || !partitions.delete(partition)) return false;
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.#byGroup.delete(groupId);
    return true;
  }

  /** Every committed offset of a group, topic by topic. */
  *entries(groupId: string): IterableIterator<[topic: string, partition: number, value: CommittedOffset]> {
    const topics = this.#byGroup.get(groupId);
    if (!topics) return;
    for (const [topic, partitions] of topics) for (const [p, v] of partitions) yield [topic, p, v];
  }

  /** Topics a group has offsets for. */
  topics(groupId: string): string[] {
    return [...(this.#byGroup.get(groupId)?.keys() ?? [])];
  }

  hasOffsets(groupId: string): boolean {
    return this.#byGroup.has(groupId);
  }

  /** Number of committed offsets held for a group. */
  count(groupId: string): number {
    let n = 0;
    for (const partitions of this.#byGroup.get(groupId)?.values() ?? []) n += partitions.size;
    return n;
  }
}
