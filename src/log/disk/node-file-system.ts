/** The FileSystem of a real broker: node:fs, synchronous except for the background fsync. */
import * as nodeFs from 'node:fs';
import type { Fd, FileSystem, OpenMode } from './file-system.js';

const { O_RDONLY, O_RDWR, O_CREAT } = nodeFs.constants;

const FLAGS: Readonly<Record<OpenMode, number>> = {
  read: O_RDONLY,
  write: O_RDWR,
  create: O_RDWR | O_CREAT,
};

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

export class NodeFileSystem implements FileSystem {
  open(path: string, mode: OpenMode): Fd {
    return nodeFs.openSync(path, FLAGS[mode], 0o644);
  }

  close(fd: Fd): void {
    nodeFs.closeSync(fd);
  }

  write(fd: Fd, data: Uint8Array, position: number): void {
    let done = 0;
    while (done < data.length) done += nodeFs.writeSync(fd, data, done, data.length - done, position + done);
  }

  read(fd: Fd, into: Uint8Array, offset: number, length: number, position: number): number {
    return nodeFs.readSync(fd, into, offset, length, position);
  }

  size(fd: Fd): number {
    return nodeFs.fstatSync(fd).size;
  }

  truncate(fd: Fd, length: number): void {
    nodeFs.ftruncateSync(fd, length);
  }

  sync(fd: Fd): void {
    nodeFs.fdatasyncSync(fd);
  }

  syncAsync(fd: Fd): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
  }

  syncDir(path: string): void {
    // Directories open read-only; fsync on them is what makes renames and creations durable.
    const fd = nodeFs.openSync(path, O_RDONLY);
    try {
      nodeFs.fsyncSync(fd);
    } catch (e) {
      // Some filesystems refuse fsync on a directory (EINVAL); Kafka ignores that too.
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
    } finally {
      nodeFs.closeSync(fd);
    }
  }

  rename(from: string, to: string): void {
    nodeFs.renameSync(from, to);
  }

  unlink(path: string): void {
    try {
      nodeFs.unlinkSync(path);
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }

  exists(path: string): boolean {
    return nodeFs.existsSync(path);
  }

  isDirectory(path: string): boolean {
    try {
      return nodeFs.statSync(path).isDirectory();
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  list(path: string): string[] {
    try {
      return nodeFs.readdirSync(path);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
  }

  mkdir(path: string): void {
    nodeFs.mkdirSync(path, { recursive: true });
  }

  removeTree(path: string): void {
    nodeFs.rmSync(path, { recursive: true, force: true });
  }

  readFile(path: string): Buffer | null {
    try {
      return nodeFs.readFileSync(path);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  mtime(path: string): number | null {
    try {
      return nodeFs.statSync(path).mtimeMs;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }
}
