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
export class TimeIndex {
  readonly baseOffset: number;
  readonly #timestamps: number[] = [];
  readonly #offsets: number[] = [];

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
    this.#timestamps.push(timestamp);
    this.#offsets.push(offset);
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
    this.#timestamps.length = keep;
    this.#offsets.length = keep;
  }
}
