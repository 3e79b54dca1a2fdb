/**
 * `kill -INT` on npx's pid when npm's script shell is dash (Linux only, read from /proc).
 *
 * `npx minikafka start &` is three processes: npm, `sh -c "minikafka start ..."`, the broker. npm
 * forwards INT and TERM to the shell only. TERM kills the shell and the broker notices that its
 * parent is gone (lifetime.ts). INT does not: dash (Debian's and Ubuntu's /bin/sh) started with -c
 * catches SIGINT (setsignal() installs its handler when `iflag || minusc`), and while it waits for
 * its child it only notes the signal; it acts on it once the child has exited, and never passes it
 * on. So the broker is never told, and npm and the shell wait for it forever. bash does not have
 * this problem: it runs the last command of `-c` in its own place, so the broker *is* npm's child.
 *
 * What the broker can see is that the shell woke up. The shell sleeps in wait() and, checked on
 * dash 0.5.12 through /proc/<pid>/status, catches exactly two signals in that state: SigCgt is
 * 0x10002 (bit 1: SIGINT, bit 16: SIGCHLD). A caught signal wakes the sleeper, its handler runs and
 * it goes back to sleep, which the kernel counts as one more voluntary context switch
 * (voluntary_ctxt_switches in /proc/<pid>/status). Signals left at their default action either kill
 * the shell (TERM, HUP, QUIT: the parent check of lifetime.ts takes over) or are dropped before they
 * reach it (WINCH, URG, CONT while not stopped) and do not wake it. Measured on this kind of shell:
 * the count stays put for as long as it waits, rises by one per `kill -INT` on the shell or on npm,
 * by one for `kill -CHLD`, by one when the broker is stopped and one when it is continued (the
 * kernel sends the shell SIGCHLD for both), and not at all for WINCH, URG or CONT.
 *
 * So a rise means SIGINT, except for these wake-ups, each guarded below:
 *  - the broker itself was stopped and continued (a job stopped with `kill -STOP -PGID` or Ctrl-Z):
 *    the broker listens for its own SIGCONT and takes a new baseline once the shell sleeps again;
 *  - the machine was suspended (the freezer wakes every task): CLOCK_BOOTTIME (os.uptime()) runs on
 *    during a suspend and CLOCK_MONOTONIC (performance.now()) does not, so their difference grows;
 *  - a debugger or strace attached to the shell: TracerPid in the same status file;
 *  - the broker's terminal sends Ctrl-C to its foreground process group, the broker included, so
 *    the broker needs no guess there and ignores the shell while it is in the foreground.
 * Left unguarded, and stopping the broker as an INT would: the shell alone stopped and continued,
 * a cgroup freezer (`docker pause`; a freeze and thaw measured +2) without a suspend, and a
 * hand-sent SIGCHLD to the shell. Guarding the freezer by a late tick (the broker is frozen too)
 * would also drop a real INT that arrives while a loaded machine delays the tick, leaving the
 * broker running for good: a wrong stop was judged the lesser failure.
 *
 * The watch starts only when every condition it relies on holds: npm started this process
 * (startedByNpmExec), the parent was run as `<shell> -c ...` and catches exactly INT and CHLD. Any
 * other shell or platform keeps the old behaviour (README, "Stopping in CI").
 */
import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { performance } from 'node:perf_hooks';

export const SHELL_CHECK_MS = 200;

/** SigCgt of a shell whose only caught signals are SIGINT (2) and SIGCHLD (17): bits 1 and 16. */
const INT_AND_CHLD = (1n << 1n) | (1n << 16n);

/** A suspend shorter than this is not told from /proc/uptime's 10 ms steps. */
const SUSPEND_TOLERANCE_MS = 50;

/** What one look at the parent shows. */
export interface ShellSample {
  /** The state letter of /proc/<pid>/status: S while it waits for the broker. */
  state: string;
  voluntarySwitches: number;
  traced: boolean;
}

/** What the broker knows about itself at the same moment. */
export interface SelfSample {
  /** The broker received SIGCONT since the previous sample. */
  continued: boolean;
  /** The broker is in its terminal's foreground process group (Ctrl-C reaches it directly). */
  foreground: boolean;
  /** Milliseconds the machine spent suspended since the previous sample. */
  suspendedMs: number;
}

/**
 * The decision, with no I/O: fed one sample per check, says when the shell has received SIGINT.
 * A baseline is taken only while the shell sleeps (state S), since a shell that is running or
 * stopped is about to add switches of its own; every guarded wake-up moves the baseline instead of
 * counting as an INT.
 */
export class ShellInterruptDetector {
  private baseline: number | null = null;

  /** True when the shell was woken by something that can only be SIGINT. */
  observe(shell: ShellSample, self: SelfSample): boolean {
    if (self.continued || self.foreground || self.suspendedMs > SUSPEND_TOLERANCE_MS || shell.traced) {
      this.baseline = null;
      return false;
    }
    if (shell.state !== 'S') return false;
    if (this.baseline === null) {
      this.baseline = shell.voluntarySwitches;
      return false;
    }
    return shell.voluntarySwitches > this.baseline;
  }
}

/** /proc/<pid>/status of the shell, or null once it is gone. */
export function readShellSample(pid: number): ShellSample | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const fields = new Map(status.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  const field = (name: string) => fields.get(name) ?? '';
  return {
    state: field('State').charAt(0),
    voluntarySwitches: Number(field('voluntary_ctxt_switches')),
    traced: field('TracerPid') !== '0',
  };
}

/**
 * Whether `pid` is a shell this watch understands: run as `<name> -c SCRIPT` and catching exactly
 * SIGINT and SIGCHLD (dash in -c mode; see the top of this file).
 */
export function isInterruptHoldingShell(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv[1] !== '-c') return false;
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return caught !== null && BigInt(`0x${caught[1]}`) === INT_AND_CHLD;
  } catch {
    return false;
  }
}

/** Whether this process is in the foreground process group of a controlling terminal. */
function inTerminalForeground(): boolean {
  // /proc/self/stat: "pid (comm) state ppid pgrp session tty_nr tpgid ..."; comm may hold spaces.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const [, , pgrp, , ttyNr, tpgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ttyNr !== '0' && tpgid === pgrp;
}

/**
 * Calls `onInterrupt()` once when the parent shell (see isInterruptHoldingShell) received SIGINT.
 * Returns whether it watches. Stops watching when the parent changes: lifetime.ts's parent check
 * handles a shell that died.
 */
export function watchShellInterrupt(onInterrupt: () => void): boolean {
  const shell = process.ppid;
  if (process.platform !== 'linux' || !isInterruptHoldingShell(shell)) return false;
  const detector = new ShellInterruptDetector();
  let continued = false;
  // Our own stop and continue wake the shell too (SIGCHLD): the next samples must not count it.
  const onCont = () => (continued = true);
  process.on('SIGCONT', onCont);
  let bootOffset = uptime() * 1000 - performance.now();
  const selfSample = (): SelfSample => {
    const offset = uptime() * 1000 - performance.now();
    const suspendedMs = offset - bootOffset;
    bootOffset = offset;
    const sample = { continued, foreground: inTerminalForeground(), suspendedMs };
    continued = false;
    return sample;
  };
  const check = () => {
    const sample = process.ppid === shell ? readShellSample(shell) : null;
    if (sample === null) {
      clearInterval(timer);
      process.off('SIGCONT', onCont);
      return;
    }
    if (!detector.observe(sample, selfSample())) return;
    // This check may run before the SIGCONT that explains the rise is emitted: a broker that was
    // stopped in the middle of its event loop runs due timers first when it resumes. The signal
    // is already in libuv's pipe then, and the poll phase before setImmediate's reads it.
    setImmediate(() => {
      if (continued) return;
      clearInterval(timer);
      process.off('SIGCONT', onCont);
      onInterrupt();
    });
  };
  const timer = setInterval(check, SHELL_CHECK_MS);
  // The baseline now, not a tick later: the ready line follows, and a script may signal at once.
  check();
  timer.unref();
  return true;
}
