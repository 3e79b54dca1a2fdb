/**
 * Runs a client program of the bench to its exit and hands back what it printed: the one way the
 * bench starts its load tools (Kafka's JVM tools, rdkafka_performance, franz-bench, the receive
 * floor), so each failure reads the same: what ran, how it exited, the end of its output.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Killed (SIGKILL) on abort; the run rejects with the abort's reason. */
  readonly signal?: AbortSignal;
  /** Added to the message when the command cannot be started at all (what to install). */
  readonly missing?: string;
}

/** Runs `cmd` to completion; resolves with its output when it exits 0, else rejects saying why. */
export function runToExit(cmd: string, args: readonly string[], what: string, o: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const { signal } = o;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('exit', () => signal?.removeEventListener('abort', onAbort));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.once('error', (e) => reject(new Error(`${what}: cannot run ${cmd} (${e.message})${o.missing ? `; ${o.missing}` : ''}`)));
    child.once('exit', (code, sig) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${what} exited with ${sig ?? `code ${code}`}:\n${(stderr || stdout).trimEnd().split('\n').slice(-15).join('\n')}`));
    });
  });
}
