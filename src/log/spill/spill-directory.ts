/**
 * Where an in-memory broker spills batches past its memory budget: a private temporary
 * directory, made on the first spill (a broker that never passes its budget touches no disk) and
 * removed when the broker stops, or at the latest when the process exits. One append-only file
 * per segment, which the segment reads spilled batches back from by position; a deleted segment
 * deletes its file.
 *
 * Spill files are not durable and not recovered: they hold what would otherwise be in RSS, and
 * they go with the process as the memory would. Nothing is fsynced.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinPath } from '../disk/file-system.js';
import type { Fd, FileSystem } from '../disk/file-system.js';
import { NodeFileSystem } from '../disk/node-file-system.js';
import type { LogSegment, SpillFile } from '../log-segment.js';
import type { MemoryBudget } from './memory-budget.js';

export interface SpillDirectoryOptions {
  /** Default: the real filesystem. Tests inject one that fails (a full disk). */
  readonly fs?: FileSystem;
  /** Default: a new directory under the OS temp directory (TMPDIR), named minikafka-spill-*. */
  readonly dir?: string;
}

export class SpillDirectory {
  readonly budget: MemoryBudget;
  readonly #fs: FileSystem;
  readonly #requestedDir: string | undefined;
  #dir: string | null = null;
  #nextFile = 0;
  readonly #files = new Set<{ discard(): void }>();
  #closed = false;
  readonly #onExit = (): void => this.close();

  constructor(budget: MemoryBudget, opts: SpillDirectoryOptions = {}) {
    this.budget = budget;
    this.#fs = opts.fs ?? new NodeFileSystem();
    this.#requestedDir = opts.dir;
  }

  /** The directory, once something was spilled; null before. */
  get path(): string | null {
    return this.#dir;
  }

  /** Spill files open now (one per segment that spilled and still exists). */
  get openFiles(): number {
    return this.#files.size;
  }

  /** The spill side of a new segment: no file until its first batch is spilled. */
  newFile(): SpillFile {
    return new SegmentSpillFile(this);
  }

  /** Removes the directory and everything in it (the broker stopped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.removeListener('exit', this.#onExit);
    for (const f of [...this.#files]) f.discard();
    if (this.#dir !== null) this.#fs.removeTree(this.#dir);
  }

  /** @internal A new file for a segment's spilled batches. */
  create(owner: { discard(): void }): { fs: FileSystem; fd: Fd; path: string } {
    if (this.#closed) throw new Error('the spill directory is closed (the broker stopped)');
    if (this.#dir === null) {
      if (this.#requestedDir !== undefined) {
        this.#fs.mkdir(this.#requestedDir);
        this.#dir = this.#requestedDir;
      } else {
        this.#dir = mkdtempSync(join(tmpdir(), 'minikafka-spill-'));
      }
      process.on('exit', this.#onExit);
    }
    const path = joinPath(this.#dir, `${this.#nextFile++}.spill`);
    const fd = this.#fs.open(path, 'create');
    this.#files.add(owner);
    return { fs: this.#fs, fd, path };
  }

  /** @internal */
  closed(owner: { discard(): void }): void {
    this.#files.delete(owner);
  }
}

class SegmentSpillFile implements SpillFile {
  readonly #dir: SpillDirectory;
  readonly #budget: MemoryBudget;
  #file: { fs: FileSystem; fd: Fd; path: string } | null = null;
  #end = 0;
  #discarded = false;

  constructor(dir: SpillDirectory) {
    this.#dir = dir;
    this.#budget = dir.budget;
  }

  reserve(bytes: number): void {
    this.#budget.reserve(bytes);
  }

  admit(segment: LogSegment, slot: number, bytes: number): void {
    this.#budget.admit(segment, slot, bytes);
  }

  release(bytes: number): void {
    this.#budget.release(bytes);
  }

  fits(bytes: number): boolean {
    return this.#budget.fits(bytes);
  }

  write(batch: Buffer): number {
    if (this.#discarded) throw new Error('spill file of a deleted segment');
    const f = (this.#file ??= this.#dir.create(this));
    const position = this.#end;
    f.fs.write(f.fd, batch, position);
    this.#end += batch.length;
    return position;
  }

  read(position: number, size: number): Buffer {
    const f = this.#file;
    if (f === null || this.#discarded) throw new Error(`spilled bytes at ${position} are gone (the segment was deleted)`);
    const buf = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = f.fs.read(f.fd, buf, done, size - done, position + done);
      if (n === 0) throw new Error(`spill file ${f.path} ends at ${position + done}, wanted ${size} bytes at ${position}`);
      done += n;
    }
    return buf;
  }

  truncate(position: number): void {
    if (this.#file === null || position >= this.#end) return;
    this.#file.fs.truncate(this.#file.fd, position);
    this.#end = position;
  }

  discard(): void {
    if (this.#discarded) return;
    this.#discarded = true;
    const f = this.#file;
    if (f === null) return;
    this.#file = null;
    f.fs.close(f.fd);
    f.fs.unlink(f.path);
    this.#dir.closed(this);
  }
}
