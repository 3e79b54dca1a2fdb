// The cluster admin requests whose answers test/e2e/admin-cluster.test.ts compares with Kafka
// 4.4's: features in ApiVersions, UpdateFeatures refusals, ElectLeaders, Alter/List partition
// reassignments, AlterReplicaLogDirs, the delegation token APIs on PLAINTEXT, and the ranges
// ApiVersions gives these APIs. One module runs them against any broker, so that
// scripts/record-kafka-answers.mjs records them from a real Kafka into
// admin-cluster.kafka-4.4.json and the test replays the very same steps against minikafka.
//
// Masked, as they differ between two brokers by nature: the log directory's path (LOGDIR).
// Every step leaves the cluster as it found it (refused or no-op requests), so the order of
// the steps is free and the recorder can run them before the steps that unregister the broker.
import { WireClient } from '../helpers/wire-client.js';
import { plain, settled } from '../helpers/answer-steps.js';
import type { AnswerStep } from '../helpers/answer-steps.js';
import {
  AlterPartitionReassignmentsApi,
  AlterReplicaLogDirsApi,
  ApiVersionsApi,
  CreateDelegationTokenApi,
  CreateTopicsApi,
  DescribeDelegationTokenApi,
  DescribeLogDirsApi,
  ElectLeadersApi,
  ExpireDelegationTokenApi,
  ListPartitionReassignmentsApi,
  MetadataApi,
  RenewDelegationTokenApi,
  UpdateFeaturesApi,
} from '../../src/protocol/messages/index.js';

/** Topics the steps use, created by the steps (as [name, partitions]). */
export const ADMIN_CLUSTER_TOPICS: readonly [string, number][] = [['el', 3], ['ra', 3], ['ld', 2]];
/**
 * The API keys whose advertised ranges are recorded (the cluster admin APIs issue 11 added).
 * Not GetTelemetrySubscriptions (71) and PushTelemetry (72): Kafka advertises them only with a
 * telemetry plugin, minikafka always (DEVIATIONS.md, Client metrics; api-audit names them).
 */
const RANGE_KEYS = [34, 38, 39, 40, 41, 43, 45, 46, 55, 57, 74];

/** Topics by name and partitions by index: Kafka answers these APIs in its hash maps' order. */
function byName<T extends { topic?: string; topicName?: string }>(rows: readonly T[]): T[] {
  const name = (r: T): string => r.topic ?? r.topicName ?? '';
  return [...rows].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/** UpdateFeatures v1 requests Kafka refuses, as [feature, level, upgrade type]. */
const FEATURE_REFUSALS: [string, number, number][] = [
  ['group.version', 0, 1],
  ['group.version', 2, 1],
  ['foo.version', 1, 1],
  ['group.version', 1, 9],
  ['group.version', -1, 1],
  ['metadata.version', 7, 2],
  ['metadata.version', 32, 3],
  ['metadata.version', 40, 1],
  ['kraft.version', 0, 3],
];

function sortedLogDirResults<R extends { results: { topicName: string; partitions: { partitionIndex: number }[] }[] }>(r: R): R {
  return { ...r, results: byName(r.results).map((x) => ({ ...x, partitions: [...x.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex) })) };
}

/** Runs every step against the broker at `bootstrap` and returns the answers, masked. */
export async function runAdminClusterSteps(bootstrap: string): Promise<AnswerStep[]> {
  const c = await WireClient.connect(bootstrap);
  const out: AnswerStep[] = [];
  const record = (step: string, answer: unknown): void => void out.push({ step, answer: plain(answer) });
  try {
    const created = await c.request(CreateTopicsApi, 5, {
      topics: ADMIN_CLUSTER_TOPICS.map(([name, numPartitions]) => ({ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 30000,
      validateOnly: false,
    });
    record('CreateTopics el:3 ra:3 ld:2', created.topics.map((x) => [x.name, x.errorCode]));
    const metadata = { topics: ADMIN_CLUSTER_TOPICS.map(([name]) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })), allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    await settled('the topics', async () => (await c.request(MetadataApi, 12, metadata)).topics.every((x) => x.errorCode === 0 && x.partitions.every((p) => p.leaderId >= 0)));

    // ---- features ----
    const versions = async (v: number) => c.request(ApiVersionsApi, v, { clientSoftwareName: 'admin-cluster', clientSoftwareVersion: '1.0', clusterId: null, nodeId: -1 });
    const v4 = await versions(4);
    record('ApiVersions v4 supported features', v4.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion]));
    record('ApiVersions v4 finalized features', v4.finalizedFeatures.map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel]));
    const v3 = await versions(3);
    record('ApiVersions v3 features (KAFKA-17011)', { supported: v3.supportedFeatures.map((f) => f.name), finalized: v3.finalizedFeatures.length });
    const keys = new Map(v4.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    record('ApiVersions ranges of the cluster admin APIs', RANGE_KEYS.map((k) => [k, ...(keys.get(k) ?? [])]));

    const update = (feature: string, maxVersionLevel: number, upgradeType: number, v = 1) =>
      c.request(UpdateFeaturesApi, v, { timeoutMs: 5000, featureUpdates: [{ feature, maxVersionLevel, allowDowngrade: false, upgradeType }], validateOnly: false });
    for (const [feature, level, type] of FEATURE_REFUSALS) record(`UpdateFeatures v1 ${feature}=${level} type ${type}`, await update(feature, level, type));
    record('UpdateFeatures v1 metadata.version at its current level', await update('metadata.version', Number(v4.finalizedFeatures.find((f) => f.name === 'metadata.version')?.maxVersionLevel ?? 0), 1));
    record(
      'UpdateFeatures v2 a good and a bad update',
      await c.request(UpdateFeaturesApi, 2, {
        timeoutMs: 5000,
        featureUpdates: [
          { feature: 'group.version', maxVersionLevel: 0, allowDowngrade: false, upgradeType: 2 },
          { feature: 'nope', maxVersionLevel: 1, allowDowngrade: false, upgradeType: 1 },
        ],
        validateOnly: false,
      }),
    );
    record('UpdateFeatures v0 downgrade with AllowDowngrade', await c.request(UpdateFeaturesApi, 0, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, allowDowngrade: true, upgradeType: 1 }], validateOnly: false }));
    record('ApiVersions v4 finalized features after the refusals', (await versions(4)).finalizedFeatures.map((f) => [f.name, f.maxVersionLevel]));

    // ---- ElectLeaders ----
    for (const type of [0, 1]) {
      record(`ElectLeaders v2 type ${type}`, await c.request(ElectLeadersApi, 2, { electionType: type, topicPartitions: [{ topic: 'el', partitions: [0, 1, 7] }, { topic: 'nope', partitions: [0] }], timeoutMs: 5000 }));
    }
    record('ElectLeaders v0', await c.request(ElectLeadersApi, 0, { electionType: 0, topicPartitions: [{ topic: 'el', partitions: [2] }], timeoutMs: 5000 }));
    // Every partition of the cluster: each topic is listed, with the partitions that needed an
    // election. Only this module's topics are kept: the recorder's Kafka holds others by then.
    const all = await c.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: null, timeoutMs: 5000 });
    const ours = all.replicaElectionResults.filter((x) => ADMIN_CLUSTER_TOPICS.some(([name]) => name === x.topic));
    record('ElectLeaders v2 all partitions (this module\'s topics, sorted)', { ...all, replicaElectionResults: byName(ours) });
    record('ElectLeaders v2 repeated partitions', await c.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: 'el', partitions: [0, 0] }, { topic: 'el', partitions: [1] }], timeoutMs: 5000 }));
    record('ElectLeaders v2 an unknown election type', await c.request(ElectLeadersApi, 2, { electionType: 9, topicPartitions: [{ topic: 'el', partitions: [0] }], timeoutMs: 5000 }));

    // ---- reassignments ----
    const partitions = [
      { partitionIndex: 0, replicas: [1, 2] },
      { partitionIndex: 1, replicas: [5, 3] },
      { partitionIndex: 2, replicas: null },
      { partitionIndex: 9, replicas: [1] },
      { partitionIndex: 0, replicas: [] },
      { partitionIndex: 1, replicas: [1, 1] },
      { partitionIndex: 2, replicas: [1] },
    ];
    record('AlterPartitionReassignments v1 to unknown brokers, bad lists, a cancellation', await c.request(AlterPartitionReassignmentsApi, 1, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'ra', partitions }, { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] }] }));
    record('AlterPartitionReassignments v0 to an unknown broker', await c.request(AlterPartitionReassignmentsApi, 0, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas: [7] }] }] }));
    record('ListPartitionReassignments v0 all', await c.request(ListPartitionReassignmentsApi, 0, { timeoutMs: 5000, topics: null }));
    record('ListPartitionReassignments v0 known and unknown', await c.request(ListPartitionReassignmentsApi, 0, { timeoutMs: 5000, topics: [{ name: 'ra', partitionIndexes: [0, 9] }, { name: 'nope', partitionIndexes: [0] }] }));

    // ---- log dirs ----
    const dir = (await c.request(DescribeLogDirsApi, 4, { topics: null })).results[0]?.logDir ?? '';
    const masked = (v: unknown): unknown => JSON.parse(JSON.stringify(plain(v)).replaceAll(JSON.stringify(dir).slice(1, -1), 'LOGDIR'));
    out.push({
      step: 'AlterReplicaLogDirs v2 to its own directory and elsewhere (sorted)',
      answer: masked(sortedLogDirResults(await c.request(AlterReplicaLogDirsApi, 2, { dirs: [{ path: dir, topics: [{ name: 'ld', partitions: [0, 9] }, { name: 'nope', partitions: [0] }] }, { path: '/elsewhere', topics: [{ name: 'ld', partitions: [1] }] }] }))),
    });
    const after = await c.request(DescribeLogDirsApi, 4, { topics: null });
    out.push({ step: 'DescribeLogDirs v4 directories and future replicas after it', answer: masked({ dirs: after.results.map((x) => x.logDir), future: after.results.flatMap((x) => x.topics.flatMap((y) => y.partitions)).filter((p) => p.isFutureKey).length }) });

    // ---- delegation tokens on PLAINTEXT ----
    record('CreateDelegationToken v3', await c.request(CreateDelegationTokenApi, 3, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1n }));
    record('CreateDelegationToken v1', await c.request(CreateDelegationTokenApi, 1, { ownerPrincipalType: '', ownerPrincipalName: '', renewers: [], maxLifetimeMs: -1n }));
    record('RenewDelegationToken v2', await c.request(RenewDelegationTokenApi, 2, { hmac: Buffer.from('abc'), renewPeriodMs: -1n }));
    record('ExpireDelegationToken v2', await c.request(ExpireDelegationTokenApi, 2, { hmac: Buffer.from('abc'), expiryTimePeriodMs: -1n }));
    record('DescribeDelegationToken v3', await c.request(DescribeDelegationTokenApi, 3, { owners: [{ principalType: 'User', principalName: 'alice' }] }));
  } finally {
    c.close();
  }
  return out;
}
