// Cluster operations over the wire. The answers to features in ApiVersions, UpdateFeatures,
// ElectLeaders, Alter/ListPartitionReassignments, AlterReplicaLogDirs and the delegation token
// APIs are replayed from admin-cluster.kafka-4.4.json, which scripts/record-kafka-answers.mjs
// records from a real Kafka 4.4 running the very same steps (admin-cluster-steps.ts). What a
// recording cannot show is asserted here: group.version gating the consumer protocol,
// DescribeQuorum on the virtual clock, and the state left after refused requests.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka, ManualClock } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WireClient } from '../helpers/wire-client.js';
import type { AnswerStep } from '../helpers/answer-steps.js';
import { runAdminClusterSteps } from './admin-cluster-steps.js';
import {
  AlterPartitionReassignmentsApi,
  ApiVersionsApi,
  ConsumerGroupDescribeApi,
  ConsumerGroupHeartbeatApi,
  DescribeQuorumApi,
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

// Compiled to dist/test/e2e; the recording stays next to the source.
const recorded = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/admin-cluster.kafka-4.4.json'), 'utf8')) as { readonly answers: readonly AnswerStep[] };

// ---- features ----

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

// ---- what the recorded answers cannot show: the state after them ----

t.test('refused reassignments move nothing; the one directory stays the only one', async (t) => {
  const { kafka, c } = await start(t, { topics: ['ra:3'] });
  await c.request(AlterPartitionReassignmentsApi, 1, {
    timeoutMs: 5000,
    allowReplicationFactorChange: true,
    topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas: [1, 2] }, { partitionIndex: 1, replicas: [1, 1] }, { partitionIndex: 2, replicas: [1] }] }],
  });
  const topic = kafka.broker.cluster.topics.get('ra')!;
  t.strictSame([0, 1, 2].map((p) => kafka.broker.cluster.replicasFor(topic, p)), [[1], [1], [1]], 'nothing moved');
});

// ---- every answer as Kafka 4.4 gave it ----

t.test('minikafka answers every cluster admin step as Kafka 4.4 did', async (t) => {
  const { kafka } = await start(t);
  const ours = await runAdminClusterSteps(kafka.bootstrapServers);
  t.strictSame(ours.map((s) => s.step), recorded.answers.map((s) => s.step), 'the same steps');
  for (const [i, step] of recorded.answers.entries()) t.strictSame(ours[i]?.answer, step.answer, step.step);
});
