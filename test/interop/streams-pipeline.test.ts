/**
 * Kafka Streams 4.4 on the Streams rebalance protocol (KIP-1071, group.protocol=streams) with
 * exactly_once_v2, running a topology with a word count through a repartition topic, a windowed
 * aggregation and a KStream-KTable join (test/interop/java/.../StreamsPipeline.java), as two
 * instances of one stream thread each, one of them SIGKILLed three times mid-transaction.
 *
 * - The broker configs the group needs (group.streams.*) are STREAMS_GROUP_CONFIGS
 *   (streams-input.ts): one standby replica per stateful task, a 6 s session and 1 s heartbeat.
 * - Input: a table topic (word -> category) seeded first with timestamps an hour older than any
 *   input; then RECORDS words in KILLS + 1 chunks, record i on partition i % 3 with the event
 *   timestamp base + i * STEP_MS (base a whole number of windows, 40 minutes ago: the windows'
 *   keys are numbered from it, so the output does not depend on the day it ran).
 * - Instance A runs from start to end. Instance B is started KILLS + 1 times: each time the test
 *   waits until StreamsGroupDescribe shows the group Stable with A and this B (six active tasks,
 *   each once, and three standbys, none beside its active task), then produces the next chunk;
 *   the first KILLS runs of B are SIGKILLed 0 to 1 s after B reports processing it. A kill counts
 *   when the broker still holds an Ongoing transaction of B's transactional ids begun during that
 *   run after B died (kills.ts). All KILLS must count: each B run is killed while records of its
 *   chunk are being processed, pausing 20 ms each in both subtopologies, inside 5 s commit
 *   intervals whose transaction is open from the first record sent (linger.ms 0) to the commit.
 * - The final read_committed contents of the three output topics, by our decoder and by Kafka's
 *   Java consumer, as record sets (per key, the multiset of values), must equal the expected sets
 *   computed here from the input, and the recording of the same scenario run against Apache Kafka
 *   4.4 (streams-pipeline.kafka-4.4.json): Kafka 4.4 produced exactly the computed sets.
 * - Both instances report, through the Streams metadata API, standby tasks assigned to them.
 *
 * Re-record against Apache Kafka 4.4: `npm run build && npm run record-kafka-streams`
 * (starts Kafka 4.4 with STREAMS_GROUP_CONFIGS, runs this test with INTEROP_BOOTSTRAP and
 * STREAMS_PIPELINE_RECORD=1, stops it). Env: INTEROP_STREAMS_KILLS=N (3).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test as TapTest } from 'tap';
import { partitionForKey } from '../../src/client/producer.js';
import { DescribeConfigsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import type { StreamsGroupDescribeResponseDescribedGroup, StreamsGroupDescribeResponseTopicInfo } from '../../src/protocol/messages/streams-group-describe.js';
import { readCommitted } from '../helpers/transactions.js';
import { WireClient } from '../helpers/wire-client.js';
import { brokerUnderTest, javaProgram, root, runProgram, setupClients } from './harness.js';
import type { ProgramRun } from './harness.js';
import { javaReadCommitted, openTransactionsOf, transactionsOf } from './kills.js';
import { STREAMS_GROUP_CONFIGS, awaitStreamsGroup, createTopics, produceRecords, tasksOf } from './streams-input.js';
import type { InputRecord } from './streams-input.js';

const KILLS = Number(process.env['INTEROP_STREAMS_KILLS'] ?? 3);
const RECORDING = join(root, 'test/interop/streams-pipeline.kafka-4.4.json');
/** Record mode writes the recording; only against a real Kafka (INTEROP_BOOTSTRAP). */
const RECORD = process.env['STREAMS_PIPELINE_RECORD'] === '1';

/** The scenario's fixed input; the recording holds it too and must match. */
const INPUT = { records: 1200, partitions: 3, words: 16, categorised: 10, windowMs: 60_000, stepMs: 1000 } as const;
/** DescribeConfigs' source of a config set on the topic itself. */
const DYNAMIC_TOPIC_CONFIG = 1;
const OUTPUTS = ['counts', 'windows', 'joined'] as const;
type Output = (typeof OUTPUTS)[number];
/** Per output, per key, the values read, sorted: a record set that keeps duplicates. */
type RecordSets = Record<Output, Record<string, string[]>>;

const word = (i: number): string => `word${(i * 7 + (i % 5)) % INPUT.words}`;
const categoryOf = (w: number): string => `cat${w % 3}`;

interface Event {
  readonly event: string;
  readonly [k: string]: unknown;
}

/** The table: a category for the first INPUT.categorised words, word0's written twice (the table keeps the last). */
function tableRecords(base: number): InputRecord[] {
  const rows: [string, string][] = [['word0', 'stale'], ...Array.from({ length: INPUT.categorised }, (_, w) => [`word${w}`, categoryOf(w)] as [string, string]), ['no-such-word', 'cat9']];
  return rows.map(([key, value]) => ({ partition: partitionForKey(Buffer.from(key), INPUT.partitions), key, value, timestamp: base - 3_600_000 }));
}

function inputRecords(base: number, from: number, to: number): InputRecord[] {
  return Array.from({ length: to - from }, (_, k) => from + k).map((i) => ({ partition: i % INPUT.partitions, key: `k${i}`, value: word(i), timestamp: base + i * INPUT.stepMs }));
}

/** Values sorted by their number after the last ':' (all are "N" or "category:N"), then as text. */
function sortValues(values: string[]): string[] {
  const n = (v: string) => Number(v.slice(v.lastIndexOf(':') + 1));
  return values.sort((a, b) => n(a) - n(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function canonical(sets: RecordSets): RecordSets {
  const out = {} as RecordSets;
  for (const o of OUTPUTS) out[o] = Object.fromEntries(Object.keys(sets[o]).sort().map((k) => [k, sortValues([...sets[o][k]!])]));
  return out;
}

/** What the topology must write, computed from the input: every count 1..n, once. */
function expectedSets(): RecordSets {
  const n = { counts: new Map<string, number>(), windows: new Map<string, number>(), joined: new Map<string, number>() };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let i = 0; i < INPUT.records; i++) {
    bump(n.counts, word(i));
    bump(n.windows, `${word(i)}@${Math.floor((i * INPUT.stepMs) / INPUT.windowMs)}`);
  }
  const sets: RecordSets = { counts: {}, windows: {}, joined: {} };
  const upTo = (k: number, f: (c: number) => string) => Array.from({ length: k }, (_, c) => f(c + 1));
  for (const [k, c] of n.counts) sets.counts[k] = upTo(c, String);
  for (const [k, c] of n.windows) sets.windows[k] = upTo(c, String);
  for (const [k, c] of n.counts) {
    const w = Number(k.slice('word'.length));
    if (w < INPUT.categorised) sets.joined[k] = upTo(c, (x) => `${categoryOf(w)}:${x}`);
  }
  return canonical(sets);
}

/** The first differences between two record sets (keys missing, extra, or with other values), for a failure's detail. */
function differences(got: RecordSets, want: RecordSets): string[] {
  const out: string[] = [];
  for (const o of OUTPUTS) {
    for (const k of new Set([...Object.keys(got[o]), ...Object.keys(want[o])])) {
      const [g, w] = [got[o][k] ?? [], want[o][k] ?? []];
      if (g.join() !== w.join()) out.push(`${o} ${k}: got ${g.length} [${g.slice(0, 8).join(',')}${g.length > 8 ? ',...' : ''}], want ${w.length}`);
    }
  }
  return out.slice(0, 20);
}

/**
 * The topology of a described streams group with names masked: what the broker made of the
 * topology the application sent (subtopologies, source and repartition sink topics, internal
 * topics with their partition counts and configs).
 */
function maskTopology(g: StreamsGroupDescribeResponseDescribedGroup, mask: (name: string) => string): unknown {
  const info = (x: StreamsGroupDescribeResponseTopicInfo) => ({ name: mask(x.name), partitions: x.partitions, replicationFactor: x.replicationFactor, configs: Object.fromEntries(x.topicConfigs.map((kv) => [kv.key, kv.value]).sort()) });
  return (g.topology?.subtopologies ?? []).map((x) => ({
    subtopologyId: x.subtopologyId,
    sourceTopics: x.sourceTopics.map(mask).sort(),
    repartitionSinkTopics: x.repartitionSinkTopics.map(mask).sort(),
    stateChangelogTopics: x.stateChangelogTopics.map(info).sort((a, b) => (a.name < b.name ? -1 : 1)),
    repartitionSourceTopics: x.repartitionSourceTopics.map(info).sort((a, b) => (a.name < b.name ? -1 : 1)),
  }));
}

/** The application's internal topics (named "<application.id>-..."), masked: partition count and the configs set on the topic. */
async function internalTopics(c: WireClient, appId: string, mask: (name: string) => string): Promise<Record<string, { partitions: number; configs: Record<string, string | null> }>> {
  const md = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  const names = md.topics.map((x) => x.name ?? '').filter((n) => n.startsWith(`${appId}-`)).sort();
  const described = await c.request(DescribeConfigsApi, 4, { resources: names.map((resourceName) => ({ resourceType: 2, resourceName, configurationKeys: null })), includeSynonyms: false, includeDocumentation: false });
  const out: Record<string, { partitions: number; configs: Record<string, string | null> }> = {};
  for (const name of names) {
    const r = described.results.find((x) => x.resourceName === name);
    const configs = (r?.configs ?? []).filter((x) => x.configSource === DYNAMIC_TOPIC_CONFIG).map((x) => [x.name, x.value] as const).sort();
    out[mask(name)] = { partitions: md.topics.find((x) => x.name === name)?.partitions.length ?? 0, configs: Object.fromEntries(configs) };
  }
  return out;
}

/** The recording as JSON with one line per output key (its values in one array), for a readable diff. */
function recordingText(head: Record<string, unknown>, outputs: RecordSets): string {
  const top = JSON.stringify(head, null, 1).slice(0, -2);
  const sets = OUTPUTS.map((o) => ` "${o}": {\n${Object.entries(outputs[o]).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n }`);
  return `${top},\n"outputs": {\n${sets.join(',\n')}\n}\n}\n`;
}

t.setTimeout(10 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else if (RECORD && !process.env['INTEROP_BOOTSTRAP']) {
  t.fail('STREAMS_PIPELINE_RECORD=1 records Apache Kafka\'s answers: set INTEROP_BOOTSTRAP to a Kafka 4.4 (scripts/record-kafka-streams.sh does)');
} else {
  t.test('Kafka Streams (streams protocol, exactly_once_v2): repartitioned word count, windowed aggregation, KStream-KTable join, two instances, one killed mid-transaction 3 times: the output Apache Kafka 4.4 gives', async (t) => {
    const bootstrap = await brokerUnderTest(t, { config: STREAMS_GROUP_CONFIGS });
    const id = randomBytes(4).toString('hex');
    const topic = (name: string) => `pl-${name}-${id}`;
    const appId = `pl-app-${id}`;
    const stateDirs = [mkdtempSync(join(tmpdir(), 'minikafka-pipeline-a-')), mkdtempSync(join(tmpdir(), 'minikafka-pipeline-b-'))];
    t.teardown(() => stateDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    const c = await WireClient.connect(bootstrap);
    t.teardown(() => c.close());

    await createTopics(t, c, ['input', 'table', ...OUTPUTS].map(topic), INPUT.partitions);
    const base = Math.floor(Date.now() / INPUT.windowMs) * INPUT.windowMs - 40 * 60_000;
    await produceRecords(t, c, topic('table'), tableRecords(base));
    const expected = expectedSets();
    const joinedTotal = Object.values(expected.joined).reduce((n, v) => n + v.length, 0);

    const command = javaProgram('StreamsPipeline');
    const args = (i: number) => [
      '--bootstrap', bootstrap, '--application-id', appId, '--state-dir', stateDirs[i]!,
      '--input', topic('input'), '--table', topic('table'), '--counts', topic('counts'), '--windows', topic('windows'), '--joined', topic('joined'),
      '--records', String(INPUT.records), '--joined-total', String(joinedTotal), '--base-ms', String(base), '--window-ms', String(INPUT.windowMs),
      '--pause-ms', '20', '--timeout-ms', '420000',
    ];

    const runA = runProgram<Event>(command, args(0), 480_000);
    const chunk = Math.ceil(INPUT.records / (KILLS + 1));
    const bMembers = new Set<string>();
    const bRuns: ProgramRun<Event>[] = [];
    let proven = 0;
    let standbysChecked = false;
    let topology: unknown = null;
    /** Names without this run's id: what the recording holds. */
    const mask = (name: string) => name.split(appId).join('APP').split(`-${id}`).join('');
    for (let run = 0; run <= KILLS; run++) {
      const last = run === KILLS;
      let produced = false;
      let client = '';
      const runB = runProgram<Event>(command, args(1), last ? 480_000 : 180_000, {
        killOn: (l) => {
          if (l.event === 'started') client = String(l['client'] ?? '');
          return !last && produced && l.event === 'processing' ? Math.floor(Math.random() * 1000) : undefined;
        },
      });
      // The group with A and this run of B (a member of B's process not seen before), Stable,
      // every task assigned: six active tasks (three of each subtopology) and three standbys
      // (one per task of the stateful subtopology).
      const processOf = () => client.replace(new RegExp(`^${appId}-`), '').replace(/-StreamThread-\d+-consumer$/, '');
      const waitStarted = Date.now();
      const g = await awaitStreamsGroup(c, appId, (g) => {
        const { active, standby } = tasksOf(g);
        const newB = g.members.filter((m) => client !== '' && m.processId === processOf() && !bMembers.has(m.memberId));
        return g.groupState === 'Stable' && g.members.length === 2 && newB.length === 1 && newB[0]!.assignment.activeTasks.length > 0 && active.length === 6 && standby.length === 3;
      }, 120_000);
      t.ok(g !== null, `run ${run}: the group is Stable with A and B, six active and three standby tasks (${Date.now() - waitStarted} ms after B started)`);
      if (g === null) break;
      for (const m of g.members) if (m.processId === processOf()) bMembers.add(m.memberId);
      if (!standbysChecked) {
        standbysChecked = true;
        const owner = new Map<string, string>();
        for (const m of g.members) for (const x of m.assignment.activeTasks) for (const p of x.partitions) owner.set(`${x.subtopologyId}/${p}`, m.processId);
        t.equal(owner.size, 6, 'no task is active on two members');
        const misplaced = g.members.flatMap((m) => m.assignment.standbyTasks.flatMap((x) => x.partitions.filter((p) => owner.get(`${x.subtopologyId}/${p}`) === m.processId)));
        t.strictSame(misplaced, [], "no standby sits on its active task's instance");
        const standbySubtopologies = new Set(tasksOf(g).standby.map((s) => s.split('/')[0]));
        const stateful = g.topology?.subtopologies?.filter((x) => x.stateChangelogTopics.length > 0).map((x) => x.subtopologyId) ?? [];
        t.strictSame([...standbySubtopologies], stateful, 'the standbys are of the one subtopology with changelogs');
        topology = maskTopology(g, mask);
      }

      await produceRecords(t, c, topic('input'), inputRecords(base, run * chunk, Math.min(INPUT.records, (run + 1) * chunk)));
      produced = true;
      const b = await runB;
      bRuns.push(b);
      if (last) break;
      const prefix = `${appId}-${processOf()}-`;
      await openTransactionsOf(c, prefix, b.startedAt); // a round trip: whatever the dead program had sent is handled
      const open = await openTransactionsOf(c, prefix, b.startedAt);
      if (b.killed && open.length > 0) proven++;
      const events = b.linesBeforeKill.map((l) => l.event);
      t.ok(b.killed && events.includes('processing') && !events.includes('done'), `B run ${run} was killed in its work after ${b.ms} ms (${open.length} transactions left open)`, {
        code: b.code,
        open,
        // When no transaction was left open: where B's transactions were instead.
        transactions: open.length > 0 ? undefined : { killedAt: b.startedAt + b.ms, states: await transactionsOf(c, prefix) },
        lines: b.killed ? undefined : b.lines.slice(-5),
        stderr: b.killed ? undefined : b.stderr.slice(-3000),
      });
    }
    t.equal(proven, KILLS, `${proven} of ${KILLS} kills of B proven mid-transaction by the broker`);
    t.comment(`kill test streams-pipeline: ${proven} proven mid-transaction kills of ${KILLS} (minimum ${KILLS})`);

    const a = await runA;
    for (const [name, run] of [['A', a], ['B (last run)', bRuns[KILLS]]] as const) {
      t.ok(run !== undefined && run.lines.some((l) => l.event === 'done') && run.code === 0, `instance ${name} finishes (${run?.ms} ms)`, { lines: run?.lines.slice(-5), stderr: run?.stderr.slice(-3000) });
    }
    const standbyReported = (runs: (ProgramRun<Event> | undefined)[]) => runs.some((r) => r?.lines.some((l) => l.event === 'tasks' && Array.isArray(l['standby']) && l['standby'].length > 0));
    t.ok(standbyReported([a]) && standbyReported(bRuns), "the Streams metadata API of both instances lists standby tasks");

    // The outputs as record sets, read by our decoder and by Kafka's Java read_committed consumer.
    const ours: RecordSets = { counts: {}, windows: {}, joined: {} };
    const java: RecordSets = { counts: {}, windows: {}, joined: {} };
    for (const o of OUTPUTS) {
      let open = false;
      for (let p = 0; p < INPUT.partitions; p++) {
        const r = await readCommitted(c, topic(o), p);
        open ||= r.openTransaction;
        for (const rec of r.records) (ours[o][rec.key ?? ''] ??= []).push(rec.value);
      }
      t.notOk(open, `no transaction is left open on ${o}`);
      const j = await javaReadCommitted(bootstrap, topic(o));
      t.equal(j.error, null, `the Java read_committed consumer read ${o}`);
      for (const p of j.partitions) for (const [key, value] of p.records) (java[o][key ?? ''] ??= []).push(value ?? '');
    }
    const unordered = Object.fromEntries(OUTPUTS.map((o) => [o, Object.keys(ours[o]).filter((k) => ours[o][k]!.join() !== sortValues([...ours[o][k]!]).join())]));
    t.strictSame(unordered, { counts: [], windows: [], joined: [] }, "each key's values come in order (1, 2, ..., n) in its partition");
    const got = canonical(ours);
    t.strictSame(differences(got, expected), [], 'the outputs hold exactly the expected records: every count, window count and joined count once');
    t.strictSame(canonical(java), got, "Kafka's Java read_committed consumer reads the same record sets");

    const internal = await internalTopics(c, appId, mask);
    t.strictSame(Object.keys(internal), ['APP-by-word-repartition', 'APP-categories-changelog', 'APP-window-counts-changelog', 'APP-word-counts-changelog'], 'the broker created the repartition topic and the three changelogs');

    if (RECORD) {
      writeFileSync(RECORDING, recordingText({ recorded: 'Apache Kafka 4.4.0 (bench/kafka/start-kafka.sh, one KRaft node) by scripts/record-kafka-streams.sh', input: INPUT, groupConfigs: STREAMS_GROUP_CONFIGS, kills: { proven, of: KILLS }, topology, internalTopics: internal }, got));
      t.comment(`recorded ${RECORDING}`);
    } else {
      const kafka = JSON.parse(readFileSync(RECORDING, 'utf8')) as { input: unknown; kills: { proven: number; of: number }; topology: unknown; internalTopics: unknown; outputs: RecordSets };
      t.strictSame(kafka.input, INPUT, 'the recording is of this input');
      t.strictSame(topology, kafka.topology, "StreamsGroupDescribe's topology (subtopologies, their topics, the internal topics' partitions and configs) is Kafka 4.4's");
      t.strictSame(internal, kafka.internalTopics, "the internal topics the broker created have Kafka 4.4's partitions and topic configs");
      t.strictSame(differences(got, kafka.outputs), [], `the record sets equal Apache Kafka 4.4's for the same input (killed ${kafka.kills.proven} of ${kafka.kills.of} times mid-transaction there)`);
    }
  });
}
