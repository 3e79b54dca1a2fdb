/**
 * The broker's one source of time. Every timeout, deadline and retention check goes through a
 * `Clock` so that tests drive time with `ManualClock` instead of sleeping: a session timeout of
 * 45 s or a 7-day retention is then tested in microseconds and always in the same order.
 */

declare const timerBrand: unique symbol;

/** Opaque: only the clock that made a handle can cancel it. */
export type TimerHandle = { readonly [timerBrand]: true };

export interface Clock {
  /** Milliseconds since the Unix epoch (wall clock, as Kafka timestamps are). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancelling a timer that already fired or was already cancelled does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  // Not unref'd: a shutdown step awaiting a timer after the listener closed must still run.
  // Timers left behind after close() are a bug for close() to fix, not for the clock to hide.
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return setTimeout(fn, ms) as unknown as TimerHandle;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
});

const MAX_TIMERS_PER_ADVANCE = 1_000_000;

interface ManualTimer {
  readonly due: number;
  // Ties on `due` fire in the order they were scheduled, as Node does for equal timeouts.
  readonly seq: number;
  fn: (() => void) | null;
}

function before(a: ManualTimer, b: ManualTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * A clock that only moves when told to. Timers fire synchronously inside `advance`, in due-time
 * order, and each sees `now()` equal to its own due time, so a callback that schedules another
 * timer within the same advance window has it fire in that same call, exactly as real time would.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #live = 0;
  // Binary min-heap on (due, seq); cancelled timers stay in it with fn = null and are dropped
  // when they reach the top, which keeps clearTimeout O(1).
  readonly #heap: ManualTimer[] = [];
  readonly #firedListeners = new Set<() => void>();

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  /**
   * Calls `fn` after each advance that fired timers, once their callbacks have run (the control
   * plane's waits re-check what they may have changed: a session expired); returns its remover.
   */
  onTimersFired(fn: () => void): () => void {
    this.#firedListeners.add(fn);
    return () => this.#firedListeners.delete(fn);
  }

  now(): number {
    return this.#now;
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pendingTimers(): number {
    return this.#live;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  get nextDue(): number | undefined {
    return this.#nextLive()?.due;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: ManualTimer = { due: this.#now + delay, seq: this.#seq++, fn };
    this.#push(timer);
    this.#live++;
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as unknown as ManualTimer;
    if (timer.fn !== null) {
      timer.fn = null;
      this.#live--;
    }
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then. A zero-delay timer never fires
   * inside setTimeout itself; `advance(0)` fires it.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock cannot go back in time (advance ${ms})`);
    this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to the absolute `timeMs`, firing every timer due by then. */
  advanceTo(timeMs: number): void {
    if (!(timeMs >= this.#now)) {
      throw new RangeError(`ManualClock cannot go back in time (from ${this.#now} to ${timeMs})`);
    }
    let fired = 0;
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.due > timeMs) break;
      this.#pop();
      const fn = top.fn;
      if (fn === null) continue;
      // A callback that re-arms itself with a zero delay would otherwise hang the test forever.
      if (++fired > MAX_TIMERS_PER_ADVANCE) {
        throw new Error(`ManualClock: over ${MAX_TIMERS_PER_ADVANCE} timers fired in one advance (a timer loop?)`);
      }
      top.fn = null;
      this.#live--;
      this.#now = top.due;
      fn();
    }
    this.#now = timeMs;
    if (fired > 0) for (const l of [...this.#firedListeners]) l();
  }

  /**
   * Fires every pending timer, including ones they schedule, advancing time to the last one.
   * Throws after `limit` rounds, since timers that keep re-arming themselves never drain.
   */
  runAll(limit = 100_000): void {
    for (let round = 0; this.#live > 0; round++) {
      if (round >= limit) throw new Error(`ManualClock.runAll: timers still pending after ${limit} rounds`);
      const next = this.#nextLive();
      if (next === undefined) break;
      this.advanceTo(next.due);
    }
  }

  #nextLive(): ManualTimer | undefined {
    while (this.#heap.length > 0 && this.#heap[0]!.fn === null) this.#pop();
    return this.#heap[0];
  }

  #push(t: ManualTimer): void {
    const h = this.#heap;
    let i = h.push(t) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(t, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

/** The largest delay Node's setTimeout takes; longer ones fire at once (with a warning). */
const MAX_REAL_DELAY_MS = 2 ** 31 - 1;

export interface ClockState {
  readonly frozen: boolean;
  /** The clock's time, ms since the epoch. */
  readonly now: number;
  /** How far the clock is ahead of the real clock it follows (ms; negative is behind). */
  readonly offsetMs: number;
  readonly pendingTimers: number;
}

/**
 * Virtual time for a running broker: follows the real clock (with an offset) until frozen, then
 * moves only when advanced, then resumes from where it stands, keeping the offset. So a test
 * can freeze a broker that started normally, jump past a 45 s session timeout or a 7-day
 * retention in microseconds, and let it run on.
 *
 * Timers live in a ManualClock on the virtual timeline; one real timer (on `real`) is armed for
 * the earliest of them while running. `advance` fires every timer it passes, synchronously and
 * in due order, exactly like ManualClock; a frozen clock fires nothing until advanced.
 */
export class ControllableClock implements Clock {
  readonly #real: Clock;
  readonly #timeline: ManualClock;
  #frozen = false;
  // While timers fire, time is each timer's due time, as in ManualClock.advance.
  #firing = false;
  // Virtual minus real time while running.
  #offset = 0;
  #armed: TimerHandle | null = null;
  #armedFor = Infinity;

  /** `real` is the clock followed while running (systemClock; a ManualClock in its own tests). */
  constructor(real: Clock = systemClock) {
    this.#real = real;
    this.#timeline = new ManualClock(real.now());
  }

  now(): number {
    if (this.#frozen || this.#firing) return this.#timeline.now();
    // The timeline lags real time between timer firings; never report less than it holds.
    return Math.max(this.#timeline.now(), this.#real.now() + this.#offset);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    // Scheduled from now(), not from where the timeline last stopped.
    const handle = this.#timeline.setTimeout(fn, delay + (this.now() - this.#timeline.now()));
    this.#arm();
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timeline.clearTimeout(handle);
    // No pending timer must keep a real one (and so the process) alive.
    if (this.#timeline.pendingTimers === 0) this.#disarm();
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  /** Calls `fn` after timers fired (in real time or by an advance); returns its remover. */
  onTimersFired(fn: () => void): () => void {
    return this.#timeline.onTimersFired(fn);
  }

  state(): ClockState {
    const now = this.now();
    return { frozen: this.#frozen, now, offsetMs: now - this.#real.now(), pendingTimers: this.#timeline.pendingTimers };
  }

  /** Stops time where it is now; timers due by then fire first. Freezing a frozen clock does nothing. */
  freeze(): void {
    if (this.#frozen) return;
    this.#catchUp();
    this.#frozen = true;
    this.#disarm();
  }

  /** Moves time forward by `ms` (frozen or not), firing every timer due by then. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`the clock only moves forward by a finite number of ms (got ${ms})`);
    if (this.#frozen) {
      this.#timeline.advance(ms);
      return;
    }
    this.#offset += ms;
    this.#catchUp();
    this.#arm();
  }

  /** Lets time run again from where it stands (the offset to real time is kept). */
  resume(): void {
    if (!this.#frozen) return;
    this.#frozen = false;
    this.#offset = this.#timeline.now() - this.#real.now();
    this.#arm();
  }

  #catchUp(): void {
    const target = this.#real.now() + this.#offset;
    if (target <= this.#timeline.now()) return;
    this.#firing = true;
    try {
      this.#timeline.advanceTo(target);
    } finally {
      this.#firing = false;
    }
  }

  #arm(): void {
    if (this.#frozen) return;
    const due = this.#timeline.nextDue;
    if (due === undefined) return this.#disarm();
    if (this.#armed !== null && this.#armedFor <= due) return;
    this.#disarm();
    this.#armedFor = due;
    const wait = Math.min(MAX_REAL_DELAY_MS, Math.max(0, due - this.now()));
    this.#armed = this.#real.setTimeout(() => this.#tick(), wait);
  }

  #disarm(): void {
    if (this.#armed === null) return;
    this.#real.clearTimeout(this.#armed);
    this.#armed = null;
    this.#armedFor = Infinity;
  }

  #tick(): void {
    this.#armed = null;
    this.#armedFor = Infinity;
    if (this.#frozen) return;
    this.#catchUp();
    this.#arm();
  }
}
