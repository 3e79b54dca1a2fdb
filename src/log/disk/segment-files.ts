/**
 * The files of one durable segment: `<base>.log` with the batches exactly as received, appended
 * with one positioned write per batch, and its `.index` / `.timeindex` (index-files.ts), written
 * from entries buffered in memory at each flush, roll and shutdown.
 *
 * The `.log` file is opened lazily and stays open while the segment lives (reads of evicted
 * batches need it); index files are opened only to write them, so a partition costs one open
 * file per segment, not three.
 *
 * A segment the cleaner writes carries a suffix (`.cleaned`, then `.swap`) until it is swapped
 * in; `rename` moves all its files at once.
 */
import type { LogSegment, SegmentFile } from '../log-segment.js';
import { joinPath, readAll, syncFile } from './file-system.js';
import type { Fd, FileSystem } from './file-system.js';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, offsetFileName } from './log-files.js';
import { OFFSET_ENTRY_SIZE, SegmentIndexBuilder, TIME_ENTRY_SIZE } from './index-files.js';
import type { TailCache } from './tail-cache.js';
import { scanSegment } from './segment-scan.js';

/** Who is told about appends (the partition's DiskLog, for flush.messages). */
export interface AppendObserver {
  appended(lastOffset: number): void;
}

export class SegmentFiles implements SegmentFile {
  readonly baseOffset: number;
  readonly #fs: FileSystem;
  readonly #dir: string;
  #suffix: string;
  #fd: Fd | null = null;
  #size: number;
  readonly index: SegmentIndexBuilder;
  // Index entries already in the files.
  #offsetEntriesWritten = 0;
  #timeEntriesWritten = 0;
  // The files must be rewritten whole (truncation, recovery found them wrong).
  #rewriteIndexes = false;
  #unsynced = false;
  // Index files written without an fsync since the last sync.
  #indexesUnsynced = false;
  #closed = false;
  // The index entries were written out and dropped from memory (dropIndexEntries).
  #entriesDropped = false;
  readonly #cache: TailCache | null;
  #observer: AppendObserver | null;

  private constructor(fs: FileSystem, dir: string, baseOffset: number, suffix: string, size: number, index: SegmentIndexBuilder, cache: TailCache | null, observer: AppendObserver | null) {
    this.#fs = fs;
    this.#dir = dir;
    this.baseOffset = baseOffset;
    this.#suffix = suffix;
    this.#size = size;
    this.index = index;
    this.#cache = cache;
    this.#observer = observer;
  }

  /** New, empty files (an existing file of the same name is emptied). */
  static create(fs: FileSystem, dir: string, baseOffset: number, indexIntervalBytes: number, suffix: string, cache: TailCache | null, observer: AppendObserver | null): SegmentFiles {
    const f = new SegmentFiles(fs, dir, baseOffset, suffix, 0, new SegmentIndexBuilder(baseOffset, indexIntervalBytes), cache, observer);
    const fd = f.#open();
    if (fs.size(fd) > 0) fs.truncate(fd, 0);
    for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) fs.unlink(f.path(s));
    f.#unsynced = true;
    return f;
  }

  /** Existing files, as recovery found them: `size` valid bytes, `index` built from the batches. */
  static open(fs: FileSystem, dir: string, baseOffset: number, size: number, index: SegmentIndexBuilder, cache: TailCache | null, observer: AppendObserver | null): SegmentFiles {
    return new SegmentFiles(fs, dir, baseOffset, '', size, index, cache, observer);
  }

  /** Recovery opens files before their DiskLog exists. */
  setObserver(observer: AppendObserver): void {
    this.#observer = observer;
  }

  path(suffix: string): string {
    return joinPath(this.#dir, offsetFileName(this.baseOffset, suffix) + this.#suffix);
  }

  get size(): number {
    return this.#size;
  }

  /** Whether data or index entries were written since the last sync. */
  get unsynced(): boolean {
    return this.#unsynced || this.#indexesUnsynced || this.#pendingIndexEntries();
  }

  #pendingIndexEntries(): boolean {
    return this.#rewriteIndexes || this.index.offsets.length !== this.#offsetEntriesWritten || this.index.timestamps.length !== this.#timeEntriesWritten;
  }

  #open(): Fd {
    if (this.#fd === null) {
      if (this.#closed) throw new Error(`segment ${this.path(LOG_SUFFIX)} is closed`);
      this.#fd = this.#fs.open(this.path(LOG_SUFFIX), 'create');
    }
    return this.#fd;
  }

  append(batch: Buffer, _baseOffset: number, lastOffset: number, maxTimestamp: number): number {
    const position = this.#size;
    this.#fs.write(this.#open(), batch, position);
    this.#size += batch.length;
    this.#unsynced = true;
    this.index.add(position, batch.length, lastOffset, maxTimestamp);
    this.#observer?.appended(lastOffset);
    return position;
  }

  read(position: number, size: number): Buffer {
    const fd = this.#open();
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = this.#fs.read(fd, buf, done, size - done, position + done);
      if (n === 0) throw new Error(`${this.path(LOG_SUFFIX)}: ${size} bytes expected at position ${position}, the file ends at ${position + done}`);
      done += n;
    }
    return buf;
  }

  truncate(position: number, offset: number): void {
    if (this.#entriesDropped) this.#rebuildIndexEntries();
    this.#fs.truncate(this.#open(), position);
    this.#size = position;
    this.#unsynced = true;
    this.index.truncateTo(offset);
    this.#rewriteIndexes = true;
  }

  admit(segment: LogSegment, slot: number, bytes: number): void {
    if (this.#cache === null) segment.evict(slot);
    else this.#cache.admit(segment, slot, bytes);
  }

  /** Marks the index files for a full rewrite at the next flush (recovery found them wrong). */
  rebuildIndexes(): void {
    this.#rewriteIndexes = true;
  }

  /** The segment stops being active: a last time index entry, and everything written out. */
  seal(): void {
    this.index.seal();
    this.writeIndexes(false);
    this.dropIndexEntries();
  }

  /**
   * Lets go of the index entries held in memory once they are all in the index files: a sealed
   * segment adds none, and with Kafka's 4 KiB index interval they cost ~30 bytes per batch of
   * every segment stored. A truncation into the segment (follower divergence, rare) reads them
   * back from the `.log` file's batch headers first.
   */
  dropIndexEntries(): void {
    if (this.#closed || this.#pendingIndexEntries() || this.#entriesDropped) return;
    this.index.clear();
    this.#offsetEntriesWritten = 0;
    this.#timeEntriesWritten = 0;
    this.#entriesDropped = true;
  }

  #rebuildIndexEntries(): void {
    this.#entriesDropped = false;
    scanSegment(this.#fs, this.#open(), { minOffset: this.baseOffset, verifyCrcFrom: Infinity }, (b) => this.index.add(b.position, b.size, b.lastOffset, b.maxTimestamp));
    this.index.seal();
    this.indexesOnDisk();
  }

  /** Writes buffered index entries to the index files (and syncs them when asked). */
  writeIndexes(sync: boolean): void {
    if (!this.#pendingIndexEntries()) {
      if (sync && this.#indexesUnsynced) {
        for (const s of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) syncFile(this.#fs, this.path(s));
        this.#indexesUnsynced = false;
      }
      return;
    }
    const rewrite = this.#rewriteIndexes;
    this.#writeIndexFile(INDEX_SUFFIX, rewrite ? 0 : this.#offsetEntriesWritten, OFFSET_ENTRY_SIZE, (from) => this.index.encodeOffsetEntries(from), rewrite, sync);
    this.#writeIndexFile(TIME_INDEX_SUFFIX, rewrite ? 0 : this.#timeEntriesWritten, TIME_ENTRY_SIZE, (from) => this.index.encodeTimeEntries(from), rewrite, sync);
    this.#offsetEntriesWritten = this.index.offsets.length;
    this.#timeEntriesWritten = this.index.timestamps.length;
    this.#rewriteIndexes = false;
    this.#indexesUnsynced = !sync;
  }

  #writeIndexFile(suffix: string, from: number, entrySize: number, encode: (from: number) => Buffer, rewrite: boolean, sync: boolean): void {
    const fs = this.#fs;
    const fd = fs.open(this.path(suffix), 'create');
    try {
      if (rewrite) fs.truncate(fd, 0);
      const bytes = encode(from);
      if (bytes.length > 0) fs.write(fd, bytes, from * entrySize);
      if (sync) fs.sync(fd);
    } finally {
      fs.close(fd);
    }
  }

  /** Index files as they are on disk (recovery compares them with what they should be). */
  readIndexFile(suffix: string): Buffer | null {
    const fs = this.#fs;
    if (!fs.exists(this.path(suffix))) return null;
    const fd = fs.open(this.path(suffix), 'read');
    try {
      return readAll(fs, fd);
    } finally {
      fs.close(fd);
    }
  }

  /** Records that recovery found the index files already right. */
  indexesOnDisk(): void {
    this.#offsetEntriesWritten = this.index.offsets.length;
    this.#timeEntriesWritten = this.index.timestamps.length;
    this.#rewriteIndexes = false;
  }

  /** Makes everything written so far durable. */
  sync(): void {
    if (this.#closed) return;
    this.writeIndexes(true);
    if (this.#unsynced && this.#fd !== null) this.#fs.sync(this.#fd);
    this.#unsynced = false;
  }

  /** `sync` with the data file's fsync off the event loop (index files are small). */
  async syncAsync(): Promise<void> {
    if (this.#closed) return;
    this.writeIndexes(true);
    if (!this.#unsynced || this.#fd === null) return;
    this.#unsynced = false;
    try {
      await this.#fs.syncAsync(this.#fd);
    } catch (e) {
      // The segment may have been deleted (retention, compaction) while the fsync ran.
      if (!this.#closed) {
        this.#unsynced = true;
        throw e;
      }
    }
  }

  /** Renames every file of the segment from its current suffix to `suffix` (the cleaner's swap). */
  rename(suffix: string): void {
    for (const s of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      const from = this.path(s);
      if (!this.#fs.exists(from)) continue;
      this.#fs.rename(from, joinPath(this.#dir, offsetFileName(this.baseOffset, s) + suffix));
    }
    this.#suffix = suffix;
  }

  /** Closes the data file (it reopens on the next read) after writing out index entries. */
  releaseFd(): void {
    if (this.#fd === null) return;
    this.#fs.close(this.#fd);
    this.#fd = null;
  }

  close(): void {
    if (this.#closed) return;
    this.writeIndexes(false);
    this.releaseFd();
    this.#closed = true;
  }

  /** Closes and removes every file of the segment. */
  delete(): void {
    this.releaseFd();
    this.#closed = true;
    for (const s of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) this.#fs.unlink(this.path(s));
  }
}
