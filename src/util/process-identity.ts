/**
 * Whether the process that wrote a lock file still runs, without false "in use" answers.
 *
 * A pid alone is not enough: after SIGKILL the dead process may linger as a zombie until its
 * parent reaps it (kill(pid, 0) still succeeds), and a pid can be reused by an unrelated process.
 * So a lock records the owner's start time too: on Linux field 22 of /proc/<pid>/stat (clock
 * ticks since boot), which together with the boot id names one process for good. Elsewhere the
 * start time is '' and only kill(pid, 0) (ESRCH: gone, EPERM: alive but not ours) is asked.
 */
import { readFileSync } from 'node:fs';

interface ProcStat {
  readonly state: string;
  readonly startTime: string;
}

/** State and start time from /proc/<pid>/stat, null when there is no such process (or no /proc). */
function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

/** This process's start time as recorded in lock files ('' where /proc is not available). */
export function processStartTime(pid: number = process.pid): string {
  return procStat(pid)?.startTime ?? '';
}

/**
 * Whether `pid` is a live process that started at `startTime` (when one was recorded). A zombie
 * (state Z) or dead (X) process is not alive; a process with another start time is another one.
 */
export function processIsAlive(pid: number, startTime = ''): boolean {
  const stat = procStat(pid);
  if (stat !== null) {
    if (stat.state === 'Z' || stat.state === 'X') return false;
    return startTime === '' || stat.startTime === startTime;
  }
  try {
    process.kill(pid, 0);
    // Alive, and /proc is readable on this system: the pid exists, but its stat could not be
    // read (it just exited); elsewhere there is no better answer than kill's.
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
