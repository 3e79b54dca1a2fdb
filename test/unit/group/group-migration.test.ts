// Online migration between the classic and the consumer group protocol (KIP-848), driven through
// the coordinator on a ManualClock: the upgrade when a ConsumerGroupHeartbeat joins a running
// classic group, classic members served inside the consumer group (JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup), the downgrade when the last consumer-protocol member leaves, the migration policy,
// and the invariants that matter: no partition held by two members, committed offsets kept.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../src/protocol/messages/consumer-group-heartbeat.js';
import type { JoinGroupResponse } from '../../../src/protocol/messages/join-group.js';
import { Reader } from '../../../src/protocol/reader.js';
import { readConsumerProtocolAssignment } from '../../../src/protocol/messages/consumer-protocol-assignment.js';
import { advance, assignment, client, commitReq, coordinatorRecords, hb, joinReq, setup, syncReq, track } from './helpers.js';
import type { Setup } from './helpers.js';

const V1 = client(1, 'c');

function hbOwning(memberId: string, memberEpoch: number, owned: number[] | null, topicId: string): ConsumerGroupHeartbeatRequest {
  return hb('g', memberId, memberEpoch, { topicPartitions: memberEpoch === 0 ? [] : owned === null ? null : [{ topicId, partitions: owned }] });
}

function parts(r: ConsumerGroupHeartbeatResponse): number[] | null {
  return r.assignment === null ? null : r.assignment.topicPartitions.flatMap((tp) => tp.partitions).sort((a, b) => a - b);
}

function decodeAssignment(b: Buffer): number[] {
  const r = new Reader(b);
  return readConsumerProtocolAssignment(r, r.int16()).assignedPartitions.flatMap((tp) => tp.partitions).sort((x, y) => x - y);
}

/** Who holds each partition in the consumer group (assigned or pending revocation), and the partitions held twice. */
function holders(s: Setup): { owners: Map<number, string>; twice: number[] } {
  const owners = new Map<number, string>();
  const twice: number[] = [];
  for (const m of s.gc.consumerGroup('g')!.members) {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const ps of a.values()) {
        for (const p of ps.keys()) {
          if (owners.has(p) && owners.get(p) !== m.memberId) twice.push(p);
          owners.set(p, m.memberId);
        }
      }
    }
  }
  return { owners, twice };
}

/** Two classic members a and b, Stable in generation 1 with a: 0-2, b: 3-5, and committed offsets. */
async function runningClassicGroup(configs: Record<string, string> = {}): Promise<Setup & { topicId: string; a: string; b: string }> {
  const s = setup(configs);
  const topicId = s.cluster.topics.create('orders', 6).id;
  const a = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const b = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const ja = track(s.gc.joinGroup(joinReq('g', a), client()));
  const jb = track(s.gc.joinGroup(joinReq('g', b), client()));
  await advance(s, 0);
  const leader = (ja.value as JoinGroupResponse).leader;
  if ((ja.value as JoinGroupResponse).generationId !== 1) throw new Error('setup: generation 1 expected');
  const assignments = [
    { memberId: a, assignment: assignment('orders', [0, 1, 2]) },
    { memberId: b, assignment: assignment('orders', [3, 4, 5]) },
  ];
  const follower = leader === a ? b : a;
  const fs = s.gc.syncGroup(syncReq('g', follower, 1));
  const codes = [(await s.gc.syncGroup(syncReq('g', leader, 1, { assignments }))).errorCode, (await fs).errorCode, (jb.value as JoinGroupResponse).errorCode];
  if (codes.some((c) => c !== ErrorCode.NONE) || s.gc.classicGroup('g')!.state !== 'Stable') throw new Error(`setup: ${codes}`);
  const commit = commitReq('g', 1, a, [{ name: 'orders', partitions: [0, 1, 2], offset: 100n }]);
  if (s.gc.commitOffsets(commit, [{ name: 'orders', topicId, partitions: commit.topics[0]!.partitions }], 8)[0]!.partitions[0]!.errorCode !== ErrorCode.NONE) throw new Error('setup: commit');
  return { ...s, topicId, a, b };
}

function committed(s: Setup, p: number): bigint {
  return s.gc.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [p] }], false).topics[0]!.partitions[0]!.committedOffset;
}

t.test('upgrade, classic members served in the consumer group, downgrade: no partition owned twice, offsets kept', async (t) => {
  const s = await runningClassicGroup();
  const { a, b, topicId } = s;

  // A consumer-protocol member joins the running classic group: it becomes a consumer group.
  const c1 = s.gc.consumerGroupHeartbeat(hbOwning('c', 0, null, topicId), V1);
  t.equal(c1.errorCode, ErrorCode.NONE);
  const g = s.gc.consumerGroup('g')!;
  t.ok(g, 'the group is a consumer group now');
  t.equal(g.groupEpoch, 2, 'epoch = classic generation 1, bumped by the join');
  t.same(parts(c1), [], 'every partition is still held by a classic member: nothing yet');
  t.same([...g.member(a)!.assigned.get(topicId)!.keys()], [0, 1, 2], 'a keeps its classic assignment');
  t.equal(g.member(a)!.memberEpoch, 1);
  t.same(holders(s).twice, [], 'no partition held twice');
  const [described] = s.gc.consumerGroupDescribe(['g'], false);
  t.same(described!.members.map((m) => [m.memberId, m.memberType]).sort(), [[a, 0], [b, 0], ['c', 1]].sort(), 'MemberType 0 for classic members, 1 for consumer');
  t.equal(committed(s, 0), 100n, 'offsets kept through the upgrade');
  const recordTypes = coordinatorRecords(s).map((x) => x.record.type);
  t.ok(recordTypes.lastIndexOf('group-metadata') < recordTypes.lastIndexOf('consumer-group'), 'the classic group is tombstoned, then the consumer group written');

  // The classic members are told to rejoin; a does (eager: it revoked everything, owns nothing).
  t.equal(s.gc.heartbeat('g', a, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  t.equal(s.gc.heartbeat('g', a, null, 0), ErrorCode.ILLEGAL_GENERATION, 'the generation is the member epoch');
  const ja = await s.gc.joinGroup(joinReq('g', a), client());
  t.match(ja, { errorCode: 0, memberId: a, generationId: 2, protocolType: 'consumer', protocolName: 'range', leader: '', members: [] });
  const sa = await s.gc.syncGroup(syncReq('g', a, 2));
  t.equal(sa.errorCode, ErrorCode.NONE);
  const aParts = decodeAssignment(sa.assignment);
  t.ok(aParts.length === 2 && aParts.every((p) => [0, 1, 2].includes(p)), `a keeps two of its partitions: ${aParts}`);
  t.equal(s.gc.heartbeat('g', a, null, 2), ErrorCode.NONE, 'a is up to date');
  const commit = commitReq('g', 2, a, [{ name: 'orders', partitions: [aParts[0]!], offset: 150n }]);
  t.equal(s.gc.commitOffsets(commit, [{ name: 'orders', topicId, partitions: commit.topics[0]!.partitions }], 8)[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'a classic member commits with its generation at v8');
  const stale = commitReq('g', 1, a, [{ name: 'orders', partitions: [aParts[0]!], offset: 1n }]);
  t.equal(s.gc.commitOffsets(stale, [{ name: 'orders', topicId, partitions: stale.topics[0]!.partitions }], 8)[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);

  // c gets what a released, never what b still holds.
  const c2 = s.gc.consumerGroupHeartbeat(hbOwning('c', c1.memberEpoch, [], topicId), V1);
  t.equal(parts(c2)!.length, 1, 'the partition a gave up');
  t.same(holders(s).twice, [], 'no partition held twice');
  t.equal(s.gc.heartbeat('g', b, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  t.equal((await s.gc.syncGroup(syncReq('g', b, 1))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'a SyncGroup before rejoining too');
  const jb = await s.gc.joinGroup(joinReq('g', b), client());
  t.equal(jb.generationId, 2);
  t.equal(decodeAssignment((await s.gc.syncGroup(syncReq('g', b, 2))).assignment).length, 2);
  const c3 = s.gc.consumerGroupHeartbeat(hbOwning('c', c2.memberEpoch, parts(c2), topicId), V1);
  t.equal(parts(c3)!.length, 2, 'c has its full share once b released');
  t.same(holders(s).twice, [], 'no partition held twice');
  t.equal(holders(s).owners.size, 6, 'every partition owned');
  t.equal(g.state, 'Stable');

  // The last consumer-protocol member leaves: the group goes back to classic and rebalances.
  s.gc.consumerGroupHeartbeat(hbOwning('c', -1, null, topicId), V1);
  const classic = s.gc.classicGroup('g');
  t.ok(classic, 'downgraded to a classic group');
  t.equal(classic!.state, 'PreparingRebalance');
  t.equal(classic!.generationId, 2, 'the group epoch before c left: the epoch a and b hold');
  t.same([...classic!.members].map((m) => m.memberId).sort(), [a, b].sort());
  t.same(decodeAssignment(classic!.member(a)!.assignment), aParts, 'members keep their assignment until the rebalance completes');
  t.equal(s.gc.heartbeat('g', a, null, 2), ErrorCode.REBALANCE_IN_PROGRESS);
  const during = commitReq('g', 2, b, [{ name: 'orders', partitions: [5], offset: 60n }]);
  t.equal(s.gc.commitOffsets(during, [{ name: 'orders', topicId, partitions: during.topics[0]!.partitions }], 8)[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'members commit with their generation until they rejoin');
  const ra = track(s.gc.joinGroup(joinReq('g', a), client()));
  const rb = track(s.gc.joinGroup(joinReq('g', b), client()));
  await advance(s, 0);
  t.ok(ra.done && rb.done, 'the rebalance completes once both rejoined');
  t.equal((ra.value as JoinGroupResponse).generationId, 3);
  t.equal(committed(s, aParts[0]!), 150n, 'offsets kept through the downgrade');
  t.equal(committed(s, 4), -1n, 'nothing invented');
});

t.test('the upgrade answers parked requests REBALANCE_IN_PROGRESS; classic members time out as Kafka', async (t) => {
  const s = await runningClassicGroup();
  const { a, b, topicId } = s;
  const parked = track(s.gc.joinGroup(joinReq('g', a, { protocols: [{ name: 'range', metadata: Buffer.from(joinReq('g').protocols[0]!.metadata) }], rebalanceTimeoutMs: 20_000 }), client()));
  await advance(s, 0);
  t.equal(s.gc.classicGroup('g')!.state, 'PreparingRebalance');
  t.notOk(parked.done);
  t.equal(s.gc.consumerGroupHeartbeat(hbOwning('c', 0, null, topicId), V1).errorCode, ErrorCode.NONE);
  await advance(s, 0);
  t.equal((parked.value as JoinGroupResponse).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const g = s.gc.consumerGroup('g')!;
  // b never rejoins after being told to: its rebalance timeout (30 s) removes it.
  t.equal(s.gc.heartbeat('g', b, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  await advance(s, 9_000);
  t.equal(s.gc.heartbeat('g', a, null, 1), ErrorCode.REBALANCE_IN_PROGRESS, 'a keeps its session alive');
  s.gc.consumerGroupHeartbeat(hbOwning('c', 2, [], topicId), V1);
  await advance(s, 9_000);
  t.equal(s.gc.heartbeat('g', a, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  s.gc.consumerGroupHeartbeat(hbOwning('c', 2, [], topicId), V1);
  await advance(s, 9_000);
  t.equal(s.gc.heartbeat('g', a, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  s.gc.consumerGroupHeartbeat(hbOwning('c', 2, [], topicId), V1);
  t.notOk(g.member(b), 'b missed its 10 s session');
  await advance(s, 9_000);
  t.notOk(g.member(a), 'a did not rejoin within its 20 s rebalance timeout');
  t.equal(s.gc.heartbeat('g', a, null, 1), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(g.timerCount, 1, 'only c keeps a timer');
  t.equal(s.gc.group('g')!.type, 'consumer', 'a group of consumer members stays a consumer group');
  s.gc.close();
});

t.test('classic LeaveGroup, protocol checks and the migration policy', async (t) => {
  const up = await runningClassicGroup({ 'group.consumer.migration.policy': 'downgrade' });
  const r = up.gc.consumerGroupHeartbeat(hbOwning('c', 0, null, up.topicId), V1);
  t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'upgrade disabled');
  t.equal(r.errorMessage, 'Group g is not a consumer group.');
  t.equal(up.gc.group('g')!.type, 'classic');

  const s = await runningClassicGroup({ 'group.consumer.migration.policy': 'UPGRADE' });
  const { a, b, topicId } = s;
  s.gc.consumerGroupHeartbeat(hbOwning('c', 0, null, topicId), V1);
  const bad = await s.gc.joinGroup(joinReq('g', 'new', { protocols: [{ name: 'roundrobin', metadata: joinReq('g').protocols[0]!.metadata }] }), client());
  t.equal(bad.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'a protocol no classic member has');
  t.equal((await s.gc.joinGroup(joinReq('g', '', { protocolType: 'connect' }), client())).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const joined = await s.gc.joinGroup(joinReq('g', a), client());
  t.equal((await s.gc.syncGroup(syncReq('g', a, joined.generationId, { protocolName: 'roundrobin' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  t.equal((await s.gc.syncGroup(syncReq('g', 'c', 2))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'c does not speak the classic protocol');
  const left = s.gc.leaveGroup('g', [
    { memberId: b, groupInstanceId: null, reason: null },
    { memberId: 'c', groupInstanceId: null, reason: null },
  ]);
  t.same(left.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
  const g = s.gc.consumerGroup('g')!;
  t.notOk(g.member(b));
  s.gc.consumerGroupHeartbeat(hbOwning('c', -1, null, topicId), V1);
  t.equal(s.gc.group('g')!.type, 'consumer', 'policy upgrade: no downgrade');
  t.equal(g.size, 1);
  s.gc.close();
});
