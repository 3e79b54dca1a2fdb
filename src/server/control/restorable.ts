/**
 * State a reset puts back as it was at start, one store at a time: dynamic configs, quotas, ACLs,
 * SCRAM credentials, fetch sessions... Each is cheap to look at when untouched, so that a reset
 * between every test of a suite stays within its time budget: a store with change events is
 * restored only after one fired; a store without them answers a quick "differs from the start?".
 *
 * A named snapshot (snapshots.ts) also asks each store for its state as it is now (`capture`) and
 * puts that back on restore; a store without `capture` holds what a test cannot prepare ahead of
 * time (fetch sessions, quota windows, pushed telemetry), and a snapshot's restore empties it as
 * a reset does.
 */

export interface Restorable {
  /** What it restores, as the reset report names it ("ACLs of broker 1"). */
  readonly what: string;
  /** Puts the state back as it was at start; true when something had changed. */
  restore(): boolean;
  /**
   * Takes the state as it is now; the returned function puts exactly that back (any number of
   * times: what was taken is never handed to the store to keep and change).
   */
  capture?(): () => void;
}

/**
 * A store with change events: its state is taken now and put back on restore, only when a change
 * was seen since start (or since the last restore). `put` may fire the store's own events.
 */
export function watchedState<S>(what: string, onChange: (fn: () => void) => unknown, take: () => S, put: (start: S) => void): Restorable {
  const start = take();
  let dirty = false;
  onChange(() => {
    dirty = true;
  });
  return {
    what,
    restore() {
      if (!dirty) return false;
      put(start);
      dirty = false;
      return true;
    },
    capture() {
      const now = take();
      return () => {
        put(now);
        // The store now differs from the start whether or not `put` fired an event.
        dirty = true;
      };
    },
  };
}

/**
 * A store without change events: `differs` is asked at each reset, `put` runs when it says so.
 * `capture`, when given, is the Restorable's (see there).
 */
export function checkedState(what: string, differs: () => boolean, put: () => void, capture?: () => () => void): Restorable {
  return {
    what,
    restore() {
      if (!differs()) return false;
      put();
      return true;
    },
    ...(capture === undefined ? {} : { capture }),
  };
}

/** Captures every store that can be; the returned function puts them all back and names them. */
export function captureAll(states: readonly Restorable[]): () => string[] {
  const taken: { what: string; put: () => void }[] = [];
  for (const s of states) if (s.capture !== undefined) taken.push({ what: s.what, put: s.capture() });
  return () => {
    // What was not captured goes back to the start, as a reset puts it.
    const restored = states.filter((s) => s.capture === undefined && s.restore()).map((s) => s.what);
    for (const t of taken) t.put();
    return [...restored, ...taken.map((t) => t.what)];
  };
}

/** Restores each; returns what had changed. */
export function restoreAll(states: readonly Restorable[]): string[] {
  const restored: string[] = [];
  for (const s of states) if (s.restore()) restored.push(s.what);
  return restored;
}
