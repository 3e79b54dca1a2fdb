/**
 * The in-flight records of one share-partition as contiguous offset ranges, as Kafka's
 * SharePartition keeps its cachedState of InFlightBatch (with per-offset state only once a batch
 * is split): a range carries one state, one delivery count, one owner and one lock deadline for
 * all its offsets, so a whole fetched batch costs one object, and an acknowledgement of part of a
 * range splits it at the edges only.
 *
 * Ranges are sorted, do not overlap, and cover [start, end] without holes once created: offsets
 * the log does not hold (compacted away, or never fetched because they sit inside a batch) are
 * simply never acquired and end up archived when the start offset moves past them.
 */

/** Kafka's RecordState ids (the ids persisted in the share coordinator's records). */
export const RecordState = { AVAILABLE: 0, ACQUIRED: 1, ACKNOWLEDGED: 2, ARCHIVED: 4 } as const;
export type RecordStateId = (typeof RecordState)[keyof typeof RecordState];

export const RECORD_STATE_NAMES: Readonly<Record<number, string>> = { 0: 'Available', 1: 'Acquired', 2: 'Acknowledged', 4: 'Archived' };

export interface InFlightRange {
  first: number;
  last: number;
  state: RecordStateId;
  deliveryCount: number;
  /** The member holding the acquisition lock (ACQUIRED only). */
  memberId: string | null;
  /** When the acquisition lock expires, on the broker clock (ACQUIRED only). */
  lockDeadline: number;
}

/** Terminal states: the start offset may move past them. */
export function isDone(state: RecordStateId): boolean {
  return state === RecordState.ACKNOWLEDGED || state === RecordState.ARCHIVED;
}

export class InFlightRanges {
  /** Sorted by first offset. */
  readonly ranges: InFlightRange[] = [];

  get size(): number {
    return this.ranges.length;
  }

  /** The last tracked offset, or null when nothing is in flight. */
  get lastOffset(): number | null {
    const r = this.ranges[this.ranges.length - 1];
    return r === undefined ? null : r.last;
  }

  /** Index of the range holding `offset`, or of the first range after it (may be `size`). */
  indexAt(offset: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid]!.last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Makes `offset` the first offset of a range, splitting the range holding it. */
  splitAt(offset: number): void {
    const i = this.indexAt(offset);
    const r = this.ranges[i];
    if (r === undefined || r.first >= offset) return;
    const tail: InFlightRange = { ...r, first: offset };
    r.last = offset - 1;
    this.ranges.splice(i + 1, 0, tail);
  }

  /** The ranges exactly covering [first, last] after splitting at both edges (indexes i..j-1). */
  isolate(first: number, last: number): [number, number] {
    this.splitAt(first);
    this.splitAt(last + 1);
    const i = this.indexAt(first);
    const j = this.indexAt(last + 1);
    return [i, j];
  }

  append(r: InFlightRange): void {
    const prev = this.ranges[this.ranges.length - 1];
    if (prev !== undefined && r.first <= prev.last) throw new Error(`in-flight range ${r.first} overlaps ${prev.last}`);
    this.ranges.push(r);
  }

  /** Drops every range wholly below `offset` and cuts the one holding it. */
  dropBelow(offset: number): void {
    this.splitAt(offset);
    const i = this.indexAt(offset);
    if (i > 0) this.ranges.splice(0, i);
  }

  /** Drops the leading ranges in a terminal state; returns the first offset still in flight, or null. */
  dropDonePrefix(): number | null {
    let i = 0;
    while (i < this.ranges.length && isDone(this.ranges[i]!.state)) i++;
    if (i > 0) this.ranges.splice(0, i);
    return this.ranges[0]?.first ?? null;
  }

  /** Joins neighbours in the same settled state (keeps the list short after per-record acks). */
  coalesce(from: number, to: number): void {
    const lo = Math.max(1, from);
    for (let k = Math.min(to, this.ranges.length - 1); k >= lo; k--) {
      const a = this.ranges[k - 1]!;
      const b = this.ranges[k]!;
      if (a.last + 1 !== b.first || a.state !== b.state || a.deliveryCount !== b.deliveryCount) continue;
      if (a.state === RecordState.ACQUIRED && (a.memberId !== b.memberId || a.lockDeadline !== b.lockDeadline)) continue;
      a.last = b.last;
      this.ranges.splice(k, 1);
    }
  }

  clear(): void {
    this.ranges.length = 0;
  }
}
