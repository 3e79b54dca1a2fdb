/**
 * State a reset puts back as it was at start, one store at a time: dynamic configs, quotas, ACLs,
 * SCRAM credentials, fetch sessions... Each is cheap to look at when untouched, so that a reset
 * between every test of a suite stays within its time budget: a store with change events is
 * restored only after one fired; a store without them answers a quick "differs from the start?".
 */

export interface Restorable {
  /** What it restores, as the reset report names it ("ACLs of broker 1"). */
  readonly what: string;
  /** Puts the state back as it was at start; true when something had changed. */
  restore(): boolean;
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
  };
}

/** A store without change events: `differs` is asked at each reset, `put` runs when it says so. */
export function checkedState(what: string, differs: () => boolean, put: () => void): Restorable {
  return {
    what,
    restore() {
      if (!differs()) return false;
      put();
      return true;
    },
  };
}

/** Restores each; returns what had changed. */
export function restoreAll(states: readonly Restorable[]): string[] {
  const restored: string[] = [];
  for (const s of states) if (s.restore()) restored.push(s.what);
  return restored;
}
