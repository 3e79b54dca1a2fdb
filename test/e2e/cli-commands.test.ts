// The client commands as a user runs them, against a broker on a free port: topics, produce
// (1,000 NDJSON records with headers), consume in each output format, groups with lag and
// reset, transactions, configs, seed then dump, and the documented exit statuses.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { runCli } from '../helpers/cli-run.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

/** Runs the built CLI asynchronously: the broker under test lives in this process's event loop. */
const run = runCli;

const tmp = mkdtempSync(join(tmpdir(), 'minikafka-cli-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('topics: create, list, describe, alter, delete', async (t) => {
  await using kafka = await MiniKafka.start();
  const b = ['-b', kafka.bootstrapServers];
  let r = await run(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=60000', ...b]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, 'Created topic orders.\n');
  r = await run(['topics', 'create', 'orders', ...b]);
  t.equal(r.status, 2, 'a Kafka error is exit 2');
  t.match(r.stderr, /TOPIC_ALREADY_EXISTS/);
  t.equal((await run(['topics', 'create', 'orders', '--if-not-exists', ...b])).status, 0);
  r = await run(['topics', 'create', 'x', '--partitions', 'abc', ...b]);
  t.equal(r.status, 1);
  t.match(r.stderr, /--partitions must be an integer from 1 to 2147483647, got 'abc'/);
  r = await run(['topics', 'create', 'x', '--partiton', '3', ...b]);
  t.equal(r.status, 1);
  t.match(r.stderr, /unknown flag --partiton; did you mean '--partitions'/);
  await run(['topics', 'create', 'audit', ...b]);
  r = await run(['topics', 'list', ...b]);
  t.equal(r.stdout, 'audit\norders\n');
  r = await run(['topics', 'describe', 'orders', ...b]);
  const lines = r.stdout.trimEnd().split('\n');
  t.match(lines[0], /^Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=60000$/);
  t.strictSame(lines.slice(1).map((l) => l.replace(/\tElr.*$/, '')), [0, 1, 2].map((p) => `\tTopic: orders\tPartition: ${p}\tLeader: 1\tReplicas: 1\tIsr: 1`));
  t.equal((await run(['topics', 'alter', 'orders', '--partitions', '5', '--delete-config', 'retention.ms', ...b])).status, 0);
  const described = JSON.parse((await run(['topics', 'describe', 'orders', '--json', ...b])).stdout) as { partitions: unknown[]; configs: object }[];
  t.equal(described[0]!.partitions.length, 5);
  t.strictSame(described[0]!.configs, {});
  t.equal((await run(['topics', 'delete', 'orders', ...b])).status, 0);
  t.strictSame(JSON.parse((await run(['topics', 'list', '--json', ...b])).stdout).map((x: { name: string }) => x.name), ['audit']);
});

t.test('produce 1,000 NDJSON records with headers; consume them back in order in each format', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['events'] });
  const b = ['-b', kafka.bootstrapServers];
  const records = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `value ${i}`, headers: [{ key: 'seq', value: String(i) }, { key: 'src', value: 'test' }], timestamp: 1_700_000_000_000 + i }));
  const file = join(tmp, 'events.ndjson');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const p = await run(['produce', 'events', '--input', 'ndjson', file, '--json', '--compression', 'lz4', '--idempotent', '--batch-size', '300', ...b]);
  t.equal(p.status, 0, p.stderr);
  t.strictSame(JSON.parse(p.stdout), { topic: 'events', records: 1000, partitions: [{ partition: 0, baseOffset: 0, count: 1000 }] });

  const text = await run(['consume', 'events', '-e', ...b]);
  t.equal(text.status, 0, text.stderr);
  t.equal(text.stdout, records.map((r) => `${r.value}\n`).join(''), 'text: values in order');

  const nd = await run(['consume', 'events', '-e', '--output', 'ndjson', ...b]);
  const got = nd.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { offset: number; key: string; value: string; timestamp: number; headers: unknown });
  t.equal(got.length, 1000);
  t.strictSame(got.map((g) => [g.offset, g.key, g.value, g.timestamp, g.headers]), records.map((r, i) => [i, r.key, r.value, r.timestamp, r.headers]), 'ndjson: every field in order');

  const kcat = await run(['consume', 'events', '-e', '-f', '%t %p %o %T %k=%s [%h] %K/%S\\n', ...b]);
  t.equal(kcat.stdout, records.map((r, i) => `events 0 ${i} ${r.timestamp} ${r.key}=${r.value} [seq=${i},src=test] ${r.key.length}/${r.value.length}\n`).join(''), 'kcat format');

  const some = await run(['consume', 'events', '--offset', '-3', '-e', ...b]);
  t.equal(some.stdout, 'value 997\nvalue 998\nvalue 999\n', 'negative offset: from the end');
  const byTime = await run(['consume', 'events', '--timestamp', String(1_700_000_000_000 + 995), '-c', '2', ...b]);
  t.equal(byTime.stdout, 'value 995\nvalue 996\n', 'from a timestamp, --count');
  const short = await run(['consume', 'events', '--offset', '998', '-c', '5', '--idle-ms', '300', ...b]);
  t.equal(short.status, 4, '--count not reached before --idle-ms: exit 4');
  t.equal(short.stdout, 'value 998\nvalue 999\n');

  const lines = await run(['produce', 'events', '-K', ':', '-H', 'a=1', ...b], 'x:1\ny:2\n');
  t.equal(lines.status, 0, lines.stderr);
  const tail = await run(['consume', 'events', '--offset', '1000', '-e', '-f', '%k %s %h\\n', ...b]);
  t.equal(tail.stdout, 'x 1 a=1\ny 2 a=1\n', 'text input with key separator and header');
});

t.test('groups: consume with a group, describe with lag, reset offsets, delete', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['g:2'] });
  const b = ['-b', kafka.bootstrapServers];
  await run(['produce', 'g', '-p', '0', ...b], Array.from({ length: 10 }, (_, i) => `a${i}`).join('\n') + '\n');
  await run(['produce', 'g', '-p', '1', ...b], 'b0\nb1\n');
  const c = await run(['consume', 'g', '--group', 'billing', '-p', '0', '-c', '4', ...b]);
  t.equal(c.stdout, 'a0\na1\na2\na3\n');
  t.equal((await run(['groups', 'list', ...b])).stdout, 'billing\n');
  let d = await run(['groups', 'describe', 'billing', ...b]);
  t.match(d.stdout, /Consumer group 'billing' has no active members\./);
  t.match(d.stdout, /GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID\nbilling +g +0 +4 +10 +6 +- +- +-\n/);
  const dry = await run(['groups', 'reset-offsets', 'billing', '--topic', 'g', '--to-earliest', ...b]);
  t.match(dry.stdout, /billing +g +0 +0\nbilling +g +1 +0\n/);
  d = await run(['groups', 'describe', 'billing', '--json', ...b]);
  t.strictSame(JSON.parse(d.stdout)[0].partitions.map((p: { partition: number; lag: number }) => [p.partition, p.lag]), [[0, 6]], 'a dry run changes nothing');
  t.equal((await run(['groups', 'reset-offsets', 'billing', '--topic', 'g', '--shift-by', '-100', '--execute', ...b])).status, 0);
  d = await run(['groups', 'describe', 'billing', '--json', ...b]);
  t.strictSame(JSON.parse(d.stdout)[0].partitions.map((p: { partition: number; currentOffset: number; lag: number }) => [p.partition, p.currentOffset, p.lag]), [[0, 0, 10], [1, 0, 2]], 'shift clamped to the log start');
  const again = await run(['consume', 'g', '--group', 'billing', '-p', '1', '-e', ...b]);
  t.equal(again.stdout, 'b0\nb1\n', 'a group consume starts at the committed offset');
  t.equal((await run(['groups', 'delete', 'billing', ...b])).status, 0);
  t.equal((await run(['groups', 'list', ...b])).stdout, '');
});

t.test('txns and configs', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['t'] });
  const b = ['-b', kafka.bootstrapServers];
  t.equal((await run(['produce', 't', '--transactional-id', 'pay-1', ...b], 'x\ny\n')).status, 0);
  const l = await run(['txns', 'list', ...b]);
  t.match(l.stdout, /^TransactionalId +Coordinator +ProducerId +TransactionState\npay-1 +1 +\d+ +CompleteCommit\n$/);
  const d = JSON.parse((await run(['txns', 'describe', 'pay-1', '--json', ...b])).stdout) as { state: string; transactionalId: string };
  t.equal(d.state, 'CompleteCommit');
  t.equal((await run(['consume', 't', '-e', '--isolation', 'read_committed', ...b])).stdout, 'x\ny\n');
  t.equal((await run(['configs', 'alter', '--topic', 't', '--set', 'retention.ms=1000', ...b])).status, 0);
  const c = await run(['configs', 'describe', '--topic', 't', ...b]);
  t.equal(c.stdout, 'Dynamic configs for topic t are:\n  retention.ms=1000 sensitive=false source=DYNAMIC_TOPIC_CONFIG\n');
  const bad = await run(['configs', 'alter', '--topic', 't', '--set', 'retention.ms=soon', ...b]);
  t.equal(bad.status, 2, bad.stderr);
  t.match(bad.stderr, /INVALID_CONFIG/);
});

t.test('seed a broker from NDJSON, dump it: identical', async (t) => {
  const seed = [
    { topic: 'orders', partition: 0, timestamp: 1_700_000_000_000, key: 'o1', value: '{"total":5}', headers: [{ key: 'trace', value: 'abc' }] },
    { topic: 'orders', partition: 1, timestamp: 1_700_000_000_001, key: null, value: { base64: Buffer.from([0, 1, 0xfe, 0xff]).toString('base64') }, headers: [] },
    { topic: 'orders', partition: 1, timestamp: 1_700_000_000_002, key: 'o3', value: null, headers: [{ key: 'bin', value: { base64: 'gA==' } }, { key: 'nil', value: null }] },
    { topic: 'audit', partition: 0, timestamp: 1_700_000_000_003, key: 'a', value: 'b', headers: [] },
  ];
  const file = join(tmp, 'seed.ndjson');
  const text = seed.map((r) => JSON.stringify(r)).join('\n') + '\n';
  writeFileSync(file, text);
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn', '--seed', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  const ready = await new Promise<{ bootstrapServers: string }>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]!)));
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const dump = await run(['dump', 'orders', 'audit', '-b', ready.bootstrapServers]);
  t.equal(dump.status, 0, dump.stderr);
  t.equal(dump.stdout, text, 'dump of the seeded broker is the seed file, byte for byte');
  t.equal(readFileSync(file, 'utf8'), text);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  t.equal(await exited, 0);

  const bad = join(tmp, 'bad.ndjson');
  writeFileSync(bad, '{"topic":"x","value":"ok"}\n{"value":"no topic"}\n');
  const r = await run(['start', '--port', '0', '--seed', bad]);
  t.equal(r.status, 1);
  t.match(r.stderr, /bad\.ndjson:2: every seed record needs a "topic"/);
});

t.test('exit 3 when no broker answers', async (t) => {
  const kafka = await MiniKafka.start();
  const addr = kafka.bootstrapServers;
  await kafka.stop();
  const r = await run(['topics', 'list', '-b', addr]);
  t.equal(r.status, 3);
  t.match(r.stderr, /cannot connect to 127\.0\.0\.1:\d+/);
});
