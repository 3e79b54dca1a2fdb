/**
 * MirrorMaker 2, unchanged, in dedicated mode between two minikafka clusters (two brokers in this
 * process; test/interop/java-mirror/.../MirrorRun.java). Its three connectors run on Connect
 * herders that keep their state in topics of the target; the source connector copies a topic to
 * "source.<topic>", the checkpoint connector translates a group's committed offsets through the
 * offset syncs and writes them to the target's group. The test then reads both topics: the mirror
 * must hold the same records, partition by partition in the same order, and the group must have,
 * on the target, offsets translated from those committed on the source.
 *
 * The second test runs MirrorMaker 2 in dedicated mode with exactly-once source support
 * (java-mirror/.../MirrorEos.java) while records keep arriving on the source, kills it (SIGKILL)
 * mid-transaction INTEROP_MIRROR_KILLS times, each kill proven on the target broker, and restarts
 * it; the mirror must then hold every source record exactly once, partition by partition in order,
 * read by our decoder and by Kafka's Java read_committed consumer.
 *
 * MirrorMaker 4.3.1: the newest this machine's Maven registry serves (java-mirror/pom.xml).
 * Env: INTEROP_MIRROR_RECORDS=N (3000), INTEROP_MIRROR_KILLS=N (3).
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { CreateTopicsApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { produceOne } from '../helpers/data-path.js';
import { readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { runProgram, setupClients } from './harness.js';
import { javaReadCommitted, openTransactionsOf } from './kills.js';

const RECORDS = Number(process.env['INTEROP_MIRROR_RECORDS'] ?? 3000);
const KILLS = Number(process.env['INTEROP_MIRROR_KILLS'] ?? 3);
const PARTITIONS = 3;
const MIRROR_EOS = ['java', '-cp', 'test/interop/java-mirror/target/mirror.jar', 'dev.minikafka.mirror.MirrorEos'];

interface Event {
  readonly event: string;
  readonly committed?: Record<string, number>;
  readonly translated?: Record<string, number>;
  readonly hw?: number;
  readonly lso?: number;
  readonly [k: string]: unknown;
}

/** Every record of `topic` in `partition` as "key=value", in offset order (read_committed). */
async function recordsOf(c: WireClient, topic: string, partition: number): Promise<string[]> {
  return (await readCommitted(c, topic, partition)).records.map((r) => `${r.key}=${r.value}`);
}

async function createTopic(t: { strictSame(a: unknown, b: unknown, m: string): void }, c: WireClient, topic: string): Promise<void> {
  const created = await c.request(CreateTopicsApi, 5, {
    topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30000,
    validateOnly: false,
  });
  t.strictSame(created.topics.map((x) => x.errorCode), [0], 'source topic created');
}

/** Records k{from}..k{from+n-1} = m-{from}..: all to one partition, in one batch. */
async function produceRecords(c: WireClient, topic: string, from: number, n: number, partition: number): Promise<number> {
  const records = Array.from({ length: n }, (_, k) => ({ key: Buffer.from(`k${from + k}`), value: Buffer.from(`m-${from + k}`), timestamp: Date.now() }));
  return (await produceOne(c, topic, buildBatchSync(records), { partition })).errorCode;
}

t.setTimeout(15 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('MirrorMaker 2 mirrors a topic and translates a group\'s offsets between two minikafka clusters', async (t) => {
    const source = await MiniKafka.start({});
    t.teardown(() => source.stop());
    const target = await MiniKafka.start({});
    t.teardown(() => target.stop());
    const id = randomBytes(4).toString('hex');
    const [topic, group] = [`mirror-${id}`, `mirror-group-${id}`];

    const src = await WireClient.connect(source.bootstrapServers);
    t.teardown(() => src.close());
    await createTopic(t, src, topic);
    for (let from = 0; from < RECORDS; from += 50) {
      const code = await produceRecords(src, topic, from, Math.min(50, RECORDS - from), (from / 50) % PARTITIONS);
      if (code !== 0) t.fail(`source produce: error ${code}`);
    }

    const res = await runProgram<Event>(
      ['java', '-cp', 'test/interop/java-mirror/target/mirror.jar', 'dev.minikafka.mirror.MirrorRun'],
      ['--source', source.bootstrapServers, '--target', target.bootstrapServers, '--topic', topic, '--group', group],
      180_000,
    );
    const done = res.lines.find((l) => l.event === 'done');
    t.ok(done !== undefined && res.code === 0, `MirrorMaker mirrored the topic and synced the group (${res.ms} ms)`, { lines: res.lines, stderr: res.stderr.slice(-3000) });
    if (done === undefined) return;

    const dst = await WireClient.connect(target.bootstrapServers);
    t.teardown(() => dst.close());
    for (let p = 0; p < PARTITIONS; p++) {
      const want = await recordsOf(src, topic, p);
      const got = await recordsOf(dst, `source.${topic}`, p);
      t.strictSame(got, want, `partition ${p}: the mirror holds the source's ${want.length} records in order`);
    }

    const fetched = await dst.request(OffsetFetchApi, 8, {
      groupId: '',
      topics: null,
      groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
      requireStable: false,
    });
    const onTarget = Object.fromEntries(
      (fetched.groups[0]?.topics ?? []).filter((x) => x.name === `source.${topic}`).flatMap((x) => x.partitions.map((p) => [String(p.partitionIndex), Number(p.committedOffset)])),
    );
    t.strictSame(onTarget, done.translated, 'the group\'s offsets on the target are the ones MirrorMaker translated');
    // MirrorMaker translates through the nearest offset sync at or below the committed offset (its
    // OffsetSyncStore keeps a sparse set), so a translated offset may lag, but never passes it.
    for (let p = 0; p < PARTITIONS; p++) {
      const [committed, translated] = [done.committed?.[p], done.translated?.[p]];
      t.ok(committed !== undefined && translated !== undefined && translated > 0 && translated <= committed, `partition ${p}: translated ${translated} is in 1..${committed}`);
    }
  });

  t.test('MirrorMaker 2 with exactly-once source support, killed mid-transaction and restarted: every record mirrored exactly once', async (t) => {
    const source = await MiniKafka.start({});
    t.teardown(() => source.stop());
    const target = await MiniKafka.start({});
    t.teardown(() => target.stop());
    const topic = `mirror-eos-${randomBytes(4).toString('hex')}`;
    const src = await WireClient.connect(source.bootstrapServers);
    t.teardown(() => src.close());
    const dst = await WireClient.connect(target.bootstrapServers);
    t.teardown(() => dst.close());
    await createTopic(t, src, topic);

    // Records keep arriving on the source while MirrorMaker runs and is killed, 10 every 200 ms
    // (a pace, not a synchronisation), so that its task always has work; slow enough that the
    // last run copies the backlog well within its bound on a loaded 2-core machine (there,
    // MirrorMaker takes 30-70 s to start and copies ~600 records/s). Record i goes to partition
    // floor(i / 10) % 3.
    let produced = 0;
    let producing = true;
    let produceError: string | null = null;
    const producer = (async () => {
      while (producing) {
        const code = await produceRecords(src, topic, produced, 10, Math.floor(produced / 10) % PARTITIONS);
        if (code !== 0) {
          produceError = `source produce: error ${code}`;
          return;
        }
        produced += 10;
        await new Promise((r) => setTimeout(r, 200));
      }
    })().catch((e: unknown) => {
      produceError = String(e);
    });

    // Each run is killed 0 to 300 ms after its n-th "mirroring" event (n random in 2..4) that
    // showed a transaction open on the target (last stable offset below the high watermark): the
    // source task is copying records in its five-second transaction. The kill is proven
    // mid-transaction when, with MirrorMaker gone, the target broker still holds an Ongoing
    // transaction of the task's transactional id (`<Connect group>-<connector>-<task>`, i.e.
    // source-mm2-MirrorSourceConnector-0) begun during the run: the restarted worker must abort it.
    const txnPrefix = 'source-mm2-MirrorSourceConnector-';
    const args = ['--source', source.bootstrapServers, '--target', target.bootstrapServers, '--topic', topic];
    let proven = 0;
    try {
      for (let run = 0; run < KILLS; run++) {
        const nth = 2 + Math.floor(Math.random() * 3);
        let openSeen = 0;
        const res = await runProgram<Event>(MIRROR_EOS, args, 150_000, {
          killOn: (l) => (l.event === 'mirroring' && l.lso! < l.hw! && ++openSeen === nth ? Math.floor(Math.random() * 300) : undefined),
        });
        await openTransactionsOf(dst, txnPrefix, res.startedAt); // a round trip: whatever the dead worker had sent is handled
        const open = await openTransactionsOf(dst, txnPrefix, res.startedAt);
        if (res.killed && openSeen >= nth && open.length > 0) proven++;
        t.ok(res.killed && openSeen >= nth, `run ${run} was killed mid-work after ${res.ms} ms, at its open-transaction event ${nth} (${open.length} transactions left open on the target)`, {
          open,
          code: res.code,
          lines: res.killed ? undefined : res.lines.slice(-5),
          stderr: res.killed ? undefined : res.stderr.slice(-3000),
        });
      }
    } finally {
      producing = false;
      await producer;
    }
    // A transaction is open from the first record copied after a commit to the end of its
    // five-second interval, and the kill follows an event that saw one open by 0-300 ms; only a
    // commit inside that window leaves none open: all but one kill must be proven.
    t.equal(produceError, null, `the source took ${produced} records while MirrorMaker ran`);
    const minimum = Math.max(1, KILLS - 1);
    t.ok(proven >= minimum, `${proven} of ${KILLS} kills proven mid-transaction by the target broker (at least ${minimum})`);
    t.comment(`kill test mirror: ${proven} proven mid-transaction kills of ${KILLS} (minimum ${minimum})`);

    // The last run's bound: start (up to ~70 s when loaded) plus the backlog at ~600 records/s, doubled.
    const last = await runProgram<Event>(MIRROR_EOS, [...args, '--expect', String(produced), '--timeout-ms', '240000'], 270_000);
    const done = last.lines.find((l) => l.event === 'done');
    const failures = last.stderr.split('\n').filter((l) => /ERROR|Exception/.test(l)).slice(0, 30);
    t.ok(done !== undefined && !last.killed && last.code === 0, `the last run mirrors the rest (${produced} records in all, ${last.ms} ms)`, { lines: last.lines.slice(-5), failures, stderr: last.stderr.slice(-3000) });

    const mirrored = `source.${topic}`;
    const java = await javaReadCommitted(target.bootstrapServers, mirrored);
    t.equal(java.error, null, 'the Java read_committed consumer read the mirror');
    t.ok(java.partitions.length === PARTITIONS && java.partitions.every((p) => p.lastStable === p.highWatermark), 'Java: no transaction left open on the mirror (last stable offset = high watermark)', { partitions: java.partitions.map(({ records: _, ...p }) => p) });
    for (let p = 0; p < PARTITIONS; p++) {
      const want = await recordsOf(src, topic, p);
      const ours = await recordsOf(dst, mirrored, p);
      const theirs = (java.partitions[p]?.records ?? []).map(([k, v]) => `${k}=${v}`);
      t.strictSame(ours, want, `partition ${p}, our decoder: the mirror holds the source's ${want.length} records once each, in order`);
      t.strictSame(theirs, want, `partition ${p}, Kafka's Java read_committed consumer: the same ${want.length} records`);
    }
  });
}
