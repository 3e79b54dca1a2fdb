// `minikafka ctl` against a broker's control API: JSON on stdout, one sentence and exit 1 on errors.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MiniKafka } from '../../src/index.js';
import { repoRoot } from '../interop/harness.js';

const CLI = join(repoRoot(), 'dist/cli.cjs');

/** Runs `minikafka ctl --url URL ...` without blocking: the broker answering it lives in this process. */
function ctl(url: string, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'ctl', '--url', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('ctl adds, lists and removes faults, moves the clock, resets', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
  const url = kafka.controlUrl!;
  const added = await ctl(url, 'fault', 'add', 'api=Produce', 'action=error', 'error=NOT_LEADER_OR_FOLLOWER', 'count=3');
  t.equal(added.status, 0, added.stderr);
  t.match(JSON.parse(added.stdout), { id: 1, api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', remaining: 3 });
  const json = await ctl(url, 'fault', 'add', '{"api":"Fetch","action":"hang","durationMs":600000}');
  t.match(JSON.parse(json.stdout), { id: 2, action: 'hang' });
  t.strictSame(kafka.faults.list().map((r) => r.id), [1, 2], 'the broker has both');
  t.equal((await ctl(url, 'fault', 'rm', '1')).status, 0);
  t.strictSame(kafka.faults.list().map((r) => r.id), [2]);
  t.equal((await ctl(url, 'clock', 'freeze')).status, 0);
  const before = kafka.clock.state().now;
  t.match(JSON.parse((await ctl(url, 'clock', 'advance', '45s')).stdout), { frozen: true, now: before + 45_000 });
  t.match(JSON.parse((await ctl(url, 'reset')).stdout), { faults: 1, topicsRecreated: 1 });
  t.strictSame(kafka.faults.list(), []);
});

t.test('ctl stops and starts brokers and moves leaders of a several-broker cluster', async (t) => {
  await using kafka = await MiniKafka.start({ brokers: 3, controlPort: 0 });
  kafka.createTopic('orders', 1, {}, 3);
  const url = kafka.controlUrl!;
  t.strictSame(JSON.parse((await ctl(url, 'brokers')).stdout).map((b: { nodeId: number }) => b.nodeId), [1, 2, 3]);
  t.match(JSON.parse((await ctl(url, 'broker', 'stop', '1')).stdout), { nodeId: 1, running: false });
  t.match(JSON.parse((await ctl(url, 'partition', 'orders', '0')).stdout), { leader: 2, leaderEpoch: 1, isr: [2, 3], offlineReplicas: [1] });
  t.match(JSON.parse((await ctl(url, 'leader', 'orders', '0', '3')).stdout), { leader: 3, leaderEpoch: 2 });
  t.match(JSON.parse((await ctl(url, 'broker', 'start', '1')).stdout), { nodeId: 1, running: true });
  const usage = await ctl(url, 'broker', 'stop');
  t.equal(usage.status, 1);
  t.match(usage.stderr, /broker stop ID/);
});

t.test('ctl saves, lists, restores and deletes snapshots', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
  const url = kafka.controlUrl!;
  const log = kafka.broker.cluster.topics.get('orders')!.partitions[0]!.log;
  await kafka.produce('orders', [{ value: 'a' }]);
  t.match(JSON.parse((await ctl(url, 'snapshot', 'save', 'one')).stdout), { name: 'one', topics: 1, batches: 1 });
  await kafka.produce('orders', [{ value: 'b' }]);
  kafka.createTopic('extra');
  t.equal(log.logEndOffset, 2);
  t.strictSame(JSON.parse((await ctl(url, 'snapshot', 'list')).stdout).map((s: { name: string }) => s.name), ['one']);
  const restored = await ctl(url, 'snapshot', 'restore', 'one');
  t.equal(restored.status, 0, restored.stderr);
  t.match(JSON.parse(restored.stdout), { name: 'one', topicsDeleted: 2, topicsRestored: 1 });
  t.equal(kafka.broker.cluster.topics.get('orders')!.partitions[0]!.log.logEndOffset, 1, 'the record produced after the save is gone');
  t.equal(kafka.broker.cluster.topics.get('extra'), undefined, 'so is the topic made after it');
  t.equal((await ctl(url, 'snapshot', 'delete', 'one')).status, 0);
  const gone = await ctl(url, 'snapshot', 'restore', 'one');
  t.equal(gone.status, 1);
  t.match(gone.stderr, /NOT_FOUND: no snapshot 'one'/);
  const usage = await ctl(url, 'snapshot', 'save');
  t.equal(usage.status, 1);
  t.match(usage.stderr, /snapshot save takes a NAME/);
});

t.test('ctl errors: one sentence, exit 1', async (t) => {
  await using kafka = await MiniKafka.start({ controlPort: 0 });
  const url = kafka.controlUrl!;
  const gone = await ctl(url, 'fault', 'rm', '7');
  t.equal(gone.status, 1);
  t.match(gone.stderr, /NOT_FOUND: no fault 7/);
  const bad = await ctl(url, 'fault', 'add', 'action=error', 'error=NOPE');
  t.equal(bad.status, 1);
  t.match(bad.stderr, /BAD_REQUEST: unknown error 'NOPE'/);
  const usage = await ctl(url, 'frobnicate');
  t.equal(usage.status, 1);
  t.match(usage.stderr, /unknown command 'frobnicate'[\s\S]*usage: minikafka ctl/);
  const down = spawnSync(process.execPath, [CLI, 'ctl', '--url', 'http://127.0.0.1:1', 'status'], { encoding: 'utf8' });
  t.equal(down.status, 1);
  t.match(down.stderr, /cannot reach the control API at http:\/\/127\.0\.0\.1:1/);
});
