/**
 * A FileSystem in memory that can crash, for deterministic recovery tests.
 *
 * The model, close to Linux with ext4's default data=ordered mode:
 * - a file's content as the process sees it is its current data; what survives a power cut is
 *   the data as of its last `sync`, plus some prefix of the writes issued since (in order), the
 *   last of which may be torn: only its first bytes made it, and the file may still have grown
 *   to its full length with zeros in the rest (the size reached the disk, the data did not);
 * - names (creations, renames, unlinks) survive a power cut only once their directory is synced
 *   with `syncDir`; directories themselves (mkdir, removeTree) are durable at once;
 * - a process crash (SIGKILL) loses nothing that was written: the page cache survives it.
 *
 * `crashAfter(n)` makes the n+1-th mutating call (create, write, truncate, sync, rename, unlink)
 * throw SimulatedCrash, and every call after it: a test runs a workload once per n to crash it at
 * every write boundary, then builds the disk a restart would see with `afterCrash`.
 */
import { dirName } from './file-system.js';
import type { Fd, FileSystem, OpenMode } from './file-system.js';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

type PendingOp = { readonly write: Buffer; readonly position: number } | { readonly truncate: number };

class Inode {
  data: Buffer;
  length: number;
  durable: Buffer;
  pending: PendingOp[] = [];
  mtime: number;

  constructor(now: number, content: Buffer = Buffer.alloc(0)) {
    this.data = Buffer.from(content);
    this.length = content.length;
    this.durable = Buffer.from(content);
    this.mtime = now;
  }

  current(): Buffer {
    return this.data.subarray(0, this.length);
  }

  ensure(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = Buffer.alloc(Math.max(capacity, this.data.length * 2, 256));
    this.data.copy(grown, 0, 0, this.length);
    this.data = grown;
  }
}

export interface CrashOptions {
  /** 'process': SIGKILL, every write survives. 'power': only synced data and names are sure to. */
  readonly mode: 'process' | 'power';
  /** Chooses how much unsynced data survives a power cut; deterministic when seeded. Default: none survives. */
  readonly rng?: () => number;
}

export { seededRandom } from '../../util/seeded-random.js';

export class MemoryFileSystem implements FileSystem {
  readonly #names = new Map<string, Inode>();
  readonly #durableNames = new Map<string, Inode>();
  readonly #dirs = new Set<string>(['/', '.']);
  readonly #open = new Map<Fd, { inode: Inode; writable: boolean }>();
  #nextFd = 3;
  #ops = 0;
  #crashAfter = Infinity;
  #crashed = false;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Mutating calls made so far (the crash points of a workload). */
  get operations(): number {
    return this.#ops;
  }

  get crashed(): boolean {
    return this.#crashed;
  }

  /** From now on, the call after `n` more mutating calls throws SimulatedCrash, as does every later call. */
  crashAfter(n: number): void {
    this.#crashAfter = this.#ops + n;
  }

  /** The disk a restart finds after a crash at this point (a new filesystem; this one is unchanged). */
  afterCrash(opts: CrashOptions): MemoryFileSystem {
    const out = new MemoryFileSystem(this.#now);
    for (const d of this.#dirs) out.#dirs.add(d);
    const survivors = new Map<Inode, Inode>();
    const names = opts.mode === 'process' ? this.#names : this.#durableNames;
    for (const [path, inode] of names) {
      let copy = survivors.get(inode);
      if (copy === undefined) {
        copy = new Inode(inode.mtime, opts.mode === 'process' ? inode.current() : survivingContent(inode, opts.rng));
        survivors.set(inode, copy);
      }
      out.#names.set(path, copy);
      out.#durableNames.set(path, copy);
    }
    return out;
  }

  /** Every file path and its current size (for test diagnostics). */
  files(): Map<string, number> {
    return new Map([...this.#names].map(([p, i]) => [p, i.length]));
  }

  #mutate(): void {
    if (this.#crashed || this.#ops >= this.#crashAfter) {
      this.#crashed = true;
      throw new SimulatedCrash(`simulated crash at operation ${this.#ops}`);
    }
    this.#ops++;
  }

  #check(): void {
    if (this.#crashed) throw new SimulatedCrash('the process has crashed');
  }

  #fd(fd: Fd): { inode: Inode; writable: boolean } {
    const f = this.#open.get(fd);
    if (f === undefined) throw errno('EBADF', `bad file descriptor ${fd}`);
    return f;
  }

  open(path: string, mode: OpenMode): Fd {
    this.#check();
    let inode = this.#names.get(path);
    if (inode === undefined) {
      if (mode !== 'create') throw errno('ENOENT', `no such file: ${path}`);
      if (!this.#dirs.has(dirName(path))) throw errno('ENOENT', `no such directory: ${dirName(path)}`);
      this.#mutate();
      inode = new Inode(this.#now());
      this.#names.set(path, inode);
    }
    const fd = this.#nextFd++;
    this.#open.set(fd, { inode, writable: mode !== 'read' });
    return fd;
  }

  close(fd: Fd): void {
    this.#fd(fd);
    this.#open.delete(fd);
  }

  write(fd: Fd, data: Uint8Array, position: number): void {
    this.#check();
    const f = this.#fd(fd);
    if (!f.writable) throw errno('EBADF', 'file not open for writing');
    this.#mutate();
    const bytes = Buffer.from(data);
    const inode = f.inode;
    inode.ensure(position + bytes.length);
    if (position > inode.length) inode.data.fill(0, inode.length, position);
    bytes.copy(inode.data, position);
    inode.length = Math.max(inode.length, position + bytes.length);
    inode.pending.push({ write: bytes, position });
    inode.mtime = this.#now();
  }

  read(fd: Fd, into: Uint8Array, offset: number, length: number, position: number): number {
    this.#check();
    const inode = this.#fd(fd).inode;
    if (position >= inode.length) return 0;
    const n = Math.min(length, inode.length - position);
    Buffer.from(into.buffer, into.byteOffset, into.byteLength).set(inode.data.subarray(position, position + n), offset);
    return n;
  }

  size(fd: Fd): number {
    this.#check();
    return this.#fd(fd).inode.length;
  }

  truncate(fd: Fd, length: number): void {
    this.#check();
    const inode = this.#fd(fd).inode;
    this.#mutate();
    if (length > inode.length) {
      inode.ensure(length);
      inode.data.fill(0, inode.length, length);
    }
    inode.length = length;
    inode.pending.push({ truncate: length });
    inode.mtime = this.#now();
  }

  sync(fd: Fd): void {
    this.#check();
    const inode = this.#fd(fd).inode;
    this.#mutate();
    inode.durable = Buffer.from(inode.current());
    inode.pending = [];
  }

  syncAsync(fd: Fd): Promise<void> {
    try {
      this.sync(fd);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  syncDir(path: string): void {
    this.#check();
    this.#mutate();
    for (const name of [...this.#durableNames.keys()]) {
      if (dirName(name) === path && !this.#names.has(name)) this.#durableNames.delete(name);
    }
    for (const [name, inode] of this.#names) if (dirName(name) === path) this.#durableNames.set(name, inode);
  }

  rename(from: string, to: string): void {
    this.#check();
    const inode = this.#names.get(from);
    if (inode === undefined) throw errno('ENOENT', `no such file: ${from}`);
    this.#mutate();
    this.#names.delete(from);
    this.#names.set(to, inode);
  }

  unlink(path: string): void {
    this.#check();
    if (!this.#names.has(path)) return;
    this.#mutate();
    this.#names.delete(path);
  }

  exists(path: string): boolean {
    this.#check();
    return this.#names.has(path) || this.#dirs.has(path);
  }

  isDirectory(path: string): boolean {
    this.#check();
    return this.#dirs.has(path);
  }

  list(path: string): string[] {
    this.#check();
    const out: string[] = [];
    for (const name of this.#names.keys()) if (dirName(name) === path) out.push(name.slice(path.length + 1));
    for (const d of this.#dirs) if (d !== path && dirName(d) === path) out.push(d.slice(path.length + 1));
    return out;
  }

  mkdir(path: string): void {
    this.#check();
    for (let p = path; p !== '/' && p !== '.' && !this.#dirs.has(p); p = dirName(p)) this.#dirs.add(p);
  }

  removeTree(path: string): void {
    this.#check();
    const under = (p: string) => p === path || p.startsWith(`${path}/`);
    for (const d of [...this.#dirs]) if (under(d)) this.#dirs.delete(d);
    for (const n of [...this.#names.keys()]) if (under(n)) this.#names.delete(n);
    // Directory removal is durable at once in this model, and takes its files with it.
    for (const n of [...this.#durableNames.keys()]) if (under(n)) this.#durableNames.delete(n);
  }

  readFile(path: string): Buffer | null {
    this.#check();
    const inode = this.#names.get(path);
    return inode === undefined ? null : Buffer.from(inode.current());
  }

  mtime(path: string): number | null {
    this.#check();
    return this.#names.get(path)?.mtime ?? null;
  }

  /** Test helper: replaces a file's content outright (durably), e.g. to corrupt it. */
  setFile(path: string, content: Buffer): void {
    let inode = this.#names.get(path);
    if (inode === undefined) {
      inode = new Inode(this.#now());
      this.#names.set(path, inode);
      this.#durableNames.set(path, inode);
    }
    inode.data = Buffer.from(content);
    inode.length = content.length;
    inode.durable = Buffer.from(content);
    inode.pending = [];
  }
}

/** What a power cut leaves of a file: its synced data, then a prefix of later writes, the last maybe torn. */
function survivingContent(inode: Inode, rng: (() => number) | undefined): Buffer {
  let data = Buffer.from(inode.durable);
  if (rng === undefined || inode.pending.length === 0) return data;
  const keep = Math.floor(rng() * (inode.pending.length + 1));
  for (let i = 0; i < inode.pending.length && i <= keep; i++) {
    const op = inode.pending[i]!;
    if ('truncate' in op) {
      if (i === keep) break;
      data = op.truncate <= data.length ? data.subarray(0, op.truncate) : Buffer.concat([data, Buffer.alloc(op.truncate - data.length)]);
      continue;
    }
    // The write after the last surviving one is torn: some of its bytes, and maybe its length.
    const torn = i === keep;
    const bytes = torn ? op.write.subarray(0, Math.floor(rng() * op.write.length)) : op.write;
    const end = torn && rng() < 0.5 ? op.position + op.write.length : op.position + bytes.length;
    if (end > data.length) data = Buffer.concat([data, Buffer.alloc(end - data.length)]);
    bytes.copy(data, op.position);
  }
  return data;
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${message}`);
  e.code = code;
  return e;
}
