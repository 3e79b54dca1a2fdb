/**
 * Topic and broker configs through the official Java Admin client (kafka-clients 4.4.0): the
 * program test/interop/java/.../Configs.java describes a topic, a broker and the cluster default
 * with synonyms and documentation, incrementally alters them (SET, DELETE, APPEND, SUBTRACT,
 * validateOnly) and provokes Admin's errors. Its output must equal, line for line, what the same
 * program printed against Apache Kafka 4.4.0: configs.kafka-4.4.jsonl, re-recorded by
 * `npm run record-kafka-answers` (bench/kafka/start-kafka.sh, then the program with
 * --settle-ms 1500, the topic name replaced by TOPIC). Documentation is compared as present or not
 * (minikafka writes its own).
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead (with --settle-ms 1500,
 * since Kafka applies config changes asynchronously).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { brokerUnderTest, javaProgram, runProgram, setupClients } from './harness.js';

/** Apache Kafka 4.4.0's answers, re-recorded by `npm run record-kafka-answers` (topic name masked as TOPIC). */
const KAFKA_4_4_0 = readFileSync(fileURLToPath(new URL('../../../test/interop/configs.kafka-4.4.jsonl', import.meta.url)), 'utf8');

interface Line {
  readonly step: string;
  readonly ok: boolean;
}

function parse(text: string, topic: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l.replaceAll(topic, 'TOPIC')) as Line);
}

t.setTimeout(10 * 60_000);

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Java Admin: describe, incrementally alter, errors — as Apache Kafka 4.4.0 answers', async (t) => {
    const bootstrap = await brokerUnderTest(t);
    const topic = `configs-${randomBytes(4).toString('hex')}`;
    const args = ['--bootstrap', bootstrap, '--topic', topic];
    // Apache Kafka applies config changes asynchronously.
    if (process.env['INTEROP_BOOTSTRAP'] !== undefined) args.push('--settle-ms', '1500');
    const out = await runProgram(javaProgram('Configs'), args, 180_000);
    t.equal(out.code, 0, 'the program ran', { stderr: out.stderr.slice(-4000) });
    const got = parse(out.stdout, topic);
    const expected = parse(KAFKA_4_4_0, 'TOPIC');
    t.strictSame(got.map((l) => l.step), expected.map((l) => l.step), 'every step reported');
    for (const e of expected) t.strictSame(got.find((g) => g.step === e.step), e, e.step);
  });
}
