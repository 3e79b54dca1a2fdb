// The listener and dispatcher with raw frames: versions, framing limits, ordering, shutdown.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { ApiVersionsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

t.test('ApiVersions lists what is served, Produce from v0', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  for (const v of [0, 1, 2, 3, 4, 5]) {
    const resp = await c.request(ApiVersionsApi, v, { clientSoftwareName: 'wire-test', clientSoftwareVersion: '1.0', clusterId: null, nodeId: -1 });
    t.equal(resp.errorCode, ErrorCode.NONE, `v${v} error code`);
    const av = resp.apiKeys.find((k) => k.apiKey === 18);
    t.strictSame([av?.minVersion, av?.maxVersion], [0, 5], `v${v} lists ApiVersions 0-5`);
  }
});

t.test('ApiVersions with a version above ours answers UNSUPPORTED_VERSION in a v0 body', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  // Header v2 framing for an unknown future version 9: apiKey, version, correlation, client id, tags, body.
  const body = Buffer.from([0x00, 0x12, 0x00, 0x09, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 0x78, 0x00, 0x00]);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
  const resp = await c.sendFrame(frame);
  t.equal(resp.readInt32BE(0), 42, 'correlation id echoed');
  t.equal(resp.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION, 'error 35');
  const count = resp.readInt32BE(6);
  t.ok(count >= 1, `lists ${count} APIs`);
});

t.test('an unknown API key or unserved version closes the connection', async (t) => {
  await using kafka = await MiniKafka.start();
  const a = await WireClient.connect(kafka.bootstrapServers);
  a.send(Buffer.from([0, 0, 0, 10, 0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0, 0]));
  await a.waitClosed();
  t.ok(a.closed, 'unknown key');
  const b = await WireClient.connect(kafka.bootstrapServers);
  b.send(WireClient.frame(MetadataApi, 13, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }).fill(0x7f, 6, 8));
  await b.waitClosed();
  t.ok(b.closed, 'version 0x7f7f');
});

t.test('a frame larger than socket.request.max.bytes closes the connection without allocating it', async (t) => {
  await using kafka = await MiniKafka.start({ config: { 'socket.request.max.bytes': 1024 } });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const before = process.memoryUsage().arrayBuffers;
  const size = Buffer.alloc(4);
  size.writeInt32BE(0x7ffffff0);
  c.send(size);
  await c.waitClosed();
  t.ok(process.memoryUsage().arrayBuffers - before < 64 << 20, 'no 2 GiB buffer');
  const d = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => d.close());
  const resp = await d.request(ApiVersionsApi, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  t.equal(resp.errorCode, 0, 'the broker still serves others');
});

t.test('pipelined requests are answered in order, a truncated body closes', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const reqs = [];
  for (let i = 0; i < 50; i++) reqs.push(c.request(ApiVersionsApi, i % 5, { clientSoftwareName: 'p', clientSoftwareVersion: String(i), clusterId: null, nodeId: -1 }));
  const all = await Promise.all(reqs);
  t.equal(all.length, 50, 'all answered, correlation ids matched in order');
  const bad = await WireClient.connect(kafka.bootstrapServers);
  // Metadata v12 header but a body cut short.
  const frame = WireClient.frame(MetadataApi, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  const cut = frame.subarray(0, frame.length - 6);
  cut.writeInt32BE(cut.length - 4, 0);
  bad.send(cut);
  await bad.waitClosed();
  t.ok(bad.closed, 'malformed body closes');
});

t.test('stop() closes listeners and connections quickly', async (t) => {
  const kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  const started = Date.now();
  await kafka.stop();
  // stop() closes open connections itself instead of waiting for them to go idle (Kafka's
  // connections.max.idle.ms is 10 minutes): 1 min tells the two apart on a loaded 2-core machine,
  // where a process can wait seconds for a CPU.
  await c.waitClosed(60_000);
  t.ok(Date.now() - started < 60_000, `closed in ${Date.now() - started} ms, without waiting for the client`);
  await kafka.stop();
  t.pass('stop is idempotent');
});
