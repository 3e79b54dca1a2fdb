/**
 * Plain TCP sockets whose reads land where the connection says, not in buffers Node allocates.
 *
 * Why: a net.Socket reads into a fresh 64 KiB buffer per read and hands it over as a 'data'
 * chunk; a large request was then copied from those chunks into its frame. Under a fast producer
 * (issue 20) that copy and the garbage collection of the chunks were over half the broker's CPU
 * per GB: the bytes were written twice, into two sets of fresh memory. Node can read into a
 * caller's buffer instead (the `onread` option of net.Socket, whose `buffer` function is asked
 * for the next buffer after every read), so a connection in the middle of a large frame has the
 * kernel write the rest of it straight into the frame, and everything else is read into one
 * scratch buffer shared by every connection (a read's bytes are consumed, or copied out, in the
 * callback that follows it, before any other socket is read).
 *
 * A net.Server has no `onread` option, so an accepted socket (paused on connect, so nothing has
 * been read yet) gives its handle to a new net.Socket that has one. Node's private `_handle` is
 * the only way to that handle; when it is missing the accepted socket is used as it is and the
 * connection reads its 'data' events, as for TLS sockets.
 */
import { Socket } from 'node:net';

/** What a connection gives to read into, and is told of each read. */
export interface DirectReader {
  /** The buffer the next read fills (from its start, up to its length). */
  nextBuffer(): Buffer;
  /** `bytes` bytes were read into the start of `buffer` (the one nextBuffer gave). */
  onRead(bytes: number, buffer: Buffer): void;
}

/** The reads of sockets no reader claimed yet go here; they are paused until one does. */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Buffer | null = null;

/** The scratch buffer every connection reads small requests and frame starts into. */
export function sharedScratch(): Buffer {
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  return scratch;
}

interface ReaderSlot {
  reader: DirectReader | null;
}

const slots = new WeakMap<Socket, ReaderSlot>();

/**
 * The socket to use for an accepted, paused plain TCP socket: one that reads through a
 * DirectReader once `readDirectly` attaches one, or the socket itself (resumed) when its handle
 * cannot be taken over.
 */
export function directReadSocket(accepted: Socket): Socket {
  const holder = accepted as unknown as { _handle?: object | null };
  const handle = holder._handle;
  if (handle === undefined || handle === null) {
    accepted.resume();
    return accepted;
  }
  const slot: ReaderSlot = { reader: null };
  holder._handle = null;
  // Detached from its handle, the accepted socket closes without touching the connection.
  accepted.destroy();
  const socket = new Socket({
    handle,
    // Not a documented option of the constructor, but what net.Server passes for pauseOnConnect:
    // nothing is read before readDirectly attaches the reader and resumes.
    pauseOnCreate: true,
    onread: {
      buffer: () => slot.reader?.nextBuffer() ?? sharedScratch(),
      callback: (bytes: number, buffer: Uint8Array) => {
        if (slot.reader === null) throw new Error('a direct-read socket read before its reader was attached');
        slot.reader.onRead(bytes, buffer as Buffer);
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  slots.set(socket, slot);
  return socket;
}

/**
 * Sends the socket's reads to `reader` and starts reading; false when the socket does not read
 * directly (TLS, or a handle that could not be taken over): then it emits 'data' as usual.
 */
export function readDirectly(socket: Socket, reader: DirectReader): boolean {
  const slot = slots.get(socket);
  if (slot === undefined) return false;
  slot.reader = reader;
  socket.resume();
  return true;
}
