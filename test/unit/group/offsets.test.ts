// Committed offsets: OffsetCommit's topic, generation and member checks in each group state,
// OffsetFetch, OffsetDelete, DeleteGroups, and what lands in __consumer_offsets.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { OffsetCommitRequest } from '../../../src/protocol/messages/index.js';
import type { CommitTopic } from '../../../src/server/coordinators/group/group-coordinator.js';
import { partitionForKey } from '../../../src/server/coordinators/partition-for-key.js';
import { advance, client, commitReq, coordinatorRecords, flush, joinReq, setup, stableSingleMember, syncReq, track } from './helpers.js';
import type { Setup } from './helpers.js';

function commit(s: Setup, req: OffsetCommitRequest, version = 9): number[][] {
  const topics: CommitTopic[] = req.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions }));
  return s.gc.commitOffsets(req, topics, version).map((t) => t.partitions.map((p) => p.errorCode));
}

function withTopics(): Setup {
  const s = setup();
  s.cluster.topics.create('orders', 3);
  s.cluster.topics.create('payments', 1);
  return s;
}

t.test('an admin commit (generation -1, no member) creates a simple group; OffsetFetch reads it back', async (t) => {
  const s = withTopics();
  t.same(commit(s, commitReq('simple', -1, '', [{ name: 'orders', partitions: [0, 2], offset: 100n }])), [[0, 0]]);
  const g = s.gc.classicGroup('simple')!;
  t.equal(g.state, 'Empty');
  t.equal(g.protocolType, null, 'no protocol type: a simple group');
  t.same(s.gc.listGroups([], []), [{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);

  const fetched = s.gc.fetchOffsets('simple', [{ name: 'orders', partitionIndexes: [0, 1, 2] }], false);
  t.same(fetched, {
    errorCode: 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 100n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
          { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          { partitionIndex: 2, committedOffset: 100n, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 },
        ],
      },
    ],
  });
  const all = s.gc.fetchOffsets('simple', null, true);
  t.same(all.topics.map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['orders', [0, 2]]], 'null topics: everything committed');
  t.same(s.gc.fetchOffsets('nobody', null, false), { errorCode: 0, topics: [] }, 'an unknown group has nothing');
  t.same(s.gc.fetchOffsets('nobody', [{ name: 'orders', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!.committedOffset, -1n, 'and -1 for asked partitions');

  commit(s, commitReq('simple', -1, '', [{ name: 'orders', partitions: [0], offset: 7n, metadata: null }]));
  const p0 = s.gc.fetchOffsets('simple', [{ name: 'orders', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!;
  t.same([p0.committedOffset, p0.metadata], [7n, ''], 'a null metadata is stored as ""');
});

t.test('unknown topics and partitions are refused before the group is looked at', async (t) => {
  const s = withTopics();
  t.same(commit(s, commitReq('g', 5, 'm', [{ name: 'nope', partitions: [0, 1] }, { name: 'orders', partitions: [3] }])), [[3, 3], [3]]);
  t.notOk(s.gc.classicGroup('g'), 'no group created when nothing was valid');
  t.same(commit(s, commitReq('g', -1, '', [{ name: 'nope', partitions: [0] }, { name: 'orders', partitions: [1] }])), [[3], [0]], 'valid partitions still commit');
  const v10 = commitReq('g', -1, '', [{ name: '', partitions: [0] }]);
  t.same(s.gc.commitOffsets(v10, [{ name: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: v10.topics[0]!.partitions }], 10).map((x) => x.partitions[0]!.errorCode), [ErrorCode.UNKNOWN_TOPIC_ID], 'v10: an unknown topic id');
});

t.test('a commit with a generation to a group that does not exist', async (t) => {
  const s = withTopics();
  t.same(commit(s, commitReq('g', 3, 'm', [{ name: 'orders', partitions: [0] }]), 8), [[ErrorCode.ILLEGAL_GENERATION]], 'before v9');
  t.same(commit(s, commitReq('g', 3, 'm', [{ name: 'orders', partitions: [0] }]), 9), [[ErrorCode.GROUP_ID_NOT_FOUND]], 'v9+');
  t.notOk(s.gc.classicGroup('g'));
});

t.test('OffsetCommit checks in each state of a consumer group', async (t) => {
  const s = withTopics();
  const a = await stableSingleMember(s, 'g');
  const ok = [[0]];
  const c = (gen: number, member: string, instance: string | null = null) => commit(s, commitReq('g', gen, member, [{ name: 'orders', partitions: [0] }], { groupInstanceId: instance }));
  t.same(c(a.generation, a.memberId), ok, 'Stable, current generation');
  t.same(c(a.generation + 1, a.memberId), [[ErrorCode.ILLEGAL_GENERATION]]);
  t.same(c(a.generation, 'stranger'), [[ErrorCode.UNKNOWN_MEMBER_ID]]);
  t.same(c(-1, ''), [[ErrorCode.UNKNOWN_MEMBER_ID]], 'an admin commit while the group has members');
  t.same(c(a.generation, a.memberId, 'pod'), [[ErrorCode.UNKNOWN_MEMBER_ID]], 'an instance id the group does not know');

  // PreparingRebalance: members of the previous generation may still commit.
  const bId = (await s.gc.joinGroup(joinReq('g'), client())).memberId;
  const bJoin = track(s.gc.joinGroup(joinReq('g', bId), client()));
  t.equal(s.gc.classicGroup('g')!.state, 'PreparingRebalance');
  t.same(c(a.generation, a.memberId), ok, 'PreparingRebalance, previous generation');

  // CompletingRebalance: the new generation is known but not yet assigned.
  track(s.gc.joinGroup(joinReq('g', a.memberId), client()));
  await flush();
  const gen = bJoin.value!.generationId;
  t.equal(s.gc.classicGroup('g')!.state, 'CompletingRebalance');
  t.same(c(gen, a.memberId), [[ErrorCode.REBALANCE_IN_PROGRESS]]);
  await s.gc.syncGroup(syncReq('g', a.memberId, gen));
  t.same(c(gen, a.memberId), ok, 'Stable again');

  // A commit keeps the member's session alive, as a heartbeat does.
  await s.gc.syncGroup(syncReq('g', bId, gen));
  for (let i = 0; i < 4; i++) {
    await advance(s, 3000);
    t.same(c(gen, a.memberId), ok);
    s.gc.heartbeat('g', bId, null, gen);
  }
  t.ok(s.gc.classicGroup('g')!.hasMember(a.memberId), 'A alive after 12 s of commits only');

  // Empty: only generation -1 without a member.
  s.gc.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null, reason: null }, { memberId: bId, groupInstanceId: null, reason: null }]);
  t.equal(s.gc.classicGroup('g')!.state, 'Empty');
  t.same(c(-1, ''), ok, 'Empty: admin commit');
  t.same(c(gen, a.memberId), [[ErrorCode.UNKNOWN_MEMBER_ID]], 'Empty: a former member');
});

t.test('metadata longer than offset.metadata.max.bytes is refused per partition', async (t) => {
  const s = withTopics();
  const long = 'x'.repeat(4097);
  t.same(commit(s, commitReq('g', -1, '', [{ name: 'orders', partitions: [0], metadata: long }, { name: 'payments', partitions: [0], metadata: 'x'.repeat(4096) }])), [[ErrorCode.OFFSET_METADATA_TOO_LARGE], [0]]);
  t.equal(s.gc.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!.committedOffset, -1n);
});

t.test('OffsetDelete: subscribed topics are refused, others deleted; non-consumer groups must be empty', async (t) => {
  const s = withTopics();
  t.equal(s.gc.deleteOffsets('nobody', [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }]).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(s.gc.deleteOffsets('', []).errorCode, ErrorCode.INVALID_GROUP_ID);
  const a = await stableSingleMember(s, 'g');
  commit(s, commitReq('g', a.generation, a.memberId, [{ name: 'orders', partitions: [0, 1] }, { name: 'payments', partitions: [0] }]));
  t.same(s.gc.classicGroup('g')!.subscribedTopics, new Set(['orders']), 'parsed from the consumer protocol subscription');
  const r = s.gc.deleteOffsets('g', [
    { name: 'orders', partitions: [{ partitionIndex: 0 }] },
    { name: 'payments', partitions: [{ partitionIndex: 0 }] },
    { name: 'nope', partitions: [{ partitionIndex: 0 }] },
  ]);
  t.same(r, {
    errorCode: 0,
    throttleTimeMs: 0,
    topics: [
      { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] },
      { name: 'payments', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ],
  });
  t.equal(s.gc.fetchOffsets('g', [{ name: 'payments', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!.committedOffset, -1n, 'deleted');
  t.equal(s.gc.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [0] }], false).topics[0]!.partitions[0]!.committedOffset, 42n, 'kept');

  // A non-consumer protocol (Connect) group with members: nothing to check subscriptions against.
  const cId = (await s.gc.joinGroup(joinReq('connect', '', { protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }] }), client())).memberId;
  const cj = track(s.gc.joinGroup(joinReq('connect', cId, { protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }] }), client()));
  await advance(s, 0);
  t.ok(cj.done);
  t.equal(s.gc.deleteOffsets('connect', [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }]).errorCode, ErrorCode.NON_EMPTY_GROUP);

  // Once the consumer group is empty, its former subscriptions no longer protect anything.
  s.gc.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null, reason: null }]);
  t.same(s.gc.deleteOffsets('g', [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }]).topics[0]!.partitions[0]!.errorCode, 0);
});

t.test('DeleteGroups: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, and an empty group goes with its offsets', async (t) => {
  const s = withTopics();
  const a = await stableSingleMember(s, 'g');
  commit(s, commitReq('g', a.generation, a.memberId, [{ name: 'orders', partitions: [0, 1] }]));
  t.same(s.gc.deleteGroups(['g', 'nobody']), [
    { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: null },
    { groupId: 'nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null },
  ]);
  s.gc.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null, reason: null }]);
  t.same(s.gc.deleteGroups(['g']), [{ groupId: 'g', errorCode: 0, errorMessage: null }]);
  t.notOk(s.gc.classicGroup('g'));
  t.equal(s.gc.offsets.count('g'), 0);
  t.same(s.gc.fetchOffsets('g', null, false).topics, []);
  const records = coordinatorRecords(s).slice(-3).map((r) => r.record);
  t.same(records.map((r) => [r.type, r.value]), [['offset-commit', null], ['offset-commit', null], ['group-metadata', null]], 'tombstones for the offsets and the group');
  t.same(s.gc.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: null }], 'gone');
});

t.test('what a group writes to __consumer_offsets, in its partition', async (t) => {
  const s = withTopics();
  const a = await stableSingleMember(s, 'my-group');
  commit(s, commitReq('my-group', a.generation, a.memberId, [{ name: 'orders', partitions: [1], offset: 99n }]));
  const topic = s.cluster.topics.get('__consumer_offsets')!;
  t.equal(topic.partitions.length, 50, 'offsets.topic.num.partitions defaults to 50');
  t.equal(topic.internal, true);
  t.equal(topic.configs.get('cleanup.policy'), 'compact');
  const recs = coordinatorRecords(s);
  const expected = partitionForKey('my-group', 50);
  t.ok(recs.every((r) => r.partition === expected), `everything in partition ${expected}`);
  t.same(
    recs.map((r) => r.record.type),
    ['group-metadata', 'group-metadata', 'offset-commit'],
    'the empty group on creation, the assignment on sync, then the commit',
  );
  const sync = recs[1]!.record;
  if (sync.type !== 'group-metadata' || !sync.value) throw new Error('expected group metadata');
  t.match(sync.value, { protocolType: 'consumer', generation: 1, protocol: 'range', leader: a.memberId });
  t.equal(sync.value.members.length, 1);
  t.match(sync.value.members[0], { memberId: a.memberId, clientId: 'app', clientHost: '/127.0.0.1', sessionTimeout: 10000, rebalanceTimeout: 30000 });
  const oc = recs[2]!.record;
  if (oc.type !== 'offset-commit' || !oc.value) throw new Error('expected an offset commit');
  t.same(oc.key, { group: 'my-group', topic: 'orders', partition: 1 });
  t.match(oc.value, { offset: 99n, leaderEpoch: 3, metadata: 'meta', commitTimestamp: BigInt(s.clock.now()), expireTimestamp: -1n });
});

t.test('a retention time (v2-v4) is kept as the expire timestamp, in value version 1', async (t) => {
  const s = withTopics();
  commit(s, commitReq('g', -1, '', [{ name: 'orders', partitions: [0] }], { retentionTimeMs: 60_000n }), 4);
  const topic = s.cluster.topics.get('__consumer_offsets')!;
  const p = topic.partitions[partitionForKey('g', 50)]!;
  const batch = p.log.read(0, 1 << 20, { minOneBatch: true }).batches[0]!;
  t.ok(batch, 'one batch');
  const rec = coordinatorRecords(s).at(-1)!.record;
  if (rec.type !== 'offset-commit' || !rec.value) throw new Error('expected an offset commit');
  t.equal(rec.value.expireTimestamp, BigInt(s.clock.now() + 60_000));
  t.equal(s.gc.offsets.get('g', 'orders', 0)!.expireTimestampMs, s.clock.now() + 60_000);
});

t.test('offsets.topic.num.partitions is honoured', async (t) => {
  const s = setup({ 'offsets.topic.num.partitions': '3' });
  s.cluster.topics.create('orders', 1);
  commit(s, commitReq('g', -1, '', [{ name: 'orders', partitions: [0] }]));
  t.equal(s.cluster.topics.get('__consumer_offsets')!.partitions.length, 3);
  t.equal(coordinatorRecords(s)[0]!.partition, partitionForKey('g', 3));
});
