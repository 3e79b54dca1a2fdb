// Stopping a broker as CI scripts do: `npx minikafka start &` then `kill $!` (npx runs the bin
// through npm and a shell, and the broker must still stop), `kill -INT $!` under bash and under
// npm's default shell (dash, which holds the INT), SIGINT, `--exit-with-parent` when the
// parent is killed, and `minikafka stop` by port and by pid file. "Stopped" means the port is
// free again and the process gone, within STOP_BOUND_MS.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const cli = realpathSync(join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs'));

interface Ready {
  port: number;
  pid: number;
}

/** The first stdout line of `child` as the JSON ready line. */
function readyLine(child: ChildProcess): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(JSON.parse(out.slice(0, i)) as Ready);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${err}`)));
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Running, not a zombie: an orphan's exit status waits for whoever adopted it to reap it. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Milliseconds until the port refuses connections and the process is gone, or Infinity after
 * `limitMs`. The broker is not this process's child here, so there is no exit event to await:
 * check every 20 ms.
 */
async function msUntilStopped(port: number, pid: number, limitMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    const open = await portOpen(port);
    const alive = processAlive(pid);
    if (!open && !alive) return Date.now() - start;
    if (process.env.CLI_STOP_DEBUG) process.stderr.write(`${Date.now() - start} ms: open ${open} alive ${alive}\n`);
    await sleep(20);
  }
  return Infinity;
}

/** A project with minikafka installed as npx finds it: node_modules/.bin/minikafka. */
function npxProject(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-npx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'npx-user', version: '1.0.0', private: true }));
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(cli, join(dir, 'node_modules/.bin/minikafka'));
  return dir;
}

const hasNpx = spawnSync('npx', ['--version'], { encoding: 'utf8' }).status === 0;
const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

// The generous bound covers npm's own start-up on a busy 2-core machine; the stop is what is timed.
const READY_LIMIT_MS = 30_000;
// On a quiet machine the stop takes well under the second the README promises (the parent check
// runs every 200 ms); on the loaded 2-core CI box a process can wait seconds for a CPU, so the
// bound is 5 s: still far from the alternatives it tells apart (a broker left running, or one
// that waits out a timeout such as npm's or an idle connection's). The message gives the time.
const STOP_BOUND_MS = 5_000;
const STOP_LIMIT_MS = 30_000;

t.test('npx minikafka start &, then kill $! (TERM): the port is free promptly', { skip: !hasNpx && 'npx is not installed' }, async (t) => {
  const dir = npxProject(t);
  const npx = spawn('npx', ['minikafka', 'start', '--port', '0', '--json', '--log-level', 'warn'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = setTimeout(() => npx.kill('SIGKILL'), READY_LIMIT_MS);
  const ready = await readyLine(npx);
  clearTimeout(guard);
  t.not(ready.pid, npx.pid, 'npm runs the broker in a process of its own');
  npx.kill('SIGTERM');
  const ms = await msUntilStopped(ready.port, ready.pid, STOP_LIMIT_MS);
  t.ok(ms <= STOP_BOUND_MS, `port free and broker gone ${ms} ms after TERM to npx`);
  if (ms === Infinity) process.kill(ready.pid, 'SIGKILL');
});

t.test('npx with a script shell that execs (bash): kill -INT $! stops the broker promptly', { skip: (!hasNpx || !hasBash) && 'npx or bash missing' }, async (t) => {
  // npm's default shell on Debian is dash, which holds an INT until its child exits and never
  // passes it on (README, "Stopping in CI"; the next test covers it); bash runs the bin in its own
  // place, so npm's forwarding reaches the broker itself.
  const dir = npxProject(t);
  const npx = spawn('npx', ['minikafka', 'start', '--port', '0', '--json', '--log-level', 'warn'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_script_shell: 'bash' } });
  const ready = await readyLine(npx);
  npx.kill('SIGINT');
  const ms = await msUntilStopped(ready.port, ready.pid, STOP_LIMIT_MS);
  t.ok(ms <= STOP_BOUND_MS, `port free ${ms} ms after INT to npx`);
  if (ms === Infinity) process.kill(ready.pid, 'SIGKILL');
});

// The bound for `kill -INT $!` on npx with npm's default shell. The broker learns of the
// INT by watching its parent shell every 200 ms (src/cli/shell-interrupt.ts); measured at a load
// average of 30 on 2 cores: 55-250 ms from the signal to a free port.
const INT_VIA_SHELL_BOUND_MS = 1_000;

t.test('npx with npm\'s default shell (dash on Debian): kill -INT $! stops the broker within 1 s', { skip: (!hasNpx || process.platform !== 'linux') && 'needs npx on Linux (/proc)' }, async (t) => {
  const dir = npxProject(t);
  const env = { ...process.env };
  delete env.npm_config_script_shell;
  const npx = spawn('npx', ['minikafka', 'start', '--port', '0', '--json', '--log-level', 'warn'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env });
  const guard = setTimeout(() => npx.kill('SIGKILL'), READY_LIMIT_MS);
  const ready = await readyLine(npx);
  clearTimeout(guard);
  // The case this covers: a shell between npm and the broker, which npm's INT reaches and stops at.
  const shell = Number(readFileSync(`/proc/${ready.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  t.not(shell, npx.pid, 'a shell sits between npm and the broker');
  t.equal(readFileSync(`/proc/${shell}/cmdline`, 'utf8').split('\0')[1], '-c', 'npm ran it as sh -c');
  // The watch takes its baseline before the ready line, provided the shell already sleeps in
  // wait(); on a starved machine it may not yet, and the baseline comes a 200 ms tick later. An
  // INT before the baseline is not seen: wait a few ticks, as a script's first test would take.
  await sleep(600);
  const npxExit = new Promise<string>((r) => npx.once('exit', (code, signal) => r(`${code ?? signal}`)));
  npx.kill('SIGINT');
  const ms = await msUntilStopped(ready.port, ready.pid, STOP_LIMIT_MS);
  t.ok(ms <= INT_VIA_SHELL_BOUND_MS, `port free and broker gone ${ms} ms after INT to npx`);
  if (ms === Infinity) process.kill(ready.pid, 'SIGKILL');
  // npm, seeing its shell die of the INT it held, re-raises it on itself; in a shell `$?` is 130.
  else t.equal(await npxExit, 'SIGINT', 'npx then ends as interrupted, not left waiting');
});

t.test('SIGINT to the broker itself stops it with exit 0', async (t) => {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = await readyLine(child);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  t.equal(await exited, 0);
  t.equal(await portOpen(ready.port), false, 'port free');
});

/** A parent process that starts the broker (stdin as given) and prints the ready line; it never exits by itself. */
function parentOf(stdin: 'ignore' | 'pipe', extra: string[]): ChildProcess {
  const code = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, ${JSON.stringify([cli, 'start', '--port', '0', '--json', '--log-level', 'warn', ...extra])}, { stdio: ['${stdin}', 'pipe', 'inherit'] });
    c.stdout.once('data', (d) => process.stdout.write(d));
    setInterval(() => {}, 1 << 30);`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
}

for (const stdin of ['ignore', 'pipe'] as const) {
  t.test(`--exit-with-parent (stdin ${stdin}): killing the parent stops the broker promptly`, async (t) => {
    const parent = parentOf(stdin, ['--exit-with-parent']);
    const ready = await readyLine(parent);
    parent.kill('SIGKILL');
    const ms = await msUntilStopped(ready.port, ready.pid, STOP_LIMIT_MS);
    t.ok(ms <= STOP_BOUND_MS, `stopped ${ms} ms after the parent was killed`);
    if (ms === Infinity) process.kill(ready.pid, 'SIGKILL');
  });
}

t.test('without --exit-with-parent the broker outlives its parent (the flag is what stops it)', async (t) => {
  const parent = parentOf('ignore', []);
  const flaggedParent = parentOf('ignore', ['--exit-with-parent']);
  const [ready, flagged] = await Promise.all([readyLine(parent), readyLine(flaggedParent)]);
  const parentsGone = Promise.all([parent, flaggedParent].map((p) => new Promise((r) => p.once('exit', r))));
  parent.kill('SIGKILL');
  flaggedParent.kill('SIGKILL');
  await parentsGone;
  // A sleep here would pass whenever the broker is merely slow to notice its parent is gone. The
  // yardstick is a sibling with the flag, orphaned at the same moment on the same machine: once it
  // has noticed and stopped, this one has had the same time to do so.
  const flaggedMs = await msUntilStopped(flagged.port, flagged.pid, STOP_LIMIT_MS);
  t.ok(flaggedMs <= STOP_LIMIT_MS, `the sibling with the flag stopped (${flaggedMs} ms)`);
  if (flaggedMs === Infinity) process.kill(flagged.pid, 'SIGKILL');
  t.ok(processAlive(ready.pid), 'still running');
  t.ok(await portOpen(ready.port), 'still listening');
  process.kill(ready.pid, 'SIGTERM');
  t.ok((await msUntilStopped(ready.port, ready.pid, STOP_LIMIT_MS)) <= STOP_BOUND_MS);
});

t.test('minikafka stop --port and --pid-file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-stop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'kafka.pid');

  const a = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn', '--pid-file', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ra = await readyLine(a);
  t.ok(existsSync(pidFile), 'pid file written before the ready line');
  const exitA = new Promise((r) => a.once('exit', r));
  const byFile = spawnSync(process.execPath, [cli, 'stop', '--pid-file', pidFile], { encoding: 'utf8' });
  t.equal(byFile.status, 0, byFile.stderr);
  t.equal(await exitA, 0, 'the broker exited cleanly');
  t.equal(await portOpen(ra.port), false, 'and its port is free when stop returns');
  t.notOk(existsSync(pidFile), 'the pid file is removed at a clean stop');

  const b = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const rb = await readyLine(b);
  const exitB = new Promise((r) => b.once('exit', r));
  const byPort = spawnSync(process.execPath, [cli, 'stop', '--port', String(rb.port)], { encoding: 'utf8' });
  t.equal(byPort.status, 0, byPort.stderr);
  t.match(byPort.stderr, new RegExp(`stopped process ${rb.pid}`));
  t.equal(await exitB, 0);

  const none = spawnSync(process.execPath, [cli, 'stop', '--port', String(rb.port)], { encoding: 'utf8' });
  t.equal(none.status, 1, 'nothing to stop on that port any more');
  t.match(none.stderr, /no broker started by minikafka on port/);
});
