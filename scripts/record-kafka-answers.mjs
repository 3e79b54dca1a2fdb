#!/usr/bin/env node
// Re-records the Apache Kafka answers that tests compare minikafka with, against Apache Kafka 4.4
// on this machine (bench/kafka: resolved from Maven Central, a single KRaft node started with the
// settings minikafka presents), and writes them next to the tests that read them:
//
//   test/e2e/configs.kafka-4.4.json      DescribeConfigs answers: a topic created with
//                                        retention.ms=1000, a topic without overrides (the topic
//                                        defaults, also read by test/unit/server/topic-config-defs),
//                                        broker 1's configs, the cluster default, describe errors,
//                                        CreateTopics' INVALID_CONFIG messages (topic-config-defs),
//                                        refused AlterConfigs / IncrementalAlterConfigs requests
//   test/interop/configs.kafka-4.4.jsonl the Java Admin program Configs.java's steps (topic names
//                                        masked as TOPIC)
//   test/e2e/transactions-v2.kafka-4.4.json  the transactions V2 answers of test/e2e/transactions-v2
//                                        (that test run with TV2_BOOTSTRAP/TV2_RECORD against this
//                                        Kafka; topic names masked as RUN, producer ids left out)
//   test/e2e/admin-cluster.kafka-4.4.json  the answers of test/e2e/admin-cluster-steps (features,
//                                        UpdateFeatures, ElectLeaders, reassignments, log dirs,
//                                        delegation tokens): refused or no-op requests only
//   test/interop/admin-librdkafka.kafka-4.4.jsonl  what librdkafka's admin API
//                                        (test/interop/python/admin_apis.py, confluent-kafka) got
//   test/e2e/api-answers.kafka-4.4.json  the answers of test/e2e/api-answers-steps (DeleteGroups v3,
//                                        ApiVersions v5, the quorum and registration admin APIs);
//                                        run last, as its final step unregisters the broker; and
//                                        (deniedWithoutClusterAcl) the raft and registration APIs
//                                        refused to a user without ACLs, from a second Kafka with
//                                        the StandardAuthorizer and a SASL_PLAINTEXT listener
//
// and checks, without writing, the answers that still live inline in a test that can run against
// a real Kafka: test/e2e/cli-kafka-parity (CLI_KAFKA_BOOTSTRAP: the CLI's output against Kafka
// must equal the texts the test holds).
//
// The admin and group answers of test/e2e/admin-golden.test.ts and groups.test.ts are the
// captures in fixtures/captures, which scripts/refresh-captures.sh re-records (every client, a
// few minutes); --captures runs it too.
//
// Usage: npm run record-kafka-answers [-- --check] [-- --captures] [-- --only=NAME,...]
//   --check  records into memory and compares with the committed files instead of writing them:
//            exit 1 and a diff summary when Kafka's answers differ from what the tests hold.
//   --only   records only these (configs, transactions-v2, cli-parity, admin-cluster,
//            admin-librdkafka, api-answers); all by default.
// Needs: npm run build (the wire codecs come from dist/), a JDK 17+ and Maven, and the Java
// interop programs (test/interop/setup.sh java, run here).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const captures = process.argv.includes('--captures');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') ?? null;
const wanted = (name) => only === null || only.includes(name);
if (!existsSync(join(root, 'dist/test/helpers/wire-client.js'))) {
  console.error('record-kafka-answers: run `npm run build` first (the wire codecs come from dist/)');
  process.exit(2);
}
const { WireClient } = await import(join(root, 'dist/test/helpers/wire-client.js'));
const { AlterConfigsApi, CreateTopicsApi, DescribeConfigsApi, FindCoordinatorApi, IncrementalAlterConfigsApi } = await import(join(root, 'dist/src/protocol/messages/index.js'));
const { initProducerId } = await import(join(root, 'dist/test/helpers/transactions.js'));
const { DENIED_USER, runAnswerSteps, runDeniedClusterSteps } = await import(join(root, 'dist/test/e2e/api-answers-steps.js'));
const { runAdminClusterSteps } = await import(join(root, 'dist/test/e2e/admin-cluster-steps.js'));

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
/** The broker configs test/e2e/configs.test.ts compares (their values do not depend on the machine). */
const BROKER_NAMES = [
  'broker.id', 'node.id', 'process.roles', 'num.partitions', 'default.replication.factor', 'min.insync.replicas',
  'auto.create.topics.enable', 'delete.topic.enable', 'log.retention.hours', 'log.retention.minutes', 'log.retention.ms',
  'log.retention.bytes', 'log.retention.check.interval.ms', 'log.segment.bytes', 'log.roll.hours', 'log.cleanup.policy',
  'log.cleaner.enable', 'log.cleaner.backoff.ms', 'log.cleaner.min.cleanable.ratio', 'log.cleaner.delete.retention.ms',
  'log.cleaner.dedupe.buffer.size', 'message.max.bytes', 'offsets.topic.num.partitions', 'offsets.topic.replication.factor',
  'offsets.topic.segment.bytes', 'transaction.state.log.num.partitions', 'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr', 'group.initial.rebalance.delay.ms', 'group.min.session.timeout.ms',
  'group.max.session.timeout.ms', 'compression.type', 'unclean.leader.election.enable', 'ssl.keystore.password',
  'sasl.jaas.config', 'log.dir', 'socket.request.max.bytes', 'log.message.timestamp.type',
];
/** Describe requests that fail, as [resource type, name]. */
const DESCRIBE_ERRORS = [[TOPIC, 'nope'], [TOPIC, 'bad name'], [TOPIC, ''], [BROKER, '2'], [BROKER, 'abc'], [BROKER_LOGGER, ''], [BROKER_LOGGER, '2']];

/**
 * Topic config sets that CreateTopics (validateOnly) must refuse, each answered with Kafka's
 * INVALID_CONFIG message; test/unit/server/topic-config-defs compares its validation with them.
 */
const INVALID_TOPIC_CONFIGS = [
  { 'retention.ms': null, 'segment.ms': null },
  { 'retention.msx': '1' },
  { 'message.format.version': '3.0' },
  { 'retention.ms': 'abc' },
  { 'retention.ms': '9223372036854775808' },
  { 'retention.ms': '-2' },
  { 'segment.bytes': '2147483648' },
  { 'segment.bytes': '1000' },
  { 'min.insync.replicas': '0' },
  { 'min.cleanable.dirty.ratio': '1.5' },
  { 'min.cleanable.dirty.ratio': '2' },
  { 'min.cleanable.dirty.ratio': '1e10' },
  { 'min.cleanable.dirty.ratio': '-0.0001' },
  { 'min.cleanable.dirty.ratio': 'half' },
  { 'cleanup.policy': 'compact,remove' },
  { 'compression.type': 'brotli' },
  { 'message.timestamp.type': 'createtime' },
  { preallocate: 'yes' },
  { 'compression.gzip.level': '0' },
  { 'compression.lz4.level': '18' },
  { 'leader.replication.throttled.replicas': '0-1' },
  { 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' },
  { 'remote.storage.enable': 'true' },
];

/**
 * AlterConfigs (v2, 'alter': [name, value] pairs) and IncrementalAlterConfigs (v1, 'incremental':
 * [name, operation, value]) requests Kafka refuses, as [api, resource type, resource name, configs],
 * sent while topic cfg exists; test/e2e/configs.test.ts replays them against minikafka.
 */
const ALTER_REFUSALS = [
  ["alter", 2, "cfg", [["retention.ms", "abc"]]],
  ["alter", 2, "cfg", [["foo.bar", "1"]]],
  ["alter", 2, "cfg", [["retention.ms", null]]],
  ["alter", 2, "nope", [["retention.ms", "1"]]],
  ["alter", 2, "nope", [["retention.ms", "x"]]],
  ["alter", 2, "bad name", [["retention.ms", "1"]]],
  ["alter", 2, "", [["retention.ms", "1"]]],
  ["alter", 2, "cfg", [["retention.ms", "1"], ["retention.ms", "2"]]],
  ["alter", 2, "cfg", [["min.compaction.lag.ms", "10"], ["max.compaction.lag.ms", "5"]]],
  ["alter", 99, "cfg", []],
  ["alter", 8, "1", []],
  ["incremental", 2, "cfg", [["retention.ms", 2, "5"]]],
  ["incremental", 2, "cfg", [["retention.ms", 3, "5"]]],
  ["incremental", 2, "cfg", [["cleanup.policy", 2, "foo"]]],
  ["incremental", 2, "cfg", [["retention.ms", 0, null]]],
  ["incremental", 2, "cfg", [["foo.bar", 0, "1"]]],
  ["incremental", 2, "nope", [["retention.ms", 0, "1"]]],
  ["incremental", 2, "cfg", [["retention.ms", 0, "1"], ["retention.ms", 1, null]]],
  ["incremental", 99, "cfg", []],
  ["incremental", 4, "1", [["num.partitions", 0, "3"]]],
  ["incremental", 4, "", [["num.partitions", 0, "3"]]],
  ["incremental", 4, "", [["listeners", 0, "PLAINTEXT://:1"]]],
  ["incremental", 4, "1", [["ssl.keystore.password", 0, "x"]]],
  ["incremental", 4, "1", [["log.retention.ms", 0, "abc"]]],
  ["incremental", 4, "1", [["log.segment.bytes", 0, "5"]]],
  ["incremental", 4, "2", [["log.retention.ms", 0, "5000"]]],
  ["incremental", 4, "abc", [["log.retention.ms", 0, "5000"]]],
  ["incremental", 4, "1", [["log.retention.ms", 2, "5"]]],
  ["alter", 4, "1", [["num.partitions", "2"]]],
  ["alter", 4, "", []],
  ["incremental", 8, "1", [["root", 1, null]]],
  ["incremental", 8, "1", [["root", 2, "INFO"]]],
  ["incremental", 8, "", [["root", 0, "INFO"]]],
  ["incremental", 8, "2", [["root", 0, "INFO"]]]
];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** bench/kafka/start-kafka.sh on a free port in `dir`, with `env` added; returns the bootstrap address. */
async function startKafka(dir, env = {}) {
  const port = await freePort();
  run('bash', ['bench/kafka/start-kafka.sh', String(port), dir], { env: { ...process.env, KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m', ...env } });
  return `127.0.0.1:${port}`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status})`);
  return r.stdout;
}

/**
 * [name, value, source, readOnly, sensitive, type, synonyms] per config, as the tests compare them,
 * sorted by name: Kafka sends a resource's configs in the iteration order of its internal maps,
 * minikafka sorted (DEVIATIONS.md, DescribeConfigs); synonyms keep Kafka's order, which is their
 * precedence.
 */
const rows = (configs) =>
  configs.map((x) => [x.name, x.value, x.configSource, x.readOnly, x.isSensitive, x.configType, x.synonyms.map((s) => [s.name, s.value, s.source])]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

async function describe(c, type, name, keys = null) {
  const r = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false });
  return r.results[0];
}

/** Kafka applies topic creation and config changes through its metadata log: wait until it shows them. */
async function settled(what, probe, tries = 150) {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Kafka did not settle: ${what}`);
}

async function recordConfigs(bootstrap) {
  const c = await WireClient.connect(bootstrap);
  try {
    const created = await c.request(CreateTopicsApi, 5, {
      topics: [
        { name: 'cfg', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'plain', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 30000,
      validateOnly: false,
    });
    if (created.topics.some((x) => x.errorCode !== 0)) throw new Error(`CreateTopics: ${JSON.stringify(created.topics.map((x) => x.errorCode))}`);
    await settled('the topics', async () => (await describe(c, TOPIC, 'cfg', ['retention.ms'])).configs[0]?.value === '1000' && (await describe(c, TOPIC, 'plain', ['retention.ms'])).errorCode === 0);
    const topic = await describe(c, TOPIC, 'cfg');
    const plain = await describe(c, TOPIC, 'plain');
    const broker = await describe(c, BROKER, '1');
    const byName = new Map(rows(broker.configs).map((row) => [row[0], row]));
    const errors = [];
    for (const [type, name] of DESCRIBE_ERRORS) {
      const r = await describe(c, type, name);
      errors.push({ resourceType: type, resourceName: name, answer: [r.errorCode, r.errorMessage, r.configs.length] });
    }
    const invalidTopicConfigs = [];
    for (const configs of INVALID_TOPIC_CONFIGS) {
      const r = await c.request(CreateTopicsApi, 5, {
        topics: [{ name: 'validate', numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
        timeoutMs: 30000,
        validateOnly: true,
      });
      invalidTopicConfigs.push({ configs, answer: [r.topics[0].errorCode, r.topics[0].errorMessage] });
    }
    const alterRefusals = [];
    for (const [api, resourceType, resourceName, configs] of ALTER_REFUSALS) {
      const r =
        api === 'alter'
          ? await c.request(AlterConfigsApi, 2, { resources: [{ resourceType, resourceName, configs: configs.map(([name, value]) => ({ name, value })) }], validateOnly: false })
          : await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType, resourceName, configs: configs.map(([name, configOperation, value]) => ({ name, configOperation, value })) }], validateOnly: false });
      alterRefusals.push({ request: [api, resourceType, resourceName, configs], answer: [r.responses[0].errorCode, r.responses[0].errorMessage] });
    }
    return {
      recorded: 'Apache Kafka 4.4.0 (bench/kafka/start-kafka.sh, one KRaft node) by scripts/record-kafka-answers.mjs',
      topicWithRetention: { errorCode: topic.errorCode, errorMessage: topic.errorMessage, configs: rows(topic.configs) },
      topicDefaults: rows(plain.configs),
      brokerConfigCount: broker.configs.length,
      broker: BROKER_NAMES.map((n) => byName.get(n) ?? ['MISSING', n]),
      clusterDefault: rows((await describe(c, BROKER, '')).configs),
      describeErrors: errors,
      invalidTopicConfigs,
      alterRefusals,
    };
  } finally {
    c.close();
  }
}

function recordInteropConfigs(bootstrap) {
  const topic = `configs-${process.pid}`;
  const out = run('java', ['-cp', 'test/interop/java/target/interop.jar', 'dev.minikafka.interop.Configs', '--bootstrap', bootstrap, '--topic', topic, '--settle-ms', '1500']);
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => l.replaceAll(topic, 'TOPIC'))
    .join('\n') + '\n';
}

/**
 * Runs one compiled test file against the Kafka under `bootstrap` (env names the test's own
 * external-broker switches) and returns its TAP output; throws when it fails.
 */
function runTest(file, env) {
  // TAP_TIMEOUT: the file's own 30 s default is a wall-clock bound, too short on a loaded machine.
  const r = spawnSync(process.execPath, [join(root, file)], { cwd: root, encoding: 'utf8', env: { TAP_TIMEOUT: '300', ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${file} against Kafka failed (status ${r.status}):\n${r.stdout.split('\n').filter((l) => /not ok|found|wanted|^\s+[-+] /.test(l)).slice(0, 40).join('\n')}\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/**
 * A fresh Kafka creates __transaction_state on the first transactional FindCoordinator and answers
 * NOT_COORDINATOR until its partitions are loaded: wait for that here, with a transactional id of
 * our own, so that the test records Kafka's answers and not its start-up.
 */
async function primeTransactionCoordinator(bootstrap) {
  const c = await WireClient.connect(bootstrap);
  try {
    await settled('the transaction coordinator', async () => {
      const fc = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['record-kafka-answers'] });
      return fc.coordinators[0].errorCode === 0 && (await initProducerId(c, 'record-kafka-answers')).errorCode === 0;
    }, 600); // up to 2 minutes: 50 partitions to create and load on a loaded machine
  } finally {
    c.close();
  }
}

/** test/e2e/transactions-v2's observe() against Kafka, written by the test itself (TV2_RECORD). */
async function recordTransactionsV2(bootstrap) {
  await primeTransactionCoordinator(bootstrap);
  const out = join(work, 'transactions-v2.json');
  runTest('dist/test/e2e/transactions-v2.test.js', { TV2_BOOTSTRAP: bootstrap, TV2_RECORD: out });
  return readFileSync(out, 'utf8');
}

/** test/e2e/cli-kafka-parity against Kafka: its inline texts must be what the CLI prints there. */
function checkCliParity(bootstrap) {
  const tap = runTest('dist/test/e2e/cli-kafka-parity.test.js', { CLI_KAFKA_BOOTSTRAP: bootstrap });
  const passed = tap.split('\n').filter((l) => /^\s+ok \d+ - /.test(l)).length;
  console.log(`record-kafka-answers: test/e2e/cli-kafka-parity.test.ts: ${passed} outputs equal Kafka 4.4's (checked, inline in the test)`);
}

/** admin_apis.py (librdkafka's admin calls) against Kafka: its JSON lines, masked by the program. */
function recordAdminLibrdkafka(bootstrap) {
  run('bash', ['test/interop/setup.sh', 'python']);
  const out = run('test/interop/python/.venv/bin/python', ['test/interop/python/admin_apis.py', '--bootstrap', bootstrap, '--topic', `admin-${process.pid}`, '--settle-ms', '1500'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.startsWith('{')).join('\n') + '\n';
}

/**
 * The raft and registration APIs refused for lack of a CLUSTER ACL: a second Kafka with the
 * StandardAuthorizer, its PLAINTEXT listeners' User:ANONYMOUS (the broker itself) a super user and
 * DENIED_USER, without ACLs, on a SASL_PLAINTEXT listener.
 */
async function recordDenied() {
  const saslPort = await freePort();
  const dir = join(work, 'kafka-authorizer');
  try {
    await startKafka(dir, {
      KAFKA_SASL_PORT: String(saslPort),
      KAFKA_EXTRA_PROPS: [
        'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users=User:ANONYMOUS',
        'sasl.enabled.mechanisms=PLAIN',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${DENIED_USER.name}="${DENIED_USER.password}";`,
      ].join('\n'),
    });
    return await runDeniedClusterSteps(`127.0.0.1:${saslPort}`);
  } finally {
    spawnSync('bash', ['bench/kafka/stop-kafka.sh', dir], { cwd: root, stdio: 'inherit' });
  }
}

/** JSON with one config row (or error) per line, so that a re-recording diffs line by line. */
function fmt(v, ind = '') {
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null) return '[\n' + v.map((x) => `${ind} ${JSON.stringify(x)}`).join(',\n') + `\n${ind}]`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return '{\n' + Object.entries(v).map(([k, x]) => `${ind} ${JSON.stringify(k)}: ${fmt(x, ind + ' ')}`).join(',\n') + `\n${ind}}`;
  return JSON.stringify(v);
}

/** Writes `text` to `file`, or with --check compares: returns whether it matches. */
function emit(file, text) {
  const path = join(root, file);
  if (!check) {
    writeFileSync(path, text);
    console.log(`record-kafka-answers: wrote ${file}`);
    return true;
  }
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (committed === text) {
    console.log(`record-kafka-answers: ${file} reproduced exactly (${text.length} bytes)`);
    return true;
  }
  const [a, b] = [committed.split('\n'), text.split('\n')];
  const differing = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) differing.push(`  line ${i + 1}\n    committed: ${a[i]}\n    recorded:  ${b[i]}`);
  console.log(`record-kafka-answers: ${file} DIFFERS on ${differing.length} lines\n${differing.slice(0, 20).join('\n')}`);
  return false;
}

if (wanted('configs')) run('bash', ['test/interop/setup.sh', 'java']);
const work = mkdtempSync(join(tmpdir(), 'record-kafka-answers-'));
const recorded = 'Apache Kafka 4.4.0 (bench/kafka/start-kafka.sh, one KRaft node) by scripts/record-kafka-answers.mjs';
let ok = true;
try {
  console.log('record-kafka-answers: starting Apache Kafka 4.4');
  const bootstrap = await startKafka(join(work, 'kafka'));
  if (wanted('configs')) {
    ok = emit('test/e2e/configs.kafka-4.4.json', fmt(await recordConfigs(bootstrap)) + '\n') && ok;
    ok = emit('test/interop/configs.kafka-4.4.jsonl', recordInteropConfigs(bootstrap)) && ok;
  }
  if (wanted('transactions-v2')) ok = emit('test/e2e/transactions-v2.kafka-4.4.json', (await recordTransactionsV2(bootstrap))) && ok;
  if (wanted('cli-parity')) checkCliParity(bootstrap);
  if (wanted('admin-cluster')) ok = emit('test/e2e/admin-cluster.kafka-4.4.json', fmt({ recorded, answers: await runAdminClusterSteps(bootstrap) }) + '\n') && ok;
  if (wanted('admin-librdkafka')) ok = emit('test/interop/admin-librdkafka.kafka-4.4.jsonl', recordAdminLibrdkafka(bootstrap)) && ok;
  if (wanted('api-answers')) {
    const answers = await runAnswerSteps(bootstrap);
    ok = emit('test/e2e/api-answers.kafka-4.4.json', fmt({ recorded, answers, deniedWithoutClusterAcl: await recordDenied() }) + '\n') && ok;
  }
} finally {
  spawnSync('bash', ['bench/kafka/stop-kafka.sh', join(work, 'kafka')], { cwd: root, stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
}
if (captures) run('bash', ['scripts/refresh-captures.sh'], { stdio: 'inherit' });
process.exit(ok ? 0 : 1);
