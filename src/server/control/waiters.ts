/**
 * Events a test waits on instead of sleeping: a group stable with N members, a partition's high
 * watermark at an offset, a transaction completed. Each wait is bounded (real time: a frozen
 * broker clock must not stretch it) and answers with what it saw.
 *
 * A partition wait is woken by the partition's append listeners. Groups and transactions change
 * only when a request is handled or a broker timer fires (a session expires, a transaction times
 * out), so while any wait is pending the waits re-check after each of those (`WaitEvents`, once
 * per turn of the event loop however many happened) and after every clock advance and reset; a
 * check is a map lookup. A slow re-check catches what no event reports (a topic created in
 * process, timers of a clock the control plane cannot watch).
 */
import type { Partition } from '../../log/partition.js';
import { ControlError, ControlErrorCode, badRequest } from './control-error.js';

export const DEFAULT_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 300_000;
/** The safety net's period: changes no event reports are seen within it. */
const FALLBACK_RECHECK_MS = 100;

/** What may change what waits look at: calls `wake` after a request or a timer; returns the remover. */
export type WaitEvents = (wake: () => void) => () => void;

export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: string;
  readonly members: number;
  readonly type: 'classic' | 'consumer' | 'streams';
}

export interface TransactionSnapshot {
  readonly transactionalId: string;
  readonly state: string;
}

/** What waits read: the cluster's state, through the narrow view the control plane gets. */
export interface WaitSource {
  group(groupId: string): GroupSnapshot | null;
  transaction(transactionalId: string): TransactionSnapshot | null;
  partition(topic: string, index: number): Partition | undefined;
}

export interface GroupWait {
  /** Default "Stable". */
  readonly state?: string;
  /** Number of members to wait for; any if absent. */
  readonly members?: number;
  readonly timeoutMs?: number;
}

const TXN_DONE = new Set(['Empty', 'CompleteCommit', 'CompleteAbort']);

export class Waiters {
  readonly #pending = new Set<() => void>();
  /** Removes the event subscription, held while a wait is pending. */
  #unsubscribe: (() => void) | null = null;
  #fallback: NodeJS.Timeout | null = null;
  #soon: NodeJS.Immediate | null = null;

  constructor(
    private readonly source: WaitSource,
    private readonly events: WaitEvents = () => () => {},
  ) {}

  /** Re-checks every pending wait now (after a clock advance, a reset). */
  recheck(): void {
    for (const check of [...this.#pending]) check();
  }

  /** Re-checks once the current turn's work is done: after the handler an event announced ran. */
  #recheckSoon = (): void => {
    this.#soon ??= setImmediate(() => {
      this.#soon = null;
      this.recheck();
    });
  };

  #add(check: () => void): void {
    this.#pending.add(check);
    if (this.#unsubscribe !== null) return;
    this.#unsubscribe = this.events(this.#recheckSoon);
    this.#fallback = setInterval(() => this.recheck(), FALLBACK_RECHECK_MS);
  }

  #delete(check: () => void): void {
    this.#pending.delete(check);
    if (this.#pending.size > 0 || this.#unsubscribe === null) return;
    this.#unsubscribe();
    this.#unsubscribe = null;
    clearInterval(this.#fallback!);
    this.#fallback = null;
    if (this.#soon !== null) clearImmediate(this.#soon);
    this.#soon = null;
  }

  group(groupId: string, w: GroupWait = {}): Promise<GroupSnapshot> {
    const state = w.state ?? 'Stable';
    if (w.members !== undefined && !(Number.isSafeInteger(w.members) && w.members >= 0)) throw badRequest('members must be a non-negative integer');
    return this.#until(w.timeoutMs, `group ${groupId} ${state}${w.members === undefined ? '' : ` with ${w.members} members`}`, () => {
      const g = this.source.group(groupId);
      return g !== null && g.state.toLowerCase() === state.toLowerCase() && (w.members === undefined || g.members === w.members) ? g : null;
    }, () => JSON.stringify(this.source.group(groupId)));
  }

  /** Resolves when the transaction is no longer open (Empty, CompleteCommit, CompleteAbort). */
  transaction(transactionalId: string, timeoutMs?: number): Promise<TransactionSnapshot> {
    return this.#until(timeoutMs, `transaction ${transactionalId} completed`, () => {
      const t = this.source.transaction(transactionalId);
      return t !== null && TXN_DONE.has(t.state) ? t : null;
    }, () => JSON.stringify(this.source.transaction(transactionalId)));
  }

  /** Resolves when the partition's high watermark reaches `offset` (records below it are readable). */
  offset(topic: string, partition: number, offset: number, timeoutMs?: number): Promise<{ topic: string; partition: number; highWatermark: number }> {
    if (!Number.isSafeInteger(partition) || partition < 0 || !Number.isSafeInteger(offset) || offset < 0) throw badRequest('partition and offset must be non-negative integers');
    let unsubscribe: (() => void) | null = null;
    let subscribedTo: Partition | null = null;
    return this.#until(
      timeoutMs,
      `${topic}-${partition} at offset ${offset}`,
      (wake) => {
        const p = this.source.partition(topic, partition);
        if (p === undefined) return null;
        if (p !== subscribedTo) {
          // A topic deleted and created again is a new partition: listen to the live one.
          unsubscribe?.();
          subscribedTo = p;
          unsubscribe = p.onAppend(wake);
        }
        const hw = p.log.highWatermark;
        return hw >= offset ? { topic, partition, highWatermark: hw } : null;
      },
      () => `high watermark ${this.source.partition(topic, partition)?.log.highWatermark ?? 'none (no such partition)'}`,
      () => unsubscribe?.(),
    );
  }

  #until<T>(timeoutMs: number | undefined, what: string, check: (wake: () => void) => T | null, seen: () => string, cleanup: () => void = () => {}): Promise<T> {
    const limit = timeoutMs ?? DEFAULT_WAIT_MS;
    if (!(Number.isFinite(limit) && limit >= 0 && limit <= MAX_WAIT_MS)) throw badRequest(`timeoutMs must be from 0 to ${MAX_WAIT_MS}`);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const done = () => {
        settled = true;
        this.#delete(run);
        clearTimeout(timer);
        cleanup();
      };
      const run = () => {
        if (settled) return;
        let got: T | null;
        try {
          got = check(run);
        } catch (e) {
          done();
          reject(e as Error);
          return;
        }
        if (got === null) return;
        done();
        resolve(got);
      };
      run();
      if (!settled) {
        // Not done at once: wait for an event, a re-check or the deadline.
        this.#add(run);
        timer = setTimeout(() => {
          done();
          reject(new ControlError(ControlErrorCode.TIMEOUT, `timed out after ${limit} ms waiting for ${what} (now: ${seen()})`));
        }, limit);
      }
    });
  }
}
