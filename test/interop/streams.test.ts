/**
 * Kafka Streams 4.4 with processing.guarantee=exactly_once_v2, unchanged, against minikafka
 * (test/interop/java/.../StreamsEos.java): a word count through a repartition topic into a RocksDB
 * store with its changelog, its internal topics created by Streams itself. The application is
 * killed (SIGKILL) in its work and restarted on the same state directory, each kill checked to have
 * left a transaction open on the broker; after the last run, a read_committed read of the output,
 * by our decoder and by Kafka's Java consumer, must give every word's counts as 1, 2, ..., n:
 * nothing counted twice, nothing lost, no transaction left open.
 *
 * The broker is minikafka in-process, or INTEROP_BOOTSTRAP (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh). Env: INTEROP_STREAMS_KILLS=N (3), INTEROP_STREAMS_RECORDS=N (3000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CreateTopicsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { produceOne } from '../helpers/data-path.js';
import { readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';
import { javaReadCommitted, openTransactionsOf } from './kills.js';

const KILLS = Number(process.env['INTEROP_STREAMS_KILLS'] ?? 3);
const RECORDS = Number(process.env['INTEROP_STREAMS_RECORDS'] ?? 3000);
const PARTITIONS = 3;
/** Words of uneven frequency: word w takes every (w+1)-th turn of a round robin, roughly. */
const WORDS = Array.from({ length: 24 }, (_, w) => `word${w}`);

function wordOf(i: number): string {
  return WORDS[(i * 7 + (i % 5)) % WORDS.length]!;
}

interface Event {
  readonly event: string;
  readonly [k: string]: unknown;
}

t.setTimeout(15 * 60_000);

const setupError = setupClients();
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Kafka Streams exactly_once_v2 word count, killed mid-transaction and restarted: every count exactly once', async (t) => {
    const bootstrap = await brokerUnderTest(t);
    const id = randomBytes(4).toString('hex');
    const [input, output, appId] = [`streams-in-${id}`, `streams-out-${id}`, `streams-app-${id}`];
    const stateDir = mkdtempSync(join(tmpdir(), 'minikafka-streams-'));
    t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
    const c = await WireClient.connect(bootstrap);
    t.teardown(() => c.close());

    const created = await c.request(CreateTopicsApi, 5, {
      topics: [input, output].map((name) => ({ name, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 30000,
      validateOnly: false,
    });
    t.strictSame(created.topics.map((x) => x.errorCode), [0, 0], 'input and output topics created');

    /** Produces input records [from, to): record i to partition i % 3, in batches of up to 50. */
    const produceInput = async (from: number, to: number) => {
      for (let p = 0; p < PARTITIONS; p++) {
        const indexes: number[] = [];
        for (let i = from; i < to; i++) if (i % PARTITIONS === p) indexes.push(i);
        for (let at = 0; at < indexes.length; at += 50) {
          const records = indexes.slice(at, at + 50).map((i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(wordOf(i)), timestamp: Date.now() }));
          // Apache Kafka may answer NOT_LEADER_OR_FOLLOWER until the new topic's leaders are known.
          let code = -1;
          for (let attempt = 0; attempt < 50 && code !== 0; attempt++) {
            if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
            code = (await produceOne(c, input, buildBatchSync(records), { partition: p })).errorCode;
          }
          if (code !== 0) t.fail(`input produce to partition ${p}: error ${code}`);
        }
      }
    };
    const expected = new Map<string, number>();
    for (let i = 0; i < RECORDS; i++) expected.set(wordOf(i), (expected.get(wordOf(i)) ?? 0) + 1);

    const command = javaProgram('StreamsEos');
    const args = ['--bootstrap', bootstrap, '--input', input, '--output', output, '--application-id', appId, '--state-dir', stateDir, '--records', String(RECORDS), '--pause-ms', '10'];
    // The input arrives in KILLS + 1 chunks, one per run. A run cannot finish before the last chunk
    // is in, so each earlier run is killed, 0 to 1.5 s after it printed its first "processing"
    // event: Streams has joined its group, restored its store and is working through its chunk
    // (~750 records at 10 ms each over two threads, ~4 s), committing every 100 ms. The kill is
    // proven mid-transaction when, with the program gone, the broker still holds an Ongoing
    // transaction of the application's transactional ids (`<application.id>-<process id>-<thread>`)
    // begun during the run.
    const chunk = Math.ceil(RECORDS / (KILLS + 1));
    let proven = 0;
    for (let run = 0; run < KILLS; run++) {
      await produceInput(run * chunk, (run + 1) * chunk);
      const res = await runProgram<Event>(command, args, 180_000, { killOn: (l) => (l.event === 'processing' ? Math.floor(Math.random() * 1500) : undefined) });
      const events = res.linesBeforeKill.map((l) => l.event);
      await openTransactionsOf(c, `${appId}-`, res.startedAt); // a round trip: whatever the dead program had sent is handled
      const open = await openTransactionsOf(c, `${appId}-`, res.startedAt);
      if (res.killed && open.length > 0) proven++;
      t.ok(res.killed && events.includes('processing') && !events.includes('done'), `run ${run} was killed in its work after ${res.ms} ms (${open.length} transactions left open; ${events.filter((e) => e === 'processing').length} processing events)`, {
        code: res.code,
        open,
        stderr: res.killed ? undefined : res.stderr.slice(-3000),
      });
    }
    // Streams' transactions span 100 ms commit intervals while records are processed, so nearly
    // every kill in the middle of a chunk finds one open; all but one must.
    const minimum = Math.max(1, KILLS - 1);
    t.ok(proven >= minimum, `${proven} of ${KILLS} kills proven mid-transaction by the broker (at least ${minimum})`);
    t.comment(`kill test streams: ${proven} proven mid-transaction kills of ${KILLS} (minimum ${minimum})`);
    await produceInput(KILLS * chunk, RECORDS);
    const last = await runProgram<Event>(command, args, 180_000);
    const done = last.lines.find((l) => l.event === 'done');
    t.ok(done !== undefined && !last.killed && last.code === 0, `the last run finishes (${last.ms} ms)`, { lines: last.lines, stderr: last.stderr.slice(-3000) });
    t.strictSame(last.junk.filter((l) => l.startsWith('{')), [], 'no malformed event lines');

    // Every word's committed counts, in output order: exactly 1..n.
    const counts = new Map<string, number[]>();
    let open = false;
    for (let p = 0; p < PARTITIONS; p++) {
      const r = await readCommitted(c, output, p);
      open ||= r.openTransaction;
      for (const rec of r.records) {
        const list = counts.get(rec.key ?? '') ?? [];
        list.push(Number(rec.value));
        counts.set(rec.key ?? '', list);
      }
    }
    t.notOk(open, 'no transaction is left open on the output');
    const wrong: Record<string, { expected: number; got: string }> = {};
    for (const [word, n] of expected) {
      const got = counts.get(word) ?? [];
      const ok = got.length === n && got.every((v, i) => v === i + 1);
      if (!ok) wrong[word] = { expected: n, got: got.length > 12 ? `${got.slice(0, 6).join(',')} ... ${got.slice(-6).join(',')} (${got.length})` : got.join(',') };
    }
    const strays = [...counts.keys()].filter((k) => !expected.has(k));
    t.strictSame({ wrong, strays }, { wrong: {}, strays: [] }, `our decoder: each of ${expected.size} words counted 1..n exactly once over ${RECORDS} records`);

    // The same verdict from Kafka's own read_committed consumer.
    const java = await javaReadCommitted(bootstrap, output);
    t.equal(java.error, null, 'the Java read_committed consumer read the output');
    t.ok(java.partitions.length === PARTITIONS && java.partitions.every((p) => p.lastStable === p.highWatermark), 'Java: no transaction left open (last stable offset = high watermark)', { partitions: java.partitions.map(({ records: _, ...p }) => p) });
    const javaCounts = new Map<string, number[]>();
    for (const p of java.partitions) for (const [key, value] of p.records) javaCounts.set(key ?? '', [...(javaCounts.get(key ?? '') ?? []), Number(value)]);
    t.strictSame(javaCounts, counts, "Kafka's Java read_committed consumer reads the same counts, in the same order");

    const md = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const names = new Set(md.topics.map((x) => x.name));
    t.ok(names.has(`${appId}-by-word-repartition`), 'Streams created its repartition topic');
    t.ok(names.has(`${appId}-word-counts-changelog`), 'Streams created its changelog topic');
  });
}
