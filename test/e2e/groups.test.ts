// Consumer groups over the wire: a whole classic-protocol story (find the coordinator, join,
// sync, heartbeat, commit, fetch, leave) as a client lives it, the admin APIs' error codes, every
// served version of each group API, and kafkajs's captured requests replayed against Kafka 4.4's
// recorded answers.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import {
  ApiVersionsApi,
  DeleteGroupsApi,
  DescribeGroupsApi,
  FindCoordinatorApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetDeleteApi,
  OffsetFetchApi,
  SyncGroupApi,
  apiByKey,
  readRequestHeader,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/messages/index.js';
import type { JoinGroupRequest, JoinGroupResponse, OffsetCommitRequest } from '../../src/protocol/messages/index.js';
import { writeConsumerProtocolSubscription } from '../../src/protocol/messages/consumer-protocol-subscription.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';

function subscription(topics: string[]): Buffer {
  const w = new Writer();
  w.int16(0);
  writeConsumerProtocolSubscription(w, 0, { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  return w.toBuffer();
}

function join(groupId: string, memberId: string, over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    reason: null,
    ...over,
  };
}

function commit(groupId: string, generation: number, memberId: string, partitions: [number, bigint][], topic = 'orders'): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: partitions.map(([p, o]) => ({ partitionIndex: p, committedOffset: o, committedLeaderEpoch: 0, commitTimestamp: -1n, committedMetadata: null })) }],
  };
}

t.test('a consumer group from FindCoordinator to LeaveGroup', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders:3', 'payments:1'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const d = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    d.close();
  });
  const port = kafka.port;

  // The coordinator is this broker, in every version.
  const v3 = await c.request(FindCoordinatorApi, 3, { key: 'g', keyType: 0, coordinatorKeys: [] });
  t.hasStrict(v3, { errorCode: 0, errorMessage: 'NONE', nodeId: 1, host: '127.0.0.1', port });
  const v4 = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: ['g', 'h'] });
  t.strictSame(v4.coordinators.map((x) => [x.key, x.nodeId, x.port, x.errorCode]), [['g', 1, port, 0], ['h', 1, port, 0]]);
  const txn = await c.request(FindCoordinatorApi, 6, { key: '', keyType: 1, coordinatorKeys: ['tx'] });
  t.strictSame([txn.coordinators[0]!.nodeId, txn.coordinators[0]!.errorCode], [1, 0], 'transaction keys too');
  const share = await c.request(FindCoordinatorApi, 6, { key: '', keyType: 2, coordinatorKeys: ['s'] });
  t.equal(share.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST, 'no share coordinator');

  // Member A: the MEMBER_ID_REQUIRED round trip, then generation 1 as leader.
  const a0 = await c.request(JoinGroupApi, 9, join('g', ''));
  t.equal(a0.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.match(a0.memberId, /^wire-test-/);
  const a1 = await c.request(JoinGroupApi, 9, join('g', a0.memberId));
  t.hasStrict(a1, { errorCode: 0, generationId: 1, leader: a0.memberId, protocolType: 'consumer', protocolName: 'range' });
  const aSync = await c.request(SyncGroupApi, 5, { groupId: 'g', generationId: 1, memberId: a0.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a0.memberId, assignment: Buffer.from('all') }] });
  t.strictSame([aSync.errorCode, aSync.assignment.toString()], [0, 'all']);
  t.equal((await c.request(HeartbeatApi, 4, { groupId: 'g', generationId: 1, memberId: a0.memberId, groupInstanceId: null })).errorCode, 0);

  // Member B joins on another connection: its join waits for A to rejoin.
  const b0 = await d.request(JoinGroupApi, 5, join('g', ''));
  const bJoin = d.request(JoinGroupApi, 5, join('g', b0.memberId));
  const hb = await c.request(HeartbeatApi, 2, { groupId: 'g', generationId: 1, memberId: a0.memberId, groupInstanceId: null });
  t.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'A is told to rejoin');
  const a2 = await c.request(JoinGroupApi, 6, join('g', a0.memberId));
  const b1: JoinGroupResponse = await bJoin;
  t.strictSame([a2.generationId, b1.generationId, a2.members.length, b1.members.length, b1.protocolName], [2, 2, 2, 0, 'range']);
  const bSync = d.request(SyncGroupApi, 3, { groupId: 'g', generationId: 2, memberId: b0.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  await c.request(SyncGroupApi, 4, { groupId: 'g', generationId: 2, memberId: a0.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: a0.memberId, assignment: Buffer.from('a') }, { memberId: b0.memberId, assignment: Buffer.from('b') }] });
  t.equal((await bSync).assignment.toString(), 'b', 'the follower gets its share once the leader syncs');

  // Commits by members of the current generation; fetch in several versions.
  const committed = await c.request(OffsetCommitApi, 8, commit('g', 2, a0.memberId, [[0, 10n], [1, 20n]]));
  t.strictSame(committed.topics, [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }]);
  t.strictSame((await c.request(OffsetCommitApi, 8, commit('g', 1, a0.memberId, [[0, 11n]]))).topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.strictSame((await c.request(OffsetCommitApi, 2, commit('g', 2, 'who', [[0, 11n]]))).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.strictSame((await c.request(OffsetCommitApi, 9, commit('g', 2, a0.memberId, [[0, 1n]], 'nope'))).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  const f1 = await c.request(OffsetFetchApi, 1, { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2] }], groups: [], requireStable: false });
  t.strictSame(f1.topics[0]!.partitions.map((p) => p.committedOffset), [10n, 20n, -1n]);
  const f7 = await c.request(OffsetFetchApi, 7, { groupId: 'g', topics: null, groups: [], requireStable: true });
  t.strictSame(f7.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch])]), [['orders', [[0, 10n, 0], [1, 20n, 0]]]]);
  const f8 = await c.request(OffsetFetchApi, 8, {
    groupId: '',
    topics: [],
    groups: [
      { groupId: 'g', memberId: null, memberEpoch: -1, topics: null },
      { groupId: 'unknown', memberId: null, memberEpoch: -1, topics: [{ name: 'orders', topicId: ZERO_UUID, partitionIndexes: [0] }] },
    ],
    requireStable: false,
  });
  t.strictSame(f8.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((x) => x.partitions.map((p) => p.committedOffset))]), [
    ['g', 0, [[10n, 20n]]],
    ['unknown', 0, [[-1n]]],
  ]);
  const ordersId = kafka.broker.cluster.topics.get('orders')!.id;
  const f10 = await c.request(OffsetFetchApi, 10, {
    groupId: '',
    topics: [],
    groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: '', topicId: ordersId, partitionIndexes: [1] }, { name: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitionIndexes: [0] }] }],
    requireStable: false,
  });
  t.strictSame(f10.groups[0]!.topics.map((x) => [x.topicId, x.partitions[0]!.committedOffset, x.partitions[0]!.errorCode]), [[ordersId, 20n, 0], ['AAAAAAAAAAAAAAAAAAAAAQ', -1n, ErrorCode.UNKNOWN_TOPIC_ID]], 'v10 by topic id');
  const c10 = await c.request(OffsetCommitApi, 10, { ...commit('g', 2, a0.memberId, [[2, 30n]]), topics: [{ name: '', topicId: ordersId, partitions: [{ partitionIndex: 2, committedOffset: 30n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }] });
  t.strictSame(c10.topics, [{ name: '', topicId: ordersId, partitions: [{ partitionIndex: 2, errorCode: 0 }] }], 'v10 commit by topic id');

  // What the admin APIs say about a live group.
  const desc = await c.request(DescribeGroupsApi, 5, { groups: ['g', 'nope'], includeAuthorizedOperations: true });
  t.hasStrict(desc.groups[0], { errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
  t.strictSame(desc.groups[0]!.members.map((m) => [m.memberId, m.clientId, m.clientHost, m.memberAssignment.toString()]), [
    [a0.memberId, 'wire-test', '/127.0.0.1', 'a'],
    [b0.memberId, 'wire-test', '/127.0.0.1', 'b'],
  ]);
  t.strictSame(desc.groups[0]!.members[0]!.memberMetadata, subscription(['orders']));
  t.equal(desc.groups[0]!.authorizedOperations, 3400, 'READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS');
  t.hasStrict(desc.groups[1], { errorCode: 0, groupState: 'Dead' }, 'an unknown group is Dead before v6');
  t.strictSame(desc.groups[1]!.members, [], 'with no members');
  const desc6 = await c.request(DescribeGroupsApi, 6, { groups: ['nope'], includeAuthorizedOperations: false });
  t.hasStrict(desc6.groups[0], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group nope not found.', groupState: 'Dead' });

  const listed = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] });
  t.strictSame(listed.groups, [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
  t.strictSame((await c.request(ListGroupsApi, 4, { statesFilter: ['stable'], typesFilter: [] })).groups.length, 1, 'states match case-insensitively');
  t.strictSame((await c.request(ListGroupsApi, 4, { statesFilter: ['Empty'], typesFilter: [] })).groups.length, 0);
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups.length, 0, 'not a KIP-848 group');
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Classic'] })).groups.length, 1);

  t.strictSame((await c.request(DeleteGroupsApi, 2, { groupsNames: ['g', 'nope', 'g'] })).results, [
    { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: null },
    { groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null },
  ]);
  const od = await c.request(OffsetDeleteApi, 0, { groupId: 'g', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] });
  t.strictSame(od, { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] }] });
  t.equal((await c.request(OffsetDeleteApi, 0, { groupId: 'nope', topics: [] })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  // Leaving: v3 batches members; v0 answers one code.
  const left = await c.request(LeaveGroupApi, 5, { groupId: 'g', memberId: '', members: [{ memberId: b0.memberId, groupInstanceId: null, reason: 'done' }, { memberId: 'ghost', groupInstanceId: null, reason: null }] });
  t.strictSame(left.members.map((m) => m.errorCode), [0, ErrorCode.UNKNOWN_MEMBER_ID]);
  t.equal((await c.request(LeaveGroupApi, 0, { groupId: 'g', memberId: 'ghost', members: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'v0: the member error at the top');
  t.equal((await c.request(LeaveGroupApi, 1, { groupId: 'g', memberId: a0.memberId, members: [] })).errorCode, 0);
  const emptied = (await c.request(DescribeGroupsApi, 0, { groups: ['g'], includeAuthorizedOperations: false })).groups[0]!;
  t.strictSame([emptied.groupState, emptied.protocolType, emptied.members], ['Empty', 'consumer', []]);

  // An empty group: offsets can be deleted, then the group.
  const od2 = await c.request(OffsetDeleteApi, 0, { groupId: 'g', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }, { name: 'nope', partitions: [{ partitionIndex: 0 }] }] });
  t.strictSame(od2.topics.map((x) => x.partitions[0]!.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  t.strictSame((await c.request(OffsetFetchApi, 6, { groupId: 'g', topics: null, groups: [], requireStable: false })).topics[0]!.partitions.map((p) => p.partitionIndex), [1, 2]);
  t.strictSame((await c.request(DeleteGroupsApi, 0, { groupsNames: ['g'] })).results, [{ groupId: 'g', errorCode: 0, errorMessage: null }]);
  t.strictSame((await c.request(DeleteGroupsApi, 1, { groupsNames: ['g'] })).results, [{ groupId: 'g', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null }]);
  t.strictSame((await c.request(ListGroupsApi, 0, { statesFilter: [], typesFilter: [] })).groups, []);
  t.strictSame((await c.request(OffsetFetchApi, 2, { groupId: 'g', topics: null, groups: [], requireStable: false })).topics, [], 'the offsets went with it');
});

t.test('a manual (assign) consumer commits with generation -1 and no member', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders:1'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  t.strictSame((await c.request(OffsetCommitApi, 7, commit('manual', -1, '', [[0, 5n]]))).topics[0]!.partitions[0]!.errorCode, 0);
  t.strictSame((await c.request(OffsetCommitApi, 9, commit('other', 4, 'm', [[0, 5n]]))).topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'v9: a generation for a group that does not exist');
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })).groups, [{ groupId: 'manual', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
  const desc = await c.request(DescribeGroupsApi, 4, { groups: ['manual'], includeAuthorizedOperations: false });
  t.hasStrict(desc.groups[0], { errorCode: 0, groupState: 'Empty', protocolType: '', protocolData: '' });
});

t.test('JoinGroup and SyncGroup error codes on the wire', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const timeout = await c.request(JoinGroupApi, 7, join('g', '', { sessionTimeoutMs: 1000 }));
  t.hasStrict(timeout, { errorCode: ErrorCode.INVALID_SESSION_TIMEOUT, protocolName: null }, 'v7+: no protocol name is null');
  const v6 = await c.request(JoinGroupApi, 6, join('', ''));
  t.hasStrict(v6, { errorCode: ErrorCode.INVALID_GROUP_ID, protocolName: '' }, 'before v7 it is ""');
  t.equal((await c.request(JoinGroupApi, 9, join('g', 'unknown-member'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal((await c.request(SyncGroupApi, 5, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: 'range', assignments: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'v5 requires protocol type and name');
  t.equal((await c.request(SyncGroupApi, 2, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal((await c.request(HeartbeatApi, 0, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

t.test('ApiVersions advertises the group APIs with Kafka 4.x ranges', async (t) => {
  await using kafka = await MiniKafka.start();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const resp = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'wire-test', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  const range = (k: number) => {
    const e = resp.apiKeys.find((x) => x.apiKey === k);
    return e ? [e.minVersion, e.maxVersion] : null;
  };
  t.strictSame(
    [8, 9, 10, 11, 12, 13, 14, 15, 16, 42, 47].map(range),
    [[2, 10], [1, 10], [0, 6], [0, 9], [0, 4], [0, 5], [0, 5], [0, 6], [0, 5], [0, 3], [0, 0]],
  );
});

t.test('every served version of each group API answers without closing the connection', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders:1'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  for (let v = 0; v <= 6; v++) await c.request(FindCoordinatorApi, v, { key: v < 4 ? 'g' : '', keyType: 0, coordinatorKeys: v < 4 ? [] : ['g'] });
  for (let v = 0; v <= 9; v++) await c.request(JoinGroupApi, v, join('g' + v, '', { groupInstanceId: null, reason: null }));
  for (let v = 0; v <= 5; v++) await c.request(SyncGroupApi, v, { groupId: 'g', generationId: 0, memberId: 'x', groupInstanceId: null, protocolType: v >= 5 ? 'consumer' : null, protocolName: v >= 5 ? 'range' : null, assignments: [] });
  for (let v = 0; v <= 4; v++) await c.request(HeartbeatApi, v, { groupId: 'g', generationId: 0, memberId: 'x', groupInstanceId: null });
  for (let v = 0; v <= 5; v++) await c.request(LeaveGroupApi, v, { groupId: 'g', memberId: v < 3 ? 'x' : '', members: v < 3 ? [] : [{ memberId: 'x', groupInstanceId: null, reason: null }] });
  for (let v = 0; v <= 6; v++) await c.request(DescribeGroupsApi, v, { groups: ['g1', 'g9', 'none'], includeAuthorizedOperations: false });
  for (let v = 0; v <= 5; v++) await c.request(ListGroupsApi, v, { statesFilter: [], typesFilter: [] });
  for (let v = 0; v <= 3; v++) await c.request(DeleteGroupsApi, v, { groupsNames: ['none'] });
  for (let v = 2; v <= 10; v++) {
    const req = commit('c', -1, '', [[0, 1n]]);
    if (v >= 10) req.topics[0]!.topicId = kafka.broker.cluster.topics.get('orders')!.id;
    await c.request(OffsetCommitApi, v, req);
  }
  for (let v = 1; v <= 10; v++) {
    await c.request(OffsetFetchApi, v, v < 8 ? { groupId: 'c', topics: [{ name: 'orders', partitionIndexes: [0] }], groups: [], requireStable: false } : { groupId: '', topics: [], groups: [{ groupId: 'c', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  }
  await c.request(OffsetDeleteApi, 0, { groupId: 'c', topics: [] });
  t.notOk(c.closed);
});

// ---- golden replay ----

const KAFKAJS = fileURLToPath(new URL('../../../fixtures/captures/kafkajs', import.meta.url));
/** How many of each API's first requests the replay takes: a consumer's join (twice: KIP-394's member id round), sync, offset fetch and leave. */
const GOLDEN_APIS: readonly [string, number][] = [['FindCoordinator', 1], ['JoinGroup', 2], ['SyncGroup', 1], ['OffsetFetch', 1], ['LeaveGroup', 1]];
const GOLDEN_CODECS = [FindCoordinatorApi, JoinGroupApi, SyncGroupApi, OffsetFetchApi, LeaveGroupApi] as const;

/** Codes a fresh Kafka answers while it creates and loads __consumer_offsets; minikafka's coordinators are ready at start. */
const STARTING_UP = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]);

/** Whether Kafka answered this captured request with one of those codes (the client then retried it). */
function coordinatorStartingUp(file: string): boolean {
  const frame = readFileSync(`${KAFKAJS}/${file}`);
  const apiKey = frame.readInt16BE(4);
  const version = frame.readInt16BE(6);
  const response = `${KAFKAJS}/${file.replace(/\.bin$/, '-response.bin')}`;
  if (!existsSync(response)) return false;
  const codec = GOLDEN_CODECS.find((a) => a.apiKey === apiKey)!;
  const r = new Reader(readFileSync(response).subarray(4));
  readResponseHeader(r, responseHeaderVersion(apiByKey.get(apiKey)!, version));
  const answer = codec.readResponse(r, version) as { errorCode?: number; coordinators?: { errorCode: number }[] };
  return STARTING_UP.has(answer.errorCode ?? answer.coordinators?.[0]?.errorCode ?? 0);
}

/**
 * The group requests of the kafkajs capture, in the order sent (leaving out those Kafka answered
 * while its group coordinator was starting up), and the topic its scenario made:
 * read from index.jsonl and scenario.jsonl rather than named, so that a re-recording
 * (scripts/refresh-captures.sh: new numbering, new topic name) replays as well.
 */
function goldenCapture(): { frames: string[]; topic: string } {
  const index = readFileSync(`${KAFKAJS}/index.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { api?: string; file?: string });
  const frames = index
    .filter((l) => l.file !== undefined && GOLDEN_APIS.some(([api]) => api === l.api) && !coordinatorStartingUp(l.file))
    .filter((l, _i, all) => all.filter((x) => x.api === l.api).indexOf(l) < GOLDEN_APIS.find(([api]) => api === l.api)![1])
    .map((l) => l.file!.replace(/\.bin$/, ''));
  const created = readFileSync(`${KAFKAJS}/scenario.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: string; detail?: { topic?: string; partitions?: number } }).find((l) => l.step === 'create_topic');
  if (created?.detail?.topic === undefined) throw new Error('the kafkajs scenario created no topic');
  return { frames, topic: `${created.detail.topic}:${created.detail.partitions ?? 1}` };
}

/** Member ids are random on both sides, host and port differ: the rest must be equal. */
function mask(value: unknown, memberIds: Map<string, string>): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => {
      if (typeof v === 'bigint') return String(v);
      if (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
      if ((k === 'memberId' || k === 'leader') && typeof v === 'string' && v !== '') {
        if (!memberIds.has(v)) memberIds.set(v, `member-${memberIds.size}`);
        return memberIds.get(v);
      }
      if (k === 'host' || k === 'port' || k === 'throttleTimeMs') return 'X';
      return v;
    }),
  );
}

t.test('kafkajs group requests get the answers Kafka 4.4 gave', { skip: existsSync(KAFKAJS) ? false : 'no kafkajs captures' }, async (t) => {
  const golden = goldenCapture();
  t.strictSame(golden.frames.map((f) => f.replace(/^\d+-/, '').replace(/-v\d+$/, '')), GOLDEN_APIS.flatMap(([api, n]) => Array<string>(n).fill(api)), 'the capture holds the group requests to replay');
  await using kafka = await MiniKafka.start({ topics: [golden.topic] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  // Kafka's member id -> ours, so that later requests name the member we created.
  const ours = new Map<string, string>();
  const theirsMask = new Map<string, string>();
  const oursMask = new Map<string, string>();
  for (const name of golden.frames) {
    const frame = readFileSync(`${KAFKAJS}/${name}.bin`);
    const apiKey = frame.readInt16BE(4);
    const version = frame.readInt16BE(6);
    const api = apiByKey.get(apiKey)!;
    const codec = GOLDEN_CODECS.find((a) => a.apiKey === apiKey)!;
    const r = new Reader(frame.subarray(4));
    readRequestHeader(r, requestHeaderVersion(api, version));
    // Re-encode with our member id substituted for Kafka's.
    const body = JSON.parse(JSON.stringify(codec.readRequest(r, version) as unknown, (k, v: unknown) => (k === 'memberId' && typeof v === 'string' && ours.has(v) ? ours.get(v) : v)), (_k, v: unknown) =>
      v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data) : v,
    ) as never;
    const answer = await c.request(codec as typeof JoinGroupApi, version, body);
    const rr = new Reader(readFileSync(`${KAFKAJS}/${name}-response.bin`).subarray(4));
    readResponseHeader(rr, responseHeaderVersion(api, version));
    const kafkaAnswer = codec.readResponse(rr, version) as { memberId?: string };
    if (typeof kafkaAnswer.memberId === 'string' && kafkaAnswer.memberId !== '' && typeof (answer as { memberId?: string }).memberId === 'string') {
      ours.set(kafkaAnswer.memberId, (answer as { memberId: string }).memberId);
    }
    t.strictSame(mask(answer, oursMask), mask(kafkaAnswer, theirsMask), name);
  }
});
