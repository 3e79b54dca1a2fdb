// The ApiVersions audit: for every API key that Apache Kafka 4.4 serves to clients, a running
// minikafka advertises exactly Kafka 4.4's version range, or the key is in EXCEPTIONS below with the
// range we do advertise and a reason (each pointing to DEVIATIONS.md or the issue that closes it).
// Work that serves an API removes its line; a line that no longer describes the broker fails.
//
// Which keys Kafka serves to clients comes from the 4.4 request specs (`listeners` containing
// `broker`), generated into test/generated/kafka-4.4-apis.ts by `npm run codegen`, not from a hand
// list. What a real 4.4 broker advertises differs from the specs' `validVersions` in two places,
// both in Kafka's ApiVersionsResponse/ApiKeys: a newest version marked `latestVersionUnstable` is
// left out unless `unstable.api.versions.enable` is set, and Produce is advertised from v0
// (KAFKA-18659: librdkafka refuses a broker whose Produce range does not start at 0) although v0-2
// are rejected when sent. A third gate, noted in KAFKA_44 below: GetTelemetrySubscriptions and
// PushTelemetry are advertised only when a client-telemetry receiver (a metrics reporter
// implementing ClientTelemetry) is configured; the audit expects them, since issue 11 serves them.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { ApiVersionsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { kafka44Apis } from '../generated/kafka-4.4-apis.js';
import { WireClient } from '../helpers/wire-client.js';

type Range = readonly [min: number, max: number];

/** What a Kafka 4.4 broker advertises for an API, derived from its 4.4 request spec; null: not on the client listener. */
function kafka44Advertised(api: (typeof kafka44Apis)[number]): Range | null {
  if (api.validVersions === null || !(api.listeners as readonly string[]).includes('broker')) return null;
  const [min, max] = api.validVersions;
  return [api.apiKey === 0 ? 0 : min, api.latestVersionUnstable ? max - 1 : max];
}

/**
 * Kafka 4.4.0's advertised ranges on the client listener, written out so a reader sees them at a
 * glance (checked against the derivation from the specs in the first test).
 */
const KAFKA_44: Readonly<Record<string, Range>> = {
  Produce: [0, 13], // spec 3-13; advertised from 0 (KAFKA-18659)
  Fetch: [4, 18],
  ListOffsets: [1, 11],
  Metadata: [0, 13],
  OffsetCommit: [2, 10],
  OffsetFetch: [1, 10],
  FindCoordinator: [0, 6],
  JoinGroup: [0, 9],
  Heartbeat: [0, 4],
  LeaveGroup: [0, 5],
  SyncGroup: [0, 5],
  DescribeGroups: [0, 6],
  ListGroups: [0, 5],
  SaslHandshake: [0, 1],
  ApiVersions: [0, 5],
  CreateTopics: [2, 7],
  DeleteTopics: [1, 6],
  DeleteRecords: [0, 2],
  InitProducerId: [0, 5], // spec 0-6; v6 (KIP-939 2PC) is latestVersionUnstable
  OffsetForLeaderEpoch: [2, 4],
  AddPartitionsToTxn: [0, 5],
  AddOffsetsToTxn: [0, 4],
  EndTxn: [0, 5],
  WriteTxnMarkers: [1, 2],
  TxnOffsetCommit: [0, 6],
  DescribeAcls: [1, 3],
  CreateAcls: [1, 3],
  DeleteAcls: [1, 3],
  DescribeConfigs: [1, 4],
  AlterConfigs: [0, 2],
  AlterReplicaLogDirs: [1, 2],
  DescribeLogDirs: [1, 5],
  SaslAuthenticate: [0, 2],
  CreatePartitions: [0, 3],
  CreateDelegationToken: [1, 3],
  RenewDelegationToken: [1, 2],
  ExpireDelegationToken: [1, 2],
  DescribeDelegationToken: [1, 3],
  DeleteGroups: [0, 3],
  ElectLeaders: [0, 2],
  IncrementalAlterConfigs: [0, 1],
  AlterPartitionReassignments: [0, 1],
  ListPartitionReassignments: [0, 0],
  OffsetDelete: [0, 0],
  DescribeClientQuotas: [0, 1],
  AlterClientQuotas: [0, 1],
  DescribeUserScramCredentials: [0, 0],
  AlterUserScramCredentials: [0, 0],
  DescribeQuorum: [0, 2],
  UpdateFeatures: [0, 2],
  DescribeCluster: [0, 2],
  DescribeProducers: [0, 0],
  UnregisterBroker: [0, 0],
  DescribeTransactions: [0, 0],
  ListTransactions: [0, 2],
  ConsumerGroupHeartbeat: [0, 1],
  ConsumerGroupDescribe: [0, 1],
  GetTelemetrySubscriptions: [0, 0], // only with a client-telemetry receiver configured
  PushTelemetry: [0, 0], // only with a client-telemetry receiver configured
  ListConfigResources: [0, 1],
  DescribeTopicPartitions: [0, 0],
  ShareGroupHeartbeat: [1, 1],
  ShareGroupDescribe: [1, 1],
  ShareFetch: [1, 2],
  ShareAcknowledge: [1, 2],
  AddRaftVoter: [0, 1],
  RemoveRaftVoter: [0, 0],
  InitializeShareGroupState: [0, 0],
  ReadShareGroupState: [0, 0],
  WriteShareGroupState: [0, 1],
  DeleteShareGroupState: [0, 0],
  ReadShareGroupStateSummary: [0, 1],
  StreamsGroupHeartbeat: [0, 1],
  StreamsGroupDescribe: [0, 1],
  DescribeShareGroupOffsets: [0, 1],
  AlterShareGroupOffsets: [0, 0],
  DeleteShareGroupOffsets: [0, 0],
  StreamsGroupTopologyDescriptionUpdate: [0, 0],
  UnregisterController: [0, 0],
};

const SHARE_STATE = 'share-group state is kept in-process, not through share coordinator RPCs (DEVIATIONS.md: Share groups)';
const OLD_CLIENTS = 'older versions served too, their wire layout unchanged (DEVIATIONS.md: Connection and framing)';

/** Keys whose advertised range differs from Kafka 4.4's: what we advertise (null: absent) and why. */
const EXCEPTIONS: Readonly<Record<string, { readonly advertised: Range | null; readonly reason: string }>> = {
  CreateTopics: { advertised: [0, 7], reason: OLD_CLIENTS },
  DeleteTopics: { advertised: [0, 6], reason: OLD_CLIENTS },
  WriteTxnMarkers: { advertised: [0, 2], reason: OLD_CLIENTS },
  DescribeLogDirs: { advertised: [0, 5], reason: OLD_CLIENTS },
  // The share coordinator's own RPCs (broker to share coordinator): the state lives in-process.
  InitializeShareGroupState: { advertised: null, reason: SHARE_STATE },
  ReadShareGroupState: { advertised: null, reason: SHARE_STATE },
  WriteShareGroupState: { advertised: null, reason: SHARE_STATE },
  DeleteShareGroupState: { advertised: null, reason: SHARE_STATE },
  ReadShareGroupStateSummary: { advertised: null, reason: SHARE_STATE },
};

const clientApis = kafka44Apis.flatMap((api) => {
  const range = kafka44Advertised(api);
  return range === null ? [] : [{ apiKey: api.apiKey, name: api.name, range }];
});

t.test('the recorded Kafka 4.4 ranges are what its specs give', async (t) => {
  t.ok(clientApis.length > 70, `${clientApis.length} API keys on Kafka 4.4's client listener`);
  t.strictSame(Object.fromEntries(clientApis.map((a) => [a.name, a.range])), KAFKA_44);
  t.strictSame(
    Object.keys(EXCEPTIONS).filter((name) => !(name in KAFKA_44)),
    [],
    'every exception names an API Kafka 4.4 serves to clients',
  );
});

t.test('ApiVersions advertises Kafka 4.4 ranges, or the listed exception', async (t) => {
  await using kafka = await MiniKafka.start({ port: 0 });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const resp = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'api-audit', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  t.equal(resp.errorCode, ErrorCode.NONE);
  const advertised = new Map<number, Range>(resp.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion] as const]));

  const wrong: string[] = [];
  for (const api of clientApis) {
    const got = advertised.get(api.apiKey) ?? null;
    const exception = EXCEPTIONS[api.name];
    const want = exception ? exception.advertised : api.range;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      wrong.push(`${api.name} (${api.apiKey}): advertises ${JSON.stringify(got)}, expected ${JSON.stringify(want)}${exception ? ` (exception: ${exception.reason}; remove the line once Kafka's range is served)` : ` (Kafka 4.4: ${JSON.stringify(api.range)})`}`);
    } else if (exception && JSON.stringify(exception.advertised) === JSON.stringify(api.range)) {
      wrong.push(`${api.name}: the exception says Kafka's own range; remove it`);
    }
  }
  t.strictSame(wrong, [], 'every client API at Kafka 4.4 range or as its exception says');

  const clientKeys = new Set<number>(clientApis.map((a) => a.apiKey));
  t.strictSame(
    [...advertised.keys()].filter((k) => !clientKeys.has(k)),
    [],
    'nothing advertised that Kafka 4.4 does not serve to clients',
  );
});
