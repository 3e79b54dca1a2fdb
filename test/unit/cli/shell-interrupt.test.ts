// The SIGINT-through-dash watch (src/cli/shell-interrupt.ts): the decision fed with samples, and
// the /proc facts it rests on checked against a real `dash -c` waiting for its child, so that a
// dash that stops catching SIGINT, or a kernel that stops counting the wake-up, fails here.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShellInterruptDetector, isInterruptHoldingShell, readShellSample } from '../../../src/cli/shell-interrupt.js';
import type { SelfSample, ShellSample } from '../../../src/cli/shell-interrupt.js';

const calm: SelfSample = { continued: false, foreground: false, suspendedMs: 0 };
const sleeping = (n: number): ShellSample => ({ state: 'S', voluntarySwitches: n, traced: false });

t.test('a rise after the baseline is an INT; a steady count is not', async (t) => {
  const d = new ShellInterruptDetector();
  t.equal(d.observe(sleeping(2), calm), false, 'the first sample is the baseline');
  t.equal(d.observe(sleeping(2), calm), false);
  t.equal(d.observe(sleeping(3), calm), true);
});

t.test('no baseline while the shell runs or is stopped: it is about to add switches of its own', async (t) => {
  const d = new ShellInterruptDetector();
  t.equal(d.observe({ state: 'R', voluntarySwitches: 1, traced: false }, calm), false);
  t.equal(d.observe({ state: 'T', voluntarySwitches: 2, traced: false }, calm), false);
  t.equal(d.observe(sleeping(4), calm), false, 'baseline 4');
  t.equal(d.observe({ state: 'R', voluntarySwitches: 5, traced: false }, calm), false, 'awake: wait for it to sleep again');
  t.equal(d.observe(sleeping(5), calm), true);
});

t.test('the broker continued (SIGCONT): the SIGCHLD its stop and continue sent the shell is not an INT', async (t) => {
  const d = new ShellInterruptDetector();
  d.observe(sleeping(2), calm);
  t.equal(d.observe(sleeping(4), { ...calm, continued: true }), false);
  t.equal(d.observe(sleeping(4), calm), false, 'new baseline 4');
  t.equal(d.observe(sleeping(5), calm), true, 'a later rise still counts');
});

t.test('a suspend, a tracer and the terminal foreground each move the baseline', async (t) => {
  const d = new ShellInterruptDetector();
  d.observe(sleeping(2), calm);
  t.equal(d.observe(sleeping(3), { ...calm, suspendedMs: 5_000 }), false, 'suspended: the freezer woke the shell');
  t.equal(d.observe(sleeping(3), { ...calm, suspendedMs: 20 }), false, 'a 20 ms offset is /proc/uptime rounding; baseline 3');
  t.equal(d.observe({ ...sleeping(4), traced: true }, calm), false, 'a tracer attached');
  t.equal(d.observe(sleeping(4), calm), false);
  t.equal(d.observe(sleeping(9), { ...calm, foreground: true }), false, 'in the foreground Ctrl-C reaches the broker itself');
  t.equal(d.observe(sleeping(9), calm), false);
  t.equal(d.observe(sleeping(10), calm), true);
});

const hasDash = process.platform === 'linux' && spawnSync('dash', ['-c', 'true']).status === 0;

t.test('dash -c waiting for its child: caught INT and CHLD only, and one SIGINT is one more voluntary switch', { skip: !hasDash && 'needs Linux and dash' }, async (t) => {
  // `sleep; true` keeps dash from running sleep in its own place, as npm's `sh -c` runs the bin.
  const shell = spawn('dash', ['-c', 'sleep 30; true'], { stdio: 'ignore' });
  t.teardown(() => {
    spawnSync('pkill', ['-KILL', '-P', String(shell.pid)]);
    shell.kill('SIGKILL');
  });
  const pid = shell.pid!;
  // Until it sleeps in wait() the shell is still starting its child (bounded: 10 s of a busy machine).
  let before: ShellSample | null = null;
  for (let i = 0; i < 200; i++) {
    await sleep(50);
    before = readShellSample(pid);
    if (before?.state === 'S' && spawnSync('pgrep', ['-P', String(pid)]).status === 0) break;
  }
  t.equal(before?.state, 'S', 'waiting for sleep');
  t.ok(isInterruptHoldingShell(pid), 'run with -c, catches exactly SIGINT and SIGCHLD');
  t.notOk(isInterruptHoldingShell(process.pid), 'node, not a -c shell');
  await sleep(300);
  t.equal(readShellSample(pid)?.voluntarySwitches, before?.voluntarySwitches, 'no wake-ups while it waits');
  process.kill(pid, 'SIGWINCH');
  await sleep(300);
  t.equal(readShellSample(pid)?.voluntarySwitches, before?.voluntarySwitches, 'a signal it does not catch does not wake it');
  process.kill(pid, 'SIGINT');
  let after = readShellSample(pid);
  for (let i = 0; i < 200 && after?.voluntarySwitches === before?.voluntarySwitches; i++) {
    await sleep(50);
    after = readShellSample(pid);
  }
  t.ok(after !== null && before !== null && after.voluntarySwitches > before.voluntarySwitches, 'SIGINT woke it');
  t.equal(after?.state, 'S', 'and it went back to waiting: the INT is held, not acted on');
});
