/**
 * The memory large request frames are read into, and when it is given back.
 *
 * Why not Buffer.allocUnsafe: V8 counts the memory of every ArrayBuffer as "external memory" and
 * starts a full garbage collection each time that has grown by 64 MB since the last one. A
 * produce frame's batches are kept as they arrived (the log stores views of the frame), so while
 * a producer fills the in-memory log every 64 MB of records cost a full mark-compact of the whole
 * heap that finds nothing to free: 16 per GB, a fifth of the broker's CPU per GB produced
 * (issue 20). V8 does not count the memory of a SharedArrayBuffer (its per-isolate accounting
 * leaves shared backing stores out), so large frames are SharedArrayBuffers, and this module does
 * the accounting instead, with a policy that fits memory that is mostly kept.
 *
 * The policy: a FinalizationRegistry tells which frames were collected, so `live` is the frame
 * memory not collected yet. When the frames allocated since the last nudge reach both 64 MB and
 * the live memory older than them, V8 is nudged into a full collection. Memory that is kept thus
 * costs a collection each time it doubles (5 for the first GB, not 16); memory that is let go
 * (spilled past --max-memory, flushed in durable mode, deleted) is found within 64 MB of
 * allocation, or within the amount still held, as before.
 *
 * The nudge is a full collection, run as a task of its own (V8's gc() with execution 'async', which
 * setFlagsFromString('--expose-gc') makes reachable from a fresh vm context; the flag is turned
 * off again at once, so no other context sees gc). Where that is not possible, the fallback is
 * an ordinary 64 MB ArrayBuffer dropped at once: V8 sees external memory grow past its limit and
 * starts its own incremental marking; being zero-filled by calloc, its pages are fresh mappings
 * never touched, so it costs a map and an unmap, not 64 MB of writes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Frames below this are ordinary Buffers: small requests are short-lived and cheap to count. */
export const LARGE_FRAME_BYTES = 256 * 1024;

/** V8's own step (kExternalAllocationSoftLimit): the least allocation between two nudges. */
export const NUDGE_STEP_BYTES = 64 * 1024 * 1024;

/** The accounting of large-frame memory; `nudge` asks the runtime for a full collection. */
export class FrameMemory {
  #live = 0;
  #sinceNudge = 0;
  #nudges = 0;
  readonly #nudge: () => void;
  readonly #registry = new FinalizationRegistry<number>((bytes) => this.collected(bytes));

  constructor(nudge: () => void = nudgeV8) {
    this.#nudge = nudge;
  }

  /** Bytes of large frames allocated and not yet collected. */
  get liveBytes(): number {
    return this.#live;
  }

  /** Full collections asked for so far. */
  get nudges(): number {
    return this.#nudges;
  }

  /** A buffer of `size` bytes for a frame (its content is to be overwritten). */
  allocate(size: number): Buffer {
    if (size < LARGE_FRAME_BYTES) return Buffer.allocUnsafe(size);
    const memory = new SharedArrayBuffer(size);
    this.#registry.register(memory, size);
    this.account(size);
    return Buffer.from(memory);
  }

  /** Counts `size` newly allocated bytes and nudges when the policy says so (exposed for tests). */
  account(size: number): void {
    this.#live += size;
    this.#sinceNudge += size;
    const older = this.#live - this.#sinceNudge;
    if (this.#sinceNudge >= NUDGE_STEP_BYTES && this.#sinceNudge >= older) {
      this.#sinceNudge = 0;
      this.#nudges++;
      this.#nudge();
    }
  }

  /** Counts `size` bytes as collected: the FinalizationRegistry's callback (exposed for tests). */
  collected(size: number): void {
    this.#live -= size;
  }
}

type GcFunction = (options: { type: 'major'; execution: 'async' }) => Promise<void>;

/** V8's gc function, reached as the module comment says, or null where the flag cannot be set. */
function exposedGc(): GcFunction | null {
  // Started with --expose-gc: use it, and leave the flag as the user set it.
  const own: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as GcFunction;
  try {
    setFlagsFromString('--expose-gc');
    try {
      const gc: unknown = runInNewContext('gc');
      return typeof gc === 'function' ? (gc as GcFunction) : null;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  } catch {
    // Runtimes that refuse flags after start: the ArrayBuffer nudge below does without.
    return null;
  }
}

let gcFunction: GcFunction | null | undefined;

function nudgeV8(): void {
  gcFunction ??= exposedGc();
  if (gcFunction !== null) {
    // Rejects only if the isolate is being torn down, when there is nothing left to collect for.
    gcFunction({ type: 'major', execution: 'async' }).catch(() => undefined);
    return;
  }
  // Allocated and dropped: what V8 counts is the allocation (see the module comment).
  void new ArrayBuffer(NUDGE_STEP_BYTES);
}

/** The process's frame memory: one V8 heap, one account. */
export const frameMemory = new FrameMemory();
