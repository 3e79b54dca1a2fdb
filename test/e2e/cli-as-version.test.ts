// `--as-version X.Y`: the broker advertises an older Kafka release's API ranges and features and
// refuses what that release did not serve. The recorded ranges (src/server/cluster/
// kafka-release-ranges.ts, from each release's own specs) are checked against the 4.4 specs in
// ../shared for 4.4, and a broker emulating 3.6 and 2.8 is checked on the wire and with the CLI's
// own client.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { ApiVersionsApi, DescribeTopicPartitionsApi, ConsumerGroupHeartbeatApi } from '../../src/protocol/messages/index.js';
import { RELEASE_RANGES } from '../../src/server/cluster/kafka-release-ranges.js';
import { kafkaRelease, knownReleases } from '../../src/server/cluster/kafka-releases.js';
import { kafka44Apis } from '../generated/kafka-4.4-apis.js';
import { KafkaClient } from '../../src/client/client.js';
import { produce } from '../../src/client/producer.js';
import { fetchPartition } from '../../src/client/fetcher.js';
import { WireClient } from '../helpers/wire-client.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

type ApiVersionsBody = Parameters<typeof ApiVersionsApi.writeRequest>[2];
const apiVersionsRequest = { clientSoftwareName: 'as-version-test', clientSoftwareVersion: '1' } as ApiVersionsBody;

t.test('the 4.4 recording equals what the 4.4 specs in ../shared say a 4.4 broker advertises', async (t) => {
  const fromSpecs: Record<number, [number, number]> = {};
  for (const api of kafka44Apis) {
    if (api.validVersions === null || !(api.listeners as readonly string[]).includes('broker')) continue;
    const [min, max] = api.validVersions;
    const top = api.latestVersionUnstable ? max - 1 : max;
    if (top >= min) fromSpecs[api.apiKey] = [min, top];
  }
  t.strictSame(Object.fromEntries(Object.entries(RELEASE_RANGES['4.4']!.apis).map(([k, v]) => [k, [...v]])), fromSpecs);
  t.strictSame(knownReleases(), ['2.8', '3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9', '4.0', '4.1', '4.2', '4.3', '4.4']);
  t.throws(() => kafkaRelease('9.9'), /'9.9' is not a Kafka release minikafka can emulate; known: 2.8, 3.0/);
  t.equal(kafkaRelease('3.6.2').version, '3.6');
});

t.test('--as-version 3.6: ranges, features, and what 3.6 did not serve is refused', async (t) => {
  await using kafka = await MiniKafka.start({ asVersion: '3.6', topics: ['t'] });
  await using newest = await MiniKafka.start();
  const wire = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => wire.socket.destroy());
  const r = await wire.request(ApiVersionsApi, 3, apiVersionsRequest);
  t.equal(r.errorCode, 0);
  const ours = new Map(newest.broker.advertisedApis().map((a) => [a.apiKey, a]));
  const release = RELEASE_RANGES['3.6']!.apis;
  // Every advertised range is the intersection of minikafka's own and Kafka 3.6's.
  const expected = [...ours.values()]
    .filter((a) => release[a.apiKey] !== undefined && a.apiKey !== 68 && a.apiKey !== 69)
    .map((a) => ({ apiKey: a.apiKey, minVersion: Math.max(a.minVersion, release[a.apiKey]![0]), maxVersion: Math.min(a.maxVersion, release[a.apiKey]![1]) }))
    .filter((a) => a.minVersion <= a.maxVersion);
  t.strictSame(r.apiKeys, expected);
  const byKey = new Map(r.apiKeys.map((a) => [a.apiKey, a]));
  t.strictSame([byKey.get(0)?.maxVersion, byKey.get(1)?.maxVersion, byKey.get(3)?.maxVersion], [9, 15, 12], 'Produce 9, Fetch 15, Metadata 12 as Kafka 3.6');
  t.notOk(byKey.has(68), 'no ConsumerGroupHeartbeat: a 4.x consumer uses the classic protocol');
  t.notOk(byKey.has(75), 'no DescribeTopicPartitions (3.7+)');
  t.strictSame(r.finalizedFeatures, [{ name: 'metadata.version', maxVersionLevel: 14, minVersionLevel: 14 }], 'metadata.version 3.6-IV2');
  t.strictSame(r.supportedFeatures, [{ name: 'metadata.version', minVersion: 1, maxVersion: 14 }]);

  // A request 3.6 would not have understood closes the connection, as 3.6 does.
  const dtp = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => dtp.socket.destroy());
  await t.rejects(dtp.request(DescribeTopicPartitionsApi, 0, { topics: [{ name: 't' }], responsePartitionLimit: 10, cursor: null } as never), /connection closed/);
  const cgh = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => cgh.socket.destroy());
  // A raw ConsumerGroupHeartbeat v0 header: the range check comes before the body is read.
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 1);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(ConsumerGroupHeartbeatApi.apiKey, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(1, 8);
  frame.writeInt16BE(-1, 12);
  await t.rejects(cgh.sendFrame(frame), /connection closed/);
  // A version above 3.6's range too.
  const v13 = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => v13.socket.destroy());
  await t.rejects(v13.request((await import('../../src/protocol/messages/index.js')).MetadataApi, 13, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }), /connection closed/);
});

t.test('--as-version 2.8: a client negotiates down and produces and fetches', async (t) => {
  await using kafka = await MiniKafka.start({ asVersion: '2.8', topics: ['old'] });
  const wire = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => wire.socket.destroy());
  const r = await wire.request(ApiVersionsApi, 3, apiVersionsRequest);
  t.strictSame(r.finalizedFeatures, [], 'ZooKeeper-mode 2.8 reports no features');
  t.equal(r.finalizedFeaturesEpoch, -1n);
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers });
  t.teardown(() => client.close());
  await produce(client, 'old', [{ key: null, value: Buffer.from('hello') }]);
  const f = await fetchPartition(client, 'old', 0, 0, {});
  t.strictSame(f.records.map((x) => x.value?.toString()), ['hello']);
});

t.test('minikafka start --as-version: a bad release is a usage error before the port is bound', async (t) => {
  const r = spawnSync(process.execPath, [cli, 'start', '--port', '0', '--as-version', '2.5'], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /^minikafka: --as-version '2\.5' is not a Kafka release minikafka can emulate; known: 2\.8, 3\.0, .*4\.4\n$/);
});
