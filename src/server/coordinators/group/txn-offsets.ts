/**
 * Transactional offset commits (TxnOffsetCommit, sendOffsetsToTransaction), as Kafka's
 * OffsetMetadataManager handles them: the offsets are written to __consumer_offsets in a
 * transactional batch of the producer at once, but stay pending, invisible to OffsetFetch, until
 * the transaction's marker reaches the group's __consumer_offsets partition: COMMIT makes them the
 * committed offsets, ABORT drops them. While any is pending for a partition, OffsetFetch with
 * requireStable answers that partition UNSTABLE_OFFSET_COMMIT.
 *
 * Order between commits: Kafka keeps, per partition, the offset whose record comes last in
 * __consumer_offsets. A pending offset therefore does not replace, when its transaction commits,
 * an offset committed after it was written (a plain OffsetCommit, or another transaction whose
 * record is later). Without record offsets on plain commits, this store remembers which committed
 * offset object was current when the pending one was written (`baseline`): anything else found
 * there at commit time is newer, unless it is a transactional offset with an older record.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { CommittedOffset, OffsetStore } from './offset-store.js';
import { ClassicGroupState } from './classic-group-states.js';
import type { ClassicGroup } from './classic-group.js';

interface PendingOffset {
  readonly topic: string;
  readonly partition: number;
  readonly value: CommittedOffset;
  /** Offset of its record in __consumer_offsets. */
  readonly recordOffset: number;
  /** The committed offset when it was written. */
  readonly baseline: CommittedOffset | undefined;
}

const key = (groupId: string, topic: string, partition: number) => `${groupId}\u0000${topic}\u0000${partition}`;

export class TxnOffsetStore {
  // producer id -> group id -> "topic\0partition" -> the latest pending offset
  readonly #byProducer = new Map<number, Map<string, Map<string, PendingOffset>>>();
  // "group\0topic\0partition" -> how many producers hold a pending offset for it
  readonly #pendingCount = new Map<string, number>();
  // Record offsets of materialized transactional offsets, to order them against later ones.
  readonly #recordOffsets = new WeakMap<CommittedOffset, number>();

  /** Records a pending offset of `producerId`'s open transaction. */
  add(producerId: number, groupId: string, topic: string, partition: number, value: CommittedOffset, recordOffset: number, baseline: CommittedOffset | undefined): void {
    let groups = this.#byProducer.get(producerId);
    if (groups === undefined) this.#byProducer.set(producerId, (groups = new Map()));
    let offsets = groups.get(groupId);
    if (offsets === undefined) groups.set(groupId, (offsets = new Map()));
    const k = `${topic}\u0000${partition}`;
    if (!offsets.has(k)) {
      const gk = key(groupId, topic, partition);
      this.#pendingCount.set(gk, (this.#pendingCount.get(gk) ?? 0) + 1);
    }
    offsets.set(k, { topic, partition, value, recordOffset, baseline });
  }

  /** Whether an open transaction holds an offset for the partition (OffsetFetch requireStable). */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    return this.#pendingCount.has(key(groupId, topic, partition));
  }

  /** Groups for which `producerId` has pending offsets. */
  groupsOf(producerId: number): string[] {
    return [...(this.#byProducer.get(producerId)?.keys() ?? [])];
  }

  /**
   * A marker for `producerId` reached the __consumer_offsets partition holding the groups that
   * `inPartition` accepts: commit or drop their pending offsets. Returns how many became committed.
   */
  complete(producerId: number, commit: boolean, inPartition: (groupId: string) => boolean, offsets: OffsetStore): number {
    const groups = this.#byProducer.get(producerId);
    if (groups === undefined) return 0;
    let committed = 0;
    for (const [groupId, pending] of [...groups]) {
      if (!inPartition(groupId)) continue;
      groups.delete(groupId);
      for (const p of pending.values()) {
        const gk = key(groupId, p.topic, p.partition);
        const n = (this.#pendingCount.get(gk) ?? 1) - 1;
        if (n === 0) this.#pendingCount.delete(gk);
        else this.#pendingCount.set(gk, n);
        if (!commit) continue;
        const current = offsets.get(groupId, p.topic, p.partition);
        if (!this.#isNewer(p, current)) continue;
        offsets.put(groupId, p.topic, p.partition, p.value);
        this.#recordOffsets.set(p.value, p.recordOffset);
        committed++;
      }
    }
    if (groups.size === 0) this.#byProducer.delete(producerId);
    return committed;
  }

  /** Drops every pending offset of a group (the group was deleted). */
  dropGroup(groupId: string): void {
    for (const [pid, groups] of this.#byProducer) {
      const pending = groups.get(groupId);
      if (pending === undefined) continue;
      for (const p of pending.values()) this.#pendingCount.delete(key(groupId, p.topic, p.partition));
      groups.delete(groupId);
      if (groups.size === 0) this.#byProducer.delete(pid);
    }
  }

  #isNewer(p: PendingOffset, current: CommittedOffset | undefined): boolean {
    if (current === undefined) return true;
    const currentRecord = this.#recordOffsets.get(current);
    if (currentRecord !== undefined) return p.recordOffset > currentRecord;
    // A plain commit: older than the pending offset only if it was already there when it was written.
    return current === p.baseline;
  }
}

/**
 * Kafka's ClassicGroup.validateOffsetCommit for a transactional commit: generation -1 on an empty
 * group passes (simple consumers, old clients); otherwise a member id, instance id or generation
 * given must be right (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION). Unlike plain
 * commits, a missing member id on a non-empty group and a rebalance in progress are accepted.
 */
export function validateTxnOffsetCommit(group: ClassicGroup, memberId: string, groupInstanceId: string | null, generationId: number): number {
  if (group.is(ClassicGroupState.DEAD)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId < 0 && group.is(ClassicGroupState.EMPTY)) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const invalid = group.validateMember(memberId, groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  }
  return ErrorCode.NONE;
}
