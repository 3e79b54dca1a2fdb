/**
 * The storage of one durable partition: its directory, segment files, producer-state snapshots,
 * aborted-transaction indexes and leader-epoch checkpoint (names in log-files.ts). The
 * PartitionLog drives it through the LogStorage seam; recovery (log-recovery.ts) builds one from
 * what a previous run left.
 *
 * When things are written and made durable:
 * - every appended batch is written to the active segment's `.log` at once (one positioned write,
 *   into the page cache); it is durable after the next flush: `flush.messages` appends, the data
 *   directory's background flusher (flush interval / `flush.ms`), a roll's snapshot, or shutdown;
 * - a roll seals the old segment (index files written, its `.txnindex` written and synced) and
 *   writes a producer-state snapshot at the new base offset, synced, as Kafka does at roll; the
 *   two latest snapshots are kept;
 * - retention, DeleteRecords and truncation unlink whole segments at once (Kafka renames them to
 *   `.deleted` and unlinks later; nothing here reads them after they leave the log);
 * - the cleaner's swap (replaceSegments), as Kafka's: the cleaned segment is written to
 *   `<base>.log.cleaned` (and `.index.cleaned`, ...), fsynced, renamed to `.swap`, the old
 *   segments are unlinked and the `.swap` files renamed to their final names, with a directory
 *   fsync after each renaming step. Recovery finishes a swap it finds (a `.swap` file is always
 *   complete) and drops `.cleaned` files;
 * - clean shutdown writes the active segment's index and `.txnindex`, a snapshot at the log end
 *   and the leader-epoch checkpoint, and fsyncs everything.
 */
import type { LogSegment } from '../log-segment.js';
import { LogSegment as Segment } from '../log-segment.js';
import type { LogStorage } from '../log-storage.js';
import type { Partition } from '../partition.js';
import type { PartitionLog } from '../partition-log.js';
import { joinPath, syncFile, writeFileAtomic } from './file-system.js';
import type { FileSystem } from './file-system.js';
import { CLEANED_SUFFIX, LEADER_EPOCH_CHECKPOINT, PARTITION_METADATA, SNAPSHOT_SUFFIX, SWAP_SUFFIX, TXN_INDEX_SUFFIX, offsetFileName } from './log-files.js';
import { SegmentFiles } from './segment-files.js';
import type { AppendObserver } from './segment-files.js';
import { encodeLeaderEpochCheckpoint, encodePartitionMetadata } from './checkpoint-files.js';
import { encodeProducerSnapshot } from './producer-snapshot.js';
import type { SnapshotEntry } from './producer-snapshot.js';
import { encodeTxnIndex } from './txn-index-file.js';
import type { TailCache } from './tail-cache.js';

export interface DiskLogSettings {
  /** index.interval.bytes of the index files (Kafka's 4096 by default). */
  readonly indexIntervalBytes: number;
  /** flush.messages: fsync once this many offsets are unflushed (Infinity: never by count). */
  readonly flushMessages: number;
}

/** What the data directory gives each of its logs. */
export interface DiskLogContext {
  readonly fs: FileSystem;
  /** The batches kept in memory, shared by the directory's logs. */
  readonly cache: TailCache;
  /** The log start offset of a log moved: the directory's log-start-offset-checkpoint is due. */
  logStartOffsetChanged(log: DiskLog): void;
}

export class DiskLog implements LogStorage, AppendObserver {
  readonly dir: string;
  readonly topic: string;
  readonly partitionIndex: number;
  readonly #ctx: DiskLogContext;
  #settings: DiskLogSettings;
  #partition: Partition | null = null;
  #active: LogSegment | null = null;
  // Offsets below it are durable (Kafka's recovery point): recovery CRC-checks from there.
  #recoveryPoint: number;
  #dirUnsynced = false;
  // Files written without fsync (partition.metadata, leader-epoch-checkpoint) for the next flush.
  readonly #unsyncedFiles = new Set<string>();
  #lastFlushMs = performance.now();
  #flushing: Promise<void> | null = null;
  #snapshotOffsets: number[];
  #closed = false;

  constructor(ctx: DiskLogContext, dir: string, topic: string, partition: number, settings: DiskLogSettings, state: { recoveryPoint: number; snapshotOffsets: number[]; active: LogSegment | null }) {
    this.#ctx = ctx;
    this.dir = dir;
    this.topic = topic;
    this.partitionIndex = partition;
    this.#settings = settings;
    this.#recoveryPoint = state.recoveryPoint;
    this.#snapshotOffsets = state.snapshotOffsets;
    this.#active = state.active;
  }

  /** A new partition directory (its segment comes with the PartitionLog's first newSegment). */
  static create(ctx: DiskLogContext, dir: string, topic: string, partition: number, topicId: string, settings: DiskLogSettings): DiskLog {
    ctx.fs.mkdir(dir);
    const log = new DiskLog(ctx, dir, topic, partition, settings, { recoveryPoint: 0, snapshotOffsets: [], active: null });
    // Not synced here (creating 50 __consumer_offsets partitions would cost 100 fsyncs): the next
    // flush does it; recovery rewrites a missing file.
    log.#writeLazily(PARTITION_METADATA, encodePartitionMetadata(topicId));
    return log;
  }

  get settings(): DiskLogSettings {
    return this.#settings;
  }

  /** Applies changed topic configs (index.interval.bytes takes effect from the next segment). */
  updateSettings(settings: DiskLogSettings): void {
    this.#settings = settings;
  }

  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  get log(): PartitionLog | null {
    return this.#partition?.log ?? null;
  }

  /** Connects the storage to its partition (producer state and aborted transactions for snapshots). */
  attach(partition: Partition): void {
    this.#partition = partition;
  }

  // ---- LogStorage ----

  // After close or deletion (a cleaner pass may still be finishing, a deleted topic's log may still
  // be referenced) the log carries on in memory and the directory is left alone.

  newSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment {
    if (this.#closed) return new Segment(baseOffset, now, indexIntervalBytes);
    const prev = this.#active;
    if (prev !== null) this.#sealActive(prev, baseOffset);
    const files = SegmentFiles.create(this.#ctx.fs, this.dir, baseOffset, this.#settings.indexIntervalBytes, '', this.#ctx.cache, this);
    const seg = new Segment(baseOffset, now, indexIntervalBytes, files);
    this.#active = seg;
    this.#dirUnsynced = true;
    return seg;
  }

  newCleanedSegment(baseOffset: number, now: number, indexIntervalBytes: number): LogSegment {
    if (this.#closed) return new Segment(baseOffset, now, indexIntervalBytes);
    // No tail cache: cleaned batches are read back from the file, not kept in memory.
    const files = SegmentFiles.create(this.#ctx.fs, this.dir, baseOffset, this.#settings.indexIntervalBytes, CLEANED_SUFFIX, null, null);
    return new Segment(baseOffset, now, indexIntervalBytes, files);
  }

  replaceSegments(old: readonly LogSegment[], cleaned: LogSegment): void {
    if (this.#closed || cleaned.file === null) {
      if (cleaned.file instanceof SegmentFiles) cleaned.file.delete();
      return;
    }
    const fs = this.#ctx.fs;
    const files = filesOf(cleaned);
    const log = this.log;
    const last = old[old.length - 1]!;
    const at = log === null ? -1 : log.segments.indexOf(last);
    const end = log !== null && at >= 0 && at + 1 < log.segments.length ? log.segments[at + 1]!.baseOffset : last.nextOffset;
    files.seal();
    this.#writeTxnIndex(files, cleaned.baseOffset, end, true);
    files.sync();
    files.rename(SWAP_SUFFIX);
    fs.syncDir(this.dir);
    for (const seg of old) filesOf(seg).delete();
    files.rename('');
    fs.syncDir(this.dir);
  }

  discardCleanedSegment(cleaned: LogSegment): void {
    if (cleaned.file instanceof SegmentFiles) cleaned.file.delete();
  }

  deleteSegments(segments: readonly LogSegment[]): void {
    if (this.#closed) return;
    for (const seg of segments) {
      filesOf(seg).delete();
      if (seg === this.#active) this.#active = null;
    }
    this.#dirUnsynced = true;
  }

  logStartOffsetChanged(_offset: number): void {
    if (!this.#closed) this.#ctx.logStartOffsetChanged(this);
  }

  // ---- flushing ----

  appended(lastOffset: number): void {
    if (this.#closed) return;
    if (lastOffset + 1 - this.#recoveryPoint >= this.#settings.flushMessages) this.flushSync();
  }

  /** Whether anything written is not yet durable. */
  get unflushed(): boolean {
    const log = this.log;
    return log !== null && (log.logEndOffset > this.#recoveryPoint || this.#dirUnsynced || this.#unsyncedFiles.size > 0 || log.segments.some((s) => filesOf(s).unsynced));
  }

  /** Milliseconds since the last flush completed (performance clock). */
  get msSinceFlush(): number {
    return performance.now() - this.#lastFlushMs;
  }

  /** Makes everything appended so far durable, blocking (flush.messages, shutdown). */
  flushSync(): void {
    const log = this.log;
    if (log === null || this.#closed) return;
    const target = log.logEndOffset;
    for (const seg of log.segments) filesOf(seg).sync();
    this.#syncLazyFiles();
    if (this.#dirUnsynced) {
      this.#ctx.fs.syncDir(this.dir);
      this.#dirUnsynced = false;
    }
    this.#flushed(target);
  }

  /** The background flush: data fsyncs off the event loop; one at a time per log. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushAsync().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flushAsync(): Promise<void> {
    const log = this.log;
    if (log === null || this.#closed) return;
    const target = log.logEndOffset;
    const dirty = log.segments.filter((s) => filesOf(s).unsynced);
    this.#syncLazyFiles();
    if (this.#dirUnsynced) {
      this.#dirUnsynced = false;
      this.#ctx.fs.syncDir(this.dir);
    }
    for (const seg of dirty) await filesOf(seg).syncAsync();
    this.#flushed(target);
  }

  #flushed(target: number): void {
    if (target > this.#recoveryPoint) this.#recoveryPoint = target;
    this.#lastFlushMs = performance.now();
  }

  // ---- checkpoints ----

  /**
   * Writes leader-epoch-checkpoint; `durable` false leaves the fsync to the next flush (a lost
   * checkpoint is rebuilt from the batches, and the new term's epoch from the batches it wrote).
   */
  writeLeaderEpochCheckpoint(durable = true): void {
    const log = this.log;
    if (log === null) return;
    const content = encodeLeaderEpochCheckpoint(log.leaderEpochCache.entries());
    if (durable) writeFileAtomic(this.#ctx.fs, joinPath(this.dir, LEADER_EPOCH_CHECKPOINT), content);
    else this.#writeLazily(LEADER_EPOCH_CHECKPOINT, content);
  }

  /** The partition's topic id file (recovery rewrites it when missing). */
  writePartitionMetadata(topicId: string): void {
    this.#writeLazily(PARTITION_METADATA, encodePartitionMetadata(topicId));
  }

  #writeLazily(name: string, content: Buffer): void {
    writeFileAtomic(this.#ctx.fs, joinPath(this.dir, name), content, false);
    this.#unsyncedFiles.add(name);
    this.#dirUnsynced = true;
  }

  #syncLazyFiles(): void {
    for (const name of this.#unsyncedFiles) syncFile(this.#ctx.fs, joinPath(this.dir, name));
    this.#unsyncedFiles.clear();
  }

  /** A producer-state snapshot at `offset` (all batches below it applied), keeping the previous one. */
  takeSnapshot(offset: number): void {
    const partition = this.#partition;
    if (partition === null) return;
    const entries: SnapshotEntry[] = [];
    for (const e of partition.producerState.activeProducers()) {
      const last = e.batches[e.batches.length - 1];
      entries.push({
        producerId: e.producerId,
        producerEpoch: e.producerEpoch,
        lastSequence: last?.lastSeq ?? -1,
        lastOffset: last?.lastOffset ?? -1,
        offsetDelta: last === undefined ? 0 : last.lastOffset - last.firstOffset,
        timestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: e.currentTxnFirstOffset ?? -1,
      });
    }
    const fs = this.#ctx.fs;
    writeFileAtomic(fs, joinPath(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX)), encodeProducerSnapshot(entries));
    const offsets = [...this.#snapshotOffsets.filter((o) => o !== offset), offset].sort((a, b) => a - b);
    while (offsets.length > 2) fs.unlink(joinPath(this.dir, offsetFileName(offsets.shift()!, SNAPSHOT_SUFFIX)));
    this.#snapshotOffsets = offsets;
  }

  /** The active segment stops being active at `nextBase`: its files sealed, a snapshot taken there. */
  #sealActive(seg: LogSegment, nextBase: number): void {
    const files = filesOf(seg);
    files.seal();
    this.#writeTxnIndex(files, seg.baseOffset, nextBase, true);
    this.takeSnapshot(nextBase);
  }

  /** Writes the `.txnindex` of a segment: the aborted transactions whose markers are in [from, to). */
  #writeTxnIndex(files: SegmentFiles, from: number, to: number, sync: boolean): void {
    const partition = this.#partition;
    if (partition === null) return;
    const fs = this.#ctx.fs;
    const entries = partition.txnIndex.entries().filter((e) => e.lastOffset >= from && e.lastOffset < to);
    const path = files.path(TXN_INDEX_SUFFIX);
    if (entries.length === 0) {
      fs.unlink(path);
      return;
    }
    const fd = fs.open(path, 'create');
    try {
      fs.truncate(fd, 0);
      fs.write(fd, encodeTxnIndex(entries), 0);
      if (sync) fs.sync(fd);
    } finally {
      fs.close(fd);
    }
  }

  /** Clean shutdown: indexes, the active `.txnindex`, a snapshot at the log end, epochs; all synced. */
  close(): void {
    if (this.#closed) return;
    const log = this.log;
    if (log !== null) {
      const active = log.segments[log.segments.length - 1]!;
      filesOf(active).seal();
      this.#writeTxnIndex(filesOf(active), active.baseOffset, Infinity, false);
      this.flushSync();
      this.takeSnapshot(log.logEndOffset);
      this.writeLeaderEpochCheckpoint();
      for (const seg of log.segments) filesOf(seg).close();
    }
    this.#closed = true;
  }

  /** The topic was deleted: close everything and remove the directory. */
  deleteAll(): void {
    const log = this.log;
    if (log !== null) for (const seg of log.segments) filesOf(seg).close();
    this.#closed = true;
    this.#ctx.fs.removeTree(this.dir);
  }
}

function filesOf(seg: LogSegment): SegmentFiles {
  const f = seg.file;
  if (!(f instanceof SegmentFiles)) throw new Error(`segment ${seg.baseOffset} has no files`);
  return f;
}
