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
 * consume-transform-produce loop (sendOffsetsToTransaction) killed at random points 20 times and
 * restarted, whose output must hold every input record exactly once; and an idempotent producer
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
import { readCommitted } from '../helpers/transactions.js';
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

/** Runs a program and kills it (SIGKILL) after `killAfterMs` unless it ended first. */
function runKilled(command: readonly string[], bootstrap: string, killAfterMs: number): Promise<ProgramRun<StepLine>> {
  return runProgram<StepLine>(command, ['--bootstrap', bootstrap], killAfterMs);
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
      t.same(res.junk, [], 'stdout has only JSON step lines');
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
    t.same(created.topics.map((x) => x.errorCode), [0, 0], 'topics created');
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
    const command = [...JAVA('Ctp'), '--input', input, '--output', output, '--group', `ctp-${id}`, '--transactional-id', `ctp-${id}`, '--pause-ms', '40', '--max-poll-records', '10', ...memberArgs(id)];
    // Kill until `kills` runs died before finishing: at random points from before the producer's
    // initTransactions to the middle of a transaction.
    let killedMidway = 0;
    for (let run = 0; killedMidway < kills && run < kills * 2; run++) {
      const res = await runKilled(command, suite.bootstrap, 700 + Math.floor(Math.random() * 1000));
      if (res.killed) killedMidway++;
      else if (!res.lines.some((l) => (l as unknown as { event?: string }).event === 'done')) t.fail(`run ${run} ended on its own without finishing`, { stderr: res.stderr.slice(-2000) });
    }
    t.equal(killedMidway, kills, `killed ${kills} times`);
    const last = await runKilled(command, suite.bootstrap, 120_000);
    t.notOk(last.killed, 'the last run finishes', { stderr: last.stderr.slice(-2000) });
    const values: string[] = [];
    for (let p = 0; p < 3; p++) {
      const r = await readCommitted(c, output, p);
      if (r.openTransaction) t.fail(`output p${p}: a transaction is still open`);
      values.push(...r.records.map((x) => x.value));
    }
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const missing = Array.from({ length: n }, (_, i) => `out:in-${i}`).filter((v) => !counts.has(v));
    const twice = [...counts].filter(([, k]) => k > 1).map(([v]) => v);
    const strays = [...counts.keys()].filter((v) => !/^out:in-\d+$/.test(v));
    t.same({ missing: missing.slice(0, 10), twice: twice.slice(0, 10), strays }, { missing: [], twice: [], strays: [] }, `the output holds each of the ${n} input records exactly once (${values.length} read)`);
  }

  t.test('java consume-transform-produce (sendOffsetsToTransaction, assigned partitions) killed at random points 20 times and restarted: each record exactly once', { skip: !javaWanted }, (t) =>
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
    t.same(states.filter((s) => !s.endsWith(':CompleteCommit') && !s.endsWith(':CompleteAbort') && !s.endsWith(':Empty')), [], 'none is open or completing');
    for (const topic of kafka.broker.cluster.topics.all()) {
      for (const p of topic.partitions) {
        if (p.log.lastStableOffset !== p.log.highWatermark) t.fail(`${topic.name}-${p.partition}: LSO ${p.log.lastStableOffset} below HW ${p.log.highWatermark}`);
      }
    }
  });
}
