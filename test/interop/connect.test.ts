/**
 * Kafka Connect 4.4, unchanged: a distributed worker with exactly.once.source.support=enabled
 * (test/interop/java/.../ConnectEos.java) runs a source connector with exactly.once.support=required
 * that writes v0 .. v{n-1}, in transactions of one second. The worker keeps configs, offsets and
 * status in its own topics, which it creates; the leader writes the config topic transactionally and fences the task's producer
 * before starting it. The worker is killed (SIGKILL) while the task writes, each kill checked to
 * have left a transaction open on the broker, and restarted; after the last run a read_committed
 * read of the topic, by our decoder and by Kafka's Java consumer, must hold each value exactly once.
 *
 * The broker is minikafka in-process, or INTEROP_BOOTSTRAP (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh). Env: INTEROP_CONNECT_KILLS=N (2), INTEROP_CONNECT_RECORDS=N (3000).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CreateTopicsApi } from '../../src/protocol/messages/index.js';
import { exactlyOnce, readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';
import { javaReadCommitted, openTransactionsOf } from './kills.js';

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
  t.test('Kafka Connect exactly-once source, worker killed mid-transaction and restarted: every record exactly once', async (t) => {
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
    // 10 records per poll, 50 ms apart (~15 s of writing in all), in transactions of one second.
    // Each run is killed 0 to 0.5 s after its n-th "polled" event (n random in 5..40): the task is
    // writing and a transaction is open. The kill is proven mid-transaction when, with the worker
    // gone, the broker still holds an Ongoing transaction of the task's transactional id
    // (`<group>-counter-0`) begun during the run.
    const args = ['--bootstrap', bootstrap, '--group', group, '--topic', topic, '--records', String(RECORDS), '--batch', '10', '--pause-ms', '50'];
    let proven = 0;
    for (let run = 0; run < KILLS; run++) {
      const nth = 5 + Math.floor(Math.random() * 36);
      let polls = 0;
      const res = await runProgram<Event>(command, args, 180_000, { killOn: (l) => (l.event === 'polled' && ++polls === nth ? Math.floor(Math.random() * 500) : undefined) });
      const events = res.linesBeforeKill.map((l) => l.event);
      await openTransactionsOf(c, `${group}-counter-`, res.startedAt); // a round trip: whatever the dead worker had sent is handled
      const open = await openTransactionsOf(c, `${group}-counter-`, res.startedAt);
      if (res.killed && open.length > 0) proven++;
      t.ok(res.killed && !events.includes('done'), `run ${run} was killed in its work after ${res.ms} ms, after poll ${nth} (${open.length} transactions left open)`, {
        code: res.code,
        open,
        stderr: res.killed ? undefined : res.stderr.slice(-3000),
      });
    }
    // A transaction is open from a batch's first send to the end of its one-second interval; only a
    // kill in the few ms of a commit finds none: all but one kill must be proven.
    const minimum = Math.max(1, KILLS - 1);
    t.ok(proven >= minimum, `${proven} of ${KILLS} kills proven mid-transaction by the broker (at least ${minimum})`);
    t.comment(`kill test connect: ${proven} proven mid-transaction kills of ${KILLS} (minimum ${minimum})`);
    const last = await runProgram<Event>(command, args, 180_000);
    const done = last.lines.find((l) => l.event === 'done');
    t.ok(done !== undefined && !last.killed && last.code === 0, `the last run finishes (${last.ms} ms)`, { lines: last.lines, stderr: last.stderr.slice(-3000) });

    const counts = new Map<string, number>();
    const ours: string[] = [];
    let open = false;
    for (let p = 0; p < PARTITIONS; p++) {
      const r = await readCommitted(c, topic, p);
      open ||= r.openTransaction;
      for (const rec of r.records) counts.set(rec.value, (counts.get(rec.value) ?? 0) + 1);
      ours.push(...r.records.map((x) => x.value));
    }
    t.notOk(open, 'no transaction is left open on the topic');
    const missing = Array.from({ length: RECORDS }, (_, i) => `v${i}`).filter((v) => !counts.has(v));
    const twice = [...counts].filter(([, n]) => n > 1).map(([v]) => v);
    const strays = [...counts.keys()].filter((v) => !/^v\d+$/.test(v) || Number(v.slice(1)) >= RECORDS);
    t.strictSame({ missing: missing.slice(0, 10), twice: twice.slice(0, 10), strays: strays.slice(0, 10) }, { missing: [], twice: [], strays: [] }, `our decoder: each of ${RECORDS} records exactly once`);

    const java = await javaReadCommitted(bootstrap, topic);
    t.equal(java.error, null, 'the Java read_committed consumer read the topic');
    t.ok(java.partitions.length === PARTITIONS && java.partitions.every((p) => p.lastStable === p.highWatermark), 'Java: no transaction left open (last stable offset = high watermark)', { partitions: java.partitions.map(({ records: _, ...p }) => p) });
    const javaValues = java.partitions.flatMap((p) => p.records.map(([, v]) => v ?? ''));
    t.strictSame(exactlyOnce(javaValues, Array.from({ length: RECORDS }, (_, i) => `v${i}`)), { missing: [], twice: [], strays: [] }, `Kafka's Java read_committed consumer: each of ${RECORDS} records exactly once (${javaValues.length} read)`);
    t.strictSame(javaValues, ours, "Kafka's Java consumer and our decoder read the same records, partition by partition in the same order");
  });
}
