import { floorIndex } from './binary-search.js';

/** Where in a segment the batch starting at `offset` begins. */
export interface OffsetPosition {
  readonly offset: number;
  readonly position: number;
}

/**
 * Maps offsets to positions in one segment, as Kafka's OffsetIndex maps them to byte positions
 * in the segment file. The index may be sparse (an entry every `index.interval.bytes`), so a
 * lookup answers "the greatest indexed offset at or before the target" and the segment scans
 * forward from there; with a dense index that scan is at most one step.
 *
 * In memory a position is the slot of the batch in the segment's arrays; on disk it will be the
 * byte position in the `.log` file. Entries must be appended in increasing offset order.
 */
export class OffsetIndex {
  readonly baseOffset: number;
  readonly #offsets: number[] = [];
  readonly #positions: number[] = [];

  constructor(baseOffset: number) {
    this.baseOffset = baseOffset;
  }

  get entries(): number {
    return this.#offsets.length;
  }

  append(offset: number, position: number): void {
    const n = this.#offsets.length;
    if (n > 0 && offset <= this.#offsets[n - 1]!) {
      throw new RangeError(`OffsetIndex: offset ${offset} is not above the last entry ${this.#offsets[n - 1]}`);
    }
    this.#offsets.push(offset);
    this.#positions.push(position);
  }

  /**
   * The greatest entry with offset <= target; the segment start (position 0) when there is none,
   * since the first batch of a segment need not be indexed.
   */
  lookup(target: number): OffsetPosition {
    const i = floorIndex(this.#offsets, target);
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.#offsets[i]!, position: this.#positions[i]! };
  }

  /** Drops every entry with offset >= `offset` (the log is being truncated there). */
  truncateTo(offset: number): void {
    const keep = floorIndex(this.#offsets, offset - 1) + 1;
    this.#offsets.length = keep;
    this.#positions.length = keep;
  }
}
