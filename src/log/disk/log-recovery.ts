/**
 * Loading a partition directory at start, as Kafka's LogLoader does:
 *
 * 1. Leftovers: `.tmp`, `.deleted` and `.cleaned` files go; a `.swap` segment (always complete:
 *    it is renamed to `.swap` only after its fsync) replaces the segments its offsets cover and
 *    loses its suffix; index files without a `.log` go.
 * 2. Sealed segments that need no check (a clean shutdown, or wholly below the recovery point:
 *    flushed) are not read: as Kafka, their index files get a sanity check, and the time index's
 *    last entry gives their max timestamp (retention needs no more). Their per-batch metadata is
 *    read from the file the first time something needs it (LogSegment.deferLoading), so a restart
 *    costs O(segments), and a consumer reading old data pays for each segment once.
 * 3. The other segments, oldest first, batch by batch (segment-scan.ts); batches at or past the
 *    recovery point are CRC-checked unless the previous run shut down cleanly. The first batch that
 *    is torn, corrupt or out of order ends the log: its file is truncated there (and synced),
 *    every later segment is deleted. Their index files are compared with what the batches say
 *    they should hold and rebuilt when they differ (always for the active segment).
 * 4. The log start offset is the larger of the first segment's base and the
 *    log-start-offset-checkpoint; the log end is past the last valid batch; the high watermark is
 *    the log end (one replica: everything on disk was committed).
 * 5. Leader epochs: leader-epoch-checkpoint, completed by the epochs of the batches read; the
 *    next leader epoch is one above the highest seen in either, so epochs only grow across
 *    restarts.
 * 6. Producer state: the latest valid snapshot at or below the log end, then every producer batch
 *    from there to the log end replayed through the producer state (markers end transactions and
 *    refill the aborted-transaction index, whose `.txnindex` files are trusted below the
 *    snapshot). Without a snapshot, the whole log is replayed.
 */
import { LogSegment } from '../log-segment.js';
import type { RecoveredLog } from '../log-storage.js';
import type { EpochEntry, LeaderEpochCache } from '../leader-epoch-cache.js';
import type { Partition } from '../partition.js';
import type { AbortedTxn } from '../transaction-index.js';
import { joinPath } from './file-system.js';
import type { FileSystem } from './file-system.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LEADER_EPOCH_CHECKPOINT,
  LOG_SUFFIX,
  SNAPSHOT_SUFFIX,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
  TXN_INDEX_SUFFIX,
  offsetFileName,
  parseOffsetFileName,
} from './log-files.js';
import { OFFSET_ENTRY_SIZE, SegmentIndexBuilder, TIME_ENTRY_SIZE } from './index-files.js';
import { readMarker, scanSegment } from './segment-scan.js';
import type { ScanResult } from './segment-scan.js';
import { BatchAttribute, BatchLayout, readInt64 } from '../../protocol/records/index.js';
import { SegmentFiles } from './segment-files.js';
import { DiskLog } from './disk-log.js';
import type { DiskLogContext, DiskLogSettings } from './disk-log.js';
import { decodeLeaderEpochCheckpoint } from './checkpoint-files.js';
import { decodeProducerSnapshot } from './producer-snapshot.js';
import type { SnapshotEntry } from './producer-snapshot.js';
import { decodeTxnIndex } from './txn-index-file.js';

export interface RecoveryOptions {
  /** From recovery-point-offset-checkpoint: batches below it were flushed. 0 when unknown. */
  readonly recoveryPoint: number;
  /** From log-start-offset-checkpoint, if the partition is listed there. */
  readonly logStartOffset: number | undefined;
  /** The previous run shut down cleanly: no CRC checks. */
  readonly cleanShutdown: boolean;
  /** In-memory index interval of the LogSegments (LogConfig.indexIntervalBytes). */
  readonly memoryIndexIntervalBytes: number;
  readonly now: number;
}

/** What recovery found, and what it did about it (for logs and tests). */
export interface RecoveryReport {
  readonly segments: number;
  /** Batches read at start (in the segments read). */
  readonly batches: number;
  readonly bytes: number;
  /** Bytes cut from a torn or corrupt tail, with the reason; null when the log was intact. */
  readonly truncated: { readonly bytes: number; readonly reason: string } | null;
  readonly indexesRebuilt: number;
  /** Segments read at start; the others (sealed and flushed) are read on first use. */
  readonly segmentsRead: number;
  readonly snapshotOffset: number | null;
  readonly replayedBatches: number;
  readonly swapsCompleted: number;
}

export class RecoveredPartition {
  readonly storage: DiskLog;
  readonly recovered: RecoveredLog;
  /** The leader epoch of the new term: above every epoch the partition has seen. */
  readonly nextLeaderEpoch: number;
  readonly report: RecoveryReport;
  readonly #checkpointed: readonly EpochEntry[];
  readonly #batchEpochs: readonly EpochEntry[];
  readonly #snapshot: readonly SnapshotEntry[];
  readonly #replayFrom: number;
  readonly #abortedBelow: readonly AbortedTxn[];
  #replayed = 0;

  constructor(init: {
    storage: DiskLog;
    recovered: RecoveredLog;
    nextLeaderEpoch: number;
    report: Omit<RecoveryReport, 'replayedBatches'>;
    checkpointed: EpochEntry[];
    batchEpochs: EpochEntry[];
    snapshot: SnapshotEntry[];
    replayFrom: number;
    abortedBelow: AbortedTxn[];
  }) {
    this.storage = init.storage;
    this.recovered = init.recovered;
    this.nextLeaderEpoch = init.nextLeaderEpoch;
    this.#checkpointed = init.checkpointed;
    this.#batchEpochs = init.batchEpochs;
    this.#snapshot = init.snapshot;
    this.#replayFrom = init.replayFrom;
    this.#abortedBelow = init.abortedBelow;
    const self = this;
    this.report = {
      ...init.report,
      get replayedBatches() {
        return self.#replayed;
      },
    };
  }

  /**
   * Fills a new log's leader epoch cache (before the Partition assigns the new epoch): the
   * checkpoint, which covers the segments not read at start, then the epochs of the batches that
   * were read, where they are newer.
   */
  restoreEpochs(cache: LeaderEpochCache): void {
    const end = this.recovered.logEndOffset;
    for (const e of this.#checkpointed) if (e.startOffset <= end) cache.assign(e.epoch, e.startOffset);
    for (const e of this.#batchEpochs) if (e.epoch > cache.latestEpoch()) cache.assign(e.epoch, e.startOffset);
    cache.truncateFromStart(this.recovered.logStartOffset);
  }

  /**
   * Brings the partition's producer state and aborted-transaction index back (the snapshot, then
   * the batches after it, read through the log), connects the storage to the partition, and
   * records the new leader epoch in leader-epoch-checkpoint.
   */
  restoreProducers(partition: Partition): void {
    const ps = partition.producerState;
    // Open transactions must enter in offset order (the manager keeps them insertion-ordered).
    const open = (e: SnapshotEntry) => (e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : Infinity);
    for (const e of [...this.#snapshot].sort((a, b) => open(a) - open(b))) {
      const lastBatch =
        e.lastOffset >= 0
          ? {
              firstSeq: firstSequence(e.lastSequence, e.offsetDelta),
              lastSeq: e.lastSequence,
              firstOffset: e.lastOffset - e.offsetDelta,
              lastOffset: e.lastOffset,
              timestamp: e.timestamp,
            }
          : null;
      ps.loadEntry(e.producerId, e.producerEpoch, e.coordinatorEpoch, e.timestamp, lastBatch, e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : null);
    }
    for (const t of this.#abortedBelow) partition.txnIndex.append(t);
    const log = partition.log;
    let offset = Math.max(this.#replayFrom, log.logStartOffset);
    while (offset < log.logEndOffset) {
      const { batches } = log.read(offset, 8 * 1024 * 1024, { minOneBatch: true });
      if (batches.length === 0) break;
      for (const b of batches) {
        const base = readInt64(b, BatchLayout.BASE_OFFSET);
        const last = base + b.readInt32BE(BatchLayout.LAST_OFFSET_DELTA);
        offset = last + 1;
        const producerId = readInt64(b, BatchLayout.PRODUCER_ID);
        if (producerId < 0) continue;
        this.#replayed++;
        const attributes = b.readInt16BE(BatchLayout.ATTRIBUTES);
        const producerEpoch = b.readInt16BE(BatchLayout.PRODUCER_EPOCH);
        const maxTimestamp = readInt64(b, BatchLayout.MAX_TIMESTAMP);
        if ((attributes & BatchAttribute.CONTROL) !== 0) {
          const marker = readMarker(b);
          if (marker === null) continue;
          const done = ps.appendMarker(producerId, producerEpoch, marker.coordinatorEpoch, marker.commit, base, maxTimestamp);
          if (done !== null && done.isAborted) {
            partition.txnIndex.append({ producerId, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: done.lastStableOffset });
          }
          continue;
        }
        ps.appendData(
          {
            producerId,
            producerEpoch,
            baseSequence: b.readInt32BE(BatchLayout.BASE_SEQUENCE),
            lastOffsetDelta: last - base,
            maxTimestamp,
            isTransactional: (attributes & BatchAttribute.TRANSACTIONAL) !== 0,
          },
          base,
          last,
        );
      }
    }
    log.setFirstUnstableOffset(ps.firstUnstableOffset());
    this.storage.attach(partition);
    this.storage.writeLeaderEpochCheckpoint(false);
  }
}

export function recoverPartition(ctx: DiskLogContext, dir: string, topic: string, partition: number, settings: DiskLogSettings, opts: RecoveryOptions): RecoveredPartition {
  const fs = ctx.fs;
  const swapsCompleted = cleanLeftovers(fs, dir);

  // Segments, oldest first.
  const bases: number[] = [];
  const snapshots: number[] = [];
  for (const name of fs.list(dir)) {
    const f = parseOffsetFileName(name);
    if (f === null || f.extra !== '') continue;
    if (f.suffix === LOG_SUFFIX) bases.push(f.offset);
    else if (f.suffix === SNAPSHOT_SUFFIX) snapshots.push(f.offset);
  }
  bases.sort((a, b) => a - b);
  snapshots.sort((a, b) => a - b);
  const baseSet = new Set(bases);
  for (const name of fs.list(dir)) {
    const f = parseOffsetFileName(name);
    if (f !== null && f.extra === '' && (f.suffix === INDEX_SUFFIX || f.suffix === TIME_INDEX_SUFFIX || f.suffix === TXN_INDEX_SUFFIX) && !baseSet.has(f.offset)) fs.unlink(joinPath(dir, name));
  }

  const segments: LogSegment[] = [];
  let truncated: RecoveryReport['truncated'] = null;
  let indexesRebuilt = 0;
  let bytes = 0;
  let scanned = 0;
  let batchesRead = 0;
  let maxEpoch = -1;
  let lastOffsetSeen = -1;
  const batchEpochs: EpochEntry[] = [];
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const isLast = i === bases.length - 1;
    const path = joinPath(dir, offsetFileName(base, LOG_SUFFIX));
    const nextBase = isLast ? Infinity : bases[i + 1]!;
    const mtime = fs.mtime(path) ?? opts.now;

    // A segment that was flushed (or shut down cleanly: the active one too) with sane index
    // files is not read now.
    if (opts.cleanShutdown || (!isLast && nextBase <= opts.recoveryPoint)) {
      const info = segmentInfo(fs, dir, base, nextBase);
      if (info !== null) {
        const seg = new LogSegment(base, mtime, opts.memoryIndexIntervalBytes);
        const files = SegmentFiles.open(fs, dir, base, info.size, new SegmentIndexBuilder(base, settings.indexIntervalBytes), ctx.cache, null);
        seg.setFile(files);
        seg.deferLoading(info.size, info.maxTimestamp, info.nextOffset, () => loadDeferred(fs, seg, files, base, nextBase));
        segments.push(seg);
        bytes += info.size;
        lastOffsetSeen = Math.max(lastOffsetSeen, info.nextOffset - 1);
        continue;
      }
    }

    scanned++;
    const verify = !opts.cleanShutdown && nextBase > opts.recoveryPoint;
    const fd = fs.open(path, 'write');
    const index = new SegmentIndexBuilder(base, settings.indexIntervalBytes);
    const seg = new LogSegment(base, mtime, opts.memoryIndexIntervalBytes);
    let result: ScanResult;
    try {
      // baseOffset is outside the CRC: a batch reaching into the next segment is corrupt too.
      const scanOpts = { minOffset: Math.max(base, lastOffsetSeen + 1), verifyCrcFrom: verify ? opts.recoveryPoint : Infinity, ...(isLast ? {} : { endOffset: nextBase }) };
      result = scanSegment(fs, fd, scanOpts, (b) => {
        seg.restoreBatch(b.position, b.size, b.baseOffset, b.lastOffset, b.maxTimestamp);
        index.add(b.position, b.size, b.lastOffset, b.maxTimestamp);
        if (b.partitionLeaderEpoch >= 0) {
          if (batchEpochs.length === 0 || batchEpochs[batchEpochs.length - 1]!.epoch !== b.partitionLeaderEpoch) batchEpochs.push({ epoch: b.partitionLeaderEpoch, startOffset: b.baseOffset });
          maxEpoch = Math.max(maxEpoch, b.partitionLeaderEpoch);
        }
        lastOffsetSeen = b.lastOffset;
        batchesRead++;
      });
      if (result.problem !== null) {
        const size = fs.size(fd);
        truncated = { bytes: size - result.validBytes + laterBytes(fs, dir, bases.slice(i + 1)), reason: result.problem };
        fs.truncate(fd, result.validBytes);
        fs.sync(fd);
      }
    } finally {
      fs.close(fd);
    }
    // The segment is cut there; the ones after it go.
    const stopHere = result.problem !== null;
    if (stopHere) {
      for (const later of bases.slice(i + 1)) for (const s of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) fs.unlink(joinPath(dir, offsetFileName(later, s)));
      fs.syncDir(dir);
    }
    const active = isLast || stopHere;
    if (!active) index.seal();
    const files = SegmentFiles.open(fs, dir, base, result.validBytes, index, ctx.cache, null);
    if (active || !indexMatches(files)) {
      files.rebuildIndexes();
      files.writeIndexes(false);
      indexesRebuilt++;
    } else files.indexesOnDisk();
    if (!active) files.dropIndexEntries();
    // Sealed segments reopen their file only when read.
    files.releaseFd();
    seg.setFile(files);
    segments.push(seg);
    bytes += result.validBytes;
    if (stopHere) break;
  }

  // The log end is past the last valid batch; an empty directory restarts at the log start.
  let logEnd = segments.length === 0 ? (opts.logStartOffset ?? 0) : segments[segments.length - 1]!.nextOffset;
  logEnd = Math.max(logEnd, lastOffsetSeen + 1);
  const firstBase = segments.length > 0 ? segments[0]!.baseOffset : logEnd;
  const logStart = Math.min(Math.max(firstBase, opts.logStartOffset ?? 0), logEnd);

  // Producer state: the latest snapshot at or below the log end that reads back.
  let snapshotOffset: number | null = null;
  let snapshot: SnapshotEntry[] = [];
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const off = snapshots[i]!;
    const p = joinPath(dir, offsetFileName(off, SNAPSHOT_SUFFIX));
    const decoded = off > logEnd ? null : decodeProducerSnapshot(fs.readFile(p) ?? Buffer.alloc(0));
    if (decoded === null) {
      fs.unlink(p);
      snapshots.splice(i, 1);
      continue;
    }
    snapshotOffset = off;
    snapshot = decoded;
    break;
  }
  const replayFrom = snapshotOffset ?? 0;
  const abortedBelow: AbortedTxn[] = [];
  if (snapshotOffset !== null) {
    for (const seg of segments) {
      const buf = fs.readFile(joinPath(dir, offsetFileName(seg.baseOffset, TXN_INDEX_SUFFIX)));
      if (buf === null) continue;
      for (const t of decodeTxnIndex(buf)) {
        if (t.lastOffset < replayFrom && (abortedBelow.length === 0 || t.lastOffset > abortedBelow[abortedBelow.length - 1]!.lastOffset)) abortedBelow.push(t);
      }
    }
  }

  // Leader epochs: the new term is above anything seen, in the batches read or the checkpoint.
  const checkpointed = decodeLeaderEpochCheckpoint(fs.readFile(joinPath(dir, LEADER_EPOCH_CHECKPOINT)) ?? Buffer.alloc(0)) ?? [];
  for (const e of checkpointed) maxEpoch = Math.max(maxEpoch, e.epoch);

  const storage = new DiskLog(ctx, dir, topic, partition, settings, {
    recoveryPoint: logEnd,
    snapshotOffsets: snapshots.filter((o) => o <= logEnd),
    active: segments.length === 0 ? null : segments[segments.length - 1]!,
  });
  for (const seg of segments) (seg.file as SegmentFiles).setObserver(storage);
  // No segment at all (a fresh or emptied directory): the log restarts, empty, at its end.
  if (segments.length === 0) segments.push(storage.newSegment(logEnd, opts.now, opts.memoryIndexIntervalBytes));
  return new RecoveredPartition({
    storage,
    recovered: { segments, logStartOffset: logStart, logEndOffset: logEnd },
    nextLeaderEpoch: maxEpoch + 1,
    report: { segments: segments.length, segmentsRead: scanned, batches: batchesRead, bytes, truncated, indexesRebuilt, snapshotOffset, swapsCompleted },
    checkpointed,
    batchEpochs,
    snapshot,
    replayFrom,
    abortedBelow,
  });
}

/**
 * Kafka's sanity check of a segment's indexes: whole entries, offsets and positions ascending and
 * inside the segment. Returns the segment's size, max timestamp (the time index's last entry) and
 * next offset (found, as Kafka's readNextOffset, by reading the batches after the last offset
 * index entry), or null when the files are missing or wrong: the segment is then read now.
 */
function segmentInfo(fs: FileSystem, dir: string, base: number, nextBase: number): { size: number; maxTimestamp: number; nextOffset: number } | null {
  const offsets = fs.readFile(joinPath(dir, offsetFileName(base, INDEX_SUFFIX)));
  const times = fs.readFile(joinPath(dir, offsetFileName(base, TIME_INDEX_SUFFIX)));
  if (offsets === null || times === null || offsets.length % OFFSET_ENTRY_SIZE !== 0 || times.length % TIME_ENTRY_SIZE !== 0) return null;
  const fd = fs.open(joinPath(dir, offsetFileName(base, LOG_SUFFIX)), 'read');
  let size: number;
  let nextOffset = base;
  try {
    size = fs.size(fd);
    const lastEntry = offsets.length - OFFSET_ENTRY_SIZE;
    const from = lastEntry >= 0 ? offsets.readInt32BE(lastEntry + 4) : 0;
    if (from >= size && size > 0) return null;
    const tail = scanSegment(fs, fd, { minOffset: base, verifyCrcFrom: Infinity, startPosition: from }, (b) => {
      nextOffset = b.lastOffset + 1;
    });
    // A clean shutdown leaves whole batches; anything else means the segment must be read now.
    if (tail.problem !== null) return null;
  } finally {
    fs.close(fd);
  }
  if (nextOffset > nextBase) return null;
  const span = nextBase - base;
  let prevOffset = -1;
  let prevPosition = -1;
  for (let p = 0; p < offsets.length; p += OFFSET_ENTRY_SIZE) {
    const rel = offsets.readInt32BE(p);
    const pos = offsets.readInt32BE(p + 4);
    if (rel <= prevOffset || rel >= span || pos <= prevPosition || pos >= size) return null;
    prevOffset = rel;
    prevPosition = pos;
  }
  let maxTimestamp = -1;
  let prevRel = -1;
  for (let p = 0; p < times.length; p += TIME_ENTRY_SIZE) {
    const ts = Number(times.readBigInt64BE(p));
    const rel = times.readInt32BE(p + 8);
    if (ts < maxTimestamp || rel < prevRel || rel >= span) return null;
    maxTimestamp = ts;
    prevRel = rel;
  }
  // A segment with data but no time entry was not sealed by this code: read it now instead.
  if (size > 0 && times.length === 0) return null;
  return { size, maxTimestamp, nextOffset };
}

/**
 * The deferred load of a segment: its batches' metadata from the file (no CRC check, as Kafka
 * reads a flushed segment). A structure that stops making sense part-way (a bad length, magic or
 * offset: a flipped bit, a disk error) is not skipped: the segment is marked corrupt there, and
 * reads past its last valid batch fail with CORRUPT_MESSAGE, as Kafka's FileLogInputStream does.
 * The active segment's index files are rewritten at the next flush (its builder is not sealed).
 */
function loadDeferred(fs: FileSystem, seg: LogSegment, files: SegmentFiles, base: number, nextBase: number): void {
  const sealed = nextBase !== Infinity;
  const path = files.path(LOG_SUFFIX);
  const fd = fs.open(path, 'read');
  let result: ScanResult;
  try {
    result = scanSegment(fs, fd, { minOffset: base, verifyCrcFrom: Infinity, ...(sealed ? { endOffset: nextBase } : {}) }, (b) => {
      seg.restoreBatch(b.position, b.size, b.baseOffset, b.lastOffset, b.maxTimestamp);
      files.index.add(b.position, b.size, b.lastOffset, b.maxTimestamp);
    });
  } finally {
    fs.close(fd);
  }
  if (result.problem !== null) seg.markCorrupt({ file: path, position: result.validBytes, offset: seg.nextOffset, reason: result.problem });
  if (sealed) {
    files.index.seal();
    files.indexesOnDisk();
    files.dropIndexEntries();
  } else files.rebuildIndexes();
}

/** The first sequence of a batch from its last one, wrapping below 0 as sequences wrap past 2^31-1. */
function firstSequence(lastSeq: number, delta: number): number {
  if (lastSeq < 0) return -1;
  const first = lastSeq - delta;
  return first < 0 ? first + 2147483648 : first;
}

function laterBytes(fs: FileSystem, dir: string, bases: readonly number[]): number {
  let n = 0;
  for (const b of bases) n += fs.readFile(joinPath(dir, offsetFileName(b, LOG_SUFFIX)))?.length ?? 0;
  return n;
}

function indexMatches(files: SegmentFiles): boolean {
  return (
    equalBytes(files.readIndexFile(INDEX_SUFFIX), files.index.encodeOffsetEntries(0)) &&
    equalBytes(files.readIndexFile(TIME_INDEX_SUFFIX), files.index.encodeTimeEntries(0))
  );
}

function equalBytes(a: Buffer | null, b: Buffer): boolean {
  return a !== null && a.equals(b);
}

/**
 * Step 1: drops temporary and half-made files, completes interrupted swaps. Returns the number of
 * swaps completed.
 */
function cleanLeftovers(fs: FileSystem, dir: string): number {
  const names = fs.list(dir);
  const swaps: number[] = [];
  for (const name of names) {
    if (name.endsWith('.tmp') || name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX)) {
      fs.unlink(joinPath(dir, name));
      continue;
    }
    const f = parseOffsetFileName(name);
    if (f !== null && f.extra === SWAP_SUFFIX && f.suffix === LOG_SUFFIX) swaps.push(f.offset);
  }
  if (swaps.length === 0) return 0;
  swaps.sort((a, b) => a - b);
  for (const base of swaps) {
    // The offsets the swapped-in segment covers: up to its last batch.
    const swapPath = joinPath(dir, offsetFileName(base, LOG_SUFFIX) + SWAP_SUFFIX);
    const fd = fs.open(swapPath, 'read');
    let end = base;
    try {
      scanSegment(fs, fd, { minOffset: base, verifyCrcFrom: Infinity }, (b) => {
        end = b.lastOffset + 1;
      });
    } finally {
      fs.close(fd);
    }
    for (const name of fs.list(dir)) {
      const f = parseOffsetFileName(name);
      if (f === null || f.extra !== '' || f.suffix === SNAPSHOT_SUFFIX) continue;
      if (f.offset >= base && f.offset < Math.max(end, base + 1)) fs.unlink(joinPath(dir, name));
    }
    for (const s of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      const from = joinPath(dir, offsetFileName(base, s) + SWAP_SUFFIX);
      if (fs.exists(from)) fs.rename(from, joinPath(dir, offsetFileName(base, s)));
    }
  }
  fs.syncDir(dir);
  return swaps.length;
}
