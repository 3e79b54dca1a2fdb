import { kafkaError } from '../protocol/errors.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { LogSegment } from './log-segment.js';
import type { LogStorage, RecoveredLog } from './log-storage.js';

/**
 * The log of one partition, as Kafka's UnifiedLog/LocalLog: an ordered run of segments holding
 * whole record batches, plus the offsets that bound what exists (log start, log end) and what
 * readers may see (high watermark, last stable offset).
 *
 * The log never parses a batch. The caller owns the record format: it validates the batch,
 * patches its base offset to `logEndOffset`, and hands over the Buffer with the few facts the log
 * needs (offsets, max timestamp). Everything is synchronous and owned by the event loop; offsets
 * are JS numbers (exact to 2^53), the protocol boundary converts from bigint.
 *
 * Deviations from Kafka, all at batch granularity because the log does not look inside batches:
 * - read returns whole batches only. Kafka slices the segment file at maxBytes and may end with a
 *   partial batch that clients drop; here a batch that does not fit is left for the next fetch.
 *   A read may also continue into the next segment, where Kafka stops at a segment's end.
 * - offsetForTimestamp / maxTimestampOffset answer with the batch's base offset and max timestamp
 *   unless a `RecordTimestampSearch` is supplied to find the exact record.
 */

export interface LogConfig {
  /** segment.bytes: roll when the active segment would exceed this. */
  readonly segmentBytes: number;
  /** segment.ms: roll when the active segment spans longer than this. */
  readonly segmentMs: number;
  /** retention.ms; -1 keeps data forever. */
  readonly retentionMs: number;
  /** retention.bytes; -1 means no size limit. */
  readonly retentionBytes: number;
  /**
   * index.interval.bytes: bytes between offset/time index entries. Kafka's default is 4096 to keep
   * index files small; in memory an entry per batch (0) keeps lookups a pure binary search.
   */
  readonly indexIntervalBytes: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  indexIntervalBytes: 0,
});

/** What the caller knows about a batch it appends; the log trusts it. */
export interface AppendMeta {
  readonly baseOffset: number;
  /** baseOffset + lastOffsetDelta. */
  readonly lastOffset: number;
  /** The batch's max timestamp (LogAppendTime already applied by the caller), -1 if none. */
  readonly maxTimestamp: number;
  readonly recordCount?: number;
  /** partitionLeaderEpoch stamped in the batch; recorded in the leader epoch cache when >= 0. */
  readonly leaderEpoch?: number;
  // Producer fields of the batch header: the log keeps none of them; Partition.append feeds them
  // to the producer state.
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
  readonly isTransactional?: boolean;
  readonly isControl?: boolean;
}

export interface ReadOptions {
  /** Return the first batch even if it alone exceeds maxBytes (Kafka's KIP-74 rule). */
  readonly minOneBatch: boolean;
  /** Exclusive bound: no batch with baseOffset >= maxOffset (the high watermark or LSO). */
  readonly maxOffset?: number;
}

export interface ReadResult {
  readonly batches: Buffer[];
  readonly bytes: number;
}

export interface TimestampLookupResult {
  readonly offset: number;
  readonly timestamp: number;
  /** Epoch that wrote `offset`, -1 if unknown (ListOffsets v4+ returns it). */
  readonly leaderEpoch: number;
}

/**
 * Record-level answers the log cannot give without parsing; supplied by the record-format owner
 * to make timestamp lookups exact rather than batch-granular.
 */
export interface RecordTimestampSearch {
  /** First record of `batch` with timestamp >= target and offset >= minOffset, or null. */
  firstAtOrAfter(batch: Buffer, target: number, minOffset: number): { offset: number; timestamp: number } | null;
  /** Offset of the first record of `batch` that carries the batch's max timestamp. */
  offsetOfMaxTimestamp(batch: Buffer): number;
}

export interface RetentionOptions {
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly now?: number;
}

export interface PartitionLogOptions {
  readonly clock?: Clock;
  readonly config?: Partial<LogConfig>;
  /** Offset of an empty new log (normally 0). */
  readonly logStartOffset?: number;
  readonly recordSearch?: RecordTimestampSearch;
  /** Durable mode: where segments live (src/log/disk/). Absent: in memory. */
  readonly storage?: LogStorage;
  /** Durable mode: the log as recovered from disk, instead of a new empty one. */
  readonly recovered?: RecoveredLog;
}

type SegmentPredicate = (segment: LogSegment, upperBoundOffset: number) => boolean;

export class PartitionLog {
  readonly leaderEpochCache = new LeaderEpochCache();
  readonly #clock: Clock;
  readonly #recordSearch: RecordTimestampSearch | undefined;
  readonly #storage: LogStorage | undefined;
  #config: LogConfig;
  // Oldest first; never empty: the last one is the active segment.
  #segments: LogSegment[];
  #logStartOffset: number;
  #logEndOffset: number;
  #highWatermark: number;
  // Hook for transactions: the first offset of the oldest open transaction, null when none.
  #firstUnstableOffset: number | null = null;
  #size = 0;

  constructor(options: PartitionLogOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#recordSearch = options.recordSearch;
    this.#config = validateConfig({ ...DEFAULT_LOG_CONFIG, ...options.config });
    this.#storage = options.storage;
    const recovered = options.recovered;
    if (recovered !== undefined) {
      // As Kafka after recovery: every batch on disk is committed (one replica), so HW = LEO.
      this.#segments = [...recovered.segments];
      for (const seg of this.#segments) this.#size += seg.size;
      for (let i = 0; i < this.#segments.length - 1; i++) this.#segments[i]!.seal();
      this.#logStartOffset = recovered.logStartOffset;
      this.#logEndOffset = recovered.logEndOffset;
      this.#highWatermark = recovered.logEndOffset;
      return;
    }
    const start = options.logStartOffset ?? 0;
    checkOffset(start, 'logStartOffset');
    this.#segments = [this.#newSegment(start)];
    this.#logStartOffset = start;
    this.#logEndOffset = start;
    this.#highWatermark = start;
  }

  /** Durable mode: the storage the segments live in; undefined in memory. */
  get storage(): LogStorage | undefined {
    return this.#storage;
  }

  get config(): LogConfig {
    return this.#config;
  }

  /** Applies changed topic configs; they affect the next roll and retention pass. */
  updateConfig(changes: Partial<LogConfig>): void {
    this.#config = validateConfig({ ...this.#config, ...changes });
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** The offset the next appended batch gets. */
  get logEndOffset(): number {
    return this.#logEndOffset;
  }

  /** Offsets below it are committed; consumers read up to it. Moved by `updateHighWatermark`. */
  get highWatermark(): number {
    return this.#highWatermark;
  }

  /** read_committed consumers read up to it: the high watermark, or the oldest open transaction. */
  get lastStableOffset(): number {
    const fuo = this.#firstUnstableOffset;
    // An open transaction whose start was deleted (DeleteRecords) holds the LSO at the log start.
    return fuo !== null && fuo < this.#highWatermark ? Math.max(fuo, this.#logStartOffset) : this.#highWatermark;
  }

  /** Bytes held across all segments. */
  get size(): number {
    return this.#size;
  }

  get numberOfSegments(): number {
    return this.#segments.length;
  }

  segmentBaseOffsets(): number[] {
    return this.#segments.map((s) => s.baseOffset);
  }

  /** The segments, oldest first; the last is the active one. A view: do not modify. */
  get segments(): readonly LogSegment[] {
    return this.#segments;
  }

  /**
   * Swaps a compacted segment in for the run of segments it was built from (Kafka's
   * replaceSegments), keeping the log's byte count. Returns false, changing nothing, when the log no
   * longer holds exactly that run (retention, DeleteRecords or truncation changed it meanwhile) or
   * when the run reaches the active segment, which is never cleaned.
   */
  replaceSegments(old: readonly LogSegment[], cleaned: LogSegment): boolean {
    const segs = this.#segments;
    const first = old.length === 0 ? -1 : segs.indexOf(old[0]!);
    let same = first >= 0 && first + old.length < segs.length;
    for (let k = 1; same && k < old.length; k++) same = segs[first + k] === old[k];
    if (!same) {
      this.#storage?.discardCleanedSegment(cleaned);
      return false;
    }
    if (cleaned.baseOffset !== old[0]!.baseOffset) throw new RangeError(`cleaned segment starts at ${cleaned.baseOffset}, not ${old[0]!.baseOffset}`);
    this.#storage?.replaceSegments(old, cleaned);
    let removed = 0;
    for (const seg of old) removed += seg.size;
    segs.splice(first, old.length, cleaned);
    this.#size += cleaned.size - removed;
    cleaned.seal();
    return true;
  }

  /** An empty segment for the cleaner to fill and swap in with `replaceSegments`. */
  newCleanedSegment(baseOffset: number, now: number): LogSegment {
    const interval = this.#config.indexIntervalBytes;
    return this.#storage?.newCleanedSegment(baseOffset, now, interval) ?? new LogSegment(baseOffset, now, interval);
  }

  /** The cleaner gave up on a segment from `newCleanedSegment` (its pass was aborted). */
  discardCleanedSegment(cleaned: LogSegment): void {
    this.#storage?.discardCleanedSegment(cleaned);
  }

  /**
   * Appends one batch whose offsets the caller already assigned from `logEndOffset`. Throws
   * RECORD_LIST_TOO_LARGE for a batch bigger than a whole segment, as Kafka does (checked per batch
   * here: Kafka checks all batches of one partition in a produce request together).
   */
  append(batch: Buffer, meta: AppendMeta): void {
    const { baseOffset, lastOffset, maxTimestamp } = meta;
    if (!Number.isSafeInteger(baseOffset) || baseOffset < this.#logEndOffset) {
      throw new RangeError(`batch base offset ${baseOffset} is below the log end offset ${this.#logEndOffset}`);
    }
    if (!Number.isSafeInteger(lastOffset) || lastOffset < baseOffset) {
      throw new RangeError(`batch last offset ${lastOffset} is below its base offset ${baseOffset}`);
    }
    if (batch.length > this.#config.segmentBytes) {
      throw kafkaError(
        'RECORD_LIST_TOO_LARGE',
        `batch of ${batch.length} bytes exceeds segment.bytes ${this.#config.segmentBytes}`,
      );
    }
    const now = this.#clock.now();
    let active = this.#active();
    const roll = active.shouldRoll({
      maxSegmentBytes: this.#config.segmentBytes,
      maxSegmentMs: this.#config.segmentMs,
      batchBytes: batch.length,
      maxTimestampInBatch: maxTimestamp,
      lastOffsetInBatch: lastOffset,
      now,
    });
    // A follower copying a compacted leader may leave an offset gap; the new segment starts at
    // the batch so that segment base offsets stay exact.
    if (roll) active = this.#roll(baseOffset);
    else if (active.isEmpty && active.baseOffset < baseOffset) active = this.#replaceEmptyActive(baseOffset);
    active.append(batch, baseOffset, lastOffset, maxTimestamp, now);
    this.#size += batch.length;
    this.#logEndOffset = lastOffset + 1;
    if (meta.leaderEpoch !== undefined && meta.leaderEpoch >= 0) {
      this.leaderEpochCache.assign(meta.leaderEpoch, baseOffset);
    }
  }

  /**
   * Reads whole batches from the one holding `fetchOffset` (Kafka returns the whole batch even if
   * the offset is inside it; clients skip the records before it), until maxBytes would be exceeded
   * or a batch starts at or past `maxOffset` (default: the log end).
   */
  read(fetchOffset: number, maxBytes: number, opts: ReadOptions): ReadResult {
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#logEndOffset) {
      throw kafkaError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside the log range [${this.#logStartOffset}, ${this.#logEndOffset}]`,
      );
    }
    const upper = Math.min(opts.maxOffset ?? this.#logEndOffset, this.#logEndOffset);
    const batches: Buffer[] = [];
    let bytes = 0;
    if (fetchOffset >= upper) return { batches, bytes };
    for (let s = this.#segmentIndexFor(fetchOffset); s < this.#segments.length; s++) {
      const seg = this.#segments[s]!;
      let slot = seg.slotFor(fetchOffset);
      if (slot >= 0) {
        for (; slot < seg.batchCount; slot++) {
          if (seg.batchBaseOffset(slot) >= upper) return { batches, bytes };
          const batch = seg.batch(slot);
          if (bytes + batch.length > maxBytes && !(opts.minOneBatch && batches.length === 0)) {
            return { batches, bytes };
          }
          batches.push(batch);
          bytes += batch.length;
        }
      }
      // Never skip what a corrupt segment could not give: stop at it, or fail when nothing precedes it.
      const corruption = seg.corruption;
      if (corruption !== null && corruption.offset < this.#nextBaseAfter(s)) {
        if (batches.length > 0) return { batches, bytes };
        throw kafkaError(
          'CORRUPT_MESSAGE',
          `${corruption.file}: no valid batch at position ${corruption.position} (offset ${corruption.offset}): ${corruption.reason}`,
        );
      }
    }
    return { batches, bytes };
  }

  /** The base offset of the segment after segment `s`, or the log end for the last one. */
  #nextBaseAfter(s: number): number {
    return s + 1 < this.#segments.length ? this.#segments[s + 1]!.baseOffset : this.#logEndOffset;
  }

  /**
   * ListOffsets by timestamp: the first batch (in offset order, from the log start) whose max
   * timestamp is >= `timestamp`, or null if none (the handler answers offset -1). Kafka answers
   * with the first record at or after the timestamp; without a RecordTimestampSearch this returns
   * that record's batch: its base offset (at least the log start) and its max timestamp.
   * Special timestamps (-1 latest, -2 earliest, -3 max) are the caller's to resolve.
   */
  offsetForTimestamp(timestamp: number): TimestampLookupResult | null {
    const minOffset = this.#logStartOffset;
    for (const seg of this.#segments) {
      if (seg.nextOffset <= minOffset || seg.maxTimestampSoFar < timestamp) continue;
      let slot = seg.slotForTimestamp(timestamp, minOffset);
      if (slot < 0) continue;
      for (; slot < seg.batchCount; slot++) {
        if (seg.batchMaxTimestamp(slot) < timestamp) continue;
        const found = this.#exactTimestampMatch(seg, slot, timestamp, minOffset);
        if (found !== null) return found;
      }
    }
    return null;
  }

  /**
   * ListOffsets MAX_TIMESTAMP (-3): the first batch holding the largest timestamp in the log, or
   * null when no batch has a timestamp. Without a RecordTimestampSearch the offset is the batch's
   * base offset, which a consumer can seek to and still see that record.
   */
  maxTimestampOffset(): TimestampLookupResult | null {
    let bestSeg: LogSegment | null = null;
    let bestSlot = -1;
    let bestTs = -1;
    for (const seg of this.#segments) {
      if (seg.nextOffset <= this.#logStartOffset || seg.maxTimestampSoFar <= bestTs) continue;
      // Only the first live segment can hold batches below the log start (after DeleteRecords).
      const from = seg.baseOffset < this.#logStartOffset ? seg.slotFor(this.#logStartOffset) : 0;
      const slot = seg.slotOfMaxTimestampFrom(from);
      if (slot < 0) continue;
      const ts = seg.batchMaxTimestamp(slot);
      if (ts > bestTs) {
        bestSeg = seg;
        bestSlot = slot;
        bestTs = ts;
      }
    }
    if (bestSeg === null) return null;
    const base = bestSeg.batchBaseOffset(bestSlot);
    const exact = this.#recordSearch?.offsetOfMaxTimestamp(bestSeg.batch(bestSlot)) ?? base;
    const offset = Math.max(exact, this.#logStartOffset);
    return { offset, timestamp: bestTs, leaderEpoch: this.leaderEpochCache.epochForOffset(offset) };
  }

  /**
   * Moves the high watermark, clamped to [logStartOffset, logEndOffset] as Kafka does. With one
   * replica the partition sets it to the log end after every append; replication will move it
   * as followers catch up. Returns the new value.
   */
  updateHighWatermark(offset: number): number {
    this.#highWatermark = Math.min(Math.max(offset, this.#logStartOffset), this.#logEndOffset);
    return this.#highWatermark;
  }

  /** Transaction hook: the first offset of the oldest open transaction, or null when none. */
  setFirstUnstableOffset(offset: number | null): void {
    this.#firstUnstableOffset = offset;
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 means the high watermark) and drops
   * segments entirely below it. Throws OFFSET_OUT_OF_RANGE beyond the high watermark, as Kafka.
   * Moving backwards is a no-op. Returns the new log start offset (the response's low watermark).
   */
  deleteRecordsBefore(offset: number): number {
    const target = offset === -1 ? this.#highWatermark : offset;
    if (!Number.isSafeInteger(target) || target < 0 || target > this.#highWatermark) {
      throw kafkaError(
        'OFFSET_OUT_OF_RANGE',
        `cannot delete records before ${offset}: the high watermark is ${this.#highWatermark}`,
      );
    }
    if (target > this.#logStartOffset) {
      this.#incrementLogStartOffset(target);
      this.#deleteLogStartOffsetBreachedSegments();
    }
    return this.#logStartOffset;
  }

  /**
   * Retention, as Kafka's periodic deleteOldSegments: segments below the log start offset, then
   * by retention.bytes, then by retention.ms (now - newest timestamp in the segment > retentionMs).
   * Only whole segments go, oldest first, stopping at the first one kept, and never data at or
   * past the high watermark. Like Kafka the active segment is included: when it expires too, a
   * new empty one is rolled at the log end first. Returns the number of segments deleted.
   */
  applyRetention(opts: RetentionOptions = {}): number {
    const retentionMs = opts.retentionMs ?? this.#config.retentionMs;
    const retentionBytes = opts.retentionBytes ?? this.#config.retentionBytes;
    const now = opts.now ?? this.#clock.now();
    let deleted = this.#deleteLogStartOffsetBreachedSegments();
    if (retentionBytes >= 0 && this.#size > retentionBytes) {
      let excess = this.#size - retentionBytes;
      deleted += this.#deleteOldSegments((seg) => {
        if (excess - seg.size < 0) return false;
        excess -= seg.size;
        return true;
      });
    }
    if (retentionMs >= 0) {
      deleted += this.#deleteOldSegments((seg) => now - seg.largestTimestamp > retentionMs);
    }
    return deleted;
  }

  /**
   * Removes everything from `offset` on (follower truncation after divergence). A batch spanning
   * `offset` goes whole, so the log end becomes its base offset: the log never holds part of a
   * batch. Below the first segment the log restarts empty at `offset`.
   */
  truncateTo(offset: number): void {
    checkOffset(offset, 'truncation offset');
    if (offset >= this.#logEndOffset) return;
    if (offset < this.#segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    let newEnd = offset;
    const s = this.#segmentIndexFor(offset);
    const seg = this.#segments[s]!;
    const slot = seg.slotFor(offset);
    if (slot >= 0 && seg.batchBaseOffset(slot) < offset) newEnd = seg.batchBaseOffset(slot);
    // Later segments hold only offsets >= `offset`.
    for (let i = s + 1; i < this.#segments.length; i++) this.#size -= this.#segments[i]!.size;
    this.#storage?.deleteSegments(this.#segments.slice(s + 1));
    this.#segments.length = s + 1;
    seg.unseal();
    if (slot >= 0) this.#size -= seg.truncateFromSlot(slot);
    this.#logEndOffset = newEnd;
    this.leaderEpochCache.truncateFromEnd(newEnd);
    if (newEnd < this.#logStartOffset) this.#storage?.logStartOffsetChanged(newEnd);
    this.#logStartOffset = Math.min(this.#logStartOffset, newEnd);
    if (this.#highWatermark > newEnd) this.#highWatermark = newEnd;
    if (this.#firstUnstableOffset !== null && this.#firstUnstableOffset >= newEnd) this.#firstUnstableOffset = null;
  }

  /** Drops every batch and restarts the log, empty, at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    checkOffset(offset, 'start offset');
    this.#storage?.deleteSegments(this.#segments);
    this.#segments = [this.#newSegment(offset)];
    this.#storage?.logStartOffsetChanged(offset);
    this.#size = 0;
    this.#logStartOffset = offset;
    this.#logEndOffset = offset;
    this.#highWatermark = offset;
    this.#firstUnstableOffset = null;
    this.leaderEpochCache.clear();
  }

  /**
   * The partition is gone (its topic was deleted): the storage lets go of every segment. In
   * memory under a budget that returns their bytes and deletes their spill files; afterwards
   * the log reads as empty.
   */
  discard(): void {
    this.#storage?.deleteSegments(this.#segments);
  }

  /** Starts a new active segment at the log end unless the active one is empty. */
  roll(): void {
    if (!this.#active().isEmpty) this.#roll(this.#logEndOffset);
  }

  #active(): LogSegment {
    return this.#segments[this.#segments.length - 1]!;
  }

  #newSegment(baseOffset: number): LogSegment {
    const now = this.#clock.now();
    return this.#storage?.newSegment(baseOffset, now, this.#config.indexIntervalBytes) ?? new LogSegment(baseOffset, now, this.#config.indexIntervalBytes);
  }

  #roll(baseOffset: number): LogSegment {
    const prev = this.#active();
    const seg = this.#newSegment(Math.max(baseOffset, this.#logEndOffset));
    this.#segments.push(seg);
    prev.seal();
    return seg;
  }

  #replaceEmptyActive(baseOffset: number): LogSegment {
    this.#storage?.deleteSegments([this.#segments[this.#segments.length - 1]!]);
    const seg = this.#newSegment(baseOffset);
    this.#segments[this.#segments.length - 1] = seg;
    return seg;
  }

  /** Index of the segment whose range holds `offset` (the last with baseOffset <= offset). */
  #segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  #exactTimestampMatch(
    seg: LogSegment,
    slot: number,
    timestamp: number,
    minOffset: number,
  ): TimestampLookupResult | null {
    if (seg.batchLastOffset(slot) < minOffset) return null;
    let offset: number;
    let ts: number;
    if (this.#recordSearch !== undefined) {
      const hit = this.#recordSearch.firstAtOrAfter(seg.batch(slot), timestamp, minOffset);
      if (hit === null) return null;
      offset = hit.offset;
      ts = hit.timestamp;
    } else {
      offset = Math.max(seg.batchBaseOffset(slot), minOffset);
      ts = seg.batchMaxTimestamp(slot);
    }
    return { offset, timestamp: ts, leaderEpoch: this.leaderEpochCache.epochForOffset(offset) };
  }

  #incrementLogStartOffset(offset: number): void {
    if (offset <= this.#logStartOffset) return;
    this.#logStartOffset = offset;
    this.leaderEpochCache.truncateFromStart(offset);
    this.#storage?.logStartOffsetChanged(offset);
    // Producer state will also drop producers whose last batch is now below the log start.
  }

  /**
   * Segments whose every offset is below the log start. Unlike Kafka this includes a non-empty
   * active segment once DeleteRecords has moved the log start to the log end: in memory, dead
   * batches would otherwise be held until the next roll, up to segment.bytes of them.
   */
  #deleteLogStartOffsetBreachedSegments(): number {
    return this.#deleteOldSegments((_seg, upperBound) => upperBound <= this.#logStartOffset);
  }

  /**
   * Kafka's deletableSegments + deleteSegments: oldest first while the predicate holds and the
   * segment lies wholly below the high watermark; an empty active segment is never deleted; if
   * every segment goes, a fresh active segment is rolled at the log end first so the log is never
   * without one. The log start moves up to the first remaining segment.
   */
  #deleteOldSegments(predicate: SegmentPredicate): number {
    const segs = this.#segments;
    let count = 0;
    while (count < segs.length) {
      const seg = segs[count]!;
      const isLast = count === segs.length - 1;
      const upperBound = isLast ? this.#logEndOffset : segs[count + 1]!.baseOffset;
      if (isLast && seg.isEmpty) break;
      if (this.#highWatermark < upperBound || !predicate(seg, upperBound)) break;
      count++;
    }
    if (count === 0) return 0;
    if (count === segs.length) this.#roll(this.#logEndOffset);
    for (let i = 0; i < count; i++) this.#size -= segs[i]!.size;
    this.#storage?.deleteSegments(segs.slice(0, count));
    this.#segments = segs.slice(count);
    this.#incrementLogStartOffset(this.#segments[0]!.baseOffset);
    return count;
  }
}

function checkOffset(offset: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid ${what}: ${offset}`);
}

function validateConfig(c: LogConfig): LogConfig {
  if (!(c.segmentBytes > 0)) throw new RangeError(`segment.bytes must be positive: ${c.segmentBytes}`);
  if (!(c.segmentMs > 0)) throw new RangeError(`segment.ms must be positive: ${c.segmentMs}`);
  if (!(c.indexIntervalBytes >= 0)) throw new RangeError(`index.interval.bytes must be >= 0: ${c.indexIntervalBytes}`);
  return Object.freeze({ ...c });
}
