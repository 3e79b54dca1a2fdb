/**
 * The CLI's broker options against Kafka 4.4's own Java clients and tools.
 *
 * The request trace shows a Java producer's and a Java consumer's requests, decoded.
 *
 * `--as-version 3.6` against Kafka 4.4's own Java client and tools (the reference Kafka's
 * classpath, bench/kafka/setup.sh): kafka-broker-api-versions lists exactly the emulated ranges
 * (3.6's, intersected with minikafka's), a console consumer with group.protocol=consumer stops
 * with Kafka's "The cluster does not support the new CONSUMER group protocol", and one with the
 * classic protocol reads the record. Every command is a JVM of its own: about a minute.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { TraceRecord } from '../../src/index.js';
import { root } from './harness.js';

function java(classpath: string, args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xmx200m', '-cp', classpath, `-Dlog4j2.configurationFile=${join(root, 'bench/kafka/log4j2.properties')}`, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// JVM starts on a machine at load average ~20: seconds each.
t.setTimeout(5 * 60_000);

const setup = spawnSync('bash', [join(root, 'bench/kafka/setup.sh')], { cwd: root, encoding: 'utf8' });
if (setup.status !== 0) {
  t.fail(`bench/kafka/setup.sh failed: the Kafka tools are not available\n${setup.stderr}`);
} else {
  const classpath = readFileSync(join(root, 'bench/kafka/target/classpath.txt'), 'utf8').trim();
  t.test('the trace shows a Java producer and a Java consumer, decoded', async (t) => {
    const trace: TraceRecord[] = [];
    await using kafka = await MiniKafka.start({ topics: ['traced'], config: { 'group.initial.rebalance.delay.ms': 0 }, trace: { sink: (r) => trace.push(r), topics: ['traced'] } });
    const produced = await java(classpath, ['org.apache.kafka.tools.ConsoleProducer', '--bootstrap-server', kafka.bootstrapServers, '--topic', 'traced', '--command-property', 'client.id=java-producer'], 'from-java\n');
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await java(classpath, ['org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', kafka.bootstrapServers, '--topic', 'traced', '--group', 'java-readers', '--from-beginning', '--max-messages', '1', '--timeout-ms', '60000', '--command-property', 'client.id=java-consumer']);
    t.match(consumed.stdout, /from-java/);
    const produce = trace.filter((r) => r.api === 'Produce' && r.clientId === 'java-producer');
    t.ok(produce.length >= 1, 'the Java producer\'s Produce is traced');
    t.strictSame(produce[0]!.request.topics, { traced: [0] });
    t.equal(produce[0]!.request.fields?.acks, -1, 'acks=all, the Java default');
    t.ok((produce[0]!.request.recordBytes ?? 0) > 0);
    const apis = new Set(trace.filter((r) => r.clientId === 'java-consumer').map((r) => r.api));
    for (const api of ['Fetch', 'OffsetCommit']) t.ok(apis.has(api), `the Java consumer's ${api} is traced`);
    const fetched = trace.filter((r) => r.clientId === 'java-consumer' && r.api === 'Fetch' && (r.response?.recordBytes ?? 0) > 0);
    t.ok(fetched.length >= 1, 'a Fetch answered with the record');
    t.strictSame(fetched[0]!.request.topics, { traced: [0] }, 'Fetch names the topic (by id from v13, shown by name)');
  });

  t.test('--as-version 3.6: the ranges Kafka 4.4 tools see, and a Java 4.4 consumer falls back to classic', async (t) => {
    await using kafka = await MiniKafka.start({ asVersion: '3.6', topics: ['t'], config: { 'group.initial.rebalance.delay.ms': 0 } });
    await kafka.produce('t', [{ value: 'hello' }]);

    // The tool's own admin client gives a request 5 s: on a loaded machine the JVM's first
    // Metadata request can take longer, so the test raises it.
    const adminConfig = join(mkdtempSync(join(tmpdir(), 'cli-java-')), 'admin.properties');
    writeFileSync(adminConfig, 'request.timeout.ms=120000\ndefault.api.timeout.ms=120000\n');
    const v = await java(classpath, ['org.apache.kafka.tools.BrokerApiVersionsCommand', '--bootstrap-server', kafka.bootstrapServers, '--command-config', adminConfig]);
    t.equal(v.code, 0, v.stderr);
    const listed = new Map([...v.stdout.matchAll(/\t(\w+)\((\d+)\): (\d+)(?: to (\d+))? \[usable/g)].map((m) => [Number(m[2]), [Number(m[3]), Number(m[4] ?? m[3])]]));
    const expected = new Map(kafka.broker.advertisedApis().map((a) => [a.apiKey, [a.minVersion, a.maxVersion]]));
    t.strictSame(listed, expected, 'kafka-broker-api-versions lists the emulated ranges');
    t.match(v.stdout, /ConsumerGroupHeartbeat\(68\): UNSUPPORTED/);
    t.match(v.stdout, /DescribeTopicPartitions\(75\): UNSUPPORTED/);
    t.match(v.stdout, /Fetch\(1\): 4 to 15 \[usable: 15\]/);

    const consume = (protocol: string) =>
      java(classpath, ['org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', kafka.bootstrapServers, '--topic', 't', '--group', `g-${protocol}`, '--from-beginning', '--max-messages', '1', '--timeout-ms', '60000', '--command-property', `group.protocol=${protocol}`]);
    const modern = await consume('consumer');
    t.match(modern.stdout + modern.stderr, /The cluster does not support the new CONSUMER group protocol\. Set group\.protocol=classic/, 'the KIP-848 consumer is refused as by Kafka 3.6');
    const classic = await consume('classic');
    t.equal(classic.stdout.trim().split('\n').filter((l) => !/deprecated/.test(l)).at(-1), 'hello', 'the classic consumer reads the record');
  });
}
