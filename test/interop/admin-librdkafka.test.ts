/**
 * librdkafka's admin API (confluent-kafka 2.16.1 on librdkafka 2.16.0) on the APIs issue 11 added:
 * the program test/interop/python/admin_apis.py describes the cluster, alters and describes SCRAM
 * credentials (SHA-256 and SHA-512, too few and too many iterations, an unknown user, an unknown
 * mechanism, one user twice in a request), elects leaders (preferred and unclean: not needed; an
 * unknown partition and topic), lists offsets, describes and incrementally alters TOPIC, BROKER
 * and GROUP configs, describes topics with their authorized operations, commits, lists (by type
 * and state), describes (a KIP-848 member's group included) and deletes groups, deletes records
 * and tries the ACL calls without an authorizer. Its output must equal, line for line, what the same program printed
 * against Apache Kafka 4.4.0 (admin-librdkafka.kafka-4.4.jsonl, re-recorded by
 * `npm run record-kafka-answers`, with --settle-ms 1500: Kafka applies changes through its
 * metadata log). Error names and the broker's messages, as librdkafka passes them on, included.
 *
 * librdkafka has no call for client quotas, reassignments, DescribeQuorum, features or
 * client-metrics resources: the Java Admin and franz-go tests cover those.
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead (with --settle-ms 1500).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { brokerUnderTest, runProgram, setupClients } from './harness.js';

/** Apache Kafka 4.4.0's answers (topic name, cluster id and address masked by the program). */
const KAFKA_4_4_0 = readFileSync(fileURLToPath(new URL('../../../test/interop/admin-librdkafka.kafka-4.4.jsonl', import.meta.url)), 'utf8');

interface Line {
  readonly step: string;
}

const parse = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

t.setTimeout(5 * 60_000);

const setupError = setupClients('python');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('librdkafka admin calls answered as Apache Kafka 4.4.0 answers them', async (t) => {
    const bootstrap = await brokerUnderTest(t);
    const args = ['--bootstrap', bootstrap, '--topic', `admin-${randomBytes(4).toString('hex')}`];
    if (process.env['INTEROP_BOOTSTRAP'] !== undefined) args.push('--settle-ms', '1500');
    const out = await runProgram(['test/interop/python/.venv/bin/python', 'test/interop/python/admin_apis.py'], args, 180_000);
    t.equal(out.code, 0, 'the program ran', { stderr: out.stderr.slice(-4000) });
    const got = parse(out.stdout);
    const expected = parse(KAFKA_4_4_0);
    t.strictSame(got.map((l) => l.step), expected.map((l) => l.step), 'every step reported');
    for (const e of expected) t.strictSame(got.find((g) => g.step === e.step), e, e.step);
  });
}
