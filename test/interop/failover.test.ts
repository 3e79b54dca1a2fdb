/**
 * Failover with a real client: `minikafka start --brokers 3`, topic with replication factor 3 and
 * min.insync.replicas 2. Kafka's Java idempotent acks=all producer and a Java group consumer
 * (test/interop/java Failover) run while the test, through the HTTP control API, stops and
 * restarts the leader broker of every partition ten times, and the broker of the group's
 * coordinator once a round. The clients must follow the leaders and the coordinator (new leader
 * epochs, NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, refused connections), and the program checks
 * that every acknowledged record was consumed exactly once, in order per partition.
 *
 * Builds the Java interop program first (test/interop/setup.sh java) when it is missing.
 * Cost: about 25 s of wall time (the producer sends for ~20 s at 2,000 records/s).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { root, setupClients } from './harness.js';
import { partitionForKey } from '../../src/server/coordinators/partition-for-key.js';

const cli = join(root, 'dist/cli.cjs');
const jar = join(root, 'test/interop/java/target/interop.jar');
const ROUNDS = Number(process.env.INTEROP_FAILOVER_ROUNDS ?? 10);
const RECORDS = Number(process.env.INTEROP_FAILOVER_RECORDS ?? 40_000);
const RATE = 2000;
const TOPIC = 'failover';
const GROUP = 'failover-group';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ready {
  bootstrapServers: string;
  controlUrl: string;
  brokers: { id: number; host: string; port: number; rack: string | null }[];
}
interface Step {
  step: string;
  ok: boolean;
  detail: Record<string, unknown>;
}

t.test(`Java idempotent producer and group consumer, leaders stopped and restarted ${ROUNDS} times: every acknowledged record once, in order`, async (t) => {
  const setupError = setupClients('java');
  if (setupError !== null) {
    t.fail(setupError);
    return;
  }
  const broker = spawn(
    process.execPath,
    [cli, 'start', '--brokers', '3', '--port', '0', '--control-port', '0', '--json', '--log-level', 'warn', '--topic', `${TOPIC}:3`,
      '--config', 'default.replication.factor=3', '--config', 'min.insync.replicas=2'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let brokerErr = '';
  broker.stderr.setEncoding('utf8').on('data', (s: string) => (brokerErr += s));
  t.teardown(() => {
    broker.kill('SIGTERM');
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    let out = '';
    broker.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line !== undefined) resolve(JSON.parse(line) as Ready);
    });
    broker.once('exit', (code) => reject(new Error(`broker exited (${code}): ${brokerErr}`)));
  });
  t.same(ready.brokers.map((b) => b.id), [1, 2, 3], 'the ready line lists every broker');
  t.equal(ready.bootstrapServers.split(',').length, 3);

  const ctl = async (method: string, path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(ready.controlUrl + path, { method });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const leaderOf = async (topic: string, p: number) => (await ctl('GET', `/partitions/${topic}/${p}`))['leader'] as number;
  const initial = await ctl('GET', `/partitions/${TOPIC}/0`);
  t.same([(initial['replicas'] as number[]).length, (initial['isr'] as number[]).length], [3, 3], 'replication factor 3, all in sync');

  const java = spawn('java', ['-cp', jar, 'dev.minikafka.interop.Failover', '--bootstrap', ready.bootstrapServers, '--topic', TOPIC, '--group', GROUP, '--records', String(RECORDS), '--rate', String(RATE)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const steps: Step[] = [];
  let javaErr = '';
  java.stderr.setEncoding('utf8').on('data', (s: string) => (javaErr = (javaErr + s).slice(-20000)));
  let pending = '';
  let onStep: (() => void) | null = null;
  java.stdout.setEncoding('utf8').on('data', (s: string) => {
    pending += s;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) if (p.trim().startsWith('{')) steps.push(JSON.parse(p) as Step);
    onStep?.();
  });
  // Bounded generously: the producer needs RECORDS / RATE s, the load on CI machines can double it.
  const exited = new Promise<number | null>((resolve) => java.once('close', resolve));
  const killer = setTimeout(() => java.kill('SIGKILL'), 240_000);
  t.teardown(() => {
    clearTimeout(killer);
    java.kill('SIGKILL');
  });
  await new Promise<void>((resolve) => {
    onStep = () => steps.some((s) => s.step === 'producing') && resolve();
    void exited.then(() => resolve());
  });
  t.ok(steps.some((s) => s.step === 'producing'), 'the producer and the consumer run');

  const offsetsPartition = partitionForKey(GROUP, 50);
  let stops = 0;
  let stopsWhileProducing = 0;
  let coordinatorStops = 0;
  const bounce = async (id: number) => {
    if (!steps.some((s) => s.step === 'produce')) stopsWhileProducing++;
    stops++;
    await ctl('POST', `/brokers/${id}/stop`);
    await sleep(150);
    await ctl('POST', `/brokers/${id}/start`);
    await sleep(100);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (let p = 0; p < 3; p++) await bounce(await leaderOf(TOPIC, p));
    // The group's coordinator is the leader of its __consumer_offsets partition (made on the first FindCoordinator).
    const coordinator = await leaderOf('__consumer_offsets', offsetsPartition).catch(() => -1);
    if (coordinator > 0) {
      coordinatorStops++;
      await bounce(coordinator);
    }
  }
  const code = await exited;
  const byStep = new Map(steps.map((s) => [s.step, s]));
  t.equal(code, 0, `the Java program succeeded\n${JSON.stringify(steps)}\n${javaErr.slice(-3000)}`);
  t.match(byStep.get('produce'), { ok: true, detail: { records: RECORDS, acked: RECORDS, errors: 0 } }, 'every record acknowledged');
  t.match(byStep.get('check_exactly_once_in_order'), { ok: true, detail: { missing: 0, acked: RECORDS } }, 'every acknowledged record consumed exactly once, in order per partition');
  t.equal(stops, ROUNDS * 3 + coordinatorStops);
  t.equal(coordinatorStops, ROUNDS, "the coordinator's broker was stopped every round");
  t.ok(stopsWhileProducing >= stops / 2, `${stopsWhileProducing} of ${stops} stops while the producer was sending`);
  t.comment(`failover: ${stops} broker stops (${stopsWhileProducing} while producing, ${coordinatorStops} of the coordinator), ${JSON.stringify(byStep.get('check_exactly_once_in_order')?.detail)}`);
});
