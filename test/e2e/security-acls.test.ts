// The ACL matrix on the wire: for each API family (topic admin, configs, groups and offsets,
// transactions, cluster operations) a principal without the ACL is refused with Kafka's code, and
// one with it gets through. alice has no ACL on what she asks for; bob has exactly the ACLs each
// request needs (KafkaApis / ControllerApis name them). Over SASL_PLAINTEXT with PLAIN, our own codecs.
import t from 'tap';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType, createAuditLogger } from '../../src/index.js';
import type { AclBinding } from '../../src/index.js';
import {
  SaslHandshakeApi,
  SaslAuthenticateApi,
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
  DeleteTopicsApi,
  CreatePartitionsApi,
  DeleteRecordsApi,
  ListOffsetsApi,
  DescribeConfigsApi,
  IncrementalAlterConfigsApi,
  FindCoordinatorApi,
  JoinGroupApi,
  OffsetCommitApi,
  OffsetFetchApi,
  DescribeGroupsApi,
  ListGroupsApi,
  DeleteGroupsApi,
  InitProducerIdApi,
  ListTransactionsApi,
  DescribeLogDirsApi,
  ElectLeadersApi,
  DescribeClientQuotasApi,
  AlterUserScramCredentialsApi,
  DescribeUserScramCredentialsApi,
  CreateAclsApi,
  DescribeAclsApi,
} from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetchOne } from '../helpers/data-path.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCRAM_SHA_512, saltedPassword } from '../../src/server/security/sasl/scram-formatter.js';
import { scramAuthenticate } from '../helpers/sasl-login.js';

const USERS = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret' };
const A = AclOperation;

function acl(resourceType: number, name: string, operation: number, patternType: number = PatternType.LITERAL, principal = 'User:bob'): AclBinding {
  return {
    pattern: { resourceType: resourceType as 2, name, patternType: patternType as 3 },
    entry: { principal, host: '*', operation: operation as 3, permissionType: AclPermissionType.ALLOW },
  };
}

async function login(kafka: MiniKafka, user: keyof typeof USERS): Promise<WireClient> {
  const c = await WireClient.connect(kafka.bootstrapServers);
  const hs = await c.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  if (hs.errorCode !== 0) throw new Error(`handshake ${hs.errorCode}`);
  const auth = await c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\0${user}\0${USERS[user]}`) });
  if (auth.errorCode !== 0) throw new Error(`authenticate ${auth.errorCode}`);
  return c;
}

t.test('the ACL matrix: refused without the ACL, served with it', async (t) => {
  const audit: string[] = [];
  await using kafka = await MiniKafka.start({
    listener: 'SASL_PLAINTEXT://127.0.0.1:0',
    users: USERS,
    superUsers: ['User:admin'],
    topics: ['t1:2', 'bob-old:1'],
    config: { 'auto.create.topics.enable': false },
    audit: createAuditLogger('info', (l) => audit.push(l)),
    acls: [
      ...[A.CREATE, A.DELETE, A.ALTER, A.DESCRIBE_CONFIGS, A.ALTER_CONFIGS].map((op) => acl(ResourceType.TOPIC, 'bob-', op, PatternType.PREFIXED)),
      ...[A.READ, A.WRITE, A.DELETE].map((op) => acl(ResourceType.TOPIC, 't1', op)),
      ...[A.READ, A.DESCRIBE, A.DELETE].map((op) => acl(ResourceType.GROUP, 'g-bob', op)),
      acl(ResourceType.TRANSACTIONAL_ID, 'tx-bob', A.WRITE),
      acl(ResourceType.CLUSTER, 'kafka-cluster', A.DESCRIBE),
      // alice may use her group, but may not read t1: her offset commit is refused per topic.
      acl(ResourceType.GROUP, 'g-alice', A.READ, PatternType.LITERAL, 'User:alice'),
    ],
  });
  const alice = await login(kafka, 'alice');
  const bob = await login(kafka, 'bob');
  t.teardown(() => {
    alice.close();
    bob.close();
  });

  await t.test('topic admin', async (t) => {
    const create = (c: WireClient, name: string) =>
      c.request(CreateTopicsApi, 7, { topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000, validateOnly: false });
    const refused = (await create(alice, 'bob-new')).topics[0]!;
    t.equal(refused.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal(refused.errorMessage, 'Authorization failed.');
    const created = (await create(bob, 'bob-new')).topics[0]!;
    t.equal(created.errorCode, ErrorCode.NONE, 'CREATE on the prefix');
    t.equal(created.topicConfigErrorCode, ErrorCode.NONE, 'DESCRIBE_CONFIGS: configs returned');
    t.ok((created.configs ?? []).length > 0);

    const grow = (c: WireClient) => c.request(CreatePartitionsApi, 3, { topics: [{ name: 'bob-new', count: 2, assignments: null }], timeoutMs: 5000, validateOnly: false });
    t.equal((await grow(alice)).results[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal((await grow(bob)).results[0]!.errorCode, ErrorCode.NONE);

    const deleteRecords = (c: WireClient) => c.request(DeleteRecordsApi, 2, { topics: [{ name: 't1', partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 5000 });
    t.equal((await deleteRecords(alice)).topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal((await deleteRecords(bob)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);

    const listOffsets = (c: WireClient) =>
      c.request(ListOffsetsApi, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't1', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }], timeoutMs: 0 });
    t.equal((await listOffsets(alice)).topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal((await listOffsets(bob)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'READ implies DESCRIBE');

    // Refused partitions carry empty records, never null (Kafka's FetchResponse.toMessage): librdkafka
    // cannot parse a null MessageSetSize and would never report the refusal to its consumer.
    for (const version of [4, 12]) {
      const refusedFetch = await fetchOne(alice, { topic: 't1' }, { version });
      t.equal(refusedFetch.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, `Fetch v${version} without READ`);
      t.strictSame(refusedFetch.records, Buffer.alloc(0), `Fetch v${version}: the refused partition's records are empty, not null`);
    }
    t.equal((await fetchOne(bob, { topic: 't1' }, { version: 12 })).errorCode, ErrorCode.NONE, 'Fetch with READ');

    const del = (c: WireClient, name: string) => c.request(DeleteTopicsApi, 6, { topics: [{ name, topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 });
    t.equal((await del(alice, 'bob-old')).responses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal((await del(alice, 'no-such-topic')).responses[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'existence is not revealed');
    t.equal((await del(bob, 'bob-old')).responses[0]!.errorCode, ErrorCode.NONE);
  });

  await t.test('configs', async (t) => {
    const describe = (c: WireClient, resourceType: number, resourceName: string) =>
      c.request(DescribeConfigsApi, 4, { resources: [{ resourceType, resourceName, configurationKeys: ['retention.ms', 'log.retention.ms'] }], includeSynonyms: false, includeDocumentation: false });
    const topicRefused = (await describe(alice, 2, 'bob-new')).results[0]!;
    t.equal(topicRefused.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal(topicRefused.errorMessage, 'Topic authorization failed.');
    t.equal((await describe(alice, 4, '1')).results[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'broker configs need the cluster');
    const topicServed = (await describe(bob, 2, 'bob-new')).results[0]!;
    t.equal(topicServed.errorCode, ErrorCode.NONE);
    t.strictSame(topicServed.configs.map((c) => c.name), ['retention.ms']);

    const alter = (c: WireClient) =>
      c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'bob-new', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false });
    const refused = (await alter(alice)).responses[0]!;
    t.equal(refused.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    t.equal(refused.errorMessage, null);
    t.equal((await alter(bob)).responses[0]!.errorCode, ErrorCode.NONE);
  });

  await t.test('groups and offsets', async (t) => {
    const find = (c: WireClient, key: string, keyType = 0) => c.request(FindCoordinatorApi, 4, { key: '', keyType, coordinatorKeys: [key] });
    t.equal((await find(alice, 'g-bob')).coordinators[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    t.equal((await find(bob, 'g-bob')).coordinators[0]!.errorCode, ErrorCode.NONE);
    t.equal((await find(alice, 'tx-bob', 1)).coordinators[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

    const join = (c: WireClient) =>
      c.request(JoinGroupApi, 9, {
        groupId: 'g-bob',
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 30_000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
        reason: null,
      });
    t.equal((await join(alice)).errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    t.equal((await join(bob)).errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'READ on the group: the join goes on');

    const commit = (c: WireClient, groupId: string) =>
      c.request(OffsetCommitApi, 8, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: 't1', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
    t.equal((await commit(alice, 'g-bob')).topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    t.equal((await commit(alice, 'g-alice')).topics[0]!.partitions[0]!.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'READ on the group, not on the topic');
    t.equal((await commit(bob, 'g-bob')).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);

    const fetchOffsets = (c: WireClient) =>
      c.request(OffsetFetchApi, 8, { groupId: '', topics: null, requireStable: false, groups: [{ groupId: 'g-bob', memberId: null, memberEpoch: -1, topics: [{ name: 't1', topicId: ZERO_UUID, partitionIndexes: [0] }] }] });
    t.equal((await fetchOffsets(alice)).groups[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const served = (await fetchOffsets(bob)).groups[0]!;
    t.equal(served.errorCode, ErrorCode.NONE);
    t.equal(served.topics[0]!.partitions[0]!.committedOffset, 1n);

    const describe = (c: WireClient) => c.request(DescribeGroupsApi, 5, { groups: ['g-bob'], includeAuthorizedOperations: true });
    t.equal((await describe(alice)).groups[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const described = (await describe(bob)).groups[0]!;
    t.equal(described.errorCode, ErrorCode.NONE);
    t.equal(described.authorizedOperations, (1 << A.READ) | (1 << A.DESCRIBE) | (1 << A.DELETE), "bob's own operations on the group");

    const list = async (c: WireClient) => (await c.request(ListGroupsApi, 4, { statesFilter: [], typesFilter: [] })).groups.map((g) => g.groupId).sort();
    t.strictSame(await list(alice), [], 'alice may describe no group: she lists none');
    t.ok((await list(bob)).includes('g-bob'), 'DESCRIBE on the cluster lists every group');

    const remove = (c: WireClient) => c.request(DeleteGroupsApi, 2, { groupsNames: ['g-bob'] });
    t.equal((await remove(alice)).results[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    t.not((await remove(bob)).results[0]!.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED, 'DELETE on the group reaches the coordinator');
  });

  await t.test('transactions', async (t) => {
    const init = (c: WireClient, transactionalId: string | null) =>
      c.request(InitProducerIdApi, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false });
    t.equal((await init(alice, 'tx-bob')).errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    t.equal((await init(bob, 'tx-bob')).errorCode, ErrorCode.NONE);
    t.equal((await init(alice, null)).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'idempotence needs IDEMPOTENT_WRITE or WRITE on some topic');
    t.equal((await init(bob, null)).errorCode, ErrorCode.NONE, 'WRITE on a topic allows idempotence');

    const list = async (c: WireClient) => (await c.request(ListTransactionsApi, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null })).transactionStates.map((s) => s.transactionalId);
    t.strictSame(await list(alice), [], 'alice may describe no transactional id');
    t.strictSame(await list(bob), ['tx-bob'], 'WRITE implies DESCRIBE');
  });

  await t.test('cluster operations', async (t) => {
    const logDirs = (c: WireClient) => c.request(DescribeLogDirsApi, 4, { topics: null });
    const refused = await logDirs(alice);
    t.equal(refused.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    t.strictSame(refused.results, []);
    t.equal((await logDirs(bob)).errorCode, ErrorCode.NONE);

    const elect = (c: WireClient) => c.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: 't1', partitions: [0] }], timeoutMs: 5000 });
    const denied = await elect(bob);
    t.equal(denied.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DESCRIBE does not imply ALTER');
    const admin = await login(kafka, 'admin');
    t.teardown(() => admin.close());
    t.equal((await elect(admin)).errorCode, ErrorCode.NONE, 'a super user may');

    const quotas = (c: WireClient) => c.request(DescribeClientQuotasApi, 1, { components: [], strict: false });
    t.equal((await quotas(bob)).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    t.equal((await quotas(admin)).errorCode, ErrorCode.NONE);
  });

  await t.test('the audit log names each refusal', async (t) => {
    for (const line of [
      /Principal = User:alice is Denied operation = CREATE from host = \S+ on resource = Topic:LITERAL:bob-new for request = CreateTopics/,
      /Principal = User:alice is Denied operation = ALTER_CONFIGS from host = \S+ on resource = Topic:LITERAL:bob-new for request = IncrementalAlterConfigs/,
      /Principal = User:alice is Denied operation = READ from host = \S+ on resource = Group:LITERAL:g-bob for request = JoinGroup/,
      /Principal = User:alice is Denied operation = WRITE from host = \S+ on resource = TransactionalId:LITERAL:tx-bob for request = InitProducerId/,
      /Principal = User:bob is Denied operation = ALTER from host = \S+ on resource = Cluster:LITERAL:kafka-cluster for request = ElectLeaders/,
    ]) {
      t.ok(audit.some((l) => line.test(l)), String(line));
    }
    t.notOk(audit.some((l) => /Denied operation = DESCRIBE .*Group:LITERAL:g-bob for request = ListGroups/.test(l)), 'a listing filters without logging');
  });
});

t.test('Describe/AlterUserScramCredentials: Kafka validation, then SCRAM login with the new credential', async (t) => {
  await using kafka = await MiniKafka.start({ listener: 'SASL_PLAINTEXT://127.0.0.1:0', users: { admin: USERS.admin, alice: USERS.alice }, superUsers: ['User:admin'], config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' } });
  const admin = await login(kafka, 'admin');
  const alice = await login(kafka, 'alice');
  t.teardown(() => {
    admin.close();
    alice.close();
  });
  const salt = Buffer.from('carol-salt');
  const salted = saltedPassword(SCRAM_SHA_512, 'carol-secret', salt, 8192);
  const upsert = (name: string, mechanism: number, iterations: number) => ({ name, mechanism, iterations, salt, saltedPassword: salted });

  const refused = await alice.request(AlterUserScramCredentialsApi, 0, { deletions: [], upsertions: [upsert('carol', 2, 8192)] });
  t.strictSame(refused.results.map((r) => [r.user, r.errorCode]), [['carol', ErrorCode.CLUSTER_AUTHORIZATION_FAILED]], 'ALTER on the cluster is needed');

  const altered = await admin.request(AlterUserScramCredentialsApi, 0, {
    deletions: [{ name: 'nobody', mechanism: 1 }, { name: 'dup', mechanism: 1 }],
    upsertions: [upsert('carol', 2, 8192), upsert('dup', 1, 4096), upsert('few', 1, 4095), upsert('many', 2, 16385), upsert('', 1, 4096), upsert('odd', 3, 4096)],
  });
  t.strictSame(
    altered.results.map((r) => [r.user, r.errorCode, r.errorMessage]),
    [
      ['carol', ErrorCode.NONE, null],
      ['nobody', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      ['dup', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'],
      ['odd', ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
    ],
  );

  const described = await admin.request(DescribeUserScramCredentialsApi, 0, { users: [{ name: 'carol' }, { name: 'alice' }, { name: 'ghost' }, { name: 'alice' }] });
  t.strictSame(
    described.results.map((r) => [r.user, r.errorCode, r.errorMessage, r.credentialInfos.map((c) => [c.mechanism, c.iterations])]),
    [
      ['carol', ErrorCode.NONE, null, [[2, 8192]]],
      ['alice', ErrorCode.DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request: alice', []],
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist: ghost', []],
    ],
  );
  const all = await admin.request(DescribeUserScramCredentialsApi, 0, { users: null });
  t.strictSame(all.results.map((r) => r.user), ['admin', 'alice', 'carol'], 'no users named: all of them');
  t.equal((await alice.request(DescribeUserScramCredentialsApi, 0, { users: null })).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

  // carol's credential works for SASL/SCRAM-SHA-512, and stops working once deleted.
  const scramLogin = async (password: string) => {
    const c = await WireClient.connect(kafka.bootstrapServers);
    try {
      return await scramAuthenticate(c, 'carol', password);
    } finally {
      c.close();
    }
  };
  t.equal(await scramLogin('carol-secret'), ErrorCode.NONE, 'the upserted credential authenticates');
  t.equal(await scramLogin('wrong'), ErrorCode.SASL_AUTHENTICATION_FAILED);
  const deleted = await admin.request(AlterUserScramCredentialsApi, 0, { deletions: [{ name: 'carol', mechanism: 2 }], upsertions: [] });
  t.strictSame(deleted.results.map((r) => [r.user, r.errorCode]), [['carol', ErrorCode.NONE]]);
  t.equal(await scramLogin('carol-secret'), ErrorCode.SASL_AUTHENTICATION_FAILED, 'deleted: refused');
});

t.test('durable mode keeps ACLs and SCRAM credentials across a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-security-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const start = () =>
    MiniKafka.start({
      dataDir: dir,
      listener: 'SASL_PLAINTEXT://127.0.0.1:0',
      users: { admin: USERS.admin },
      superUsers: ['User:admin'],
      config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' },
    });
  const salt = Buffer.from('dave-salt');
  let kafka = await start();
  let admin = await login(kafka, 'admin');
  const upserted = await admin.request(AlterUserScramCredentialsApi, 0, {
    deletions: [],
    upsertions: [{ name: 'dave', mechanism: 2, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_512, 'dave-secret', salt, 4096) }],
  });
  t.equal(upserted.results[0]!.errorCode, ErrorCode.NONE);
  const created = await admin.request(CreateAclsApi, 3, {
    creations: [{ resourceType: ResourceType.TOPIC, resourceName: 'dave-', resourcePatternType: PatternType.PREFIXED, principal: 'User:dave', host: '*', operation: A.WRITE, permissionType: AclPermissionType.ALLOW }],
  });
  t.equal(created.results[0]!.errorCode, ErrorCode.NONE);
  admin.close();
  await kafka.stop();

  kafka = await start();
  t.teardown(() => kafka.stop());
  admin = await login(kafka, 'admin');
  t.teardown(() => admin.close());
  const described = await admin.request(DescribeUserScramCredentialsApi, 0, { users: [{ name: 'dave' }] });
  t.strictSame(described.results[0]!.credentialInfos.map((c) => [c.mechanism, c.iterations]), [[2, 4096]], 'the credential is back');
  const acls = await admin.request(DescribeAclsApi, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
  t.strictSame(
    acls.resources.map((r) => [r.resourceType, r.resourceName, r.patternType, r.acls.map((a) => [a.principal, a.operation])]),
    [[ResourceType.TOPIC, 'dave-', PatternType.PREFIXED, [['User:dave', A.WRITE]]]],
    'the ACL is back',
  );
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  t.equal(await scramAuthenticate(c, 'dave', 'dave-secret'), ErrorCode.NONE, 'dave logs in after the restart');
});
