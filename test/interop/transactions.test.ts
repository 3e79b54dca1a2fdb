/**
 * Transactions with real clients (issue 5, test/interop/SCENARIO.md "The transaction scenario"):
 * the transactional producers of the Java client, librdkafka (confluent-kafka), franz-go and kafkajs
 * commit a transaction, abort one and commit another; read_committed consumers of the same library
 * (kafkajs: readUncommitted false) must see exactly the committed records, read_uncommitted ones all
 * data records, and no consumer may hand a control record (a transaction marker) to the application.
 *
 * The broker is minikafka in-process, or INTEROP_BOOTSTRAP (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh). The programs are built by test/interop/setup.sh, which this test runs
 * first (a no-op when everything is built).
 *
 * Then, with the Java client: the Admin's transaction tools against an open transaction
 * (listTransactions with filters, describeTransactions, describeProducers, fenceProducers); a
 * consume-transform-produce loop (sendOffsetsToTransaction) killed mid-transaction 20 times (at
 * least three in four of the kills proven so by the broker) and restarted, whose output must hold every
 * input record exactly once, read by our decoder and by Kafka's Java read_committed consumer; and an idempotent producer
 * whose connections the broker cuts at random, before or after appending (in-process broker only),
 * which must leave no duplicate and no gap.
 *
 * Env: INTEROP_BOOTSTRAP=host:port, INTEROP_TXN_CLIENTS=java,franz-go, INTEROP_TXN_RECORDS=N (1000),
 *      INTEROP_TXN_KILLS=N (20).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Test as TapTest } from 'tap';
import type { InterceptedRequest } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceOne } from '../helpers/data-path.js';
import { exactlyOnce, readCommitted } from '../helpers/transactions.js';
import { javaReadCommitted, openTransactionsOf } from './kills.js';
import { SuiteBroker, javaProgram, runProgram, setupClients } from './harness.js';
import type { ProgramRun } from './harness.js';
import { CreateTopicsApi } from '../../src/protocol/messages/index.js';
import type { ProduceRequest } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import type { RequestContext } from '../../src/server/handlers/handler.js';

interface StepLine {
  readonly client: string;
  readonly step: string;
  readonly ok: boolean;
  readonly detail?: unknown;
}


/** The transaction programs, each run from the repository root with --bootstrap, --topic, --records. */
const CLIENTS: readonly { readonly name: string; readonly command: readonly string[] }[] = [
  { name: 'java', command: ['java', '-cp', 'test/interop/java/target/interop.jar', 'dev.minikafka.interop.TxnInterop'] },
  { name: 'confluent-kafka-python', command: ['test/interop/python/.venv/bin/python', 'test/interop/python/confluent_txn.py'] },
  { name: 'franz-go', command: ['test/interop/go/bin/franz-txn'] },
  { name: 'kafkajs', command: ['node', 'test/interop/node/kafkajs-txn.mjs'] },
];

const REQUIRED_STEPS = [
  'client_info',
  'create_topic',
  'txn_commit',
  'txn_abort',
  'txn_commit_after_abort',
  'consume_read_committed',
  'consume_read_uncommitted',
  'check_read_committed',
  'check_read_uncommitted',
  'check_no_control_records',
  'delete_topic',
] as const;

const CLIENT_TIMEOUT_MS = 180_000;

function run(command: readonly string[], bootstrap: string, topic: string, records: number): Promise<ProgramRun<StepLine>> {
  return runProgram<StepLine>(command, ['--bootstrap', bootstrap, '--topic', topic, '--records', String(records)], CLIENT_TIMEOUT_MS);
}

interface CtpEvent {
  readonly event: string;
  readonly transaction?: number;
}

const only = process.env['INTEROP_TXN_CLIENTS']?.split(',').filter(Boolean);
const selected = only ? CLIENTS.filter((c) => only.includes(c.name)) : CLIENTS;
const records = Number(process.env['INTEROP_TXN_RECORDS'] ?? 1000);

t.setTimeout(30 * 60_000);

const setupError = setupClients();
if (setupError !== null) {
  t.fail(setupError);
} else {
  const suite = new SuiteBroker(t);

  for (const spec of selected) {
    t.test(`${spec.name}: commit, abort, commit; read_committed and read_uncommitted`, async (t) => {
      const topic = `txn-${spec.name}-${randomBytes(4).toString('hex')}`;
      const res = await run(spec.command, suite.bootstrap, topic, records);
      t.comment(`${spec.name}: ${res.ms} ms, exit ${res.code}`);
      for (const line of res.lines) {
        if (line.client !== spec.name) t.fail(`line from client "${line.client}", expected "${spec.name}"`);
        t.ok(line.ok, line.step, { detail: line.detail });
      }
      const seen = new Set(res.lines.map((l) => l.step));
      for (const step of REQUIRED_STEPS) if (!seen.has(step)) t.fail(`step ${step} was not reported`);
      t.strictSame(res.junk, [], 'stdout has only JSON step lines');
      t.equal(res.code, 0, 'exit code 0', { stderr: res.code === 0 ? undefined : res.stderr.slice(-4000) });
    });
  }

  const JAVA = javaProgram;
  const javaWanted = !only || only.includes('java');

  t.test('java Admin: listTransactions, describeTransactions, describeProducers, fenceProducers', { skip: !javaWanted }, async (t) => {
    const res = await run(JAVA('TxnTools'), suite.bootstrap, `txn-tools-${randomBytes(4).toString('hex')}`, 0);
    for (const line of res.lines) t.ok(line.ok, line.step, { detail: line.detail });
    for (const step of ['list_transactions', 'describe_transactions', 'describe_transactions_unknown', 'describe_producers', 'fence_producers', 'fenced_producer_commit', 'fenced_transaction_invisible']) {
      if (!res.lines.some((l) => l.step === step)) t.fail(`step ${step} was not reported`);
    }
    t.equal(res.code, 0, 'exit code 0', { stderr: res.code === 0 ? undefined : res.stderr.slice(-4000) });
  });

  async function consumeTransformProduce(t: TapTest, kills: number, memberArgs: (id: string) => string[]): Promise<void> {
    const n = 3000;
    const id = randomBytes(4).toString('hex');
    const [input, output] = [`ctp-in-${id}`, `ctp-out-${id}`];
    const c = await WireClient.connect(suite.bootstrap);
    t.teardown(() => c.close());
    const created = await c.request(CreateTopicsApi, 5, {
      topics: [input, output].map((name) => ({ name, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 30000,
      validateOnly: false,
    });
    t.strictSame(created.topics.map((x) => x.errorCode), [0, 0], 'topics created');
    // Input record i goes to partition i % 3, in batches of 10.
    for (let p = 0; p < 3; p++) {
      const indexes = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === p);
      for (let from = 0; from < indexes.length; from += 10) {
        const records = indexes.slice(from, from + 10).map((i) => ({ key: Buffer.from(`k${p}`), value: Buffer.from(`in-${i}`), timestamp: Date.now() }));
        // Apache Kafka may answer NOT_LEADER_OR_FOLLOWER until the new topic's leaders are known.
        let code = -1;
        for (let attempt = 0; attempt < 50 && code !== 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
          code = (await produceOne(c, input, buildBatchSync(records), { partition: p })).errorCode;
        }
        if (code !== 0) t.fail(`input produce: ${code}`);
      }
    }
    const txnId = `ctp-${id}`;
    const command = [...JAVA('Ctp'), '--input', input, '--output', output, '--group', `ctp-${id}`, '--transactional-id', txnId, '--pause-ms', '40', '--max-poll-records', '10', ...memberArgs(id)];
    // Each run is killed where it says it is mid-transaction: 0-30 ms after its n-th
    // "in_transaction" event (n random in 1..8), i.e. after the transaction's records are written
    // and within its 40 ms pause before sendOffsetsToTransaction and commit. The kill counts as
    // proven when, with the program gone, the broker still holds a transaction of its
    // transactional id begun during the run (Ongoing): the restart must abort it.
    let proven = 0;
    const seen: string[] = [];
    for (let run = 0; run < kills; run++) {
      const nth = 1 + Math.floor(Math.random() * 8);
      const res = await runProgram<CtpEvent>(command, ['--bootstrap', suite.bootstrap], 120_000, {
        killOn: (l) => (l.event === 'in_transaction' && l.transaction === nth ? Math.floor(Math.random() * 30) : undefined),
      });
      if (!res.killed) {
        t.fail(`run ${run} ended (exit ${res.code}) before its transaction ${nth}`, { lines: res.lines, stderr: res.stderr.slice(-2000) });
        continue;
      }
      await openTransactionsOf(c, txnId, res.startedAt); // a round trip: whatever the dead program had sent is handled
      const open = await openTransactionsOf(c, txnId, res.startedAt);
      if (open.length > 0) proven++;
      seen.push(`${nth}:${open.length > 0 ? 'open' : 'closed'}`);
    }
    // On this 2-core machine under load the kill can land after the 40 ms pause, once the commit
    // went through: such a kill is still a valid crash-restart, only not a proven mid-transaction
    // one. 20 of 20 were proven in a run beside other CPU-heavy work; three in four must be.
    const minimum = Math.ceil((kills * 3) / 4);
    t.ok(proven >= minimum, `${proven} of ${kills} kills proven mid-transaction by the broker (at least ${minimum})`, { runs: seen.join(' ') });
    t.comment(`kill test ctp${memberArgs(id).length > 0 ? ' (static member)' : ''}: ${proven} proven mid-transaction kills of ${kills} (minimum ${minimum})`);
    const last = await runProgram<CtpEvent>(command, ['--bootstrap', suite.bootstrap], 120_000);
    t.ok(!last.killed && last.lines.some((l) => l.event === 'done'), 'the last run finishes', { stderr: last.stderr.slice(-2000) });
    const values: string[] = [];
    for (let p = 0; p < 3; p++) {
      const r = await readCommitted(c, output, p);
      if (r.openTransaction) t.fail(`output p${p}: a transaction is still open`);
      values.push(...r.records.map((x) => x.value));
    }
    const expected = Array.from({ length: n }, (_, i) => `out:in-${i}`);
    t.strictSame(exactlyOnce(values, expected), { missing: [], twice: [], strays: [] }, `our decoder: the output holds each of the ${n} input records exactly once (${values.length} read)`);
    const java = await javaReadCommitted(suite.bootstrap, output);
    t.equal(java.error, null, 'the Java read_committed consumer read the output');
    t.strictSame(java.partitions.map((p) => p.lastStable === p.highWatermark), [true, true, true], 'Java: no transaction left open (last stable offset = high watermark)');
    const javaValues = java.partitions.flatMap((p) => p.records.map(([, v]) => v ?? ''));
    t.strictSame(exactlyOnce(javaValues, expected), { missing: [], twice: [], strays: [] }, `Kafka's Java read_committed consumer: each of the ${n} input records exactly once (${javaValues.length} read)`);
    t.strictSame(javaValues, values, 'Kafka\'s Java consumer and our decoder read the same records, partition by partition in the same order');
  }

  t.test('java consume-transform-produce (sendOffsetsToTransaction, assigned partitions) killed mid-transaction 20 times and restarted: each record exactly once', { skip: !javaWanted }, (t) =>
    consumeTransformProduce(t, Number(process.env['INTEROP_TXN_KILLS'] ?? 20), () => []),
  );

  t.test('the same as a static member of a subscribed group (the generation and member id go with the offsets)', { skip: !javaWanted }, (t) =>
    consumeTransformProduce(t, Number(process.env['INTEROP_TXN_KILLS'] ?? 20) >> 2, (id) => ['--instance-id', `ctp-member-${id}`]),
  );

  t.test('java idempotent producer whose connections are cut before and after appends: no duplicate, no gap', { skip: !javaWanted || process.env['INTEROP_BOOTSTRAP'] !== undefined }, async (t) => {
    const broker = suite.kafka!.broker;
    const topic = `idem-cut-${randomBytes(4).toString('hex')}`;
    suite.kafka!.createTopic(topic, 3);
    const topicId = broker.cluster.topics.get(topic)!.id;
    const produce = broker.handlers.get(0)!;
    let cutBefore = 0;
    let cutAfter = 0;
    let produces = 0;
    // Every 7th produce of the topic loses its connection, alternately before and after the append.
    const remove = suite.kafka!.intercept(async (req: InterceptedRequest) => {
      const data = req.apiKey === 0 ? (req.body as ProduceRequest).topicData[0] : undefined;
      // Produce v13 names topics by id.
      if (data === undefined || (data.name !== topic && data.topicId !== topicId)) return undefined;
      if (++produces % 7 !== 3 || cutBefore + cutAfter >= 40) return undefined;
      if ((cutBefore + cutAfter) % 2 === 0) {
        cutBefore++;
        return { action: 'close' };
      }
      // The broker appends, then the connection drops before the answer: the retry is a duplicate.
      const ctx: RequestContext = broker.requestContext(
        { apiKey: 0, apiVersion: req.apiVersion, correlationId: 0, clientId: req.clientId },
        { id: -1, remoteAddress: '127.0.0.1', remotePort: 0, onClose: () => {}, closed: false },
      );
      await produce.handle(ctx, req.body);
      cutAfter++;
      return { action: 'close' };
    });
    t.teardown(remove);
    const res = await run(JAVA('IdempotentProduce'), suite.bootstrap, topic, 5000);
    remove();
    t.comment(`connections cut: ${cutBefore} before the append, ${cutAfter} after it`);
    t.ok(cutAfter > 0 && cutBefore > 0, 'both kinds of cuts happened');
    for (const line of res.lines) t.ok(line.ok, line.step, { detail: line.detail });
    t.equal(res.code, 0, 'exit code 0', { stderr: res.code === 0 ? undefined : res.stderr.slice(-4000) });
  });

  t.test('after the clients: no transaction is left open and every partition is stable', async (t) => {
    const kafka = suite.kafka;
    if (!kafka) {
      t.pass('INTEROP_BOOTSTRAP: the broker is not in this process');
      return;
    }
    const { transactionCoordinatorOf } = await import('../../src/server/broker.js');
    const coordinator = transactionCoordinatorOf(kafka.broker);
    const states = [...coordinator.transactions].map((m) => `${m.transactionalId}:${m.state}`);
    t.ok(states.length >= selected.length, 'every producer used a transactional id', { states });
    t.strictSame(states.filter((s) => !s.endsWith(':CompleteCommit') && !s.endsWith(':CompleteAbort') && !s.endsWith(':Empty')), [], 'none is open or completing');
    for (const topic of kafka.broker.cluster.topics.all()) {
      for (const p of topic.partitions) {
        if (p.log.lastStableOffset !== p.log.highWatermark) t.fail(`${topic.name}-${p.partition}: LSO ${p.log.lastStableOffset} below HW ${p.log.highWatermark}`);
      }
    }
  });
}
