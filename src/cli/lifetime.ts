/**
 * When a started broker stops, besides SIGINT and SIGTERM sent to it:
 *
 * - Its parent exits (`--exit-with-parent`, and always under `npx`/`npm exec`). npm runs a package's
 *   bin through `sh -c`, so `npx minikafka start &` is three processes: npm, a shell, the broker.
 *   `kill $!` signals npm, which forwards the signal to the shell only; the shell dies and the
 *   broker, orphaned, would keep its port forever. Node has no parent-death signal
 *   (prctl(PR_SET_PDEATHSIG) is not reachable), so the broker notices that its parent process id
 *   changed (it was adopted by init or a subreaper), checked every PARENT_CHECK_MS by an unref'd
 *   timer that costs nothing measurable.
 * - npm's INT reaches a dash parent shell, which holds it (always under `npx` on Linux; see
 *   shell-interrupt.ts).
 * - Its stdin, when a pipe or socket, reaches end of file (`--exit-with-parent`): a parent that
 *   spawns the broker with a stdin pipe and dies closes the pipe, which is an event, not a poll.
 *
 * Every start also writes its pid to `$TMPDIR/minikafka-<port>.pid` (removed on a clean stop) so
 * that `minikafka stop --port N` finds it, plus the `--pid-file` the user asked for.
 */
import { fstatSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PARENT_CHECK_MS = 200;

/** The pid file `minikafka stop --port N` reads. */
export function portPidFile(port: number): string {
  return join(tmpdir(), `minikafka-${port}.pid`);
}

/**
 * True when npm (`npx minikafka`, `npm exec minikafka`) started this process through its shell.
 * npm's variables are inherited by every descendant (a test run under `npx tap` has them too),
 * so the command npm ran must be this one.
 */
export function startedByNpmExec(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_command === 'exec' && /^'?minikafka'?(\s|$)/.test(env.npm_lifecycle_script ?? '');
}

/** Calls `onExit(reason)` once when the parent process goes away. */
export function watchParent(onExit: (reason: string) => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onExit(`parent process ${parent} exited`);
    }
  }, PARENT_CHECK_MS);
  timer.unref();
}

/** Calls `onExit` when stdin, if it is a pipe or a socket, reaches its end. Returns whether it watches. */
export function watchStdin(onExit: (reason: string) => void): boolean {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return false;
  }
  if (!st.isFIFO() && !st.isSocket()) return false;
  const stdin = process.stdin;
  stdin.on('data', () => {});
  stdin.once('end', () => onExit('stdin closed'));
  stdin.once('error', () => onExit('stdin closed'));
  return true;
}

/**
 * Writes the pid files; returns a function that removes them (at a clean stop). The user's file
 * must be written; the per-port one is a convenience and a read-only temp dir only loses it.
 */
export function writePidFiles(userFile: string | undefined, port: number): () => void {
  const written: string[] = [];
  if (userFile !== undefined) {
    writeFileSync(userFile, `${process.pid}\n`);
    written.push(userFile);
  }
  try {
    writeFileSync(portPidFile(port), `${process.pid}\n`);
    written.push(portPidFile(port));
  } catch {
    // No per-port file: `stop --port` then says it found no broker, and --pid-file still works.
  }
  return () => {
    for (const p of written) rmSync(p, { force: true });
  };
}
