/**
 * The floor under the broker's produce path in memory mode (issue 20): the CPU per GB of merely
 * receiving bytes over loopback TCP into the buffers that hold them, with nothing else done.
 *
 * A receiver process reads through net.Socket's `onread` option (the broker's own mechanism,
 * src/server/net/direct-reads.ts) into buffers of 8 MiB it chooses; a forked sender writes 8 MiB
 * chunks. Modes:
 *   fresh       each 8 MiB buffer is new and kept (what a broker storing in its memory must do:
 *               the kernel hands out fresh zeroed pages, V8 counts and collects the memory);
 *   fresh-crc   the same, plus a CRC32C of each buffer (@node-rs/crc32, as every batch gets);
 *   reused-crc  one buffer read into again and again, with the CRC: no fresh pages at all.
 * The figure is the receiver's user + system CPU (process.cpuUsage, all its threads, the garbage
 * collector's included) from the connection to the end of the stream, per 10^9 bytes.
 *
 *   node dist/bench/receive-floor.js --mode fresh-crc --bytes 1000000000
 * prints one JSON line: { mode, bytes, cpuSeconds, systemSeconds, secondsPerGB }.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { crc } from '../src/protocol/records/native-codecs.js';
import { directReadSocket, readDirectly } from '../src/server/net/direct-reads.js';
import type { DirectReader } from '../src/server/net/direct-reads.js';
import { runToExit } from './run-child.js';

export const FLOOR_MODES = ['fresh', 'fresh-crc', 'reused-crc'] as const;
export type FloorMode = (typeof FLOOR_MODES)[number];

export const CHUNK_BYTES = 8 * 2 ** 20;

/**
 * Fills buffers of `chunkBytes` from reads of any size; a full buffer is CRC'd (when asked) and
 * kept (when fresh), and the next read goes into a new one or into the same one again.
 */
export class ChunkReceiver implements DirectReader {
  /** The buffers kept, full ones and (after finish) the last partial one. */
  readonly kept: Buffer[] = [];
  received = 0;
  /** XOR of the CRCs taken, so that they cannot be optimised away and a test can check them. */
  crcs = 0;
  private buf: Buffer;
  private filled = 0;

  constructor(
    readonly mode: FloorMode,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafeSlow(chunkBytes);
  }

  nextBuffer(): Buffer {
    return this.filled === 0 ? this.buf : this.buf.subarray(this.filled);
  }

  onRead(bytes: number): void {
    this.filled += bytes;
    this.received += bytes;
    if (this.filled === this.chunkBytes) this.complete(this.buf);
  }

  /** The stream ended: the last, partial buffer counts too. */
  finish(): void {
    if (this.filled > 0) this.complete(this.buf.subarray(0, this.filled));
  }

  private complete(b: Buffer): void {
    if (this.mode !== 'fresh') this.crcs ^= crc().crc32c(b);
    this.filled = 0;
    if (this.mode === 'reused-crc') return;
    this.kept.push(b);
    this.buf = Buffer.allocUnsafeSlow(this.chunkBytes);
  }
}

export interface FloorResult {
  readonly mode: FloorMode;
  readonly bytes: number;
  readonly cpuSeconds: number;
  /** Of cpuSeconds, in the kernel (the socket copy, page faults for fresh memory). */
  readonly systemSeconds: number;
  readonly secondsPerGB: number;
}

/** Receives `bytes` from a forked sender; resolves with the receiver's CPU for them. */
async function receive(mode: FloorMode, bytes: number): Promise<FloorResult> {
  const receiver = new ChunkReceiver(mode);
  let cpuAtConnect: NodeJS.CpuUsage | null = null;
  const done = new Promise<NodeJS.CpuUsage>((resolve, reject) => {
    const server = createServer({ pauseOnConnect: true }, (accepted) => {
      cpuAtConnect = process.cpuUsage();
      const socket: Socket = directReadSocket(accepted);
      if (!readDirectly(socket, receiver)) reject(new Error('the accepted socket cannot read through onread'));
      socket.once('error', reject);
      socket.once('end', () => {
        receiver.finish();
        const used = process.cpuUsage(cpuAtConnect!);
        socket.destroy();
        server.close();
        resolve(used);
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const sender = fork(fileURLToPath(import.meta.url), ['--send', '--port', String(port), '--bytes', String(bytes)], { stdio: 'inherit' });
      sender.once('error', reject);
      sender.once('exit', (code) => {
        if (code !== 0) reject(new Error(`receive-floor sender exited with code ${code}`));
      });
    });
  });
  const used = await done;
  if (receiver.received !== bytes) throw new Error(`received ${receiver.received} of ${bytes} bytes`);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { mode, bytes, cpuSeconds, systemSeconds: used.system / 1e6, secondsPerGB: cpuSeconds / (bytes / 1e9) };
}

/** Writes `bytes` in 8 MiB chunks (one buffer written again and again), waiting on drain. */
async function send(port: number, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0xab);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  for (let left = bytes; left > 0; left -= chunk.length) {
    const b = left >= chunk.length ? chunk : chunk.subarray(0, left);
    // events.once rejects on 'error' and removes its listeners, so waits do not pile up.
    if (!socket.write(b)) await once(socket, 'drain');
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** Runs the floor in a fresh Node process (its own heap and RSS), for the bench. */
export async function runReceiveFloor(mode: FloorMode, bytes: number): Promise<FloorResult> {
  const args = [fileURLToPath(import.meta.url), '--mode', mode, '--bytes', String(bytes)];
  return JSON.parse((await runToExit(process.execPath, args, `receive-floor --mode ${mode}`)).stdout) as FloorResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string', default: 'fresh-crc' }, bytes: { type: 'string', default: '1000000000' }, send: { type: 'boolean', default: false }, port: { type: 'string' } } });
  const bytes = Number(values.bytes);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`--bytes ${values.bytes}: not a positive integer`);
  if (values.send) return send(Number(values.port), bytes);
  const mode = values.mode as FloorMode;
  if (!FLOOR_MODES.includes(mode)) throw new Error(`--mode ${mode}: one of ${FLOOR_MODES.join(', ')}`);
  console.log(JSON.stringify(await receive(mode, bytes)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
