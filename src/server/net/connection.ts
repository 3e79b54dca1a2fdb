/**
 * One client connection: 4-byte size framing, many requests in flight, responses strictly in
 * request order, and backpressure.
 *
 * Frame layout: [int32 size][size bytes: request header + body]. A size above
 * socket.request.max.bytes closes the connection before anything is allocated, as Kafka's
 * InvalidReceiveException does.
 *
 * Order: each request takes a slot in a queue when it arrives; a slot is filled when its response
 * is ready (at once for most APIs, later for a long-poll fetch), and only the filled prefix of the
 * queue is written. acks=0 produce fills its slot with nothing.
 *
 * Backpressure: when the socket's write buffer is full, or too many requests wait for their turn,
 * reading stops until the client drains its responses, so a slow reader cannot grow our memory.
 *
 * Security: on a SASL listener a `gate` (the SASL authenticator) sees every frame first: it
 * answers the authentication exchange itself, lets through what may be served, or closes; until
 * it has authenticated, frames are bounded by its smaller limit (sasl.server.max.receive.size).
 * The connection's principal is the gate's, else the one the listener gave (TLS client
 * certificate), else User:ANONYMOUS. A failed authentication (a refused credential, or a frame
 * above the gate's limit, which is refused from its size alone, as Kafka's InvalidReceiveException,
 * without reading it) stops reading at once and, after connection.failed.authentication.delay.ms
 * (Kafka's brake on password guessing), writes the failure response if any and closes.
 *
 * Muting: a quota violation mutes the connection for the throttle time (Kafka's channel muting):
 * requests already received but not yet handled wait with the rest of the bytes, reading stops,
 * and both resume when the throttle time has passed on the broker's clock.
 */
import type { Socket } from 'node:net';
import { readDirectly, sharedScratch } from './direct-reads.js';
import type { DirectReader } from './direct-reads.js';
import type { Dispatcher, DispatchResult } from './dispatcher.js';
import type { ConnectionInfo } from '../handlers/handler.js';
import type { Logger } from '../../util/logger.js';
import type { Clock, TimerHandle } from '../../util/clock.js';

interface Slot {
  done: boolean;
  chunks: readonly Buffer[] | null;
}

/**
 * What a SASL authenticator does with a frame, as the connection needs it (structural, so that
 * net/ does not depend on the security code).
 */
export type GateStep =
  | { readonly kind: 'respond'; readonly bytes: Buffer }
  | { readonly kind: 'dispatch' }
  | { readonly kind: 'close'; readonly bytes: Buffer | null; readonly reason: string; readonly authFailure: boolean };

export interface FrameGate {
  onFrame(frame: Buffer): GateStep;
  readonly maxFrameSize: number;
  readonly principal: string | null;
}

export interface ConnectionOptions {
  readonly maxRequestSize: number;
  readonly gate?: FrameGate;
  /** The principal when no gate gives one (an SSL listener's client certificate). */
  readonly principal?: string;
  /** The listener the connection came in on: Metadata and FindCoordinator answer with its endpoints. */
  readonly listenerName?: string;
  /** Requests waiting for their response before reading pauses. */
  readonly maxQueuedResponses: number;
  /** The broker's clock, which times throttle mutes and the failed-authentication delay. */
  readonly clock: Clock;
  /** connection.failed.authentication.delay.ms (0: close at once). */
  readonly failedAuthenticationDelayMs?: number;
  /** Where a frame too large for one read is read into (default: Buffer.allocUnsafe). */
  readonly allocateFrame?: (size: number) => Buffer;
}

/**
 * A frame with at least this many bytes still to come is read straight into its own buffer; a
 * smaller rest is read with whatever follows it into the scratch buffer and copied, so that small
 * requests cost one read each, not two.
 */
const DIRECT_READ_MIN = 16 * 1024;

export class Connection implements ConnectionInfo, DirectReader {
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly queue: Slot[] = [];
  private head = 0;
  private readonly sizeBuf = Buffer.alloc(4);
  private sizeFill = 0;
  private frame: Buffer | null = null;
  private frameFill = 0;
  private readPaused = false;
  private closeListeners: (() => void)[] = [];
  private muteTimer: TimerHandle | null = null;
  private mutedUntil = 0;
  /** Bytes received while muted, handled when the mute ends. */
  private held: Buffer | null = null;
  closed = false;
  #closeAfterFlush = false;
  /** Authentication failed: nothing more is read; the close waits for the delay. */
  #failing = false;
  #failTimer: TimerHandle | null = null;
  clientSoftware?: { readonly name: string; readonly version: string };

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    private readonly opts: ConnectionOptions,
    private readonly log: Logger,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (e) => this.log.debug(`connection ${id}: ${e.message}`));
    socket.on('close', () => this.onSocketClose());
    if (!readDirectly(socket, this)) socket.on('data', (chunk: Buffer) => this.onData(chunk, false));
  }

  /** DirectReader: the rest of a large frame, else the shared scratch buffer. */
  nextBuffer(): Buffer {
    const frame = this.frame;
    if (frame !== null && frame.length - this.frameFill >= DIRECT_READ_MIN) return frame.subarray(this.frameFill);
    return sharedScratch();
  }

  /** DirectReader: bytes read into the frame's rest, or into the scratch buffer. */
  onRead(bytes: number, buffer: Buffer): void {
    const frame = this.frame;
    if (frame !== null && buffer.buffer === frame.buffer && buffer.byteOffset === frame.byteOffset + this.frameFill) {
      this.frameFill += bytes;
      if (this.frameFill === frame.length) {
        this.frame = null;
        this.handleFrame(frame);
      }
      return;
    }
    // The scratch buffer is overwritten by the next read of any connection: what is kept is copied.
    this.onData(buffer.subarray(0, bytes), true);
  }

  get listenerName(): string | undefined {
    return this.opts.listenerName;
  }

  get principal(): string {
    return this.opts.gate?.principal ?? this.opts.principal ?? 'User:ANONYMOUS';
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Ends the connection now; responses not yet written are dropped. */
  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onSocketClose();
  }

  throttle(ms: number): void {
    if (this.closed || !(ms > 0)) return;
    const clock = this.opts.clock;
    const until = clock.now() + ms;
    if (until <= this.mutedUntil) return;
    this.mutedUntil = until;
    if (this.muteTimer !== null) clock.clearTimeout(this.muteTimer);
    this.muteTimer = clock.setTimeout(() => this.unmute(), ms);
    this.pauseReading();
  }

  private unmute(): void {
    this.muteTimer = null;
    if (this.closed) return;
    const held = this.held;
    this.held = null;
    if (held !== null) this.onData(held, false);
    this.maybeResume();
  }

  private onSocketClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.muteTimer !== null) this.opts.clock.clearTimeout(this.muteTimer);
    this.muteTimer = null;
    if (this.#failTimer !== null) this.opts.clock.clearTimeout(this.#failTimer);
    this.#failTimer = null;
    this.held = null;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const l of listeners) l();
  }

  /** `transient`: the chunk's memory is reused after this call, so frames are copied out of it. */
  private onData(chunk: Buffer, transient: boolean): void {
    let off = 0;
    const len = chunk.length;
    while (off < len && !this.closed && !this.#failing) {
      if (this.muteTimer !== null) {
        // Muted by a throttle: keep the rest for later (reading is paused, so nothing is added).
        const rest = chunk.subarray(off);
        this.held = this.held === null ? Buffer.from(rest) : Buffer.concat([this.held, rest]);
        return;
      }
      if (this.frame === null) {
        let size: number;
        if (this.sizeFill === 0 && len - off >= 4) {
          size = chunk.readInt32BE(off);
          off += 4;
        } else {
          const n = Math.min(4 - this.sizeFill, len - off);
          chunk.copy(this.sizeBuf, this.sizeFill, off, off + n);
          this.sizeFill += n;
          off += n;
          if (this.sizeFill < 4) return;
          this.sizeFill = 0;
          size = this.sizeBuf.readInt32BE(0);
        }
        const gateMax = this.opts.gate?.maxFrameSize ?? Number.POSITIVE_INFINITY;
        if (size > gateMax || (size < 0 && gateMax !== Number.POSITIVE_INFINITY)) {
          // Before authentication only the SASL limit applies (Kafka reads these frames with the
          // authenticator's own NetworkReceive): an authentication failure, closed with no answer.
          this.failAuthentication(null, null, `Failing SASL authentication due to invalid receive size ${size} (sasl.server.max.receive.size ${gateMax})`);
          return;
        }
        if (size < 0 || size > this.opts.maxRequestSize) {
          this.log.warn(
            `connection ${this.id} from ${this.remoteAddress}:${this.remotePort}: request size ${size} is outside 0..${this.opts.maxRequestSize} (socket.request.max.bytes); closing`,
          );
          this.close();
          return;
        }
        if (len - off >= size) {
          // Whole frame inside this chunk: a view, no copy, unless the chunk's memory is reused.
          const view = chunk.subarray(off, off + size);
          this.handleFrame(transient ? Buffer.from(view) : view);
          off += size;
          continue;
        }
        this.frame = this.opts.allocateFrame?.(size) ?? Buffer.allocUnsafe(size);
        this.frameFill = 0;
      }
      const n = Math.min(this.frame.length - this.frameFill, len - off);
      chunk.copy(this.frame, this.frameFill, off, off + n);
      this.frameFill += n;
      off += n;
      if (this.frameFill === this.frame.length) {
        const f = this.frame;
        this.frame = null;
        this.handleFrame(f);
      }
    }
  }

  private handleFrame(frame: Buffer): void {
    const slot: Slot = { done: false, chunks: null };
    this.queue.push(slot);
    const gate = this.opts.gate;
    if (gate !== undefined) {
      const step = gate.onFrame(frame);
      if (step.kind === 'respond') {
        this.complete(slot, [step.bytes]);
        return;
      }
      if (step.kind === 'close') {
        if (step.authFailure) {
          this.failAuthentication(slot, step.bytes, step.reason);
          return;
        }
        this.log.info(`connection ${this.id} from ${this.remoteAddress}:${this.remotePort}: ${step.reason}; closing`);
        if (step.bytes === null) {
          this.close();
          return;
        }
        // The failure response goes out first (Kafka's SASL_AUTHENTICATION_FAILED), then the close.
        this.#closeAfterFlush = true;
        this.complete(slot, [step.bytes]);
        return;
      }
    }
    let result: DispatchResult | Promise<DispatchResult>;
    try {
      result = this.dispatcher.dispatch(frame, this);
    } catch (e) {
      this.failed(e);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => this.complete(slot, r),
        (e) => this.failed(e),
      );
      if (this.queue.length - this.head >= this.opts.maxQueuedResponses) this.pauseReading();
    } else {
      this.complete(slot, result);
    }
  }

  /**
   * Kafka's delayed close on an authentication failure (Selector's delayedClosingChannels): reading
   * stops now; after the delay the failure response, if any, goes out after the responses before
   * it, then the connection closes.
   */
  private failAuthentication(slot: Slot | null, bytes: Buffer | null, reason: string): void {
    this.log.info(`connection ${this.id} from ${this.remoteAddress}:${this.remotePort}: failed authentication (${reason}); closing`);
    this.#failing = true;
    this.held = null;
    this.pauseReading();
    const finish = () => {
      this.#failTimer = null;
      if (this.closed) return;
      if (bytes === null || slot === null) {
        this.close();
        return;
      }
      this.#closeAfterFlush = true;
      this.complete(slot, [bytes]);
    };
    const delay = this.opts.failedAuthenticationDelayMs ?? 0;
    if (delay > 0) this.#failTimer = this.opts.clock.setTimeout(finish, delay);
    else finish();
  }

  private failed(e: unknown): void {
    const err = e as Error;
    this.log.error(`connection ${this.id}: request failed, closing the connection: ${err.stack ?? err.message}`);
    this.close();
  }

  private complete(slot: Slot, r: DispatchResult): void {
    if (this.closed) return;
    if (r === 'close') {
      this.close();
      return;
    }
    slot.done = true;
    slot.chunks = r;
    this.flush();
  }

  private flush(): void {
    const q = this.queue;
    let wrote = false;
    while (this.head < q.length && q[this.head]!.done) {
      const chunks = q[this.head]!.chunks;
      q[this.head] = undefined as unknown as Slot;
      this.head++;
      if (chunks === null) continue;
      if (!wrote) this.socket.cork();
      wrote = true;
      for (const c of chunks) this.socket.write(c);
    }
    if (wrote) this.socket.uncork();
    if (this.#closeAfterFlush && this.head === q.length) {
      this.socket.end();
      this.socket.destroySoon();
      this.onSocketClose();
      return;
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      q.splice(0, this.head);
      this.head = 0;
    }
    if (this.socket.writableNeedDrain) this.pauseReading();
    else this.maybeResume();
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  private maybeResume(): void {
    if (!this.readPaused || this.closed || this.muteTimer !== null || this.#failing) return;
    if (this.socket.writableNeedDrain) return;
    if (this.queue.length - this.head >= this.opts.maxQueuedResponses) return;
    this.readPaused = false;
    this.socket.resume();
  }
}
