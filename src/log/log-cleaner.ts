/**
 * Log compaction for one partition, as Kafka's Cleaner (core/.../log/LogCleaner.scala) and
 * LogCleanerManager.cleanableOffsets do it. A pass:
 *
 * 1. Picks the range (logToClean): from the first dirty offset (the cleaner's checkpoint, else the
 *    log start) to the first uncleanable offset, which is the lowest of the last stable offset,
 *    the active segment's base and the base of the first dirty segment holding a record newer
 *    than min.compaction.lag.ms, rounded down to a segment start. The log is worth cleaning when
 *    dirty bytes / all bytes exceeds min.cleanable.dirty.ratio, or when a dirty segment's first
 *    batch is older than max.compaction.lag.ms ("needCompactionNow").
 * 2. Maps every key of the dirty range to its latest offset (buildOffsetMap), skipping control
 *    batches and aborted transactional data, up to a bounded number of keys (Kafka's dedupe
 *    buffer); the pass then ends where the map ends.
 * 3. Rewrites every segment below that end, in groups of at most segment.bytes, each group into
 *    one new segment swapped in for the group (PartitionLog.replaceSegments). Per batch, as
 *    MemoryRecords.filterTo with Kafka's RecordFilter:
 *    - a record stays if it is the latest of its key (or past the mapped range); a keyless record
 *      goes; a tombstone (null value) stays until its batch's delete horizon has passed;
 *    - aborted transactional data goes; a COMMIT marker goes when none of its transaction's data
 *      was seen, an ABORT marker when all of its transaction's data is gone, in both cases only
 *      once its own delete horizon has passed;
 *    - a batch holding tombstones or a removable marker and no delete horizon yet is rewritten
 *      with one (now + delete.retention.ms in its baseTimestamp, attribute bit 6: KIP-534);
 *    - a batch keeps its base offset, last offset (so producers' sequence numbers survive),
 *      producer id, epoch, base sequence, partition leader epoch, timestamp type and codec; the
 *      retained records keep their offsets, timestamps and headers: offsets have gaps, never
 *      change. A batch whose records all stay, and which needs no horizon, is kept byte for byte;
 *    - an emptied batch disappears, unless it is a live producer's last batch or the last batch
 *      below the cleaning bound: those stay as empty batches (header only).
 *
 * Work is sliced: `pause` is awaited between slices of about SLICE_BYTES, so produce and fetch
 * run in between. The log is never locked: a group whose segments retention, DeleteRecords or
 * truncation changed meanwhile is not swapped in and the pass stops (aborted: the next pass starts
 * again from the checkpoint). Everything the pass reads below the first uncleanable offset is
 * immutable except by those operations, and the active segment is never touched.
 *
 * Transactions come through CleanerTxnSource (the aborted-transactions index and the producer
 * state of the partition); NO_TRANSACTIONS is the seam for a log without them.
 *
 * Time: `now` is the broker clock's, passed in once per pass, as Kafka's currentTime.
 */
import {
  BatchAttribute,
  BatchLayout,
  CompressionCodec,
  ControlRecordType,
  RecordCursor,
  TimestampType,
  buildBatch,
  buildBatchSync,
  readControlRecordType,
  readInt64,
  recordsSection,
  recordsSectionSync,
} from '../protocol/records/index.js';
import type { RecordInput } from '../protocol/records/index.js';
import type { LogSegment } from './log-segment.js';
import type { PartitionLog } from './partition-log.js';

export interface CleanerSettings {
  /** delete.retention.ms */
  readonly deleteRetentionMs: number;
  /** min.compaction.lag.ms */
  readonly minCompactionLagMs: number;
  /** max.compaction.lag.ms */
  readonly maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio */
  readonly minCleanableRatio: number;
  /** segment.bytes: the largest group of segments cleaned into one. */
  readonly segmentBytes: number;
  /** Keys one pass may map: log.cleaner.dedupe.buffer.size / 24 x log.cleaner.io.buffer.load.factor. */
  readonly maxMapEntries: number;
}

/** An aborted transaction on this partition: its first data offset and its ABORT marker's offset. */
export interface AbortedTxnRange {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** What the producer state knows of a live producer: its last data offset (-1: a marker) and epoch. */
export interface ActiveProducerLastRecord {
  readonly lastDataOffset: number;
  readonly producerEpoch: number;
}

export interface CleanerTxnSource {
  /** Kafka's collectAbortedTransactions: aborted transactions overlapping [start, upperBound). */
  collectAbortedTransactions(start: number, upperBound: number): readonly AbortedTxnRange[];
  /** Kafka's lastRecordsOfActiveProducers, by producer id. */
  lastRecordsOfActiveProducers(): ReadonlyMap<number, ActiveProducerLastRecord>;
}

/** For a log without transactions (or before its index exists): nothing aborted, no producers. */
export const NO_TRANSACTIONS: CleanerTxnSource = Object.freeze({
  collectAbortedTransactions: () => [],
  lastRecordsOfActiveProducers: () => new Map(),
});

/** Kafka's LogToClean: the range a pass would clean and how dirty the log is. */
export interface LogToClean {
  readonly firstDirtyOffset: number;
  /** Segment-aligned: nothing at or above it is read. */
  readonly firstUncleanableOffset: number;
  readonly cleanBytes: number;
  readonly cleanableBytes: number;
  readonly cleanableRatio: number;
  readonly needCompactionNow: boolean;
}

export interface CleanResult {
  /** The new checkpoint: the first offset not cleaned. */
  readonly endOffset: number;
  /** True when the log changed under the pass; the checkpoint must not move. */
  readonly aborted: boolean;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly recordsRead: number;
  readonly recordsRetained: number;
  /** The earliest delete horizon left in the cleaned part, or null: when the next pass may drop tombstones. */
  readonly nextDeleteHorizon: number | null;
}

/** Bytes processed between pauses: small enough to keep produce and fetch latency low. */
const SLICE_BYTES = 512 * 1024;

/** Index of the segment whose range holds `offset` (the last one starting at or below it). */
function segmentIndexFor(segs: readonly LogSegment[], offset: number): number {
  let found = 0;
  for (let i = 0; i < segs.length; i++) {
    if (segs[i]!.baseOffset <= offset) found = i;
    else break;
  }
  return found;
}

/** Kafka's cleanableOffsets + LogToClean: the range to clean and the dirty ratio. */
export function logToClean(log: PartitionLog, checkpoint: number | undefined, s: CleanerSettings, now: number): LogToClean {
  const segs = log.segments;
  let firstDirty = checkpoint ?? log.logStartOffset;
  if (firstDirty < log.logStartOffset || firstDirty > log.logEndOffset) firstDirty = log.logStartOffset;
  const active = segs[segs.length - 1]!;
  let uncleanable = Math.min(log.lastStableOffset, active.baseOffset);
  const dirtyFrom = segmentIndexFor(segs, firstDirty);
  if (s.minCompactionLagMs > 0) {
    for (let i = dirtyFrom; i < segs.length - 1; i++) {
      if (segs[i]!.largestTimestamp > now - s.minCompactionLagMs) {
        uncleanable = Math.min(uncleanable, segs[i]!.baseOffset);
        break;
      }
    }
  }
  uncleanable = Math.max(firstDirty, uncleanable);
  // calculateCleanableBytes: round down to the start of the segment holding the bound.
  const uncleanableSegment = Math.min(segmentIndexFor(segs, uncleanable), segs.length - 1);
  const firstUncleanableOffset = segs[uncleanableSegment]!.baseOffset;
  let cleanBytes = 0;
  let cleanableBytes = 0;
  for (let i = 0; i < uncleanableSegment; i++) {
    const seg = segs[i]!;
    const end = segs[i + 1]!.baseOffset;
    if (end <= firstDirty) cleanBytes += seg.size;
    else if (seg.baseOffset < firstDirty) {
      // The segment holding the checkpoint counts as both, as Kafka's logSegments ranges overlap.
      cleanBytes += seg.size;
      cleanableBytes += seg.size;
    } else cleanableBytes += seg.size;
  }
  // maxCompactionDelay: the oldest first-batch timestamp among dirty non-active segments.
  let needCompactionNow = false;
  const cleanUntil = now - Math.max(s.maxCompactionLagMs, 0);
  for (let i = dirtyFrom; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    if (seg.isEmpty) continue;
    const first = seg.batchMaxTimestamp(0);
    if (first > 0 && first < cleanUntil) {
      needCompactionNow = true;
      break;
    }
  }
  const total = cleanBytes + cleanableBytes;
  return { firstDirtyOffset: firstDirty, firstUncleanableOffset, cleanBytes, cleanableBytes, cleanableRatio: total === 0 ? 0 : cleanableBytes / total, needCompactionNow };
}

/** Whether a pass over this range is due (grabFilthiestCompactedLog's filter). */
export function isCleanable(c: LogToClean, s: CleanerSettings): boolean {
  return (c.needCompactionNow && c.cleanableBytes > 0) || (c.cleanBytes + c.cleanableBytes > 0 && c.cleanableRatio > s.minCleanableRatio);
}

// ---- transaction state while walking the log (Kafka's CleanedTransactionMetadata) ----

class CleanedTransactionMetadata {
  readonly #ongoingCommitted = new Set<number>();
  // producer id -> last offset of its aborted data seen (null: none seen yet)
  readonly #ongoingAborted = new Map<number, { lastObservedBatchOffset: number | null }>();
  // Sorted by first offset; consumed from the front.
  #pending: AbortedTxnRange[] = [];

  addAbortedTransactions(txns: readonly AbortedTxnRange[]): void {
    if (txns.length === 0) return;
    this.#pending = [...this.#pending, ...txns].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  #consumeUpTo(offset: number): void {
    while (this.#pending.length > 0 && this.#pending[0]!.firstOffset <= offset) {
      const t = this.#pending.shift()!;
      if (!this.#ongoingAborted.has(t.producerId)) this.#ongoingAborted.set(t.producerId, { lastObservedBatchOffset: null });
    }
  }

  /** A control batch: true when it may be discarded. */
  onControlBatchRead(lastOffset: number, producerId: number, controlType: number | null): boolean {
    this.#consumeUpTo(lastOffset);
    // An empty control batch was emptied by an earlier pass.
    if (controlType === null) return true;
    if (controlType === ControlRecordType.ABORT) {
      const aborted = this.#ongoingAborted.get(producerId);
      this.#ongoingAborted.delete(producerId);
      // Keep the marker until all of the transaction's data is gone.
      return !(aborted !== undefined && aborted.lastObservedBatchOffset !== null);
    }
    if (controlType === ControlRecordType.COMMIT) return !this.#ongoingCommitted.delete(producerId);
    return false;
  }

  /** A data batch: true when it belongs to an aborted transaction. */
  onBatchRead(lastOffset: number, producerId: number, transactional: boolean): boolean {
    this.#consumeUpTo(lastOffset);
    if (!transactional) return false;
    const aborted = this.#ongoingAborted.get(producerId);
    if (aborted !== undefined) {
      aborted.lastObservedBatchOffset = lastOffset;
      return true;
    }
    this.#ongoingCommitted.add(producerId);
    return false;
  }
}

// ---- reading batches ----

interface BatchView {
  readonly buf: Buffer;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly attributes: number;
  readonly codec: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly isControl: boolean;
  readonly isTransactional: boolean;
  readonly deleteHorizon: number | null;
  readonly count: number;
}

function viewOf(buf: Buffer): BatchView {
  const attributes = buf.readInt16BE(BatchLayout.ATTRIBUTES);
  const baseOffset = readInt64(buf, BatchLayout.BASE_OFFSET);
  return {
    buf,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(BatchLayout.LAST_OFFSET_DELTA),
    attributes,
    codec: attributes & BatchAttribute.COMPRESSION_MASK,
    producerId: readInt64(buf, BatchLayout.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(BatchLayout.PRODUCER_EPOCH),
    isControl: (attributes & BatchAttribute.CONTROL) !== 0,
    isTransactional: (attributes & BatchAttribute.TRANSACTIONAL) !== 0,
    deleteHorizon: (attributes & BatchAttribute.DELETE_HORIZON) !== 0 ? readInt64(buf, BatchLayout.BASE_TIMESTAMP) : null,
    count: buf.readInt32BE(BatchLayout.RECORDS_COUNT),
  };
}

/** The plain records section; awaits only for zstd (no synchronous decoder here). */
function section(b: BatchView): Buffer | Promise<Buffer> {
  return b.codec === CompressionCodec.ZSTD ? recordsSection(b.buf, 0) : recordsSectionSync(b.buf, 0);
}

/**
 * The records sections of one segment's batches, each zstd one started a few batches ahead: zstd
 * decodes on libuv's thread pool, so decoding the next batches overlaps processing this one.
 */
class SectionPrefetch {
  readonly #pending = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly seg: LogSegment,
    private readonly ahead = 8,
  ) {}

  get(slot: number, b: BatchView): Buffer | Promise<Buffer> {
    for (let s = slot + 1; s <= slot + this.ahead && s < this.seg.batchCount; s++) {
      if (this.#pending.has(s)) continue;
      const next = viewOf(this.seg.batch(s));
      if (next.codec !== CompressionCodec.ZSTD) continue;
      const p = recordsSection(next.buf, 0);
      // Awaited when its batch comes; a pass that stops early must not leave it unhandled.
      p.catch(() => {});
      this.#pending.set(s, p);
    }
    const p = this.#pending.get(slot);
    if (p === undefined) return section(b);
    this.#pending.delete(slot);
    return p;
  }
}

function controlTypeOf(b: BatchView, plain: Buffer): number | null {
  const c = new RecordCursor(plain, b.count);
  if (!c.next()) return null;
  return readControlRecordType(c.key());
}

// ---- the pass ----

interface OffsetMap {
  readonly keys: Map<string, number>;
  /** Kafka's OffsetMap.latestOffset: records above it were not mapped and are kept. */
  latestOffset: number;
}

/**
 * One cleaning pass over `target` (from logToClean). Resolves with the new checkpoint, or with
 * aborted when the log changed under it.
 */
export async function cleanLog(
  log: PartitionLog,
  target: LogToClean,
  s: CleanerSettings,
  now: number,
  txn: CleanerTxnSource,
  pause: () => Promise<void>,
  sliceBytes = SLICE_BYTES,
): Promise<CleanResult> {
  const stats = { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, sinceYield: 0 };
  const maybePause = async () => {
    if (stats.sinceYield < sliceBytes) return;
    stats.sinceYield = 0;
    await pause();
  };
  const upper = target.firstUncleanableOffset;
  const map = await buildOffsetMap(log, target.firstDirtyOffset, upper, s.maxMapEntries, txn, stats, maybePause);
  if (map === null) return { endOffset: target.firstDirtyOffset, aborted: true, ...counts(stats), nextDeleteHorizon: null };
  // A pass with nothing dirty (due only to a passed delete horizon) still cleans the clean part.
  map.latestOffset = Math.max(map.latestOffset, target.firstDirtyOffset - 1);
  const endOffset = map.latestOffset + 1;

  const segs = [...log.segments];
  const toClean = segs.filter((seg, i) => i < segs.length - 1 && seg.baseOffset < endOffset);
  const groups = groupBySize(toClean, segs, s.segmentBytes, upper);
  const txnMeta = new CleanedTransactionMetadata();
  const lastRecords = txn.lastRecordsOfActiveProducers();
  let nextDeleteHorizon: number | null = null;

  for (const group of groups) {
    // From the log, so that a durable log writes it to `.cleaned` files for its swap.
    const cleaned = log.newCleanedSegment(group[0]!.baseOffset, now);
    for (let g = 0; g < group.length; g++) {
      const seg = group[g]!;
      const all = log.segments;
      const at = all.indexOf(seg);
      if (at < 0) {
        log.discardCleanedSegment(cleaned);
        return { endOffset, aborted: true, ...counts(stats), nextDeleteHorizon };
      }
      const segEnd = at + 1 < all.length ? all[at + 1]!.baseOffset : seg.nextOffset;
      txnMeta.addAbortedTransactions(txn.collectAbortedTransactions(seg.baseOffset, segEnd));
      const sections = new SectionPrefetch(seg);
      for (let slot = 0; slot < seg.batchCount; slot++) {
        const b = viewOf(seg.batch(slot));
        const filtered = await filterBatch(b, await sections.get(slot, b), map, txnMeta, lastRecords, upper, now, s.deleteRetentionMs, stats);
        if (filtered === null) continue;
        const { out, pendingHorizon } = filtered;
        if (pendingHorizon !== null && (nextDeleteHorizon === null || pendingHorizon < nextDeleteHorizon)) nextDeleteHorizon = pendingHorizon;
        const maxTs = readInt64(out, BatchLayout.MAX_TIMESTAMP);
        cleaned.append(out, readInt64(out, BatchLayout.BASE_OFFSET), readInt64(out, BatchLayout.BASE_OFFSET) + out.readInt32BE(BatchLayout.LAST_OFFSET_DELTA), maxTs, now);
        stats.bytesWritten += out.length;
        await maybePause();
      }
    }
    // Keep the group's last-modified time, which time retention and segment.ms read.
    cleaned.lastModified = group[group.length - 1]!.lastModified;
    if (!log.replaceSegments(group, cleaned)) return { endOffset, aborted: true, ...counts(stats), nextDeleteHorizon };
  }
  return { endOffset, aborted: false, ...counts(stats), nextDeleteHorizon };
}

function counts(st: { bytesRead: number; bytesWritten: number; recordsRead: number; recordsRetained: number }) {
  return { bytesRead: st.bytesRead, bytesWritten: st.bytesWritten, recordsRead: st.recordsRead, recordsRetained: st.recordsRetained };
}

/** Kafka's buildOffsetMap; null when a segment of the range left the log meanwhile. */
async function buildOffsetMap(
  log: PartitionLog,
  start: number,
  end: number,
  maxEntries: number,
  txn: CleanerTxnSource,
  stats: { bytesRead: number; sinceYield: number },
  maybePause: () => Promise<void>,
): Promise<OffsetMap | null> {
  const map: OffsetMap = { keys: new Map(), latestOffset: -1 };
  const segs = [...log.segments];
  const meta = new CleanedTransactionMetadata();
  meta.addAbortedTransactions(txn.collectAbortedTransactions(start, end));
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i]!;
    const next = segs[i + 1]!.baseOffset;
    if (next <= start) continue;
    if (seg.baseOffset >= end) break;
    if (!log.segments.includes(seg)) return null;
    const sections = new SectionPrefetch(seg);
    for (let slot = seg.slotFor(start) < 0 ? seg.batchCount : seg.slotFor(start); slot < seg.batchCount; slot++) {
      const b = viewOf(seg.batch(slot));
      stats.sinceYield += b.buf.length;
      if (b.isControl) {
        meta.onControlBatchRead(b.lastOffset, b.producerId, controlTypeOf(b, recordsSectionSync(b.buf, 0)));
      } else if (!meta.onBatchRead(b.lastOffset, b.producerId, b.isTransactional)) {
        const plain = await sections.get(slot, b);
        const c = new RecordCursor(plain, b.count);
        while (c.next()) {
          const offset = b.baseOffset + c.offsetDelta;
          if (c.keyLength < 0 || offset < start) continue;
          const key = plain.toString('latin1', c.keyOffset, c.keyOffset + c.keyLength);
          if (map.keys.size >= maxEntries && !map.keys.has(key)) return map;
          map.keys.set(key, offset);
        }
      }
      if (b.lastOffset >= start) map.latestOffset = Math.max(map.latestOffset, b.lastOffset);
      await maybePause();
    }
    // Offsets in a gap at the end of a segment count as mapped.
    map.latestOffset = Math.max(map.latestOffset, Math.min(next, end) - 1);
  }
  return map;
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments while their total stays within segment.bytes
 * and their offsets fit a segment's 32-bit relative index.
 */
function groupBySize(toClean: readonly LogSegment[], all: readonly LogSegment[], maxSize: number, upper: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < toClean.length) {
    const group = [toClean[i]!];
    let size = toClean[i]!.size;
    i++;
    while (i < toClean.length) {
      const seg = toClean[i]!;
      const at = all.indexOf(seg);
      const lastOffset = at + 1 < all.length ? all[at + 1]!.baseOffset - 1 : upper - 1;
      if (size + seg.size > maxSize || (seg.size > 0 && lastOffset - group[group.length - 1]!.baseOffset > 0x7fffffff)) break;
      group.push(seg);
      size += seg.size;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/**
 * One batch through Kafka's RecordFilter and MemoryRecords.filterTo: the batch to write (the
 * original, a rebuilt one, or an empty header) or null to drop it. `pendingHorizon` is the delete
 * horizon after which a later pass will remove something of it (a tombstone or a marker), else
 * null; a rebuilt batch keeps its horizon attribute even when nothing is left to remove, as
 * Kafka's does.
 */
async function filterBatch(
  b: BatchView,
  plain: Buffer,
  map: OffsetMap,
  txnMeta: CleanedTransactionMetadata,
  lastRecords: ReadonlyMap<number, ActiveProducerLastRecord>,
  upper: number,
  now: number,
  deleteRetentionMs: number,
  stats: { bytesRead: number; recordsRead: number; recordsRetained: number; sinceYield: number },
): Promise<{ out: Buffer; pendingHorizon: number | null } | null> {
  stats.bytesRead += b.buf.length;
  stats.sinceYield += b.buf.length;
  const canDiscard = b.isControl ? txnMeta.onControlBatchRead(b.lastOffset, b.producerId, controlTypeOf(b, plain)) : txnMeta.onBatchRead(b.lastOffset, b.producerId, b.isTransactional);
  const discardRecords = b.isControl ? canDiscard && b.deleteHorizon !== null && b.deleteHorizon <= now : canDiscard;
  const last = lastRecords.get(b.producerId);
  const lastOfProducer =
    b.producerId >= 0 && last !== undefined && (last.lastDataOffset >= 0 ? b.lastOffset === last.lastDataOffset : b.isControl && b.producerEpoch === last.producerEpoch);
  const retainEmpty = lastOfProducer || b.lastOffset + 1 === upper;
  if (discardRecords && !retainEmpty) return null;

  const retained: RecordInput[] = [];
  let containsTombstones = false;
  const logAppendTime = (b.attributes & BatchAttribute.TIMESTAMP_TYPE) !== 0;
  const baseTimestamp = readInt64(b.buf, BatchLayout.BASE_TIMESTAMP);
  const maxTimestamp = readInt64(b.buf, BatchLayout.MAX_TIMESTAMP);
  const c = new RecordCursor(plain, b.count);
  while (c.next()) {
    stats.recordsRead++;
    if (discardRecords) continue;
    const offset = b.baseOffset + c.offsetDelta;
    if (!b.isControl && !retainRecord(c, plain, offset, b.deleteHorizon, map, now)) continue;
    if (c.valueLength < 0) containsTombstones = true;
    retained.push({
      key: c.key(),
      value: c.value(),
      headers: c.headers(),
      timestamp: logAppendTime ? maxTimestamp : baseTimestamp + c.timestampDelta,
      offsetDelta: c.offsetDelta,
    });
  }
  stats.recordsRetained += retained.length;
  const removable = containsTombstones || (canDiscard && b.isControl && retained.length > 0);
  const needHorizon = removable && b.deleteHorizon === null;
  const horizon = needHorizon ? now + deleteRetentionMs : b.deleteHorizon;
  const pendingHorizon = removable ? horizon : null;
  if (retained.length === b.count && !needHorizon) return { out: b.buf, pendingHorizon };
  const header = {
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.buf.readInt32BE(BatchLayout.PARTITION_LEADER_EPOCH),
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.buf.readInt32BE(BatchLayout.BASE_SEQUENCE),
    transactional: b.isTransactional,
    control: b.isControl,
    timestampType: logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    // The last offset stays, so that a producer's last sequence number stays in the log.
    lastOffsetDelta: b.lastOffset - b.baseOffset,
  };
  if (retained.length === 0) {
    if (!retainEmpty) return null;
    // DefaultRecordBatch.writeEmptyHeader: no records, both timestamps the batch's max.
    return { out: buildBatchSync([], { ...header, compression: CompressionCodec.NONE, baseTimestamp: maxTimestamp, maxTimestamp }), pendingHorizon: null };
  }
  const opts = {
    ...header,
    compression: b.codec as CompressionCodec,
    ...(logAppendTime ? { logAppendTime: maxTimestamp, maxTimestamp } : {}),
    ...(horizon !== null ? { deleteHorizonMs: horizon } : {}),
  };
  const out = b.codec === CompressionCodec.ZSTD ? await buildBatch(retained, opts) : buildBatchSync(retained, opts);
  return { out, pendingHorizon };
}

/** Kafka's Cleaner.shouldRetainRecord for a data record. */
function retainRecord(c: RecordCursor, plain: Buffer, offset: number, deleteHorizon: number | null, map: OffsetMap, now: number): boolean {
  if (offset > map.latestOffset) return true;
  if (c.keyLength < 0) return false;
  const found = map.keys.get(plain.toString('latin1', c.keyOffset, c.keyOffset + c.keyLength));
  if (found !== undefined && offset < found) return false;
  return c.valueLength >= 0 || deleteHorizon === null || now < deleteHorizon;
}
