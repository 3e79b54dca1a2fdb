// The requests whose answers test/e2e/api-answers.test.ts compares with Kafka 4.4's: the APIs
// issue 11 added (DeleteGroups v3, ApiVersions v5, the quorum and registration admin APIs,
// StreamsGroupTopologyDescriptionUpdate). One module runs them against any broker, so that
// scripts/record-kafka-answers.mjs records them from a real Kafka into api-answers.kafka-4.4.json
// and the test replays the very same steps against minikafka.
//
// What differs between two brokers by nature is masked: the cluster id (CLUSTER) and the quorum
// voter's directory id (DIRECTORY), topic dg's id (TOPIC_ID). Kafka lists DeleteGroups results in its hash order, minikafka
// in request order; both are sorted by group id.
import { WireClient } from '../helpers/wire-client.js';
import { plain, settled } from '../helpers/answer-steps.js';
import type { AnswerStep } from '../helpers/answer-steps.js';
import { endTxn, initProducerId, transactionalProducer } from '../helpers/transactions.js';
import {
  AddRaftVoterApi,
  ApiVersionsApi,
  ConsumerGroupHeartbeatApi,
  CreateTopicsApi,
  DeleteGroupsApi,
  DescribeClusterApi,
  DescribeQuorumApi,
  FindCoordinatorApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  TxnOffsetCommitApi,
  RemoveRaftVoterApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
  StreamsGroupTopologyDescriptionUpdateApi,
  UnregisterBrokerApi,
  UnregisterControllerApi,
} from '../../src/protocol/messages/index.js';

export type { AnswerStep };

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';
const OTHER_DIRECTORY = 'AAAAAAAAAAAAAAAAAAAAAQ';
const OTHER_CLUSTER = 'AAAAAAAAAAAAAAAAAAAAAA';
const GROUPS = ['nope', 'busy', 'simple', 'simple', '', 'busy'];


/** Runs every step against the broker at `bootstrap` and returns the answers, masked. */
export async function runAnswerSteps(bootstrap: string): Promise<AnswerStep[]> {
  const c = await WireClient.connect(bootstrap);
  const out: AnswerStep[] = [];
  try {
    const cluster = await c.request(DescribeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    const nodeId = cluster.controllerId;
    const quorum = await c.request(DescribeQuorumApi, 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] });
    const directory = quorum.topics[0]?.partitions[0]?.currentVoters[0]?.replicaDirectoryId ?? ZERO;
    const mask = (v: unknown): unknown => JSON.parse(JSON.stringify(plain(v)).replaceAll(cluster.clusterId, 'CLUSTER').replaceAll(directory, 'DIRECTORY'));
    const record = (step: string, answer: unknown): void => void out.push({ step, answer: mask(answer) });

    // ---- DeleteGroups v2/v3: an unknown, a non-empty, an empty group with an offset, '' ----
    await settled('the group coordinator', async () => (await c.request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: ['busy'] })).coordinators[0]?.errorCode === 0);
    await settled('the group coordinator loaded', async () => ![14, 15, 16].includes((await c.request(DeleteGroupsApi, 2, { groupsNames: ['warm-up'] })).results[0]?.errorCode ?? 0));
    const joined = await c.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'busy', memberId: 'member-of-busy-0000000', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000, subscribedTopicNames: ['dg'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
    record('ConsumerGroupHeartbeat v0 joins busy', joined.errorCode);
    const created = await c.request(CreateTopicsApi, 5, { topics: [{ name: 'dg', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30000, validateOnly: false });
    record('CreateTopics dg', created.topics[0]?.errorCode);
    const metadataOf = { topics: [{ topicId: ZERO, name: 'dg' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
    await settled('topic dg', async () => (await c.request(MetadataApi, 12, metadataOf)).topics[0]?.errorCode === 0);
    const committed = await c.request(OffsetCommitApi, 8, { groupId: 'simple', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 'dg', topicId: ZERO, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    record('OffsetCommit v8 simple', committed.topics[0]?.partitions[0]?.errorCode);
    for (const v of [2, 3, 3]) {
      const r = await c.request(DeleteGroupsApi, v, { groupsNames: GROUPS });
      record(`DeleteGroups v${v} ${JSON.stringify(GROUPS)}`, [...r.results].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0)));
    }

    // ---- TxnOffsetCommit v6 (KIP-1319): topics by id ----
    const dgId = (await c.request(MetadataApi, 12, metadataOf)).topics[0]?.topicId ?? ZERO;
    await settled('the transaction coordinator', async () => (await c.request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['api-answers'] })).coordinators[0]?.errorCode === 0 && (await initProducerId(c, 'api-answers')).errorCode === 0, 600);
    const producer = await transactionalProducer(c, 'api-answers');
    const part = (partitionIndex: number) => ({ partitionIndex, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null });
    const txnCommit = (topics: { topicId: string; partitions: number[] }[]) =>
      c.request(TxnOffsetCommitApi, 6, { transactionalId: 'api-answers', groupId: 'txn-group', producerId: producer.producerId, producerEpoch: producer.producerEpoch, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: topics.map((t) => ({ name: '', topicId: t.topicId, partitions: t.partitions.map(part) })) });
    const txnSteps: [string, { topicId: string; partitions: number[] }[]][] = [
      ['an unknown topic id', [{ topicId: OTHER_DIRECTORY, partitions: [0] }]],
      ['the zero topic id', [{ topicId: ZERO, partitions: [0] }]],
      ['an unknown partition', [{ topicId: dgId, partitions: [3] }]],
      ['unknown id, unknown partition and a good one', [{ topicId: OTHER_DIRECTORY, partitions: [0] }, { topicId: dgId, partitions: [2, 0] }]],
    ];
    for (const [label, topics] of txnSteps) record(`TxnOffsetCommit v6 ${label}`, JSON.parse(JSON.stringify(plain(await txnCommit(topics))).replaceAll(dgId, 'TOPIC_ID')));
    record('EndTxn v5 commit', (await endTxn(c, producer, true, 5)).errorCode);
    // Kafka writes the transaction markers after EndTxn answers: the offset shows once they are in.
    const fetchGroup = () => c.request(OffsetFetchApi, 9, { groupId: '', topics: null, groups: [{ groupId: 'txn-group', memberId: null, memberEpoch: -1, topics: null }], requireStable: true });
    await settled('the committed transaction offset', async () => ((await fetchGroup()).groups[0]?.topics.length ?? 0) > 0);
    const fetched = await fetchGroup();
    record('OffsetFetch v9 txn-group', JSON.parse(JSON.stringify(plain(fetched)).replaceAll(dgId, 'TOPIC_ID')));

    // ---- ApiVersions v5 (KIP-1242), each on a fresh connection; then is the connection open? ----
    const identities: [string, string | null, number][] = [
      ['neither', null, -1],
      ['both, this broker', cluster.clusterId, nodeId],
      ['cluster id only', cluster.clusterId, -1],
      ['node id only', null, nodeId],
      ['another cluster', OTHER_CLUSTER, nodeId],
      ['another node', cluster.clusterId, nodeId + 1],
      ['empty cluster id', '', nodeId],
    ];
    for (const [label, clusterId, node] of identities) {
      const a = await WireClient.connect(bootstrap);
      try {
        const r = await a.request(ApiVersionsApi, 5, { clientSoftwareName: 'api-answers', clientSoftwareVersion: '1', clusterId, nodeId: node });
        // The served keys and features are compared by the audit and the features tests; here, whether there are any.
        const summary = { errorCode: r.errorCode, apiKeys: r.apiKeys.length > 0, supportedFeatures: r.supportedFeatures.length > 0, finalizedFeatures: r.finalizedFeatures.length > 0, finalizedEpochSet: r.finalizedFeaturesEpoch >= 0n, throttleTimeMs: r.throttleTimeMs, zkMigrationReady: r.zkMigrationReady };
        const next = await a.request(MetadataApi, 12, { ...metadataOf, topics: [] }).then(
          () => 'open',
          () => 'closed',
        );
        record(`ApiVersions v5 ${label}`, { ...summary, connection: next });
      } finally {
        a.close();
      }
    }

    // ---- the quorum and registration admin APIs, refused as a one-controller quorum refuses them ----
    const controller = [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9 }];
    const admin: [string, () => Promise<unknown>][] = [
      ['UnregisterBroker v0 unknown id', () => c.request(UnregisterBrokerApi, 0, { brokerId: nodeId + 4 })],
      ['UnregisterBroker v0 -1', () => c.request(UnregisterBrokerApi, 0, { brokerId: -1 })],
      ['UnregisterController v0 the active one', () => c.request(UnregisterControllerApi, 0, { controllerId: nodeId })],
      ['UnregisterController v0 unknown id', () => c.request(UnregisterControllerApi, 0, { controllerId: nodeId + 2 })],
      ['AddRaftVoter v1 another cluster', () => c.request(AddRaftVoterApi, 1, { clusterId: OTHER_CLUSTER, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: [], ackWhenCommitted: true })],
      ['AddRaftVoter v1 no endpoints', () => c.request(AddRaftVoterApi, 1, { clusterId: null, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: [], ackWhenCommitted: true })],
      ['AddRaftVoter v1 no controller endpoint', () => c.request(AddRaftVoterApi, 1, { clusterId: null, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: [{ name: 'PLAINTEXT', host: 'localhost', port: 9 }], ackWhenCommitted: true })],
      ['AddRaftVoter v1 the voter itself', () => c.request(AddRaftVoterApi, 1, { clusterId: cluster.clusterId, timeoutMs: 5000, voterId: nodeId, voterDirectoryId: OTHER_DIRECTORY, listeners: controller, ackWhenCommitted: true })],
      ['AddRaftVoter v0 an unreachable controller', () => c.request(AddRaftVoterApi, 0, { clusterId: cluster.clusterId, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: controller, ackWhenCommitted: true })],
      ['RemoveRaftVoter v0 another cluster', () => c.request(RemoveRaftVoterApi, 0, { clusterId: OTHER_CLUSTER, voterId: nodeId, voterDirectoryId: directory })],
      ['RemoveRaftVoter v0 zero directory', () => c.request(RemoveRaftVoterApi, 0, { clusterId: null, voterId: nodeId + 1, voterDirectoryId: ZERO })],
      ['RemoveRaftVoter v0 negative id', () => c.request(RemoveRaftVoterApi, 0, { clusterId: null, voterId: -1, voterDirectoryId: OTHER_DIRECTORY })],
      ['RemoveRaftVoter v0 not a voter', () => c.request(RemoveRaftVoterApi, 0, { clusterId: cluster.clusterId, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY })],
      ['RemoveRaftVoter v0 the last voter', () => c.request(RemoveRaftVoterApi, 0, { clusterId: null, voterId: nodeId, voterDirectoryId: directory })],
      ['StreamsGroupTopologyDescriptionUpdate v0', () => c.request(StreamsGroupTopologyDescriptionUpdateApi, 0, { groupId: 'streams', memberId: 'm', topologyEpoch: 0, topologyDescription: { subtopologies: [], globalStores: [] } })],
      // Last: Kafka drops the registration until the broker's next heartbeat.
      ['UnregisterBroker v0 this broker', () => c.request(UnregisterBrokerApi, 0, { brokerId: nodeId })],
    ];
    for (const [step, send] of admin) record(step, await send());
  } finally {
    c.close();
  }
  return out;
}

/** The principal without any ACL that runDeniedClusterSteps logs in as (SASL/PLAIN). */
export const DENIED_USER = { name: 'alice', password: 'alice-secret' };

async function loginAs(bootstrap: string, user: { name: string; password: string }): Promise<WireClient> {
  const c = await WireClient.connect(bootstrap);
  const hs = await c.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  const auth = await c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\0${user.name}\0${user.password}`) });
  if (hs.errorCode !== 0 || auth.errorCode !== 0) {
    c.close();
    throw new Error(`SASL/PLAIN login as ${user.name}: ${hs.errorCode}/${auth.errorCode} ${auth.errorMessage ?? ''}`);
  }
  return c;
}

/**
 * The raft and registration admin APIs under the StandardAuthorizer, sent by DENIED_USER (no ACL
 * at all) over the SASL_PLAINTEXT listener at `saslBootstrap`: each is refused with
 * CLUSTER_AUTHORIZATION_FAILED before anything else is looked at (Kafka's message included).
 */
export async function runDeniedClusterSteps(saslBootstrap: string): Promise<AnswerStep[]> {
  const c = await loginAs(saslBootstrap, DENIED_USER);
  const out: AnswerStep[] = [];
  try {
    const cluster = await c.request(DescribeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    const nodeId = cluster.controllerId;
    // Kafka's "Request <request> needs ALTER permission." prints its RequestChannel.Request (connection
    // ids, object hashes, buffer positions): the request is masked, the text around it compared.
    const mask = (v: unknown): unknown =>
      JSON.parse(
        JSON.stringify(plain(v))
          .replaceAll(cluster.clusterId, 'CLUSTER')
          .replace(/Request Request\(.*?\) needs (\w+) permission\./g, 'Request Request(REQUEST) needs $1 permission.'),
      );
    const controller = [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9 }];
    const steps: [string, () => Promise<unknown>][] = [
      ['UnregisterBroker v0 this broker', () => c.request(UnregisterBrokerApi, 0, { brokerId: nodeId })],
      ['UnregisterBroker v0 unknown id', () => c.request(UnregisterBrokerApi, 0, { brokerId: nodeId + 4 })],
      ['UnregisterController v0 the active one', () => c.request(UnregisterControllerApi, 0, { controllerId: nodeId })],
      ['UnregisterController v0 unknown id', () => c.request(UnregisterControllerApi, 0, { controllerId: nodeId + 2 })],
      ['AddRaftVoter v0 another controller', () => c.request(AddRaftVoterApi, 0, { clusterId: cluster.clusterId, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: controller, ackWhenCommitted: true })],
      ['AddRaftVoter v1 another cluster', () => c.request(AddRaftVoterApi, 1, { clusterId: OTHER_CLUSTER, timeoutMs: 5000, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY, listeners: [], ackWhenCommitted: true })],
      ['RemoveRaftVoter v0 not a voter', () => c.request(RemoveRaftVoterApi, 0, { clusterId: cluster.clusterId, voterId: nodeId + 1, voterDirectoryId: OTHER_DIRECTORY })],
      ['RemoveRaftVoter v0 another cluster', () => c.request(RemoveRaftVoterApi, 0, { clusterId: OTHER_CLUSTER, voterId: nodeId, voterDirectoryId: OTHER_DIRECTORY })],
    ];
    for (const [step, send] of steps) out.push({ step, answer: mask(await send()) });
  } finally {
    c.close();
  }
  return out;
}
