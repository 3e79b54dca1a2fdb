import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

/** What a segment needs to decide whether the next batch starts a new segment. */
export interface RollParams {
  readonly maxSegmentBytes: number;
  readonly maxSegmentMs: number;
  /** Bytes about to be appended. */
  readonly batchBytes: number;
  readonly maxTimestampInBatch: number;
  readonly lastOffsetInBatch: number;
  readonly now: number;
}

// The on-disk offset index stores offsets relative to the segment base in 4 bytes; rolling before
// that overflows keeps every in-memory segment representable on disk later.
const MAX_RELATIVE_OFFSET = 0x7fffffff;

/**
 * One segment of a partition log: a run of whole record batches starting at `baseOffset`, kept
 * as the exact Buffers the caller appended. Per-batch metadata lives in parallel number arrays
 * (one slot per batch) rather than an object per batch, so a segment holding millions of small
 * batches costs a few doubles per batch beyond the batch bytes themselves.
 *
 * A "slot" is a batch's position in those arrays; the offset index maps offsets to slots the way
 * Kafka's maps them to file positions.
 */
export class LogSegment {
  readonly baseOffset: number;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Clock time at creation: the roll deadline when batches carry no timestamps. */
  readonly created: number;
  /** Clock time of the last append (or creation): Kafka's file mtime, for time retention. */
  lastModified: number;

  readonly #indexIntervalBytes: number;
  readonly #batches: Buffer[] = [];
  readonly #baseOffsets: number[] = [];
  readonly #lastOffsets: number[] = [];
  readonly #maxTimestamps: number[] = [];
  #size = 0;
  #bytesSinceIndexEntry = 0;
  #maxTimestampSoFar = -1;
  #slotOfMaxTimestamp = -1;

  constructor(baseOffset: number, now: number, indexIntervalBytes: number) {
    this.baseOffset = baseOffset;
    this.created = now;
    this.lastModified = now;
    this.#indexIntervalBytes = indexIntervalBytes;
    this.offsetIndex = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
  }

  /** Bytes of batch data held. */
  get size(): number {
    return this.#size;
  }

  get batchCount(): number {
    return this.#batches.length;
  }

  get isEmpty(): boolean {
    return this.#batches.length === 0;
  }

  /** One past the last offset held; `baseOffset` when empty. */
  get nextOffset(): number {
    const n = this.#lastOffsets.length;
    return n === 0 ? this.baseOffset : this.#lastOffsets[n - 1]! + 1;
  }

  /** Largest batch max timestamp held, or -1 when no batch carries a timestamp. */
  get maxTimestampSoFar(): number {
    return this.#maxTimestampSoFar;
  }

  /** Slot of the first batch that reached `maxTimestampSoFar`, or -1. */
  get slotOfMaxTimestamp(): number {
    return this.#slotOfMaxTimestamp;
  }

  /** As Kafka: the newest record timestamp, or the last-modified time if no batch has one. */
  get largestTimestamp(): number {
    return this.#maxTimestampSoFar >= 0 ? this.#maxTimestampSoFar : this.lastModified;
  }

  batch(slot: number): Buffer {
    return this.#batches[slot]!;
  }

  batchBaseOffset(slot: number): number {
    return this.#baseOffsets[slot]!;
  }

  batchLastOffset(slot: number): number {
    return this.#lastOffsets[slot]!;
  }

  batchMaxTimestamp(slot: number): number {
    return this.#maxTimestamps[slot]!;
  }

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    const slot = this.#batches.length;
    this.#batches.push(batch);
    this.#baseOffsets.push(baseOffset);
    this.#lastOffsets.push(lastOffset);
    this.#maxTimestamps.push(maxTimestamp);
    if (maxTimestamp > this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = maxTimestamp;
      this.#slotOfMaxTimestamp = slot;
    }
    if (this.#bytesSinceIndexEntry >= this.#indexIntervalBytes) {
      this.offsetIndex.append(baseOffset, slot);
      if (this.#maxTimestampSoFar >= 0) {
        this.timeIndex.maybeAppend(this.#maxTimestampSoFar, this.#baseOffsets[this.#slotOfMaxTimestamp]!);
      }
      this.#bytesSinceIndexEntry = 0;
    }
    this.#bytesSinceIndexEntry += batch.length;
    this.#size += batch.length;
    this.lastModified = now;
  }

  /**
   * Kafka's roll rule: the batch would push the segment past segment.bytes, or the segment has
   * been open longer than segment.ms, or the batch's offsets would not fit the on-disk index.
   * "Open longer" is measured in record time (the batch's max timestamp against the first batch's)
   * when the first batch has a timestamp, and in clock time otherwise, as Kafka does.
   */
  shouldRoll(p: RollParams): boolean {
    if (this.isEmpty) return false;
    if (this.#size > p.maxSegmentBytes - p.batchBytes) return true;
    const first = this.#maxTimestamps[0]!;
    const waited = first >= 0 ? p.maxTimestampInBatch - first : p.now - this.created;
    if (waited > p.maxSegmentMs) return true;
    return p.lastOffsetInBatch - this.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /**
   * Slot of the batch holding `offset`, or of the first batch after it when `offset` falls in a
   * gap; -1 when every batch here ends before `offset`.
   */
  slotFor(offset: number): number {
    const n = this.#batches.length;
    let slot = this.offsetIndex.lookup(offset).position;
    while (slot < n && this.#lastOffsets[slot]! < offset) slot++;
    return slot < n ? slot : -1;
  }

  /**
   * Slot of the first batch whose max timestamp is >= `timestamp` and which still holds an offset
   * >= `minOffset`; -1 if none. Kafka's lookup: time index, then a forward scan.
   */
  slotForTimestamp(timestamp: number, minOffset: number): number {
    if (this.#maxTimestampSoFar < timestamp) return -1;
    const from = this.timeIndex.lookup(timestamp).offset;
    let slot = this.slotFor(Math.max(from, minOffset));
    if (slot < 0) return -1;
    const n = this.#batches.length;
    while (slot < n && this.#maxTimestamps[slot]! < timestamp) slot++;
    return slot < n ? slot : -1;
  }

  /**
   * Slot of the first batch with the greatest max timestamp among the batches from `fromSlot`;
   * -1 if none of them has a timestamp.
   */
  slotOfMaxTimestampFrom(fromSlot: number): number {
    if (fromSlot <= 0) return this.#slotOfMaxTimestamp;
    let best = -1;
    let bestTs = -1;
    for (let slot = fromSlot; slot < this.#batches.length; slot++) {
      const ts = this.#maxTimestamps[slot]!;
      if (ts > bestTs) {
        bestTs = ts;
        best = slot;
      }
    }
    return best;
  }

  /**
   * Drops every batch from `slot` on (the log is being truncated there) and returns the bytes
   * dropped.
   */
  truncateFromSlot(slot: number): number {
    const n = this.#batches.length;
    if (slot >= n) return 0;
    const cut = Math.max(0, slot);
    let dropped = 0;
    for (let i = cut; i < n; i++) dropped += this.#batches[i]!.length;
    const firstDroppedOffset = this.#baseOffsets[cut]!;
    this.#batches.length = cut;
    this.#baseOffsets.length = cut;
    this.#lastOffsets.length = cut;
    this.#maxTimestamps.length = cut;
    this.#size -= dropped;
    this.offsetIndex.truncateTo(firstDroppedOffset);
    this.timeIndex.truncateTo(firstDroppedOffset);
    // Truncation is rare (follower divergence), so a rescan beats keeping undo state.
    this.#maxTimestampSoFar = -1;
    this.#slotOfMaxTimestamp = -1;
    for (let i = 0; i < cut; i++) {
      if (this.#maxTimestamps[i]! > this.#maxTimestampSoFar) {
        this.#maxTimestampSoFar = this.#maxTimestamps[i]!;
        this.#slotOfMaxTimestamp = i;
      }
    }
    this.#bytesSinceIndexEntry = 0;
    return dropped;
  }
}
