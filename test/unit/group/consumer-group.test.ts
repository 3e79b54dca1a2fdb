// The consumer group protocol (KIP-848) driven through the coordinator on a ManualClock: every
// group and member state transition, the epochs, revocation before reassignment, timeouts, static
// members, the error codes, and how consumer groups meet offsets, the admin APIs and classic groups.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../src/protocol/messages/consumer-group-heartbeat.js';
import { MemberState } from '../../../src/server/coordinators/group/consumer-reconcile.js';
import { advance, client, commitReq, coordinatorRecords, hb, joinReq, setup, stableSingleMember } from './helpers.js';
import type { Setup } from './helpers.js';


function withTopic(configs: Record<string, string> = {}, partitions = 6): Setup & { topicId: string } {
  const s = setup(configs);
  const topic = s.cluster.topics.create('orders', partitions);
  return { ...s, topicId: topic.id };
}

/** The assignment of a response as partition numbers of the one topic. */
function parts(r: ConsumerGroupHeartbeatResponse): number[] | null {
  if (r.assignment === null) return null;
  return r.assignment.topicPartitions.flatMap((tp) => tp.partitions).sort((a, b) => a - b);
}

function owned(topicId: string, partitions: number[]): ConsumerGroupHeartbeatRequest['topicPartitions'] {
  return [{ topicId, partitions }];
}

const V1 = client(1, 'c');

t.test('the first member joins: epochs 2 (a new group is at 1), everything assigned at once, Empty -> Stable', async (t) => {
  const s = withTopic();
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'member-a', 0), V1);
  t.equal(r.errorCode, ErrorCode.NONE);
  t.equal(r.memberId, 'member-a', 'v1: the client brings its member id');
  t.equal(r.memberEpoch, 2);
  t.equal(r.heartbeatIntervalMs, 5000);
  t.same(parts(r), [0, 1, 2, 3, 4, 5]);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.state, 'Stable');
  t.equal(g.groupEpoch, 2);
  t.equal(g.assignmentEpoch, 2);
  t.equal(g.member('member-a')!.state, MemberState.STABLE);
  const steady = s.gc.consumerGroupHeartbeat(hb('g', 'member-a', 2), V1);
  t.equal(steady.memberEpoch, 2);
  t.equal(steady.assignment, null, 'a plain heartbeat gets no assignment when nothing changed');
  const full = s.gc.consumerGroupHeartbeat(hb('g', 'member-a', 2, { rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  t.same(parts(full), [0, 1, 2, 3, 4, 5], 'a full request always gets it');
  const records = coordinatorRecords(s).filter((x) => x.record.type === 'consumer-group').map((x) => (x.record as { recordType: number }).recordType);
  t.same(records.slice(0, 5), [5, 3, 7, 6, 8], 'member metadata, group epoch, target member, target epoch, current assignment');
});

t.test('v0: the coordinator makes up the member id', async (t) => {
  const s = withTopic();
  const r = s.gc.consumerGroupHeartbeat(hb('g', '', 0), client(0));
  t.equal(r.errorCode, ErrorCode.NONE);
  t.match(r.memberId, /^[A-Za-z0-9_-]{22}$/, 'a Kafka Uuid');
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', '', 0), V1).errorCode, ErrorCode.INVALID_REQUEST, 'v1 requires one');
});

t.test('request validation answers INVALID_REQUEST and UNSUPPORTED_ASSIGNOR with Kafka messages', async (t) => {
  const s = withTopic();
  const check = (req: ConsumerGroupHeartbeatRequest, code: number, message: string | null) => {
    const r = s.gc.consumerGroupHeartbeat(req, V1);
    t.equal(r.errorCode, code, message ?? '');
    t.equal(r.errorMessage, message);
  };
  check(hb('g', ' ', 0), ErrorCode.INVALID_REQUEST, "MemberId can't be empty.");
  check(hb('', 'm', 0), ErrorCode.INVALID_REQUEST, "GroupId can't be empty.");
  check(hb('g', 'm', 0, { instanceId: '' }), ErrorCode.INVALID_REQUEST, "InstanceId can't be empty.");
  check(hb('g', 'm', 0, { rackId: ' ' }), ErrorCode.INVALID_REQUEST, "RackId can't be empty.");
  check(hb('g', 'm', 0, { rebalanceTimeoutMs: -1 }), ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
  check(hb('g', 'm', 0, { topicPartitions: null }), ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
  check(hb('g', 'm', 0, { topicPartitions: owned('x', [1]) }), ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
  check(hb('g', 'm', 0, { subscribedTopicNames: null }), ErrorCode.INVALID_REQUEST, 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
  check(hb('g', 'm', -2), ErrorCode.INVALID_REQUEST, "InstanceId can't be null.");
  check(hb('g', 'm', -3), ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.');
  check(hb('g', 'm', 0, { serverAssignor: 'sticky' }), ErrorCode.UNSUPPORTED_ASSIGNOR, 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.');
  check(hb('g', 'm', 0, { subscribedTopicNames: null, subscribedTopicRegex: '(' }), ErrorCode.INVALID_REGULAR_EXPRESSION, 'SubscribedTopicRegex ( is not a valid regular expression.');
  check(hb('nope', 'm', 4), ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group nope not found.');
  check(hb('nope', 'm', -1), ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group nope not found.');
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  check(hb('g', 'ghost', 2), ErrorCode.UNKNOWN_MEMBER_ID, 'Member ghost is not a member of group g.');
  check(hb('g', 'ghost', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'Member ghost is not a member of group g.');
});

t.test('a second member: revocation before reassignment, Stable -> Reconciling -> Stable', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  const g = s.gc.consumerGroup('g')!;

  const b1 = s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  t.equal(g.groupEpoch, 3, 'a join bumps the group epoch');
  t.equal(g.assignmentEpoch, 3, 'and the target is recomputed at once');
  t.equal(b1.memberEpoch, 3, 'the new member is at the target epoch');
  t.same(parts(b1), [], 'but everything it should get is still held by a');
  t.equal(g.member('b')!.state, MemberState.UNRELEASED_PARTITIONS);
  t.equal(g.state, 'Reconciling');
  const bTarget = [...g.targetAssignment('b').get(s.topicId)!].sort();
  const aTarget = [...g.targetAssignment('a').get(s.topicId)!].sort();
  t.equal(bTarget.length, 3);

  const a1 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  t.equal(a1.memberEpoch, 2, 'a stays in its epoch until it revokes');
  t.same(parts(a1), aTarget, 'a is told its assignment without the partitions to revoke');
  t.equal(g.member('a')!.state, MemberState.UNREVOKED_PARTITIONS);

  const b2 = s.gc.consumerGroupHeartbeat(hb('g', 'b', 3, { topicPartitions: owned(s.topicId, []) }), V1);
  t.equal(b2.assignment, null, 'b still gets nothing: a has not confirmed');

  const a2 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  t.equal(a2.memberEpoch, 2, 'still owning them: no progress');
  const a3 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, aTarget) }), V1);
  t.equal(a3.memberEpoch, 3, 'revoked: a moves to the target epoch');
  t.equal(g.member('a')!.state, MemberState.STABLE);
  t.equal(g.member('a')!.previousMemberEpoch, 2);

  const b3 = s.gc.consumerGroupHeartbeat(hb('g', 'b', 3, { topicPartitions: owned(s.topicId, []) }), V1);
  t.same(parts(b3), bTarget, 'now b gets the released partitions');
  t.equal(g.member('b')!.state, MemberState.STABLE);
  t.equal(g.state, 'Stable');
  t.same([...aTarget, ...bTarget].sort(), [0, 1, 2, 3, 4, 5], 'no overlap, no gap');
});

t.test('member epoch checks: FENCED_MEMBER_EPOCH, the previous epoch forgiven, epoch 0 rejoins', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, []) }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.member('a')!.memberEpoch, 3);
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 4), V1).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'an epoch from the future');
  const aParts = [...g.member('a')!.assigned.get(s.topicId)!.keys()];
  const lost = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, aParts) }), V1);
  t.equal(lost.errorCode, ErrorCode.NONE, 'the previous epoch with a subset of the assignment: the response was lost');
  t.equal(lost.memberEpoch, 3);
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'the previous epoch but not a subset');
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 2), V1).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'the previous epoch without owned partitions');
  const rejoin = s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  t.equal(rejoin.errorCode, ErrorCode.NONE, 'epoch 0 with a known id is a rejoin');
  t.equal(rejoin.memberEpoch, 3);
  t.same(parts(rejoin), aParts.sort((x, y) => x - y), 'and gets its assignment again');
});

t.test('session timeout: the silent member is fenced, Stable -> Assigning -> Stable with its partitions moved', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, []) }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 3, { topicPartitions: owned(s.topicId, []) }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.state, 'Stable');
  await advance(s, 30_000);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 3), V1);
  await advance(s, 15_000);
  t.notOk(g.member('b'), 'b expired after 45 s without a heartbeat');
  t.ok(g.member('a'), 'a heartbeated 15 s ago');
  t.equal(g.groupEpoch, 4);
  t.equal(g.state, 'Assigning', 'the target lags the group epoch until a heartbeat');
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'a', 3), V1);
  t.equal(r.memberEpoch, 4);
  t.same(parts(r), [0, 1, 2, 3, 4, 5]);
  t.equal(g.state, 'Stable');
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'b', 3), V1).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  await advance(s, 45_000);
  t.equal(g.state, 'Empty');
  t.equal(g.timerCount, 0);
});

t.test('group.consumer.session.timeout.ms and heartbeat interval are configurable within their bounds', async (t) => {
  const s = withTopic({ 'group.consumer.min.session.timeout.ms': '1000', 'group.consumer.session.timeout.ms': '6000', 'group.consumer.min.heartbeat.interval.ms': '500', 'group.consumer.heartbeat.interval.ms': '1000' });
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1).heartbeatIntervalMs, 1000);
  await advance(s, 6000);
  t.equal(s.gc.consumerGroup('g')!.state, 'Empty');
  const clamped = withTopic({ 'group.consumer.session.timeout.ms': '6000' });
  t.equal(clamped.gc.settings.consumer.sessionTimeoutMs, 45_000, 'below group.consumer.min.session.timeout.ms: clamped');
});

t.test('rebalance timeout: a member that does not revoke in time is fenced', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0, { rebalanceTimeoutMs: 10_000 }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.member('a')!.state, MemberState.UNREVOKED_PARTITIONS);
  await advance(s, 5000);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 3), V1);
  await advance(s, 5000);
  t.notOk(g.member('a'), 'fenced 10 s after it was asked to revoke');
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'b', 3), V1);
  t.same(parts(r), [0, 1, 2, 3, 4, 5], 'b gets everything');
});

t.test('leave (-1): removed at once, epoch bumped; the remaining member takes over', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  const g = s.gc.consumerGroup('g')!;
  const left = s.gc.consumerGroupHeartbeat(hb('g', 'b', -1), V1);
  t.equal(left.errorCode, ErrorCode.NONE);
  t.equal(left.memberEpoch, -1);
  t.equal(left.memberId, 'b');
  t.equal(g.size, 1);
  t.equal(g.groupEpoch, 4);
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, [0, 1, 2, 3, 4, 5]) }), V1);
  t.equal(r.memberEpoch, 4);
  t.equal(r.assignment, null, 'nothing changed for a');
  s.gc.consumerGroupHeartbeat(hb('g', 'a', -1), V1);
  t.equal(g.state, 'Empty');
  t.strictSame([g.groupEpoch, g.assignmentEpoch], [5, 5], 'the last leave brings the target assignment to the new group epoch at once, as Kafka 4.4');
  const records = coordinatorRecords(s).filter((x) => x.record.type === 'consumer-group').map((x) => (x.record as { recordType: number }).recordType);
  t.strictSame(records.slice(-2), [3, 6], 'the group epoch, then the target assignment epoch');
});

t.test('static members: -2 keeps the partitions, the same instance takes over without a new epoch, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0, { instanceId: 'i-a' }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0, { instanceId: 'i-b' }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { instanceId: 'i-a', topicPartitions: owned(s.topicId, []) }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 3, { instanceId: 'i-b', topicPartitions: owned(s.topicId, []) }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.state, 'Stable');
  const bParts = [...g.member('b')!.assigned.get(s.topicId)!.keys()].sort((x, y) => x - y);

  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'b2', 0, { instanceId: 'i-b' }), V1).errorCode, ErrorCode.UNRELEASED_INSTANCE_ID, 'the instance is still in use');
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'b2', 3, { instanceId: 'i-b' }), V1).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'x', 3, { instanceId: 'i-x' }), V1).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

  const left = s.gc.consumerGroupHeartbeat(hb('g', 'b', -2, { instanceId: 'i-b' }), V1);
  t.equal(left.memberEpoch, -2);
  t.equal(g.member('b')!.memberEpoch, -2, 'still a member, its partitions reserved');
  t.equal(g.groupEpoch, 3, 'no new epoch');
  t.equal(g.state, 'Reconciling');
  const a = s.gc.consumerGroupHeartbeat(hb('g', 'a', 3, { instanceId: 'i-a' }), V1);
  t.equal(a.assignment, null, 'a gets nothing of b');

  await advance(s, 20_000);
  const back = s.gc.consumerGroupHeartbeat(hb('g', 'b-restarted', 0, { instanceId: 'i-b' }), V1);
  t.equal(back.errorCode, ErrorCode.NONE);
  t.equal(back.memberEpoch, 3, 'the same epoch: no rebalance');
  t.same(parts(back), bParts, 'the same partitions');
  t.notOk(g.member('b'));
  t.equal(g.staticMemberId('i-b'), 'b-restarted');
  t.equal(g.groupEpoch, 3);
  t.equal(g.state, 'Stable');

  s.gc.consumerGroupHeartbeat(hb('g', 'b-restarted', -2, { instanceId: 'i-b' }), V1);
  await advance(s, 45_000);
  t.notOk(g.member('b-restarted'), 'a static member that does not come back expires with its session');
  t.equal(g.groupEpoch, 5, 'a also expired (it did not heartbeat), each bump once');
});

t.test('GROUP_MAX_SIZE_REACHED', async (t) => {
  const s = withTopic({ 'group.consumer.max.size': '1' });
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  t.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  t.equal(r.errorMessage, 'The consumer group has reached its maximum capacity of 1 members.');
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1).errorCode, ErrorCode.NONE, 'a member of the group may rejoin');
});

t.test('topic changes: new partitions and a new topic matching the regex give a new target', async (t) => {
  const s = withTopic({}, 2);
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'a', 0, { subscribedTopicNames: [], subscribedTopicRegex: 'ord.*|pay' }), V1);
  t.same(parts(r), [0, 1]);
  s.cluster.topics.addPartitions(s.cluster.topics.get('orders')!, 4);
  const r2 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 2), V1);
  t.equal(r2.memberEpoch, 3, 'new partitions bump the epoch');
  t.same(parts(r2), [0, 1, 2, 3]);
  const pay = s.cluster.topics.create('pay', 1);
  s.cluster.topics.create('payments', 1);
  const r3 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 3), V1);
  t.equal(r3.memberEpoch, 4);
  t.ok(r3.assignment!.topicPartitions.some((tp) => tp.topicId === pay.id), 'pay matches');
  t.equal(r3.assignment!.topicPartitions.length, 2, 'payments does not: the regex is anchored');
  t.ok(s.gc.consumerGroup('g')!.isSubscribedToTopic('pay'));
  s.cluster.topics.delete(pay);
  const r4 = s.gc.consumerGroupHeartbeat(hb('g', 'a', 4), V1);
  t.equal(r4.memberEpoch, 4, 'a deleted topic too: its partition is revoked first');
  t.same(r4.assignment!.topicPartitions.map((tp) => tp.topicId), [s.topicId]);
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 4, { topicPartitions: owned(s.topicId, [0, 1, 2, 3]) }), V1).memberEpoch, 5, 'then the member moves on');
});

t.test('serverAssignor range', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'm1', 0, { serverAssignor: 'range' }), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'm2', 0, { serverAssignor: 'range' }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.assignorName, 'range');
  t.same([...g.targetAssignment('m1').get(s.topicId)!].sort(), [0, 1, 2]);
  t.same([...g.targetAssignment('m2').get(s.topicId)!].sort(), [3, 4, 5]);
  t.equal(s.gc.consumerGroupDescribe(['g'], false)[0]!.assignorName, 'range');
});

t.test('with group.consumer.migration.policy=disabled a running classic group refuses consumer members; empty groups give way', async (t) => {
  const s = withTopic({ 'group.consumer.migration.policy': 'disabled' });
  s.gc.consumerGroupHeartbeat(hb('cg', 'a', 0), V1);
  // Classic members may still join a consumer group (group-migration.test.ts); the policy only governs conversions.
  t.equal((await s.gc.joinGroup(joinReq('cg'), client())).errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'JoinGroup to a consumer group');
  t.equal(s.gc.heartbeat('cg', 'a', null, 1), ErrorCode.UNKNOWN_MEMBER_ID, 'classic Heartbeat from a consumer-protocol member');
  await stableSingleMember(s, 'classic');
  const r = s.gc.consumerGroupHeartbeat(hb('classic', 'x', 0), V1);
  t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(r.errorMessage, 'Group classic is not a consumer group.');

  // An empty group of either type gives way, and keeps its offsets.
  t.same(s.gc.commitOffsets(commitReq('simple', -1, '', [{ name: 'orders', partitions: [0] }]), [{ name: 'orders', topicId: s.topicId, partitions: commitReq('simple', -1, '', [{ name: 'orders', partitions: [0] }]).topics[0]!.partitions }], 9)[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  t.equal(s.gc.group('simple')!.type, 'classic');
  t.equal(s.gc.consumerGroupHeartbeat(hb('simple', 'a', 0), V1).errorCode, ErrorCode.NONE);
  t.equal(s.gc.group('simple')!.type, 'consumer');
  t.equal(s.gc.fetchOffsets('simple', [{ name: 'orders', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!.committedOffset, 42n, 'offsets kept');
  s.gc.consumerGroupHeartbeat(hb('simple', 'a', -1), V1);
  const joined = await s.gc.joinGroup(joinReq('simple'), client());
  t.equal(joined.errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'the empty consumer group gives way to a classic one');
  t.equal(s.gc.group('simple')!.type, 'classic');
});

t.test('offsets: commits need the member epoch (KIP-1251 for older ones), fetches too', async (t) => {
  const s = withTopic();
  const commit = (memberId: string, epoch: number, partitions: number[], v = 9) => {
    const req = commitReq('g', epoch, memberId, [{ name: 'orders', partitions }]);
    return s.gc.commitOffsets(req, [{ name: 'orders', topicId: s.topicId, partitions: req.topics[0]!.partitions }], v)[0]!.partitions.map((p) => p.errorCode);
  };
  t.same(commit('', -1, [0]), [ErrorCode.GROUP_ID_NOT_FOUND].map(() => ErrorCode.NONE), 'no group: a simple group is created');
  s.gc.deleteGroups(['g']);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  t.same(commit('a', 2, [0, 5]), [0, 0], 'the current epoch');
  t.same(commit('a', 3, [0]), [ErrorCode.STALE_MEMBER_EPOCH], 'a newer epoch');
  t.same(commit('ghost', 2, [0]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  t.same(commit('', -1, [0]), [ErrorCode.UNKNOWN_MEMBER_ID], 'an admin commit to an active group');
  t.same(commit('a', 2, [0], 8), [ErrorCode.UNSUPPORTED_VERSION], 'consumer members need v9+');
  s.gc.consumerGroupHeartbeat(hb('g', 'b', 0), V1);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 2, { topicPartitions: owned(s.topicId, []) }), V1);
  const g = s.gc.consumerGroup('g')!;
  t.equal(g.member('a')!.memberEpoch, 3);
  const kept = [...g.member('a')!.assigned.get(s.topicId)!.keys()][0]!;
  const gone = [0, 1, 2, 3, 4, 5].find((p) => !g.member('a')!.assigned.get(s.topicId)!.has(p))!;
  t.same(commit('a', 2, [kept, gone]), [ErrorCode.NONE, ErrorCode.STALE_MEMBER_EPOCH], 'epoch 2 is fine for a partition held since then, not for one it no longer has');
  t.equal(s.gc.fetchOffsets('g', null, false, { memberId: 'a', memberEpoch: 3 }).errorCode, ErrorCode.NONE);
  t.equal(s.gc.fetchOffsets('g', null, false, { memberId: 'a', memberEpoch: 2 }).errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(s.gc.fetchOffsets('g', null, false, { memberId: 'zz', memberEpoch: 2 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(s.gc.fetchOffsets('g', null, false, { memberId: null, memberEpoch: -1 }).errorCode, ErrorCode.NONE, 'admin fetch');
});

t.test('describe, list, delete: states, epochs, NON_EMPTY_GROUP, GROUP_SUBSCRIBED_TO_TOPIC', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0, { instanceId: 'i', rackId: 'r1' }), client(1, 'my-client'));
  const [d] = s.gc.consumerGroupDescribe(['g'], true);
  t.match(d, { errorCode: 0, groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform', authorizedOperations: 3400 });
  t.match(d!.members[0], { memberId: 'a', instanceId: 'i', rackId: 'r1', memberEpoch: 2, clientId: 'my-client', clientHost: '/127.0.0.1', subscribedTopicNames: ['orders'], subscribedTopicRegex: null });
  t.same(d!.members[0]!.assignment.topicPartitions, [{ topicId: s.topicId, topicName: 'orders', partitions: [0, 1, 2, 3, 4, 5] }]);
  t.same(d!.members[0]!.targetAssignment, d!.members[0]!.assignment);
  await stableSingleMember(s, 'classic');
  const [c, n] = s.gc.consumerGroupDescribe(['classic', 'nope'], false);
  t.match(c, { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group classic is not a consumer group.' });
  t.match(n, { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group nope not found.' });
  t.match(s.gc.describeGroups(['g'], 6, false)[0], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group g is not a classic group.' });
  t.match(s.gc.describeGroups(['g'], 5, false)[0], { errorCode: 0, groupState: 'Dead' });
  t.same(s.gc.listGroups([], ['consumer']).map((x) => [x.groupId, x.groupState, x.groupType, x.protocolType]), [['g', 'Stable', 'consumer', 'consumer']]);
  t.same(s.gc.listGroups([], ['classic']).map((x) => x.groupId), ['classic']);
  t.same(s.gc.listGroups(['stable'], []).map((x) => x.groupId).sort(), ['classic', 'g']);
  t.same(s.gc.listGroups(['reconciling'], []), []);
  t.same(s.gc.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: null }]);
  t.equal(s.gc.deleteOffsets('g', [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }]).topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  s.gc.consumerGroupHeartbeat(hb('g', 'a', -1, { instanceId: 'i' }), V1);
  t.same(s.gc.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NONE, errorMessage: null }]);
  t.notOk(s.gc.group('g'));
  const tombstones = coordinatorRecords(s).filter((x) => x.record.type === 'consumer-group' && x.record.value === null);
  t.ok(tombstones.length >= 2, 'the group records are tombstoned');
});

t.test('housekeeping: offsets expire after offsets.retention.ms, empty groups without offsets go, deleted topics take their offsets', async (t) => {
  const s = withTopic({ 'offsets.retention.ms': '100000', 'offsets.retention.check.interval.ms': '10000' });
  const other = s.cluster.topics.create('other', 1);
  const commit = (group: string, topic: string, id: string) => {
    const req = commitReq(group, -1, '', [{ name: topic, partitions: [0] }]);
    s.gc.commitOffsets(req, [{ name: topic, topicId: id, partitions: req.topics[0]!.partitions }], 9);
  };
  commit('simple', 'orders', s.topicId);
  commit('simple', 'other', other.id);
  s.gc.consumerGroupHeartbeat(hb('live', 'a', 0), V1);
  const req = commitReq('live', 2, 'a', [{ name: 'other', partitions: [0] }, { name: 'orders', partitions: [0] }]);
  s.gc.commitOffsets(req, req.topics.map((x) => ({ name: x.name, topicId: 'x', partitions: x.partitions })), 9);
  s.cluster.topics.delete(other);
  t.same(s.gc.offsets.topics('simple'), ['orders'], 'the deleted topic took its offsets');
  t.same(s.gc.offsets.topics('live'), ['orders']);
  for (let i = 0; i < 3; i++) {
    await advance(s, 30_000);
    s.gc.consumerGroupHeartbeat(hb('live', 'a', 2), V1);
  }
  t.ok(s.gc.group('simple'), 'not yet expired');
  await advance(s, 20_000);
  s.gc.consumerGroupHeartbeat(hb('live', 'a', 2), V1);
  t.notOk(s.gc.group('simple'), 'its offsets expired and the empty group went with them');
  t.same(s.gc.offsets.topics('live'), ['orders'], 'a live group keeps offsets of topics it subscribes to');
  s.gc.consumerGroupHeartbeat(hb('live', 'a', -1), V1);
  const again = commitReq('live', -1, '', [{ name: 'orders', partitions: [0] }]);
  s.gc.commitOffsets(again, [{ name: 'orders', topicId: s.topicId, partitions: again.topics[0]!.partitions }], 9);
  s.gc.cleanupGroupMetadata();
  t.ok(s.gc.group('live'), 'empty, but its offset is younger than the retention');
  await advance(s, 100_000);
  t.notOk(s.gc.group('live'), 'expired and removed');
});

t.test('closing the coordinator stops every consumer-group timer', async (t) => {
  const s = withTopic();
  s.gc.consumerGroupHeartbeat(hb('g', 'a', 0), V1);
  t.ok(s.clock.pendingTimers > 0);
  s.gc.close();
  t.equal(s.clock.pendingTimers, 0);
  t.equal(s.gc.consumerGroupHeartbeat(hb('g', 'a', 2), V1).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

t.test('a regex matches internal topics too, as Kafka resolves it over every topic (franz-go asserts __consumer_offsets)', async (t) => {
  const s = withTopic({}, 2);
  s.gc.consumerGroupHeartbeat(hb('g0', 'x', 0), V1); // any group use creates __consumer_offsets
  const offsets = s.cluster.topics.get('__consumer_offsets');
  t.ok(offsets?.internal, '__consumer_offsets exists and is internal');
  const r = s.gc.consumerGroupHeartbeat(hb('g', 'a', 0, { subscribedTopicNames: [], subscribedTopicRegex: '__consumer_off.*' }), V1);
  const ids = new Set(r.assignment!.topicPartitions.map((tp) => tp.topicId));
  t.same([...ids], [offsets!.id], 'only __consumer_offsets matches, and it is assigned');
  t.equal(r.assignment!.topicPartitions[0]!.partitions.length, offsets!.partitions.length);
});
