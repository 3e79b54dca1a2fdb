/**
 * What the package tests share: running a command in a scratch project (its own cwd and
 * environment, unlike the interop harness's runProgram, which runs from the repository root), the
 * packed tarball, and temporary project folders removed when the test ends.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../interop/harness.js';

export { root };

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `cmd args` in `cwd`; killed with SIGKILL after `timeoutMs` (then `signal` says so). */
export function run(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd === 'node' ? process.execPath : cmd, args, { cwd: opts.cwd, env: { ...userEnv(), ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * This process's environment without what tap sets for its own test processes: NODE_OPTIONS
 * (tap's --import hook, which would load into every Node started below and slow it down) and the
 * TAP_* / _TAPJS_* variables (a tap run inside would take itself for a child of ours).
 */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^(TAP\b|TAP_|_TAPJS_)/.test(k)));
}

/** A command's output for a failure message: its status and the ends of both streams. */
export function describeRun(r: Run): string {
  return `exit ${r.code ?? r.signal} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

/** A fresh folder under the OS temp dir, removed at `t`'s end. */
export function scratchDir(t: { teardown(fn: () => unknown): void }, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `minikafka-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let tarball: Promise<string> | undefined;

/** The npm tarball of this build (scripts/pack.mjs), packed once per process. */
export function packedTarball(): Promise<string> {
  tarball ??= run('node', [join(root, 'scripts/pack.mjs')], { cwd: root, timeoutMs: 120_000 }).then((r) => {
    if (r.code !== 0) throw new Error(`scripts/pack.mjs failed: ${describeRun(r)}`);
    return r.stdout.trim().split('\n').at(-1)!;
  });
  return tarball;
}
