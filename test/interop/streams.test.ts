/**
 * Kafka Streams 4.4 with processing.guarantee=exactly_once_v2, unchanged, against minikafka
 * (test/interop/java/.../StreamsEos.java): a word count through a repartition topic into a RocksDB
 * store with its changelog, its internal topics created by Streams itself. The application is
 * killed (SIGKILL) in its work and restarted on the same state directory, each kill checked to have
 * left a transaction open on the broker; after the last run, a read_committed read of the output,
 * by our decoder and by Kafka's Java consumer, must give every word's counts as 1, 2, ..., n:
 * nothing counted twice, nothing lost, no transaction left open.
 *
 * The streams rebalance protocol (KIP-1071) with two instances, standbys and kills is the
 * scenario of streams-pipeline.test.ts.
 *
 * The broker is minikafka in-process, or INTEROP_BOOTSTRAP (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh). Env: INTEROP_STREAMS_KILLS=N (3), INTEROP_STREAMS_RECORDS=N (3000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test as TapTest } from 'tap';
import { MetadataApi } from '../../src/protocol/messages/index.js';
import { readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';
import { javaReadCommitted, openTransactionsOf } from './kills.js';
import { createTopics, produceRecords } from './streams-input.js';

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


/** Produces input records [from, to): record i to partition i % 3. */
function produceWords(t: TapTest, c: WireClient, input: string, from: number, to: number): Promise<void> {
  const records = Array.from({ length: to - from }, (_, k) => from + k).map((i) => ({ partition: i % PARTITIONS, key: `k${i}`, value: wordOf(i), timestamp: Date.now() }));
  return produceRecords(t, c, input, records);
}

function expectedCounts(records: number): Map<string, number> {
  const expected = new Map<string, number>();
  for (let i = 0; i < records; i++) expected.set(wordOf(i), (expected.get(wordOf(i)) ?? 0) + 1);
  return expected;
}

/** Every word's committed counts in the output, by our decoder and by Kafka's Java consumer: exactly 1..n. */
async function checkExactlyOnce(t: TapTest, c: WireClient, bootstrap: string, output: string, expected: ReadonlyMap<string, number>, records: number): Promise<void> {
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
    t.strictSame({ wrong, strays }, { wrong: {}, strays: [] }, `our decoder: each of ${expected.size} words counted 1..n exactly once over ${records} records`);

    // The same verdict from Kafka's own read_committed consumer.
    const java = await javaReadCommitted(bootstrap, output);
    t.equal(java.error, null, 'the Java read_committed consumer read the output');
    t.ok(java.partitions.length === PARTITIONS && java.partitions.every((p) => p.lastStable === p.highWatermark), 'Java: no transaction left open (last stable offset = high watermark)', { partitions: java.partitions.map(({ records: _, ...p }) => p) });
    const javaCounts = new Map<string, number[]>();
    for (const p of java.partitions) for (const [key, value] of p.records) javaCounts.set(key ?? '', [...(javaCounts.get(key ?? '') ?? []), Number(value)]);
    t.strictSame(javaCounts, counts, "Kafka's Java read_committed consumer reads the same counts, in the same order");

}

t.setTimeout(15 * 60_000);

const setupError = setupClients('java');
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

    await createTopics(t, c, [input, output], PARTITIONS);

    const produceInput = (from: number, to: number) => produceWords(t, c, input, from, to);
    const expected = expectedCounts(RECORDS);

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

    await checkExactlyOnce(t, c, bootstrap, output, expected, RECORDS);

    const md = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const names = new Set(md.topics.map((x) => x.name));
    t.ok(names.has(`${appId}-by-word-repartition`), 'Streams created its repartition topic');
    t.ok(names.has(`${appId}-word-counts-changelog`), 'Streams created its changelog topic');
  });
}
