// Client metrics (KIP-714) over the wire: CLIENT_METRICS config resources (IncrementalAlterConfigs,
// AlterConfigs, DescribeConfigs), ListConfigResources v0/v1, and the telemetry exchange
// (GetTelemetrySubscriptions / PushTelemetry) with the pushed payload read back through
// MiniKafka.telemetry(). Codes and messages are what Kafka 4.4 answered to the same requests.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka, ManualClock } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { AlterConfigsApi, ApiVersionsApi, DescribeConfigsApi, GetTelemetrySubscriptionsApi, IncrementalAlterConfigsApi, ListConfigResourcesApi, PushTelemetryApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { compressSync } from '../../src/protocol/records/compression.js';

const CLIENT_METRICS = 16;
const SET = 0;
const DELETE = 1;
const APPEND = 2;

async function start(t: Test, opts: MiniKafkaOptions = {}): Promise<{ kafka: MiniKafka; c: WireClient }> {
  const kafka = await MiniKafka.start(opts);
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  return { kafka, c };
}

function alter(c: WireClient, name: string, configs: [string, number, string | null][], validateOnly = false) {
  return c
    .request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configs: configs.map(([n, op, value]) => ({ name: n, configOperation: op, value })) }], validateOnly })
    .then((r) => [r.responses[0]!.errorCode, r.responses[0]!.errorMessage]);
}

function describe(c: WireClient, name: string, keys: string[] | null = null, includeSynonyms = true) {
  return c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: CLIENT_METRICS, resourceName: name, configurationKeys: keys }], includeSynonyms, includeDocumentation: true }).then((r) => r.results[0]!);
}

const list = (c: WireClient, v: number, resourceTypes: number[] = []) => c.request(ListConfigResourcesApi, v, { resourceTypes });

t.test('CLIENT_METRICS configs: set, describe, list, validation errors, delete', async (t) => {
  const { c } = await start(t, { topics: ['cm'] });
  t.strictSame(await alter(c, 'sub1', [['metrics', SET, 'org.apache.kafka.producer.'], ['interval.ms', SET, '1000'], ['match', SET, 'client_id=probe.*']]), [0, null]);

  const d = await describe(c, 'sub1');
  t.strictSame([d.errorCode, d.errorMessage], [0, '']);
  t.strictSame(
    d.configs.map((x) => [x.name, x.value, x.configSource, x.isSensitive, x.readOnly, x.configType, x.synonyms.map((s) => [s.name, s.value, s.source])]),
    [
      ['interval.ms', '1000', 7, false, false, 3, [['interval.ms', '1000', 7]]],
      ['match', 'client_id=probe.*', 7, false, false, 7, [['match', 'client_id=probe.*', 7]]],
      ['metrics', 'org.apache.kafka.producer.', 7, false, false, 7, [['metrics', 'org.apache.kafka.producer.', 7]]],
    ],
  );
  t.strictSame((await describe(c, 'sub1', ['match', 'nope'])).configs.map((x) => [x.name, x.documentation]), [['match', 'Client match criteria']], 'keys filter; documentation when asked');
  const unknown = await describe(c, 'nosuch', null, false);
  t.strictSame(unknown.configs.map((x) => [x.name, x.value, x.configSource]), [['interval.ms', '300000', 5], ['match', '', 5], ['metrics', '', 5]], 'an unknown subscription describes as the defaults');
  const empty = await describe(c, '');
  t.strictSame([empty.errorCode, empty.errorMessage], [ErrorCode.INVALID_REQUEST, 'Client metrics subscription name must not be empty']);

  const errors: [string, [string, number, string | null][], number, string][] = [
    ['sub2', [['interval.ms', SET, '10']], ErrorCode.INVALID_REQUEST, 'Invalid value 10 for interval.ms, interval must be between 100 and 3600000 (1 hour)'],
    ['sub2', [['interval.ms', SET, 'abc']], ErrorCode.INVALID_CONFIG, 'Invalid value abc for configuration interval.ms: Not a number of type INT'],
    ['sub2', [['foo', SET, '10']], ErrorCode.INVALID_REQUEST, 'Unknown client metrics configuration: foo'],
    ['sub2', [['match', SET, 'foo=bar']], ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: foo=bar'],
    ['sub2', [['match', SET, 'client_id=[']], ErrorCode.INVALID_CONFIG, 'Illegal client matching pattern: client_id=['],
    ['', [['interval.ms', SET, '1000']], ErrorCode.INVALID_REQUEST, "Subscription name can't be empty"],
    ['sub1', [['metrics', APPEND, 'x.']], ErrorCode.INVALID_CONFIG, "Can't APPEND to key metrics because its type is not LIST."],
  ];
  for (const [name, configs, code, message] of errors) t.strictSame(await alter(c, name, configs, true), [code, message], `${name}: ${JSON.stringify(configs)}`);

  t.strictSame(await alter(c, 'sub3', [['interval.ms', SET, '500']], true), [0, null], 'validateOnly');
  t.strictSame((await list(c, 0)).configResources, [{ resourceName: 'sub1', resourceType: CLIENT_METRICS }], 'validateOnly made nothing');

  const legacy = await c.request(AlterConfigsApi, 2, { resources: [{ resourceType: CLIENT_METRICS, resourceName: 'sub4', configs: [{ name: 'interval.ms', value: '2000' }] }], validateOnly: false });
  t.equal(legacy.responses[0]!.errorCode, 0, 'AlterConfigs sets a subscription too');

  const v1 = await list(c, 1);
  t.strictSame(
    v1.configResources.map((r) => [r.resourceType, r.resourceName]),
    [[CLIENT_METRICS, 'sub1'], [CLIENT_METRICS, 'sub4'], [8, '1'], [4, '1'], [2, 'cm']],
    'v1 with no types lists every kind, as Kafka 4.4 orders them',
  );
  t.strictSame((await list(c, 1, [32, 2])).configResources.map((r) => r.resourceName), ['cm'], 'only the asked types');
  t.equal((await list(c, 1, [3])).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'an unknown type fails the request');

  t.strictSame(await alter(c, 'sub1', [['metrics', DELETE, null], ['interval.ms', DELETE, null], ['match', DELETE, null]]), [0, null]);
  t.strictSame((await list(c, 0)).configResources.map((r) => r.resourceName), ['sub4'], 'a subscription without configs is gone');
  t.strictSame((await describe(c, 'sub1')).configs.map((x) => x.configSource), [5, 5, 5]);
});

t.test('telemetry: subscriptions match clients, pushes are throttled and checked as Kafka does, and kept for tests', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const { kafka, c } = await start(t, { clock });
  // The client tells what it is, as Java clients do, so that `match` can use it.
  await c.request(ApiVersionsApi, 4, { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '4.4.0', clusterId: null, nodeId: -1 });

  const get = (id: string) => c.request(GetTelemetrySubscriptionsApi, 0, { clientInstanceId: id });
  const push = (id: string, subscriptionId: number, metrics: Buffer, compressionType = 0, terminating = false) =>
    c.request(PushTelemetryApi, 0, { clientInstanceId: id, subscriptionId, terminating, compressionType, metrics }).then((r) => r.errorCode);

  const none = await get(ZERO_UUID);
  t.not(none.clientInstanceId, ZERO_UUID, 'a zero id gets an instance id');
  t.strictSame([none.errorCode, none.requestedMetrics, none.pushIntervalMs, none.acceptedCompressionTypes, none.telemetryMaxBytes, none.deltaTemporality], [0, [], 300000, [4, 3, 1, 2], 1048576, true], 'no subscription: nothing requested');
  const again = await get(none.clientInstanceId);
  t.strictSame([again.errorCode, again.clientInstanceId], [ErrorCode.THROTTLING_QUOTA_EXCEEDED, ZERO_UUID], 'asking again within the interval is throttled');

  t.strictSame(await alter(c, 'java', [['metrics', SET, 'org.apache.kafka.producer., org.apache.kafka.consumer.'], ['interval.ms', SET, '1000'], ['match', SET, 'client_software_name=apache-kafka-java,client_id=wire.*']]), [0, null]);
  t.strictSame(await alter(c, 'other', [['metrics', SET, '*'], ['match', SET, 'client_software_name=librdkafka']]), [0, null]);
  const sub = await get(none.clientInstanceId);
  t.strictSame([sub.errorCode, sub.clientInstanceId, sub.requestedMetrics, sub.pushIntervalMs], [0, none.clientInstanceId, ['org.apache.kafka.producer.', 'org.apache.kafka.consumer.'], 1000], 'a changed subscription is answered at once');
  t.not(sub.subscriptionId, none.subscriptionId, 'with a new subscription id');

  const payload = Buffer.from('otlp metrics data, as a client would push it');
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId + 1, payload), ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
  clock.advance(1000);
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, compressSync(1, payload), 1), 0, 'a gzip push is accepted');
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, payload), ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'the next push must wait an interval');
  clock.advance(1000);
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, payload, 9), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  clock.advance(1000);
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, Buffer.from('not gzip'), 1), ErrorCode.INVALID_RECORD, 'a payload that does not decompress');
  clock.advance(1000);
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, Buffer.alloc(1024 * 1024 + 1)), ErrorCode.TELEMETRY_TOO_LARGE);
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, payload, 0, true), 0, 'a terminating push is not throttled');
  t.equal(await push(sub.clientInstanceId, sub.subscriptionId, payload), ErrorCode.INVALID_REQUEST, 'nothing after a terminating push');
  t.equal(await push(ZERO_UUID, sub.subscriptionId, payload), ErrorCode.INVALID_REQUEST, 'a zero instance id');

  const received = kafka.telemetry();
  t.strictSame(
    received.map((p) => [p.clientInstanceId, p.clientId, p.clientSoftwareName, p.clientSoftwareVersion, p.subscriptionId, p.compressionType, p.terminating, p.metrics.toString()]),
    [
      [sub.clientInstanceId, 'wire-test', 'apache-kafka-java', '4.4.0', sub.subscriptionId, 1, false, payload.toString()],
      [sub.clientInstanceId, 'wire-test', 'apache-kafka-java', '4.4.0', sub.subscriptionId, 0, true, payload.toString()],
    ],
    'the accepted pushes, decompressed',
  );
  t.equal(received[0]!.receivedAtMs, 1_700_000_001_000);
});

t.test('telemetry instances are forgotten with their connection', async (t) => {
  const { kafka, c } = await start(t);
  const first = await c.request(GetTelemetrySubscriptionsApi, 0, { clientInstanceId: ZERO_UUID });
  const c2 = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c2.close());
  t.equal((await c2.request(GetTelemetrySubscriptionsApi, 0, { clientInstanceId: first.clientInstanceId })).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'known while its connection lives');
  const before = kafka.broker.connectionCount;
  c.close();
  await c.waitClosed();
  // The broker sees the close on its own socket: wait for it to drop the connection.
  while (kafka.broker.connectionCount === before) await new Promise<void>((resolve) => setImmediate(resolve));
  const after = await c2.request(GetTelemetrySubscriptionsApi, 0, { clientInstanceId: first.clientInstanceId });
  t.equal(after.errorCode, 0, 'a new instance after its connection closed');
});
