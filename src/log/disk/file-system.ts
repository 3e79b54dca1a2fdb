/**
 * The filesystem the durable log runs on, injected so that crash recovery is tested
 * deterministically: NodeFileSystem in production, MemoryFileSystem in tests (which can lose
 * unsynced writes and tear the last one, as a power cut would).
 *
 * The calls are synchronous on purpose. The broker's event loop owns all log state and an append
 * is one synchronous step (validate, write, index, answer), as in Kafka where the request thread
 * issues the write() itself; a write to the page cache costs microseconds. Only the fsync that
 * the background flusher issues has an asynchronous form, because it may take milliseconds.
 *
 * Paths are plain strings joined with '/'.
 */

/** An open file, as returned by `open`. */
export type Fd = number;

export type OpenMode =
  /** Read only; the file must exist. */
  | 'read'
  /** Read and write; the file must exist. */
  | 'write'
  /** Read and write; created empty when missing, kept as is otherwise. */
  | 'create';

export interface FileSystem {
  open(path: string, mode: OpenMode): Fd;
  close(fd: Fd): void;
  /** Writes all of `data` at `position` (pwrite, looping until done). */
  write(fd: Fd, data: Uint8Array, position: number): void;
  /** Reads up to `length` bytes at `position` into `into[offset..]`; returns the bytes read (0 at the end). */
  read(fd: Fd, into: Uint8Array, offset: number, length: number, position: number): number;
  size(fd: Fd): number;
  truncate(fd: Fd, length: number): void;
  /** Makes the file's data durable (fdatasync is enough: sizes change only with data). */
  sync(fd: Fd): void;
  /** `sync`, off the event loop. */
  syncAsync(fd: Fd): Promise<void>;
  /** Makes the directory's entries (creations, renames, unlinks) durable. */
  syncDir(path: string): void;
  /** Atomically replaces `to` with `from` (rename(2)). */
  rename(from: string, to: string): void;
  /** Removes a file; a missing one is not an error. */
  unlink(path: string): void;
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Names in a directory (not paths), unsorted; [] for a missing directory. */
  list(path: string): string[];
  /** Creates a directory and its parents; an existing one is fine. */
  mkdir(path: string): void;
  /** Removes a directory and everything under it; a missing one is fine. */
  removeTree(path: string): void;
  /** The whole file, or null when it does not exist. */
  readFile(path: string): Buffer | null;
  /** Last modification time in ms, or null when the file does not exist. */
  mtime(path: string): number | null;
}

export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

/**
 * Writes a small file atomically, as Kafka writes its checkpoint files: the content to
 * `<path>.tmp`, fsync, rename over `path`, fsync the directory. A crash leaves either the old
 * file or the new one, never a mix; a stray .tmp is ignored (and overwritten) next time.
 *
 * With `durable` false the fsyncs are left out: a process crash still leaves old or new, a power
 * cut may leave neither, for files that recovery can do without (it rebuilds them) and that a
 * later flush makes durable.
 */
export function writeFileAtomic(fs: FileSystem, path: string, content: Uint8Array, durable = true): void {
  const tmp = `${path}.tmp`;
  const fd = fs.open(tmp, 'create');
  try {
    fs.truncate(fd, 0);
    fs.write(fd, content, 0);
    if (durable) fs.sync(fd);
  } finally {
    fs.close(fd);
  }
  fs.rename(tmp, path);
  if (durable) fs.syncDir(dirName(path));
}

/** fsyncs an existing file (one written with writeFileAtomic(..., false)); a missing one is skipped. */
export function syncFile(fs: FileSystem, path: string): void {
  if (!fs.exists(path)) return;
  const fd = fs.open(path, 'read');
  try {
    fs.sync(fd);
  } finally {
    fs.close(fd);
  }
}

/** Reads a whole open file (for small files: indexes, snapshots, checkpoints). */
export function readAll(fs: FileSystem, fd: Fd): Buffer {
  const size = fs.size(fd);
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = fs.read(fd, buf, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return done === size ? buf : buf.subarray(0, done);
}
