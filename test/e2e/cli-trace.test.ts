// The request trace: `minikafka start --trace` as a user runs it (the CLI's own producer and
// consumer against a traced broker, NDJSON to a file, filters), the fixture's `trace` sink with
// error codes and a SASL listener (no secret in the trace), and the bound on a slow output.
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MiniKafka, formatTraceLine } from '../../src/index.js';
import type { TraceRecord } from '../../src/index.js';
import { streamSink } from '../../src/server/net/trace.js';
import { KafkaClient } from '../../src/client/client.js';
import { produce } from '../../src/client/producer.js';
import { ProduceApi } from '../../src/protocol/messages/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { runCli } from '../helpers/cli-run.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'minikafka-trace-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

const run = runCli;

/** Starts `minikafka start` and resolves with the child and its bootstrap address once ready. */
function startBroker(args: string[]): Promise<{ child: ChildProcess; bootstrap: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      // The ready line: JSON with --json, else "minikafka ready on HOST:PORT (pid N)".
      const line = out.slice(0, i);
      if (i >= 0) resolve({ child, bootstrap: line.startsWith('{') ? (JSON.parse(line) as { bootstrapServers: string }).bootstrapServers : /ready on (\S+)/.exec(line)![1]!, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${err}`)));
  });
}

function stopBroker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

t.test('start --trace-file --json: the CLI producer and consumer, decoded, filtered by API', async (t) => {
  const file = join(tmp, 'trace.ndjson');
  const { child, bootstrap } = await startBroker(['--json', '--trace-file', file, '--trace-api', 'Produce,Fetch', '--topic', 'orders:2']);
  const b = ['-b', bootstrap];
  const p = await run(['produce', 'orders', '--partition', '1', ...b], 'one\ntwo\nthree\n');
  t.equal(p.status, 0, p.stderr);
  const c = await run(['consume', 'orders', '-p', '1', '-e', ...b]);
  t.equal(c.stdout, 'one\ntwo\nthree\n');
  await stopBroker(child);
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as TraceRecord);
  t.strictSame([...new Set(lines.map((l) => l.api))].sort(), ['Fetch', 'Produce'], 'only the APIs asked for');
  const prod = lines.filter((l) => l.api === 'Produce');
  t.equal(prod.length, 1, 'one produce request');
  t.equal(prod[0]!.clientId, 'minikafka-cli');
  t.strictSame(prod[0]!.request.topics, { orders: [1] });
  t.equal(prod[0]!.request.fields?.acks, -1);
  t.ok(prod[0]!.request.recordBytes! > 0, 'the batch size is shown');
  t.equal(prod[0]!.outcome, 'response');
  t.strictSame(prod[0]!.response?.errors, undefined, 'no error');
  t.ok(prod[0]!.latencyMs >= 0);
  t.match(prod[0]!.client, /^127\.0\.0\.1:\d+$/);
  const fetches = lines.filter((l) => l.api === 'Fetch');
  t.ok(fetches.length >= 1);
  t.strictSame(fetches[0]!.request.topics, { orders: [1] }, 'the topic named by id (Fetch v13+) is resolved to its name');
  t.ok(fetches.some((f) => (f.response?.recordBytes ?? 0) > 0), 'a fetch answered with records says how many bytes');
});

t.test('start --trace: readable lines on stderr, filtered by client id; bad filters are usage errors', async (t) => {
  const { child, bootstrap, stderr } = await startBroker(['--trace', '--trace-client-id', 'minikafka-cli', '--log-level', 'warn']);
  await run(['topics', 'create', 'audit', '-b', bootstrap]);
  const client = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'other-client' });
  await client.metadata(null);
  client.close();
  await stopBroker(child);
  const lines = stderr().trimEnd().split('\n');
  t.ok(lines.length >= 2, stderr());
  for (const l of lines) t.match(l, /^\S+Z 127\.0\.0\.1:\d+#\d+ "minikafka-cli" \w+ v\d+ corr=\d+ [\d.]+ms.* -> /);
  t.ok(lines.some((l) => / CreateTopics v\d+ .*topics=audit.* -> ok$/.test(l)), 'CreateTopics with its topic and outcome');
  t.notOk(lines.some((l) => l.includes('other-client')), 'another client id is filtered out');

  let r = await run(['start', '--port', '0', '--trace', '--trace-api', 'Prodce']);
  t.equal(r.status, 1);
  t.match(r.stderr, /--trace-api: unknown API 'Prodce'; did you mean 'Produce'/);
  r = await run(['start', '--port', '0', '--trace-topic', 'x']);
  t.equal(r.status, 1);
  t.match(r.stderr, /add --trace or --trace-file/);
});

t.test('fixture trace: error codes, topic filter, closed outcomes', async (t) => {
  const records: TraceRecord[] = [];
  await using kafka = await MiniKafka.start({ topics: ['a', 'b'], trace: { sink: (r) => records.push(r), topics: ['a', 'missing'] }, autoCreateTopics: false });
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers, clientId: 'tracer-test' });
  t.teardown(() => client.close());
  await produce(client, 'a', [{ key: null, value: Buffer.from('x') }]);
  await produce(client, 'b', [{ key: null, value: Buffer.from('y') }]);
  // A produce to a partition that does not exist: the error code is in the trace.
  const wire = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => wire.socket.destroy());
  await wire.request(ProduceApi, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'missing', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records: null }] }] });
  const topics = records.map((r) => Object.keys(r.request.topics ?? {}));
  t.ok(topics.every((ts) => ts.includes('a') || ts.includes('missing')), 'only requests naming the topics asked for');
  t.ok(records.some((r) => r.api === 'Produce' && r.request.topics?.a !== undefined));
  const failed = records.find((r) => r.api === 'Produce' && r.request.topics?.missing !== undefined)!;
  t.strictSame(failed.response?.errors, { UNKNOWN_TOPIC_OR_PARTITION: 1 });
  t.match(formatTraceLine(failed), / Produce v9 corr=\d+ [\d.]+ms topics=missing\[0\] transactionalId=null acks=1 timeoutMs=1000 -> UNKNOWN_TOPIC_OR_PARTITION$/);
});

t.test('fixture trace on a SASL listener: no password in the trace', async (t) => {
  const records: TraceRecord[] = [];
  await using kafka = await MiniKafka.start({ listener: 'SASL_PLAINTEXT://127.0.0.1:0', users: { alice: 'secret-pw-123' }, trace: { sink: (r) => records.push(r) } });
  const wire = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => wire.socket.destroy());
  const { SaslHandshakeApi, SaslAuthenticateApi, MetadataApi } = await import('../../src/protocol/messages/index.js');
  await wire.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  const auth = await wire.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from('\0alice\0secret-pw-123') });
  t.equal(auth.errorCode, 0);
  await wire.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.ok(records.some((r) => r.api === 'Metadata'), 'requests after authentication are traced');
  const text = records.map((r) => JSON.stringify(r) + formatTraceLine(r)).join('\n');
  t.notMatch(text, /secret-pw-123/);
  t.notMatch(text, Buffer.from('secret-pw-123').toString('base64'));
});

t.test('a stream sink drops lines past its bound and says how many', async (t) => {
  const written: string[] = [];
  let buffered = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      cb();
    },
  });
  Object.defineProperty(out, 'writableLength', { get: () => buffered });
  const { sink, dropped } = streamSink(out, { json: true, maxBufferedBytes: 100 });
  const rec: TraceRecord = { time: 'T', client: 'c', connection: 1, clientId: 'x', api: 'Metadata', apiKey: 3, version: 12, correlationId: 1, latencyMs: 0, request: {}, outcome: 'response', response: {} };
  sink(rec);
  buffered = 1000; // the output is stalled
  sink(rec);
  sink(rec);
  buffered = 0;
  sink(rec);
  await new Promise((r) => setImmediate(r));
  t.equal(dropped(), 2);
  t.equal(written.length, 3, 'two records and the note');
  t.strictSame(JSON.parse(written[1]!), { event: 'trace-dropped', count: 2 });
});
