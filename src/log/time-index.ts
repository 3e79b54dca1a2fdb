import { floorIndex } from './binary-search.js';

export interface TimestampOffset {
  readonly timestamp: number;
  readonly offset: number;
}

/**
 * Maps timestamps to offsets in one segment, as Kafka's TimeIndex does. An entry (T, O) means
 * "the largest timestamp seen up to the batch at O is T", so any record with a timestamp above T
 * comes after O. Entries are only added when the running maximum grows, which keeps both columns
 * ascending and the lookup a binary search even when producers send timestamps out of order.
 *
 * Offsets here are batch base offsets: the log does not look inside batches, so it knows which
 * batch holds the maximum timestamp but not which record.
 */
// A sealed segment keeps one entry in this many (and its last one).
const SEALED_SAMPLE = 16;

export class TimeIndex {
  readonly baseOffset: number;
  #timestamps: number[] | Float64Array = [];
  #offsets: number[] | Float64Array = [];

  constructor(baseOffset: number) {
    this.baseOffset = baseOffset;
  }

  get entries(): number {
    return this.#timestamps.length;
  }

  lastEntry(): TimestampOffset | null {
    const n = this.#timestamps.length;
    return n === 0 ? null : { timestamp: this.#timestamps[n - 1]!, offset: this.#offsets[n - 1]! };
  }

  /** Adds (timestamp, offset) unless it would not raise the maximum, as Kafka's maybeAppend. */
  maybeAppend(timestamp: number, offset: number): void {
    const n = this.#timestamps.length;
    if (n > 0 && (timestamp <= this.#timestamps[n - 1]! || offset < this.#offsets[n - 1]!)) return;
    this.expand();
    (this.#timestamps as number[]).push(timestamp);
    (this.#offsets as number[]).push(offset);
  }

  /**
   * The segment is sealed: keeps one entry in SEALED_SAMPLE (and the last), in typed arrays. A
   * lookup may then start its forward scan further back, never past the answer: batches before
   * an entry's offset have timestamps below the entry's, so the skipped entries only shortened
   * the scan, and the segment finds the same batch.
   */
  compact(): void {
    const n = this.#timestamps.length;
    const keep: number[] = [];
    for (let i = 0; i < n; i += SEALED_SAMPLE) keep.push(i);
    if (n > 0 && keep[keep.length - 1] !== n - 1) keep.push(n - 1);
    this.#timestamps = Float64Array.from(keep, (i) => this.#timestamps[i]!);
    this.#offsets = Float64Array.from(keep, (i) => this.#offsets[i]!);
  }

  /** Growable again (the segment was unsealed), with the entries compact() kept. */
  expand(): void {
    if (!Array.isArray(this.#timestamps)) this.#timestamps = Array.from(this.#timestamps);
    if (!Array.isArray(this.#offsets)) this.#offsets = Array.from(this.#offsets);
  }

  /**
   * The entry with the greatest timestamp <= target: where a forward scan for the first batch
   * with max timestamp >= target may start. The segment start when there is none.
   */
  lookup(target: number): TimestampOffset {
    const i = floorIndex(this.#timestamps, target);
    if (i < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.#timestamps[i]!, offset: this.#offsets[i]! };
  }

  /** Drops every entry with offset >= `offset`. */
  truncateTo(offset: number): void {
    const keep = floorIndex(this.#offsets, offset - 1) + 1;
    this.expand();
    (this.#timestamps as number[]).length = keep;
    (this.#offsets as number[]).length = keep;
  }
}
