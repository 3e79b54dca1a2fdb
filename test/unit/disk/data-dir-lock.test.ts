// The data-directory lock tells a dead owner from a live one. A process killed with SIGKILL may
// stay a zombie until its parent reaps it (kill(pid, 0) still succeeds), and its pid may be
// reused; the lock's recorded start time and the process state settle both.
import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Broker } from '../../../src/server/broker.js';
import { defaultBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { DataDir } from '../../../src/server/persistence/data-dir.js';
import { MemoryFileSystem } from '../../../src/log/disk/memory-file-system.js';
import { createLogger } from '../../../src/util/logger.js';
import { processIsAlive, processStartTime } from '../../../src/util/process-identity.js';
import { until } from '../../helpers/until.js';

const linux = process.platform === 'linux';
const silent = createLogger('error', () => {});
const bootId = (): string => (linux ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : '');

/**
 * A zombie: sh starts `sleep` in the background, prints its pid, then execs into another sleep,
 * which never waits for children. The background sleep, once SIGKILLed, stays a zombie.
 */
async function zombie(t: Test): Promise<{ pid: number; parent: number }> {
  const sh = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => sh.kill('SIGKILL'));
  const [line] = (await once(sh.stdout!, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  const startTime = processStartTime(pid);
  // Killed while sh has not exec'd yet, the sleep is reaped by sh (CI saw /proc/PID vanish): wait
  // until the parent is the exec'd sleep, which never waits for children.
  await until('sh to exec into sleep', () => readFileSync(`/proc/${sh.pid}/comm`, 'latin1').trim() === 'sleep');
  process.kill(pid, 'SIGKILL');
  // Wait for the kill to land: the state turns to Z (an event we can observe only by polling /proc).
  // Gave up silently after 2 s before; a loaded machine can take longer, and the tests below are only
  // meaningful on a zombie, so this waits longer and fails if it never becomes one.
  await until('the killed sleep to be a zombie', () => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]![0] === 'Z');
  t.not(startTime, '', 'the start time was readable while it ran');
  return { pid, parent: sh.pid! };
}

t.test('this process is alive, under its own start time only', async (t) => {
  t.equal(processIsAlive(process.pid, processStartTime()), true);
  if (linux) t.equal(processIsAlive(process.pid, '1'), false, 'another start time: another process that reused the pid');
});

t.test('an exited process is dead', async (t) => {
  const child = spawn('true');
  await once(child, 'exit');
  t.equal(processIsAlive(child.pid!), false);
});

t.test('a SIGKILLed process that is still a zombie is dead', { skip: linux ? false : 'needs /proc' }, async (t) => {
  const { pid } = await zombie(t);
  let killZero = true;
  try {
    process.kill(pid, 0);
  } catch {
    killZero = false;
  }
  t.equal(killZero, true, 'kill(pid, 0) alone would say alive');
  t.equal(processIsAlive(pid), false);
});

t.test('DataDir takes over the lock of a zombie, refuses that of a live broker', { skip: linux ? false : 'needs /proc' }, async (t) => {
  const { pid, parent } = await zombie(t);
  const fs = new MemoryFileSystem();
  fs.mkdir('/data');
  fs.setFile('/data/.lock', Buffer.from(`${pid}\n${bootId()}\n${processStartTime(pid)}\n`));
  const broker = new Broker({ config: defaultBrokerConfig(), logger: silent });
  const dir = DataDir.open(broker, { path: '/data', fs });
  t.ok(dir, 'opened: the zombie holds nothing');
  await broker.close();
  await dir.close();

  fs.setFile('/data/.lock', Buffer.from(`${parent}\n${bootId()}\n${processStartTime(parent)}\n`));
  const other = new Broker({ config: defaultBrokerConfig(), logger: silent });
  t.throws(() => DataDir.open(other, { path: '/data', fs }), { code: 'ERR_DATA_DIR_IN_USE' }, 'a live owner keeps it');
  fs.setFile('/data/.lock', Buffer.from(`${parent}\n${bootId()}\n1\n`));
  const again = DataDir.open(other, { path: '/data', fs });
  t.ok(again, 'the same pid with another start time is another process: the lock is stale');
  await other.close();
  await again.close();
});
