// The classic group state machine, driven through the coordinator on a ManualClock: every
// transition of Kafka's ClassicGroupState and what each request answers in each state.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { JoinGroupResponse, SyncGroupResponse } from '../../../src/protocol/messages/index.js';
import { advance, assignment, client, coordinatorRecords, flush, joinReq, setup, stableSingleMember, subscription, syncReq, track } from './helpers.js';

t.test('first member: MEMBER_ID_REQUIRED, then the initial rebalance makes it leader of generation 1', async (t) => {
  const s = setup();
  const first = await s.gc.joinGroup(joinReq('g'), client(9, 'my-client'));
  t.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.match(first.memberId, /^my-client-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'clientId-uuid, as Kafka');
  t.equal(first.generationId, -1);
  const group = s.gc.classicGroup('g')!;
  t.equal(group.state, 'Empty', 'a pending member does not start a rebalance');
  t.equal(group.size, 0);

  const joined = track(s.gc.joinGroup(joinReq('g', first.memberId), client(9, 'my-client')));
  await flush();
  t.notOk(joined.done, 'the join waits for the initial rebalance delay (0 here: the next timer tick)');
  t.equal(group.state, 'PreparingRebalance');
  await advance(s, 0);
  t.ok(joined.done);
  const j = joined.value!;
  t.equal(j.errorCode, ErrorCode.NONE);
  t.equal(j.generationId, 1);
  t.equal(j.leader, first.memberId);
  t.equal(j.memberId, first.memberId);
  t.equal(j.protocolType, 'consumer');
  t.equal(j.protocolName, 'range');
  t.same(j.members.map((m) => m.memberId), [first.memberId], 'the leader gets the member list');
  t.same(j.members[0]!.metadata, subscription(['orders']));
  t.equal(group.state, 'CompletingRebalance');

  const sync = await s.gc.syncGroup(syncReq('g', j.memberId, 1, { assignments: [{ memberId: j.memberId, assignment: assignment('orders', [0, 1]) }] }));
  t.equal(sync.errorCode, ErrorCode.NONE);
  t.same(sync.assignment, assignment('orders', [0, 1]));
  t.equal(sync.protocolName, 'range');
  t.equal(sync.protocolType, 'consumer');
  t.equal(group.state, 'Stable');
  t.equal(s.gc.heartbeat('g', j.memberId, null, 1), ErrorCode.NONE);
});

t.test('before v4 a member joins without the MEMBER_ID_REQUIRED round trip; v0 uses the session timeout as rebalance timeout', async (t) => {
  const s = setup();
  const joined = track(s.gc.joinGroup(joinReq('g', '', { rebalanceTimeoutMs: -1 }), client(0)));
  await advance(s, 0);
  t.equal(joined.value!.errorCode, ErrorCode.NONE);
  t.equal(joined.value!.generationId, 1);
  t.equal(s.gc.classicGroup('g')!.member(joined.value!.memberId)!.rebalanceTimeoutMs, 10_000);
});

t.test('JoinGroup validation: group id, session timeout bounds, unknown member, protocols', async (t) => {
  const s = setup();
  t.equal((await s.gc.joinGroup(joinReq(''), client())).errorCode, ErrorCode.INVALID_GROUP_ID);
  t.equal((await s.gc.joinGroup(joinReq('g', '', { sessionTimeoutMs: 5999 }), client())).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  t.equal((await s.gc.joinGroup(joinReq('g', '', { sessionTimeoutMs: 1_800_001 }), client())).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  t.equal((await s.gc.joinGroup(joinReq('g', '', { sessionTimeoutMs: 6000 }), client())).errorCode, ErrorCode.MEMBER_ID_REQUIRED, '6000 is allowed');
  const unknown = await s.gc.joinGroup(joinReq('nope', 'ghost-1'), client());
  t.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'a member id for a group that does not exist');
  t.notOk(s.gc.classicGroup('nope'), 'and no group is created');
  t.equal((await s.gc.joinGroup(joinReq('g', 'ghost-2'), client())).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'an unknown member id');
  t.equal((await s.gc.joinGroup(joinReq('e', '', { protocols: [] }), client())).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'no protocols');
  t.equal((await s.gc.joinGroup(joinReq('e2', '', { protocolType: '' }), client())).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'empty protocol type');
  t.equal(s.gc.classicGroup('e2')!.state, 'Empty', 'the group is created anyway, as in Kafka');

  await stableSingleMember(s, 'busy');
  t.equal((await s.gc.joinGroup(joinReq('busy', '', { protocolType: 'connect' }), client())).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'protocol type must match');
  t.equal((await s.gc.joinGroup(joinReq('busy', '', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }), client())).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'a protocol all members support');
});

t.test('a second member triggers a rebalance; the leader assigns, the follower waits for it', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const group = s.gc.classicGroup('g')!;
  const bId = (await s.gc.joinGroup(joinReq('g'), client(9, 'b'))).memberId;
  t.equal(group.state, 'Stable', 'a pending member changes nothing yet');
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client(9, 'b')));
  await flush();
  t.equal(group.state, 'PreparingRebalance');
  t.notOk(bJoin.done, 'B waits for A to rejoin');
  t.equal(s.gc.heartbeat('g', a.memberId, null, a.generation), ErrorCode.REBALANCE_IN_PROGRESS, 'A learns it must rejoin');
  t.equal((await s.gc.syncGroup(syncReq('g', a.memberId, a.generation))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);

  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.ok(aJoin.done && bJoin.done, 'both answered once everyone has joined');
  const aj = aJoin.value!;
  const bj = bJoin.value!;
  t.equal(aj.generationId, 2);
  t.equal(bj.generationId, 2);
  t.equal(aj.leader, a.memberId, 'the leader stays leader');
  t.equal(bj.leader, a.memberId);
  t.equal(aj.members.length, 2, 'only the leader gets the members');
  t.equal(bj.members.length, 0);
  t.equal(group.state, 'CompletingRebalance');
  t.equal(s.gc.heartbeat('g', bId, null, 2), ErrorCode.NONE, 'heartbeats are normal while CompletingRebalance');

  const bSync = track(s.gc.syncGroup(syncReq('g', bId, 2)));
  await flush();
  t.notOk(bSync.done, 'the follower waits for the leader');
  const aSync = await s.gc.syncGroup(syncReq('g', a.memberId, 2, { assignments: [{ memberId: a.memberId, assignment: assignment('orders', [0]) }, { memberId: bId, assignment: assignment('orders', [1]) }] }));
  await flush();
  t.same(aSync.assignment, assignment('orders', [0]));
  t.same(bSync.value!.assignment, assignment('orders', [1]));
  t.equal(group.state, 'Stable');
  const again = await s.gc.syncGroup(syncReq('g', bId, 2));
  t.same(again.assignment, assignment('orders', [1]), 'a SyncGroup in Stable answers the current assignment');
});

t.test('protocol selection: each member votes for its first choice among the common protocols', async (t) => {
  const s = setup();
  const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
  const ids: string[] = [];
  for (const [c, protocols] of [['a', p('range', 'cooperative-sticky', 'x')], ['b', p('cooperative-sticky', 'range')], ['c', p('cooperative-sticky', 'range', 'y')]] as const) {
    ids.push((await s.gc.joinGroup(joinReq('g', '', { protocols: [...protocols] }), client(9, c))).memberId);
  }
  const joins = ids.map((id, i) => track(s.gc.joinGroup(joinReq('g', id, { protocols: [...[p('range', 'cooperative-sticky', 'x'), p('cooperative-sticky', 'range'), p('cooperative-sticky', 'range', 'y')][i]!] }), client())));
  await advance(s, 0);
  t.ok(joins.every((j) => j.done));
  t.equal(joins[0]!.value!.protocolName, 'cooperative-sticky', 'two votes beat one');
  t.same(joins[0]!.value!.members.map((m) => m.metadata.toString()), ['cooperative-sticky', 'cooperative-sticky', 'cooperative-sticky'], 'metadata of the chosen protocol');
});

t.test('Heartbeat answers in each state', async (t) => {
  const s = setup();
  t.equal(s.gc.heartbeat('none', 'm', null, 1), ErrorCode.UNKNOWN_MEMBER_ID, 'unknown group');
  t.equal(s.gc.heartbeat('', 'm', null, 1), ErrorCode.INVALID_GROUP_ID);
  // Empty: a group created by a commit has no members.
  s.cluster.topics.create('orders', 2);
  s.gc.commitOffsets(
    { groupId: 'simple', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }] },
    [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }] }],
    9,
  );
  t.equal(s.gc.classicGroup('simple')!.state, 'Empty');
  t.equal(s.gc.heartbeat('simple', 'm', null, 0), ErrorCode.UNKNOWN_MEMBER_ID, 'Empty');

  const a = await stableSingleMember(s, 'g');
  t.equal(s.gc.heartbeat('g', a.memberId, null, a.generation), ErrorCode.NONE, 'Stable');
  t.equal(s.gc.heartbeat('g', a.memberId, null, a.generation + 1), ErrorCode.ILLEGAL_GENERATION, 'wrong generation');
  t.equal(s.gc.heartbeat('g', 'who', null, a.generation), ErrorCode.UNKNOWN_MEMBER_ID, 'unknown member');
  t.equal(s.gc.heartbeat('g', a.memberId, 'some-instance', a.generation), ErrorCode.UNKNOWN_MEMBER_ID, 'unknown instance id');

  // PreparingRebalance: the leader rejoins.
  const rejoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  t.equal(s.gc.classicGroup('g')!.state, 'CompletingRebalance', 'a lone leader rejoining completes the join phase at once');
  await flush();
  t.equal(rejoin.value!.generationId, 2);
  t.equal(s.gc.heartbeat('g', a.memberId, null, 2), ErrorCode.NONE, 'CompletingRebalance');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  track(s.gc.joinGroup(joinReq('g', bId), client()));
  t.equal(s.gc.classicGroup('g')!.state, 'PreparingRebalance');
  t.equal(s.gc.heartbeat('g', a.memberId, null, 2), ErrorCode.REBALANCE_IN_PROGRESS, 'PreparingRebalance');

  // Dead: the group object answers COORDINATOR_NOT_AVAILABLE to whoever still holds it.
  const group = s.gc.classicGroup('g')!;
  group.kill();
  t.equal(group.state, 'Dead');
  t.equal(group.heartbeat(a.memberId, null, 2), ErrorCode.COORDINATOR_NOT_AVAILABLE, 'Dead');
  t.equal(group.timerCount, 0, 'no timers left');
});

t.test('session expiry removes a member and rebalances; the last one leaves the group Empty', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client()));
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  const gen = aJoin.value!.generationId;
  t.ok(bJoin.done);
  await s.gc.syncGroup(syncReq('g', a.memberId, gen, { assignments: [] }));
  await s.gc.syncGroup(syncReq('g', bId, gen));
  const group = s.gc.classicGroup('g')!;
  t.equal(group.state, 'Stable');

  // A heartbeats, B goes silent.
  for (let i = 0; i < 3; i++) {
    await advance(s, 3000);
    t.equal(s.gc.heartbeat('g', a.memberId, null, gen), ErrorCode.NONE);
  }
  t.ok(group.hasMember(bId), 'B still there at 9 s');
  await advance(s, 1000);
  t.notOk(group.hasMember(bId), 'B expired after its 10 s session');
  t.equal(group.state, 'PreparingRebalance');
  t.equal(s.gc.heartbeat('g', a.memberId, null, gen), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal(rejoin.value!.generationId, gen + 1);
  t.equal(rejoin.value!.members.length, 1);
  await s.gc.syncGroup(syncReq('g', a.memberId, gen + 1));

  await advance(s, 10_000);
  t.equal(group.state, 'Empty', 'the last member expired');
  t.equal(group.generationId, gen + 2, 'the empty generation is a generation too');
  t.equal(group.timerCount, 0);
  const last = coordinatorRecords(s).at(-1)!.record;
  if (last.type !== 'group-metadata' || last.value === null) throw new Error('expected a group metadata record');
  t.same({ generation: last.value.generation, members: last.value.members.length, protocol: last.value.protocol }, { generation: gen + 2, members: 0, protocol: null }, 'the empty group is persisted');
});

t.test('a pending member that never joins is forgotten after its session timeout', async (t) => {
  const s = setup();
  const pending = await s.gc.joinGroup(joinReq('g'), client());
  t.equal(s.gc.classicGroup('g')!.pendingJoinCount, 1);
  await advance(s, 10_000);
  t.equal(s.gc.classicGroup('g')!.pendingJoinCount, 0);
  t.equal((await s.gc.joinGroup(joinReq('g', pending.memberId), client())).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

t.test('LeaveGroup: per-member errors, a rebalance for the rest, Empty when the last leaves', async (t) => {
  const s = setup();
  t.same(s.gc.leaveGroup('nope', [{ memberId: 'm', groupInstanceId: null, reason: null }]), { errorCode: 0, members: [{ memberId: 'm', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] }, 'unknown group: per member');
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client()));
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  const gen = bJoin.value!.generationId;
  await s.gc.syncGroup(syncReq('g', a.memberId, gen));
  await s.gc.syncGroup(syncReq('g', bId, gen));
  const group = s.gc.classicGroup('g')!;

  const r = s.gc.leaveGroup('g', [
    { memberId: bId, groupInstanceId: null, reason: 'shutting down' },
    { memberId: 'stranger', groupInstanceId: null, reason: null },
    { memberId: '', groupInstanceId: 'no-such-instance', reason: null },
  ]);
  t.same(r.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
  t.equal(group.state, 'PreparingRebalance', 'the rest must rejoin');
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal(aJoin.value!.members.length, 1);
  await s.gc.syncGroup(syncReq('g', a.memberId, aJoin.value!.generationId));
  t.equal(s.gc.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null, reason: null }]).members[0]!.errorCode, ErrorCode.NONE);
  t.equal(group.state, 'Empty');
  t.equal(group.leaderId, null);
  t.equal(group.timerCount, 0);
});

t.test('a member leaving while its join is parked gets UNKNOWN_MEMBER_ID', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client()));
  await flush();
  s.gc.leaveGroup('g', [{ memberId: bId, groupInstanceId: null, reason: null }]);
  await flush();
  t.equal(bJoin.value!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(bJoin.value!.memberId, '');
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal(aJoin.value!.members.length, 1, 'A alone in the next generation');
});

t.test('static membership: rejoin with the same instance id replaces the member id without a rebalance; the old id is fenced', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g', { groupInstanceId: 'pod-a' });
  t.match(a.memberId, /^pod-a-/, 'static member ids start with the instance id');
  const bJoin = track(s.gc.joinGroup(joinReq('g', '', { groupInstanceId: 'pod-b' }), client()));
  await flush();
  t.notOk(bJoin.done, 'a new static member joins without MEMBER_ID_REQUIRED and waits for the rebalance');
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId, { groupInstanceId: 'pod-a' }), client()));
  await flush();
  const gen = aJoin.value!.generationId;
  const bId = bJoin.value!.memberId;
  await s.gc.syncGroup(syncReq('g', a.memberId, gen, { groupInstanceId: 'pod-a', assignments: [{ memberId: a.memberId, assignment: assignment('orders', [0]) }, { memberId: bId, assignment: assignment('orders', [1]) }] }));
  await s.gc.syncGroup(syncReq('g', bId, gen, { groupInstanceId: 'pod-b' }));
  const group = s.gc.classicGroup('g')!;
  t.equal(group.state, 'Stable');

  // pod-b restarts: it lost its member id but keeps its instance id.
  const restarted = await s.gc.joinGroup(joinReq('g', '', { groupInstanceId: 'pod-b' }), client(8));
  t.equal(restarted.errorCode, ErrorCode.NONE);
  t.not(restarted.memberId, bId, 'a new member id');
  t.equal(restarted.generationId, gen, 'same generation: no rebalance');
  t.equal(group.state, 'Stable');
  t.equal(restarted.leader, a.memberId);
  const sync = await s.gc.syncGroup(syncReq('g', restarted.memberId, gen, { groupInstanceId: 'pod-b' }));
  t.same(sync.assignment, assignment('orders', [1]), 'it keeps its assignment');
  t.equal(s.gc.heartbeat('g', a.memberId, 'pod-a', gen), ErrorCode.NONE, 'the others are undisturbed');

  t.equal(s.gc.heartbeat('g', bId, 'pod-b', gen), ErrorCode.FENCED_INSTANCE_ID, 'the old member id is fenced');
  t.equal((await s.gc.syncGroup(syncReq('g', bId, gen, { groupInstanceId: 'pod-b' }))).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  t.equal((await s.gc.joinGroup(joinReq('g', bId, { groupInstanceId: 'pod-b' }), client())).errorCode, ErrorCode.FENCED_INSTANCE_ID);

  // The static leader restarting with v9 learns the members but keeps its assignment (KIP-814).
  const leader = await s.gc.joinGroup(joinReq('g', '', { groupInstanceId: 'pod-a' }), client(9));
  t.equal(leader.leader, leader.memberId);
  t.equal(leader.skipAssignment, true);
  t.equal(leader.members.length, 2);
  t.equal(group.state, 'Stable');

  // Admin removal by instance id.
  const left = s.gc.leaveGroup('g', [{ memberId: '', groupInstanceId: 'pod-b', reason: 'admin' }]);
  t.equal(left.members[0]!.errorCode, ErrorCode.NONE);
  t.equal(group.state, 'PreparingRebalance');
});

t.test('a static member replaced while its join is parked: the old join is answered FENCED_INSTANCE_ID', async (t) => {
  const s = setup();
  await stableSingleMember(s, 'g', { groupInstanceId: 'pod-a' });
  const bFirst = track(s.gc.joinGroup(joinReq('g', '', { groupInstanceId: 'pod-b' }), client()));
  await flush();
  t.notOk(bFirst.done);
  const bSecond = track(s.gc.joinGroup(joinReq('g', '', { groupInstanceId: 'pod-b' }), client()));
  await flush();
  t.equal(bFirst.value!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  t.notOk(bSecond.done, 'the new id waits in the rebalance');
});

t.test('the rebalance timeout removes members that did not rejoin', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  track(s.gc.joinGroup(joinReq('g', bId), client()));
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  await s.gc.syncGroup(syncReq('g', a.memberId, 2));
  await s.gc.syncGroup(syncReq('g', bId, 2));
  const group = s.gc.classicGroup('g')!;

  // C joins; A rejoins, B keeps heartbeating but never rejoins.
  const cId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const cJoin = track(s.gc.joinGroup(joinReq('g', cId), client()));
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  for (let i = 0; i < 9; i++) {
    await advance(s, 3000);
    t.equal(s.gc.heartbeat('g', bId, null, 2), ErrorCode.REBALANCE_IN_PROGRESS);
  }
  t.notOk(aJoin.done, 'still waiting at 27 s');
  await advance(s, 3000);
  t.ok(aJoin.done && cJoin.done, 'answered at the 30 s rebalance timeout');
  t.notOk(group.hasMember(bId), 'B was removed');
  t.equal(aJoin.value!.members.length, 2);
  t.equal(aJoin.value!.generationId, 3);
  t.equal(s.gc.heartbeat('g', bId, null, 2), ErrorCode.UNKNOWN_MEMBER_ID);
});

t.test('the leader not rejoining hands leadership to a member that did', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client()));
  // A keeps its session alive but never rejoins.
  for (let i = 0; i < 10; i++) {
    await advance(s, 3000);
    if (i < 9) t.equal(s.gc.heartbeat('g', a.memberId, null, a.generation), ErrorCode.REBALANCE_IN_PROGRESS);
  }
  t.ok(bJoin.done);
  t.equal(bJoin.value!.leader, bId, 'B leads');
  t.notOk(s.gc.classicGroup('g')!.hasMember(a.memberId));
});

t.test('members that do not send SyncGroup in time are removed and the group rebalances', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  track(s.gc.joinGroup(joinReq('g', bId), client()));
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal(aJoin.value!.generationId, 2);
  // A (the leader) syncs; B heartbeats but never syncs.
  const aSync = track(s.gc.syncGroup(syncReq('g', a.memberId, 2)));
  await flush();
  t.ok(aSync.done);
  for (let i = 0; i < 10; i++) {
    await advance(s, 3000);
    s.gc.heartbeat('g', a.memberId, null, 2);
    s.gc.heartbeat('g', bId, null, 2);
  }
  const group = s.gc.classicGroup('g')!;
  t.notOk(group.hasMember(bId), 'B missed the sync deadline');
  t.equal(group.state, 'PreparingRebalance');
});

t.test('group.initial.rebalance.delay.ms groups the first members into one generation, extended per new member', async (t) => {
  const s = setup({ 'group.initial.rebalance.delay.ms': '3000' });
  const a = track(s.gc.joinGroup(joinReq('g'), client(3)));
  await advance(s, 2000);
  t.notOk(a.done);
  const b = track(s.gc.joinGroup(joinReq('g'), client(3)));
  await advance(s, 1000);
  t.notOk(a.done || b.done, 'B arrived during the delay: another delay');
  await advance(s, 3000);
  t.ok(a.done && b.done);
  t.equal(a.value!.generationId, 1);
  t.equal(b.value!.generationId, 1);
  t.equal(a.value!.leader, a.value!.memberId, 'the first member leads');
  t.equal(a.value!.members.length, 2);
});

t.test('CompletingRebalance: an unchanged rejoin gets the current generation; changed metadata rebalances and fails parked syncs', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  track(s.gc.joinGroup(joinReq('g', bId), client()));
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  const group = s.gc.classicGroup('g')!;
  t.equal(group.state, 'CompletingRebalance');
  const again = await s.gc.joinGroup(joinReq('g', a.memberId), client());
  t.equal(again.generationId, 2);
  t.equal(again.members.length, 2, 'the leader gets the members again');
  t.equal(group.state, 'CompletingRebalance');

  t.equal((await s.gc.syncGroup(syncReq('g', bId, 1))).errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.equal((await s.gc.syncGroup(syncReq('g', bId, 2, { protocolName: 'roundrobin' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  t.equal((await s.gc.syncGroup(syncReq('g', bId, 2, { protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  t.equal((await s.gc.syncGroup(syncReq('g', 'nobody', 2))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal((await s.gc.syncGroup(syncReq('nogroup', bId, 2))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

  const bSync = track(s.gc.syncGroup(syncReq('g', bId, 2)));
  await flush();
  t.notOk(bSync.done);
  const changed = track(s.gc.joinGroup(joinReq('g', bId, { protocols: [{ name: 'range', metadata: subscription(['orders', 'payments']) }] }), client()));
  await flush();
  t.equal(bSync.value!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'the parked sync is told to rejoin');
  t.equal(group.state, 'PreparingRebalance');
  t.notOk(changed.done);
  const aJoin = track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal(aJoin.value!.generationId, 3);
  t.equal(changed.value!.generationId, 3);
});

t.test('Stable: a follower rejoining unchanged gets the generation back; the leader rejoining rebalances', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  track(s.gc.joinGroup(joinReq('g', bId), client()));
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  await s.gc.syncGroup(syncReq('g', a.memberId, 2));
  await s.gc.syncGroup(syncReq('g', bId, 2));
  const group = s.gc.classicGroup('g')!;
  const follower = await s.gc.joinGroup(joinReq('g', bId), client());
  t.same([follower.errorCode, follower.generationId, follower.members.length, group.state], [0, 2, 0, 'Stable']);
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  t.equal(group.state, 'PreparingRebalance');
});

t.test('a repeated parked JoinGroup answers the earlier one rather than leaving it hanging', async (t) => {
  const s = setup();
  const a = await stableSingleMember(s, 'g');
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const first = track(s.gc.joinGroup(joinReq('g', bId), client()));
  const second = track(s.gc.joinGroup(joinReq('g', bId), client()));
  await flush();
  t.equal(first.value?.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  t.notOk(second.done);
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  t.equal((second.value as JoinGroupResponse).generationId, 2);
});

t.test('closing the coordinator answers parked requests and stops every timer', async (t) => {
  const s = setup({ 'group.initial.rebalance.delay.ms': '3000' });
  const a = track(s.gc.joinGroup(joinReq('g'), client(3)));
  const pending = await s.gc.joinGroup(joinReq('h'), client(9));
  t.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.ok(s.clock.pendingTimers > 0);
  s.gc.close();
  await flush();
  t.equal(a.value!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(s.clock.pendingTimers, 0);
  t.equal((await s.gc.joinGroup(joinReq('g'), client())).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const sync: SyncGroupResponse = await s.gc.syncGroup(syncReq('h', 'x', 1));
  t.equal(sync.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});
