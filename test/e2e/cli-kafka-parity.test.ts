// The CLI prints what it printed against Apache Kafka 4.4.0: the expected texts below were
// recorded by running these commands against the reference broker of bench/kafka/start-kafka.sh
// (single node, node id 1), ids and wall-clock times masked. By default the commands run
// against minikafka; set CLI_KAFKA_BOOTSTRAP=host:port to run them against a fresh Kafka (no topic ev2, group g2 or
// transactional id tx-cmp2 yet) again.
import t from 'tap';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

function run(args: string[], input = ''): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, out }));
    child.stdin.end(input);
  });
}

const RECORDS = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `value ${i}`, headers: [{ key: 'seq', value: String(i) }], timestamp: 1_700_000_000_000 + i }));

t.test('same output as against Apache Kafka 4.4.0', async (t) => {
  const external = process.env.CLI_KAFKA_BOOTSTRAP;
  const kafka = external === undefined ? await MiniKafka.start() : null;
  t.teardown(() => kafka?.stop());
  const b = ['-b', external ?? kafka!.bootstrapServers];
  // The recorded names (column widths depend on them); an external Kafka must not have them yet.
  const T = 'ev2';
  const G = 'g2';
  const X = 'tx-cmp2';
  const step = async (args: string[], expected: string, input?: string) => {
    const r = await run([...args, ...b], input);
    t.equal(r.out.replace(/TopicId: [^\t]+/, '').replace(/ +\d+ +CompleteCommit/, ' PID CompleteCommit').replace(/ +/g, (m) => (args[0] === 'txns' ? ' ' : m)), expected, args.slice(0, 2).join(' '));
  };
  await step(['topics', 'create', T, '-p', '1'], 'Created topic ev2.\n');
  await step(['topics', 'create', T], "minikafka: CreateTopics ev2: TOPIC_ALREADY_EXISTS (Topic 'ev2' already exists.)\n");
  await step(['produce', T, '--input', 'ndjson', '--json', '--idempotent'], '{"topic":"ev2","records":1000,"partitions":[{"partition":0,"baseOffset":0,"count":1000}]}\n', RECORDS.map((r) => JSON.stringify(r)).join('\n'));
  await step(['consume', T, '-e'], RECORDS.map((r) => `${r.value}\n`).join(''));
  await step(['consume', T, '-e', '-f', '%t %p %o %T %k=%s [%h]\\n'], RECORDS.map((r, i) => `ev2 0 ${i} ${r.timestamp} ${r.key}=${r.value} [seq=${i}]\n`).join(''));
  await step(['consume', T, '-e', '--output', 'ndjson'], RECORDS.map((r, i) => JSON.stringify({ topic: 'ev2', partition: 0, offset: i, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }) + '\n').join(''));
  await step(['consume', T, '--group', G, '-c', '400', '-f', ''], '');
  await step(['groups', 'describe', G], "\nConsumer group 'g2' has no active members.\n\nGROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID\ng2    ev2   0         400            1000           600 -           -    -\n");
  await step(['groups', 'reset-offsets', G, '--topic', T, '--to-earliest', '--execute'], '\nGROUP TOPIC PARTITION NEW-OFFSET\ng2    ev2   0         0\n');
  await step(['groups', 'describe', G], "\nConsumer group 'g2' has no active members.\n\nGROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG  CONSUMER-ID HOST CLIENT-ID\ng2    ev2   0         0              1000           1000 -           -    -\n");
  await step(['produce', T, '--transactional-id', X, '--json'], '{"topic":"ev2","records":3,"partitions":[{"partition":0,"baseOffset":1000,"count":3}]}\n', '1\n2\n3\n');
  const txns = await run(['txns', 'list', '--json', ...b]);
  const mine = (JSON.parse(txns.out) as { transactionalId: string; coordinator: number; state: string }[]).filter((x) => x.transactionalId === X);
  t.strictSame(mine.map((x) => [x.coordinator, x.state]), [[1, 'CompleteCommit']], 'txns list');
  await step(['topics', 'describe', T], 'Topic: ev2\t\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \n\tTopic: ev2\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n');
  await step(['groups', 'delete', G], "Deletion of requested consumer groups ('g2') was successful.\n");
});
