import { TimeIndex } from './time-index.js';
import { compactOffsets, firstAbove, growable } from './compact-arrays.js';
import type { NumberArray } from './compact-arrays.js';

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

/**
 * Where a durable segment keeps its batches: the `.log` file and its index files (see
 * src/log/disk/segment-files.ts). The segment keeps per-batch metadata in memory and asks the
 * file for bytes it no longer holds.
 */
export interface SegmentFile {
  /** Writes a batch at the end of the `.log` file (and indexes it); returns its byte position. */
  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): number;
  /** The bytes of the batches in [position, position + size) of the `.log` file. */
  read(position: number, size: number): Buffer;
  /** Cuts the `.log` file at `position` and drops index entries for offsets >= `offset`. */
  truncate(position: number, offset: number): void;
  /**
   * Called with each appended batch that the segment keeps in memory, so that the owner can
   * bound what is kept (a tail cache): it later calls `evict` with the slot.
   */
  admit(segment: LogSegment, slot: number, bytes: number): void;
}

/**
 * Where an in-memory segment puts batches when the broker's memory budget is exceeded
 * (src/log/spill/): batches stay in memory until the budget evicts them, oldest first, and are
 * then written to the file and read back from it. Unlike a SegmentFile, nothing is written on append.
 */
export interface SpillFile {
  /** Makes room in the budget for an append of `bytes`; throws KAFKA_STORAGE_ERROR when it cannot. */
  reserve(bytes: number): void;
  /** Counts a held batch (slot >= 0) or read-ahead buffer (slot -1) against the budget. */
  admit(segment: LogSegment, slot: number, bytes: number): void;
  /** Held bytes dropped outside the budget's eviction order. */
  release(bytes: number): void;
  /** Whether `bytes` more fit the budget without spilling (reads never spill). */
  fits(bytes: number): boolean;
  /** Appends a batch to the file; returns its byte position. */
  write(batch: Buffer): number;
  read(position: number, size: number): Buffer;
  /** Cuts the file at `position`. */
  truncate(position: number): void;
  /** The segment left the log: the file goes. */
  discard(): void;
}

// The on-disk offset index stores offsets relative to the segment base in 4 bytes; rolling before
// that overflows keeps every in-memory segment representable on disk later.
const MAX_RELATIVE_OFFSET = 0x7fffffff;

// A read from a durable segment's file takes this much of the following batches along: a
// consumer catching up then costs one read per READ_AHEAD_BYTES rather than one per batch.
const READ_AHEAD_BYTES = 256 * 1024;

/**
 * One segment of a partition log: a run of whole record batches starting at `baseOffset`, kept
 * as the exact Buffers the caller appended. Per-batch metadata lives in parallel number arrays
 * (one slot per batch) rather than an object per batch, so a segment holding millions of small
 * batches costs a few doubles per batch beyond the batch bytes themselves.
 *
 * A "slot" is a batch's position in those arrays; offsets are found by a binary search of the
 * batches' last offsets (Kafka searches its sparse offset index, then scans the file forward).
 *
 * A durable segment (with a SegmentFile) writes each batch to its `.log` file as it is appended
 * and keeps the batch's byte position; its Buffer stays in memory only while the file's tail
 * cache holds it, and is read back from the file after that. The metadata arrays stay in memory
 * either way, so lookups never touch the disk.
 *
 * A sealed segment (no longer active: seal()) moves its metadata into typed arrays, offsets
 * relative to the base as Kafka's index files keep them: ~20 bytes a batch instead of ~100 in
 * growable number arrays (eight bytes an element plus spare capacity, for each of the batch,
 * position, offset, timestamp and index arrays), so a broker storing 20 GiB of 16 KiB batches
 * keeps ~26 MiB of metadata rather than ~130 MiB (issue 16). Once none of its batches is held in
 * memory it drops its array of Buffers too. Truncation into a sealed segment unseals it first.
 */
/** Where a segment's file stops holding valid batches, and why (for the ERROR log and the client). */
export interface SegmentCorruption {
  readonly file: string;
  readonly position: number;
  /** The first offset that cannot be read: one past the last valid batch. */
  readonly offset: number;
  readonly reason: string;
}

export class LogSegment {
  readonly baseOffset: number;
  readonly timeIndex: TimeIndex;
  /** Clock time at creation: the roll deadline when batches carry no timestamps. */
  readonly created: number;
  /** Clock time of the last append (or creation): Kafka's file mtime, for time retention. */
  lastModified: number;

  readonly #indexIntervalBytes: number;
  // In memory: every batch. On disk: the batches a tail cache still holds (undefined once evicted).
  // Slots past its end hold nothing (a sealed segment holding no batch drops the array).
  #batches: (Buffer | undefined)[] = [];
  // Entries of #batches that are not undefined.
  #held = 0;
  // On disk only: each batch's byte position in the .log file.
  #positions: NumberArray = [];
  #file: SegmentFile | null = null;
  // In memory under a budget: batches [0, #positions.length) are spilled, the rest are held.
  #spill: SpillFile | null = null;
  #spillEnd = 0;
  // On disk only: the last range read from the file, sliced by following reads (a read-ahead).
  #readAhead: Buffer | null = null;
  #readAheadAt = 0;
  // On disk only: a segment found at restart, whose batches are read on first use.
  #loader: (() => void) | null = null;
  #deferredNextOffset = 0;
  #corruption: SegmentCorruption | null = null;
  // Offsets relative to baseOffset; number[] while active, typed arrays once sealed.
  #baseOffsets: NumberArray = [];
  #lastOffsets: NumberArray = [];
  #maxTimestamps: NumberArray = [];
  #sealed = false;
  #size = 0;
  #bytesSinceIndexEntry = 0;
  #maxTimestampSoFar = -1;
  #slotOfMaxTimestamp = -1;

  constructor(baseOffset: number, now: number, indexIntervalBytes: number, file: SegmentFile | null = null, spill: SpillFile | null = null) {
    this.baseOffset = baseOffset;
    this.created = now;
    this.lastModified = now;
    this.#indexIntervalBytes = indexIntervalBytes;
    this.timeIndex = new TimeIndex(baseOffset);
    this.#file = file;
    this.#spill = spill;
  }

  /** The files of a durable segment; null in memory. */
  get file(): SegmentFile | null {
    return this.#file;
  }

  /**
   * Recovery: a segment known by its file size, max timestamp (from its time index) and next
   * offset (from its offset index and the batches after its last entry) until something needs
   * its batches; `loader` then restores them (restoreBatch) from the file. A restart thus reads
   * only the segments it must check, not every batch header of the log.
   */
  deferLoading(size: number, maxTimestamp: number, nextOffset: number, loader: () => void): void {
    this.#size = size;
    this.#maxTimestampSoFar = maxTimestamp;
    this.#deferredNextOffset = nextOffset;
    this.#loader = loader;
  }

  /**
   * A sealed segment whose file stopped making sense part-way (found when its batches were read
   * on first use): the batches before it are served, reads past them fail with CORRUPT_MESSAGE.
   */
  markCorrupt(c: SegmentCorruption): void {
    this.#corruption = c;
  }

  get corruption(): SegmentCorruption | null {
    if (this.#loader !== null) this.#load();
    return this.#corruption;
  }

  /** Whether the per-batch metadata is in memory (false for a sealed segment not used since the restart). */
  get isLoaded(): boolean {
    return this.#loader === null;
  }

  #load(): void {
    const loader = this.#loader!;
    this.#loader = null;
    this.#size = 0;
    this.#maxTimestampSoFar = -1;
    loader();
    if (this.#sealed) this.#compact();
  }

  /**
   * The segment is no longer active (the log rolled past it, or it is a cleaned or recovered one):
   * nothing is appended to it any more, so its metadata moves into compact arrays.
   */
  seal(): void {
    if (this.#sealed) return;
    this.#sealed = true;
    // A segment not loaded since the restart is compacted when it loads.
    if (this.#loader === null) this.#compact();
  }

  /** The log is truncated into this segment, which becomes the active one again. */
  unseal(): void {
    if (!this.#sealed) return;
    this.#sealed = false;
    this.#baseOffsets = growable(this.#baseOffsets);
    this.#lastOffsets = growable(this.#lastOffsets);
    this.#maxTimestamps = growable(this.#maxTimestamps);
    this.#positions = growable(this.#positions);
    this.timeIndex.expand();
  }

  #compact(): void {
    this.#baseOffsets = compactOffsets(this.#baseOffsets);
    this.#lastOffsets = compactOffsets(this.#lastOffsets);
    this.#maxTimestamps = Float64Array.from(this.#maxTimestamps);
    this.timeIndex.compact();
    this.#compactBatches();
  }

  // Positions are final once every batch is in the file (a spilling segment writes them later);
  // the array of Buffers goes once it holds none.
  #compactBatches(): void {
    if (!this.#sealed) return;
    const n = this.#lastOffsets.length;
    if (this.#held === 0 && this.#batches.length > 0) this.#batches = [];
    if (Array.isArray(this.#positions) && this.#positions.length === n && (this.#file !== null || this.#spill !== null)) {
      this.#positions = compactOffsets(this.#positions);
    }
  }

  /** Points the segment at other files (the cleaner's swap renames them; recovery opens them). */
  setFile(file: SegmentFile | null): void {
    this.#file = file;
  }

  /** Bytes of batch data held. */
  get size(): number {
    return this.#size;
  }

  get batchCount(): number {
    if (this.#loader !== null) this.#load();
    return this.#lastOffsets.length;
  }

  get isEmpty(): boolean {
    if (this.#loader !== null) return this.#size === 0;
    return this.#lastOffsets.length === 0;
  }

  /** One past the last offset held; `baseOffset` when empty. */
  get nextOffset(): number {
    if (this.#loader !== null) return this.#deferredNextOffset;
    const n = this.#lastOffsets.length;
    return n === 0 ? this.baseOffset : this.baseOffset + this.#lastOffsets[n - 1]! + 1;
  }

  /** Largest batch max timestamp held, or -1 when no batch carries a timestamp. */
  get maxTimestampSoFar(): number {
    return this.#maxTimestampSoFar;
  }

  /** Slot of the first batch that reached `maxTimestampSoFar`, or -1. */
  get slotOfMaxTimestamp(): number {
    if (this.#loader !== null) this.#load();
    return this.#slotOfMaxTimestamp;
  }

  /** As Kafka: the newest record timestamp, or the last-modified time if no batch has one. */
  get largestTimestamp(): number {
    return this.#maxTimestampSoFar >= 0 ? this.#maxTimestampSoFar : this.lastModified;
  }

  batch(slot: number): Buffer {
    if (this.#loader !== null) this.#load();
    const held = this.#batches[slot];
    if (held !== undefined) return held;
    return this.#readFromFile(slot);
  }

  /** Bytes of the batch in `slot`. */
  batchSize(slot: number): number {
    if (this.#loader !== null) this.#load();
    const held = this.#batches[slot];
    if (held !== undefined) return held.length;
    return (slot + 1 < this.#positions.length ? this.#positions[slot + 1]! : this.#fileEnd()) - this.#positions[slot]!;
  }

  /** Where the batches in the file end: all of them on disk, the spilled prefix in memory. */
  #fileEnd(): number {
    return this.#spill === null ? this.#size : this.#spillEnd;
  }

  /** Byte position of the batch in the `.log` file (durable segments only). */
  batchPosition(slot: number): number {
    if (this.#loader !== null) this.#load();
    return this.#positions[slot]!;
  }

  /**
   * The tail cache or memory budget let go of a batch: later reads come from the file. A spilling
   * segment writes the batch (and any held one before it) to its spill file first. Returns the
   * bytes no longer held in memory.
   */
  evict(slot: number): number {
    if (slot < 0) {
      const freed = this.#readAhead?.length ?? 0;
      this.#readAhead = null;
      return freed;
    }
    if (this.#spill !== null) return this.#spillThrough(slot);
    if (this.#file !== null && this.#batches[slot] !== undefined) {
      this.#batches[slot] = undefined;
      this.#held--;
      this.#compactBatches();
    }
    return 0;
  }

  // Batches are spilled in slot order (the budget evicts oldest first), so a spill file is the
  // segment's batches [0, n) back to back, as a .log file is.
  #spillThrough(slot: number): number {
    const spill = this.#spill!;
    let freed = 0;
    // Spilling writes positions to a growable array; a sealed segment compacts it when done.
    const positions = this.#positions as number[];
    try {
      for (let i = positions.length; i <= slot && i < this.#lastOffsets.length; i++) {
        const batch = this.#batches[i]!;
        positions.push(spill.write(batch));
        this.#spillEnd += batch.length;
        this.#batches[i] = undefined;
        this.#held--;
        freed += batch.length;
      }
    } catch (e) {
      spill.release(freed);
      throw e;
    }
    this.#compactBatches();
    return freed;
  }

  /**
   * The segment left the log (deleted, cleaned away, truncated off): gives its held bytes back to
   * the memory budget and deletes its spill file. Only for segments of an in-memory log.
   */
  discardSpill(): void {
    const spill = this.#spill;
    if (spill === null) return;
    let held = this.#readAhead?.length ?? 0;
    for (let i = this.#positions.length; i < this.#batches.length; i++) held += this.#batches[i]!.length;
    spill.release(held);
    spill.discard();
    this.#readAhead = null;
    // Entries of this segment still queued in the budget evict nothing now.
    this.#spill = null;
    this.#batches = [];
    this.#held = 0;
    this.#positions = [];
  }

  /**
   * Reads a batch the segment no longer holds. Consumers read forward, so one read takes up to
   * READ_AHEAD_BYTES of whole following batches and the next reads slice that buffer.
   */
  #readFromFile(slot: number): Buffer {
    const file = this.#file ?? this.#spill;
    if (file === null) throw new Error(`segment ${this.baseOffset}: batch ${slot} is not held and the segment has no file (it was deleted)`);
    const position = this.#positions[slot]!;
    const size = this.batchSize(slot);
    const ahead = this.#readAhead;
    if (ahead !== null && position >= this.#readAheadAt && position + size <= this.#readAheadAt + ahead.length) {
      return ahead.subarray(position - this.#readAheadAt, position - this.#readAheadAt + size);
    }
    let end = slot + 1;
    while (end < this.#positions.length && this.#positions[end]! - position < READ_AHEAD_BYTES) end++;
    let span = (end < this.#positions.length ? this.#positions[end]! : this.#fileEnd()) - position;
    const spill = this.#spill;
    // Under a memory budget a read-ahead is kept only where it fits: a read never spills.
    if (spill !== null && span > size && !spill.fits(span)) span = size;
    const buf = file.read(position, Math.max(span, size));
    if (span > size) {
      if (spill !== null && ahead !== null) spill.release(ahead.length);
      this.#readAhead = buf;
      this.#readAheadAt = position;
      file.admit(this, -1, buf.length);
    }
    return buf.subarray(0, size);
  }

  batchBaseOffset(slot: number): number {
    if (this.#loader !== null) this.#load();
    return this.baseOffset + this.#baseOffsets[slot]!;
  }

  batchLastOffset(slot: number): number {
    if (this.#loader !== null) this.#load();
    return this.baseOffset + this.#lastOffsets[slot]!;
  }

  batchMaxTimestamp(slot: number): number {
    if (this.#loader !== null) this.#load();
    return this.#maxTimestamps[slot]!;
  }

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    if (this.#loader !== null) this.#load();
    if (this.#sealed) throw new Error(`segment ${this.baseOffset} is sealed: nothing is appended to it`);
    const slot = this.#lastOffsets.length;
    const file = this.#file;
    const spill = this.#spill;
    // Written (or room made) first: if that throws, the segment has not changed.
    if (file !== null) (this.#positions as number[]).push(file.append(batch, baseOffset, lastOffset, maxTimestamp));
    else if (spill !== null) spill.reserve(batch.length);
    this.#indexBatch(batch, batch.length, baseOffset, lastOffset, maxTimestamp);
    if (file !== null) file.admit(this, slot, batch.length);
    else if (spill !== null) spill.admit(this, slot, batch.length);
    this.lastModified = now;
  }

  /**
   * Recovery: takes in a batch that is already in the segment's file at `position`, without
   * writing it or holding its bytes.
   */
  restoreBatch(position: number, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    (this.#positions as number[]).push(position);
    this.#indexBatch(undefined, size, baseOffset, lastOffset, maxTimestamp);
  }

  #indexBatch(batch: Buffer | undefined, size: number, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    const slot = this.#lastOffsets.length;
    if (batch !== undefined) {
      this.#batches[slot] = batch;
      this.#held++;
    }
    (this.#baseOffsets as number[]).push(baseOffset - this.baseOffset);
    (this.#lastOffsets as number[]).push(lastOffset - this.baseOffset);
    (this.#maxTimestamps as number[]).push(maxTimestamp);
    if (maxTimestamp > this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = maxTimestamp;
      this.#slotOfMaxTimestamp = slot;
    }
    if (this.#bytesSinceIndexEntry >= this.#indexIntervalBytes) {
      if (this.#maxTimestampSoFar >= 0) {
        this.timeIndex.maybeAppend(this.#maxTimestampSoFar, this.batchBaseOffset(this.#slotOfMaxTimestamp));
      }
      this.#bytesSinceIndexEntry = 0;
    }
    this.#bytesSinceIndexEntry += size;
    this.#size += size;
  }

  /**
   * Kafka's roll rule: the batch would push the segment past segment.bytes, or the segment has
   * been open longer than segment.ms, or the batch's offsets would not fit the on-disk index.
   * "Open longer" is measured in record time (the batch's max timestamp against the first batch's)
   * when the first batch has a timestamp, and in clock time otherwise, as Kafka does.
   */
  shouldRoll(p: RollParams): boolean {
    if (this.#loader !== null) this.#load();
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
    if (this.#loader !== null) this.#load();
    const slot = firstAbove(this.#lastOffsets, offset - 1 - this.baseOffset);
    return slot < this.#lastOffsets.length ? slot : -1;
  }

  /**
   * Slot of the first batch whose max timestamp is >= `timestamp` and which still holds an offset
   * >= `minOffset`; -1 if none. Kafka's lookup: time index, then a forward scan.
   */
  slotForTimestamp(timestamp: number, minOffset: number): number {
    if (this.#maxTimestampSoFar < timestamp) return -1;
    if (this.#loader !== null) this.#load();
    const from = this.timeIndex.lookup(timestamp).offset;
    let slot = this.slotFor(Math.max(from, minOffset));
    if (slot < 0) return -1;
    const n = this.#lastOffsets.length;
    while (slot < n && this.#maxTimestamps[slot]! < timestamp) slot++;
    return slot < n ? slot : -1;
  }

  /**
   * Slot of the first batch with the greatest max timestamp among the batches from `fromSlot`;
   * -1 if none of them has a timestamp.
   */
  slotOfMaxTimestampFrom(fromSlot: number): number {
    if (this.#loader !== null) this.#load();
    if (fromSlot <= 0) return this.#slotOfMaxTimestamp;
    let best = -1;
    let bestTs = -1;
    for (let slot = fromSlot; slot < this.#lastOffsets.length; slot++) {
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
    if (this.#loader !== null) this.#load();
    this.unseal();
    const n = this.#lastOffsets.length;
    if (slot >= n) return 0;
    const cut = Math.max(0, slot);
    let dropped = 0;
    for (let i = cut; i < n; i++) dropped += this.batchSize(i);
    const firstDroppedOffset = this.batchBaseOffset(cut);
    const spill = this.#spill;
    if (spill !== null) {
      let held = this.#readAhead?.length ?? 0;
      for (let i = Math.max(cut, this.#positions.length); i < n; i++) held += this.#batches[i]!.length;
      spill.release(held);
      if (cut < this.#positions.length) {
        spill.truncate(this.#positions[cut]!);
        this.#spillEnd = this.#positions[cut]!;
        (this.#positions as number[]).length = cut;
      }
      this.#readAhead = null;
    } else if (this.#file !== null) {
      this.#file.truncate(this.#positions[cut]!, firstDroppedOffset);
      (this.#positions as number[]).length = cut;
      this.#readAhead = null;
    }
    // Unsealed above: growable arrays again.
    this.#batches.length = Math.min(cut, this.#batches.length);
    this.#held = 0;
    for (const b of this.#batches) if (b !== undefined) this.#held++;
    (this.#baseOffsets as number[]).length = cut;
    (this.#lastOffsets as number[]).length = cut;
    (this.#maxTimestamps as number[]).length = cut;
    this.#size -= dropped;
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
