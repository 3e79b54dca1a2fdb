/**
 * CPU time of this process's main thread, the one that runs the event loop (and an in-process
 * broker), in ms: utime + stime from /proc/self/task/<pid>/stat, in clock ticks of 10 ms (Linux's
 * USER_HZ of 100). Unlike wall time it does not grow while a loaded machine keeps the process
 * waiting for a CPU, so "the event loop was kept busy for N ms" can be checked on a loaded 2-core
 * machine, where wall-clock latencies move by seconds. null where /proc is missing (not Linux).
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

export function mainThreadCpuMs(): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // After "pid (comm) ", fields from the 3rd (state) on: utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
