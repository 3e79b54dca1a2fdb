/**
 * Kafka Connect 4.4, unchanged: a distributed worker with exactly.once.source.support=enabled
 * (test/interop/java/.../ConnectEos.java) runs a source connector with exactly.once.support=required
 * that writes v0 .. v{n-1}. The worker keeps configs, offsets and status in its own topics, which it
 * creates; the leader writes the config topic transactionally and fences the task's producer
 * before starting it. The worker is killed (SIGKILL) at random points while the task writes and
 * restarted; after the last run a read_committed read of the topic must hold each value exactly once.
 *
 * The broker is minikafka in-process, or INTEROP_BOOTSTRAP (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh). Env: INTEROP_CONNECT_KILLS=N (2), INTEROP_CONNECT_RECORDS=N (3000).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CreateTopicsApi } from '../../src/protocol/messages/index.js';
import { readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';

const KILLS = Number(process.env['INTEROP_CONNECT_KILLS'] ?? 2);
const RECORDS = Number(process.env['INTEROP_CONNECT_RECORDS'] ?? 3000);
const PARTITIONS = 3;

interface Event {
  readonly event: string;
  readonly [k: string]: unknown;
}

t.setTimeout(15 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Kafka Connect exactly-once source, worker killed at random points and restarted: every record exactly once', async (t) => {
    const bootstrap = await brokerUnderTest(t);
    const id = randomBytes(4).toString('hex');
    const [topic, group] = [`connect-out-${id}`, `connect-${id}`];
    const c = await WireClient.connect(bootstrap);
    t.teardown(() => c.close());
    const created = await c.request(CreateTopicsApi, 5, {
      topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 30000,
      validateOnly: false,
    });
    t.strictSame(created.topics.map((x) => x.errorCode), [0], 'output topic created');

    const command = javaProgram('ConnectEos');
    // 10 records per poll, 50 ms apart: ~15 s of writing in all, so kills 6 to 10 s into a run
    // (after the worker has joined and started its task) land while transactions are open.
    const args = ['--bootstrap', bootstrap, '--group', group, '--topic', topic, '--records', String(RECORDS), '--batch', '10', '--pause-ms', '50'];
    for (let run = 0; run < KILLS; run++) {
      const res = await runProgram<Event>(command, args, 6000 + Math.floor(Math.random() * 4000));
      const events = res.lines.map((l) => l.event);
      t.ok(res.killed && !events.includes('done'), `run ${run} was killed in its work after ${res.ms} ms (${events.join(', ') || 'no events'})`, {
        code: res.code,
        lines: res.lines,
        stderr: res.killed ? undefined : res.stderr.slice(-3000),
      });
    }
    const last = await runProgram<Event>(command, args, 180_000);
    const done = last.lines.find((l) => l.event === 'done');
    t.ok(done !== undefined && !last.killed && last.code === 0, `the last run finishes (${last.ms} ms)`, { lines: last.lines, stderr: last.stderr.slice(-3000) });

    const counts = new Map<string, number>();
    let open = false;
    for (let p = 0; p < PARTITIONS; p++) {
      const r = await readCommitted(c, topic, p);
      open ||= r.openTransaction;
      for (const rec of r.records) counts.set(rec.value, (counts.get(rec.value) ?? 0) + 1);
    }
    t.notOk(open, 'no transaction is left open on the topic');
    const missing = Array.from({ length: RECORDS }, (_, i) => `v${i}`).filter((v) => !counts.has(v));
    const twice = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
    const strays = [...counts.keys()].filter((v) => !/^v\d+$/.test(v) || Number(v.slice(1)) >= RECORDS);
    t.strictSame({ missing: missing.slice(0, 10), twice: twice.slice(0, 10), strays: strays.slice(0, 10) }, { missing: [], twice: [], strays: [] }, `each of ${RECORDS} records exactly once`);
  });
}
