/**
 * MirrorMaker 2, unchanged, in dedicated mode between two minikafka clusters (two brokers in this
 * process; test/interop/java-mirror/.../MirrorRun.java). Its three connectors run on Connect
 * herders that keep their state in topics of the target; the source connector copies a topic to
 * "source.<topic>", the checkpoint connector translates a group's committed offsets through the
 * offset syncs and writes them to the target's group. The test then reads both topics: the mirror
 * must hold the same records, partition by partition in the same order, and the group must have,
 * on the target, offsets translated from those committed on the source.
 *
 * MirrorMaker 4.3.1: the newest this machine's Maven registry serves (java-mirror/pom.xml).
 * Env: INTEROP_MIRROR_RECORDS=N (3000).
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

const RECORDS = Number(process.env['INTEROP_MIRROR_RECORDS'] ?? 3000);
const PARTITIONS = 3;

interface Event {
  readonly event: string;
  readonly committed?: Record<string, number>;
  readonly translated?: Record<string, number>;
  readonly [k: string]: unknown;
}

t.setTimeout(10 * 60_000);

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
    const created = await src.request(CreateTopicsApi, 5, {
      topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 30000,
      validateOnly: false,
    });
    t.strictSame(created.topics.map((x) => x.errorCode), [0], 'source topic created');
    for (let from = 0; from < RECORDS; from += 50) {
      const records = Array.from({ length: Math.min(50, RECORDS - from) }, (_, k) => ({ key: Buffer.from(`k${from + k}`), value: Buffer.from(`m-${from + k}`), timestamp: Date.now() }));
      const code = (await produceOne(src, topic, buildBatchSync(records), { partition: (from / 50) % PARTITIONS })).errorCode;
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
      const want = (await readCommitted(src, topic, p)).records.map((r) => `${r.key}=${r.value}`);
      const got = (await readCommitted(dst, `source.${topic}`, p)).records.map((r) => `${r.key}=${r.value}`);
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
}
