// A real client under seeded chaos (issue 13): confluent-kafka (librdkafka) turns chaos on through
// the HTTP control API, produces idempotently and reads back in a group while a share of its
// requests get retriable errors or lose their connection (python/chaos_client.py). What a correct
// client must show under faults that a correct client survives: every record delivered once,
// stored once (retries after a disconnect that came after the write are deduplicated by the
// idempotent producer state), read once and in order, and the group's offsets committed. That the
// same seed gives the same faults for the same requests is shown on the wire, where the request
// sequence is fixed (e2e/control-faults.test.ts); a real client's timing varies its requests.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { runProgram, setupClients } from './harness.js';

const PY = 'test/interop/python/.venv/bin/python';
const RECORDS = 3000;
const PARTITIONS = 3;

type Row = [partition: number, offset: number, value: string];
interface Report {
  error?: string;
  produceMs: number;
  undelivered: number;
  failed: string[];
  delivered: Row[];
  read: Row[];
  committed: Record<string, number>;
  commitRetries: number;
  chaos: { requests: number; injected: number; faults: string[] };
}

t.test(`confluent-kafka under chaos (rate 0.2, seed 42): ${RECORDS} records delivered, stored and read exactly once, in order, offsets committed`, async (t) => {
  const setup = setupClients('python');
  if (setup !== null) throw new Error(setup);
  await using kafka = await MiniKafka.start({ topics: [`chaos:${PARTITIONS}`], controlPort: 0, config: { 'group.initial.rebalance.delay.ms': 0 } });
  const run = await runProgram<Report>(
    [PY, 'test/interop/python/chaos_client.py'],
    ['--bootstrap', kafka.bootstrapServers, '--control-url', kafka.controlUrl!, '--topic', 'chaos', '--records', String(RECORDS), '--rate', '0.2', '--seed', '42'],
    600_000, // produce and consume are each bounded at 180 s inside; a loaded machine is slow to start the group
  );
  t.equal(run.code, 0, run.stderr.slice(-2000));
  const r = run.lines[0]!;
  t.equal(r.error, undefined);
  t.equal(r.chaos.injected >= 30, true, `chaos injected ${r.chaos.injected} faults into ${r.chaos.requests} requests`);
  t.ok(r.chaos.faults.some((f) => f.endsWith(' disconnect')) && r.chaos.faults.some((f) => !f.endsWith(' disconnect')), `both disconnects and error answers: ${r.chaos.faults.join(', ')}`);
  // Which APIs are hit depends on the client's request order, which its timing varies; its many
  // small produce requests always draw some.
  t.ok(r.chaos.faults.some((f) => f.startsWith('Produce ')), 'Produce requests among them');

  t.strictSame([r.undelivered, r.failed], [0, []], 'no record left undelivered or failed');
  const values = (rows: Row[]) => rows.map((x) => x[2]).sort();
  const expected = Array.from({ length: RECORDS }, (_, i) => `r${i}`).sort();
  t.strictSame(values(r.delivered), expected, 'each record acknowledged exactly once');
  const stored = Array.from({ length: PARTITIONS }, (_, p) => Number(kafka.broker.cluster.topics.partition('chaos', p)!.log.logEndOffset));
  t.equal(stored.reduce((a, b) => a + b, 0), RECORDS, `the log holds exactly ${RECORDS} records (${stored.join(' + ')}): retried writes were not stored twice`);

  t.strictSame(values(r.read), expected, 'each record read exactly once');
  for (let p = 0; p < PARTITIONS; p++) {
    const readHere = r.read.filter((x) => x[0] === p).map((x) => `${x[1]}:${x[2]}`);
    const deliveredHere = r.delivered.filter((x) => x[0] === p).sort((a, b) => a[1] - b[1]).map((x) => `${x[1]}:${x[2]}`);
    t.strictSame(readHere, deliveredHere, `partition ${p}: read in offset order, at the offsets the producer was given`);
  }
  t.strictSame(r.committed, Object.fromEntries(stored.map((end, p) => [String(p), end])), 'the group committed each partition at its end');
});
