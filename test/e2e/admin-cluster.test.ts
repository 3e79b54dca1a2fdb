// Cluster operations over the wire, each answer as Apache Kafka 4.4 gave it to the same request
// (recorded against the reference broker, bench/kafka/start-kafka.sh): features in ApiVersions and
// UpdateFeatures (with group.version gating the consumer protocol), DescribeQuorum, ElectLeaders,
// Alter/ListPartitionReassignments, AlterReplicaLogDirs and the delegation token APIs.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka, ManualClock } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import {
  AlterPartitionReassignmentsApi,
  AlterReplicaLogDirsApi,
  ApiVersionsApi,
  ConsumerGroupDescribeApi,
  ConsumerGroupHeartbeatApi,
  CreateDelegationTokenApi,
  DescribeDelegationTokenApi,
  DescribeLogDirsApi,
  DescribeQuorumApi,
  ElectLeadersApi,
  ExpireDelegationTokenApi,
  ListPartitionReassignmentsApi,
  RenewDelegationTokenApi,
  UpdateFeaturesApi,
} from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';

async function start(t: Test, opts: MiniKafkaOptions = {}): Promise<{ kafka: MiniKafka; c: WireClient }> {
  const kafka = await MiniKafka.start(opts);
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  return { kafka, c };
}

const apiVersions = (c: WireClient, v = 4) => c.request(ApiVersionsApi, v, { clientSoftwareName: 'wire-test', clientSoftwareVersion: '1.0', clusterId: null, nodeId: -1 });

function updateFeature(c: WireClient, feature: string, level: number, upgradeType: number, validateOnly: boolean, v = 1) {
  return c.request(UpdateFeaturesApi, v, { timeoutMs: 5000, featureUpdates: [{ feature, maxVersionLevel: level, allowDowngrade: false, upgradeType }], validateOnly });
}

const FAILED = 'The update failed for all features since the following feature had an error: ';

// ---- features ----

t.test('ApiVersions reports the features of a Kafka 4.4 node, at the levels minikafka implements', async (t) => {
  const { c } = await start(t);
  const v4 = await apiVersions(c, 4);
  t.strictSame(
    v4.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion]),
    [
      ['group.version', 0, 1],
      ['kraft.version', 0, 1],
      ['metadata.version', 7, 33],
      ['share.version', 0, 2],
      ['streams.version', 0, 1],
      ['transaction.version', 0, 2],
      ['eligible.leader.replicas.version', 0, 1],
    ],
  );
  t.strictSame(
    v4.finalizedFeatures.map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel]),
    [
      ['group.version', 1, 1],
      ['kraft.version', 1, 1],
      ['metadata.version', 33, 33],
      ['share.version', 2, 2],
      ['streams.version', 1, 1],
      ['transaction.version', 2, 2],
      ['eligible.leader.replicas.version', 1, 1],
    ],
    'level-0 features are not finalized',
  );
  const v3 = await apiVersions(c, 3);
  t.strictSame(v3.supportedFeatures.map((f) => f.name), ['metadata.version'], 'below v4, features whose range starts at 0 are left out (KAFKA-17011)');
  t.equal(v3.finalizedFeatures.length, 7, 'every finalized feature (level > 0), as on Kafka 4.4');
});

t.test('UpdateFeatures refuses what Kafka 4.4 refuses, with its messages', async (t) => {
  const { c } = await start(t);
  const cases: [string, number, number, string][] = [
    ['group.version', 0, 1, "Invalid update version 0 for feature group.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade."],
    ['group.version', 2, 1, 'Invalid update version 2 for feature group.version. Local controller 1 only supports versions 0-1'],
    ['foo.version', 1, 1, 'Invalid update version 1 for feature foo.version. Local controller 1 does not support this feature.'],
    ['group.version', 1, 9, 'Invalid update version 1 for feature group.version. The controller does not support the given upgrade type.'],
    ['group.version', -1, 1, 'Invalid update version -1 for feature group.version. A feature version cannot be less than 0.'],
    ['metadata.version', 7, 2, 'Unsupported metadata.version downgrade from 33 to 7. Refusing to perform the requested downgrade because it might delete metadata information.'],
    ['metadata.version', 32, 3, 'Unsupported metadata.version downgrade from 33 to 32. Unsafe metadata downgrade is not supported in this version.'],
    ['metadata.version', 40, 1, 'Invalid update version 40 for feature metadata.version. Local controller 1 only supports versions 7-33'],
    ['kraft.version', 0, 3, "Invalid update version 0 for feature kraft.version. Can't downgrade the version of this feature."],
  ];
  for (const [feature, level, type, message] of cases) {
    const r = await updateFeature(c, feature, level, type, false);
    t.strictSame([r.errorCode, r.errorMessage, r.results], [ErrorCode.INVALID_UPDATE_VERSION, FAILED + message, []], `${feature}=${level} type ${type}`);
  }
  const same = await updateFeature(c, 'metadata.version', 33, 1, false);
  t.strictSame([same.errorCode, same.results], [0, [{ feature: 'metadata.version', errorCode: 0, errorMessage: 'NONE' }]], 'the current level is accepted');
  const two = await c.request(UpdateFeaturesApi, 2, {
    timeoutMs: 5000,
    featureUpdates: [
      { feature: 'group.version', maxVersionLevel: 0, allowDowngrade: false, upgradeType: 2 },
      { feature: 'nope', maxVersionLevel: 1, allowDowngrade: false, upgradeType: 1 },
    ],
    validateOnly: false,
  });
  t.equal(two.errorCode, ErrorCode.INVALID_UPDATE_VERSION, 'one bad update fails the request');
  t.equal((await apiVersions(c)).finalizedFeatures.find((f) => f.name === 'group.version')?.maxVersionLevel, 1, '... and the good one is not applied');
});

t.test('group.version 0 turns the consumer protocol off, and 1 back on', async (t) => {
  const { kafka, c } = await start(t, { topics: ['gv'] });
  const heartbeat = () =>
    c.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'g', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000, subscribedTopicNames: ['gv'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
  const epochBefore = (await apiVersions(c)).finalizedFeaturesEpoch;

  const dry = await updateFeature(c, 'group.version', 0, 2, true);
  t.equal(dry.errorCode, 0, 'a safe downgrade validates');
  t.equal(kafka.broker.cluster.features.level('group.version'), 1, 'validateOnly changes nothing');

  t.equal((await updateFeature(c, 'group.version', 0, 2, false)).errorCode, 0);
  const after = await apiVersions(c);
  t.notOk(after.finalizedFeatures.some((f) => f.name === 'group.version'), 'group.version is no longer finalized');
  t.ok(after.finalizedFeaturesEpoch > epochBefore, 'the finalized features epoch moved on');
  t.equal((await heartbeat()).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupHeartbeat is refused');
  const described = await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false });
  t.equal(described.groups[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION, 'ConsumerGroupDescribe too');

  t.equal((await updateFeature(c, 'group.version', 1, 1, false)).errorCode, 0);
  const joined = await heartbeat();
  t.equal(joined.errorCode, 0, 'the consumer protocol works again');
  t.equal(joined.memberEpoch, 2, 'a new group is at epoch 1 (as Kafka 4.4): the join makes it 2');
});

t.test('UpdateFeatures v0 cannot downgrade: AllowDowngrade is not honoured, as in Kafka 4.4', async (t) => {
  const { c } = await start(t);
  const r = await c.request(UpdateFeaturesApi, 0, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, allowDowngrade: true, upgradeType: 1 }], validateOnly: false });
  t.equal(r.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
});

// ---- DescribeQuorum ----

t.test('DescribeQuorum: a single voter leading; the high watermark moves with the idle no-op records', async (t) => {
  const clock = new ManualClock(1_000_000);
  const { c } = await start(t, { clock });
  const req = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };
  const first = await c.request(DescribeQuorumApi, 2, req);
  const p = first.topics[0]!.partitions[0]!;
  t.strictSame([first.errorCode, p.errorCode, p.leaderId, p.leaderEpoch, p.observers], [0, 0, 1, 1, []]);
  t.equal(p.currentVoters.length, 1);
  const voter = p.currentVoters[0]!;
  t.strictSame([voter.replicaId, voter.logEndOffset, voter.lastFetchTimestamp, voter.lastCaughtUpTimestamp], [1, p.highWatermark, 1_000_000n, 1_000_000n]);
  t.not(voter.replicaDirectoryId, ZERO_UUID, 'v2 names the voter directory');
  t.strictSame(first.nodes.map((n) => [n.nodeId, n.listeners.map((l) => l.name)]), [[1, ['CONTROLLER']]]);

  clock.advance(5000);
  const later = (await c.request(DescribeQuorumApi, 2, req)).topics[0]!.partitions[0]!;
  t.equal(later.highWatermark, p.highWatermark + 10n, 'ten no-op records in 5 s (one per 500 ms)');
  await c.request(UpdateFeaturesApi, 1, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, allowDowngrade: false, upgradeType: 2 }], validateOnly: false });
  const afterChange = (await c.request(DescribeQuorumApi, 2, req)).topics[0]!.partitions[0]!;
  t.equal(afterChange.highWatermark, later.highWatermark + 1n, 'a feature change is one more record');

  const v0 = (await c.request(DescribeQuorumApi, 0, req)).topics[0]!.partitions[0]!;
  t.strictSame([v0.currentVoters[0]!.replicaDirectoryId, v0.currentVoters[0]!.lastFetchTimestamp], [ZERO_UUID, -1n], 'v0 carries neither');

  const other = await c.request(DescribeQuorumApi, 2, { topics: [{ topicName: 'foo', partitions: [{ partitionIndex: 0 }] }, { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }] });
  t.strictSame(
    other.topics.map((x) => [x.topicName, x.partitions[0]!.errorCode, x.partitions[0]!.errorMessage]),
    [
      ['foo', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
      ['__cluster_metadata', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
    ],
  );
  t.strictSame(other.nodes, [], 'no nodes when the quorum was not described');
});

// ---- ElectLeaders ----

t.test('ElectLeaders: ELECTION_NOT_NEEDED, unknown topics and partitions, all partitions, bad type', async (t) => {
  const { c } = await start(t, { topics: ['el:3'] });
  const NOT_NEEDED = [ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.'];
  const rows = (r: Awaited<ReturnType<typeof c.request<unknown, { replicaElectionResults: { topic: string; partitionResult: { partitionId: number; errorCode: number; errorMessage: string | null }[] }[] }>>>) =>
    r.replicaElectionResults.map((x) => [x.topic, x.partitionResult.map((p) => [p.partitionId, p.errorCode, p.errorMessage])]);

  for (const type of [0, 1]) {
    const r = await c.request(ElectLeadersApi, 2, { electionType: type, topicPartitions: [{ topic: 'el', partitions: [0, 1, 7] }, { topic: 'nope', partitions: [0] }], timeoutMs: 5000 });
    t.equal(r.errorCode, 0);
    t.strictSame(rows(r), [
      ['el', [[0, ...NOT_NEEDED], [1, ...NOT_NEEDED], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such partition as el-7']]],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'No such topic as nope']]],
    ], `election type ${type}`);
  }
  const v0 = await c.request(ElectLeadersApi, 0, { electionType: 0, topicPartitions: [{ topic: 'el', partitions: [2] }], timeoutMs: 5000 });
  t.strictSame(rows(v0), [['el', [[2, ...NOT_NEEDED]]]], 'v0 is a preferred election');
  const all = await c.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: null, timeoutMs: 5000 });
  t.strictSame(rows(all), [['el', []]], 'null = every partition; those that need no election are left out');
  const dup = await c.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: 'el', partitions: [0, 0] }, { topic: 'el', partitions: [1] }], timeoutMs: 5000 });
  t.strictSame(rows(dup), [['el', [[0, ...NOT_NEEDED], [0, ...NOT_NEEDED]]], ['el', [[1, ...NOT_NEEDED]]]], 'repeats are answered as asked');
  const bad = await c.request(ElectLeadersApi, 2, { electionType: 9, topicPartitions: [{ topic: 'el', partitions: [0] }], timeoutMs: 5000 });
  t.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
  t.strictSame(rows(bad), [['el', [[0, ErrorCode.INVALID_REQUEST, 'Unknown election type 9']]]]);
});

// ---- reassignments ----

t.test('AlterPartitionReassignments with one broker: unknown brokers, bad lists, cancellations', async (t) => {
  const { kafka, c } = await start(t, { topics: ['ra:3'] });
  const r = await c.request(AlterPartitionReassignmentsApi, 1, {
    timeoutMs: 5000,
    allowReplicationFactorChange: true,
    topics: [
      {
        name: 'ra',
        partitions: [
          { partitionIndex: 0, replicas: [1, 2] },
          { partitionIndex: 1, replicas: [5, 3] },
          { partitionIndex: 2, replicas: null },
          { partitionIndex: 9, replicas: [1] },
          { partitionIndex: 0, replicas: [] },
          { partitionIndex: 1, replicas: [1, 1] },
          { partitionIndex: 2, replicas: [1] },
        ],
      },
      { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
    ],
  });
  const assignment = 'The manual partition assignment includes';
  t.strictSame(
    r.responses.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.errorCode, p.errorMessage])]),
    [
      [
        'ra',
        [
          [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${assignment} broker 2, but no such broker is registered.`],
          [1, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${assignment} broker 3, but no such broker is registered.`],
          [2, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null],
          [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition ra:9.'],
          [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${assignment} an empty replica list.`],
          [1, ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${assignment} the broker 1 more than once.`],
          [2, ErrorCode.NONE, null],
        ],
      ],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named nope.']]],
    ],
  );
  t.equal(r.allowReplicationFactorChange, true);
  const topic = kafka.broker.cluster.topics.get('ra')!;
  t.strictSame([0, 1, 2].map((p) => kafka.broker.cluster.replicasFor(topic, p)), [[1], [1], [1]], 'nothing moved');
  const v0 = await c.request(AlterPartitionReassignmentsApi, 0, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas: [7] }] }] });
  t.equal(v0.responses[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'v0 answers the same');

  const list = await c.request(ListPartitionReassignmentsApi, 0, { timeoutMs: 5000, topics: null });
  t.strictSame([list.errorCode, list.topics], [0, []], 'no reassignment in progress');
  const some = await c.request(ListPartitionReassignmentsApi, 0, { timeoutMs: 5000, topics: [{ name: 'ra', partitionIndexes: [0, 9] }, { name: 'nope', partitionIndexes: [0] }] });
  t.strictSame([some.errorCode, some.topics], [0, []], 'unknown names are not errors');
});

// ---- log dirs ----

t.test('AlterReplicaLogDirs agrees with DescribeLogDirs: one directory, moves elsewhere are LOG_DIR_NOT_FOUND', async (t) => {
  const { c } = await start(t, { topics: ['ld:2'], config: { 'log.dirs': '/data/kafka' } });
  const described = await c.request(DescribeLogDirsApi, 4, { topics: null });
  const dir = described.results[0]!.logDir;
  t.equal(dir, '/data/kafka');
  const r = await c.request(AlterReplicaLogDirsApi, 2, {
    dirs: [
      { path: dir, topics: [{ name: 'ld', partitions: [0, 9] }, { name: 'nope', partitions: [0] }] },
      { path: '/elsewhere', topics: [{ name: 'ld', partitions: [1] }] },
    ],
  });
  t.strictSame(
    r.results.map((x) => [x.topicName, x.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      ['ld', [[0, ErrorCode.NONE], [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [1, ErrorCode.LOG_DIR_NOT_FOUND]]],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ],
  );
  const after = await c.request(DescribeLogDirsApi, 4, { topics: null });
  t.strictSame(after.results.map((x) => x.logDir), [dir], 'still the one directory');
  t.notOk(after.results[0]!.topics.flatMap((x) => x.partitions).some((p) => p.isFutureKey), 'no future replica');
});

// ---- delegation tokens ----

t.test('delegation tokens on a PLAINTEXT listener: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, as Kafka', async (t) => {
  const { c } = await start(t);
  const NOT_ALLOWED = ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
  const created = await c.request(CreateDelegationTokenApi, 3, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1n });
  t.strictSame(
    [created.errorCode, created.principalType, created.principalName, created.tokenRequesterPrincipalName, created.issueTimestampMs, created.tokenId, created.hmac.length],
    [NOT_ALLOWED, 'User', 'ANONYMOUS', 'ANONYMOUS', -1n, '', 0],
  );
  t.equal((await c.request(CreateDelegationTokenApi, 1, { ownerPrincipalType: '', ownerPrincipalName: '', renewers: [], maxLifetimeMs: -1n })).errorCode, NOT_ALLOWED, 'v1');
  const renewed = await c.request(RenewDelegationTokenApi, 2, { hmac: Buffer.from('abc'), renewPeriodMs: -1n });
  t.strictSame([renewed.errorCode, renewed.expiryTimestampMs], [NOT_ALLOWED, -1n]);
  const expired = await c.request(ExpireDelegationTokenApi, 2, { hmac: Buffer.from('abc'), expiryTimePeriodMs: -1n });
  t.strictSame([expired.errorCode, expired.expiryTimestampMs], [NOT_ALLOWED, -1n]);
  const described = await c.request(DescribeDelegationTokenApi, 3, { owners: [{ principalType: 'User', principalName: 'alice' }] });
  t.strictSame([described.errorCode, described.tokens], [NOT_ALLOWED, []]);
});

t.test('the new APIs are advertised at Kafka 4.4 ranges', async (t) => {
  const { c } = await start(t);
  const keys = new Map((await apiVersions(c)).apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  const expected: [number, number, number][] = [
    [34, 1, 2], [38, 1, 3], [39, 1, 2], [40, 1, 2], [41, 1, 3], [43, 0, 2], [45, 0, 1], [46, 0, 0], [55, 0, 2], [57, 0, 2], [71, 0, 0], [72, 0, 0], [74, 0, 1],
  ];
  for (const [key, min, max] of expected) t.strictSame(keys.get(key), [min, max], `API ${key}`);
});
