// Online group migration over the wire, at the versions Java 4.4 clients use: a classic member
// (JoinGroup v9, SyncGroup v5, Heartbeat v4, OffsetCommit v9, LeaveGroup v5) in a group that a
// ConsumerGroupHeartbeat v1 upgrades, ConsumerGroupDescribe v1 showing both member types, and the
// downgrade when the consumer-protocol member leaves (ListGroups v5 reports the type each time).
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import {
  ConsumerGroupDescribeApi,
  ConsumerGroupHeartbeatApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from '../../src/protocol/messages/index.js';
import type { JoinGroupRequest } from '../../src/protocol/messages/index.js';
import { writeConsumerProtocolSubscription } from '../../src/protocol/messages/consumer-protocol-subscription.js';
import { readConsumerProtocolAssignment, writeConsumerProtocolAssignment } from '../../src/protocol/messages/consumer-protocol-assignment.js';
import { ErrorCode } from '../../src/protocol/errors.js';

function subscription(topics: string[]): Buffer {
  const w = new Writer();
  w.int16(3);
  writeConsumerProtocolSubscription(w, 3, { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  return w.toBuffer();
}

function assignmentOf(partitions: number[]): Buffer {
  const w = new Writer();
  w.int16(3);
  writeConsumerProtocolAssignment(w, 3, { assignedPartitions: [{ topic: 'orders', partitions }], userData: null });
  return w.toBuffer();
}

function partitionsIn(b: Buffer): { version: number; partitions: number[] } {
  const r = new Reader(b);
  const version = r.int16();
  return { version, partitions: readConsumerProtocolAssignment(r, version).assignedPartitions.flatMap((x) => x.partitions).sort((a, c) => a - c) };
}

const join = (memberId: string): JoinGroupRequest => ({
  groupId: 'g',
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 20_000,
  memberId,
  groupInstanceId: null,
  protocolType: 'consumer',
  protocols: [
    { name: 'range', metadata: subscription(['orders']) },
    { name: 'cooperative-sticky', metadata: subscription(['orders']) },
  ],
  reason: null,
});

t.test('a classic member through upgrade and downgrade, over the wire', async (t) => {
  const kafka = await MiniKafka.start({});
  t.teardown(() => kafka.stop());
  kafka.createTopic('orders', 4);
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const groupType = async () => (await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })).groups.find((g) => g.groupId === 'g')?.groupType;

  const id = (await c.request(JoinGroupApi, 9, join(''))).memberId;
  const joined = await c.request(JoinGroupApi, 9, join(id));
  t.match(joined, { errorCode: 0, generationId: 1, leader: id, protocolName: 'range' });
  const synced = await c.request(SyncGroupApi, 5, { groupId: 'g', generationId: 1, memberId: id, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: id, assignment: assignmentOf([0, 1, 2, 3]) }] });
  t.equal(synced.errorCode, 0);
  t.equal(await groupType(), 'classic');

  // A consumer-protocol member joins: the group is upgraded; it waits for what the classic member holds.
  const hb = (memberEpoch: number, owned: number[] | null) =>
    c.request(ConsumerGroupHeartbeatApi, 1, {
      groupId: 'g',
      memberId: 'consumer-member-0000001',
      memberEpoch,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: memberEpoch === 0 ? 20_000 : -1,
      subscribedTopicNames: memberEpoch === 0 ? ['orders'] : null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: memberEpoch === 0 ? [] : owned === null ? null : [{ topicId: kafka.broker.cluster.topics.get('orders')!.id, partitions: owned }],
    });
  const first = await hb(0, null);
  t.match(first, { errorCode: 0, memberEpoch: 2 });
  t.same(first.assignment?.topicPartitions.flatMap((x) => x.partitions), []);
  t.equal(await groupType(), 'consumer');
  const described = (await c.request(ConsumerGroupDescribeApi, 1, { groupIds: ['g'], includeAuthorizedOperations: false })).groups[0]!;
  t.same(described.members.map((m) => [m.memberId === id ? 'classic' : 'consumer', m.memberType]).sort(), [['classic', 0], ['consumer', 1]]);

  // The classic member is told to rejoin, gets half of the partitions, commits with its generation.
  t.equal((await c.request(HeartbeatApi, 4, { groupId: 'g', generationId: 1, memberId: id, groupInstanceId: null })).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoined = await c.request(JoinGroupApi, 9, join(id));
  t.match(rejoined, { errorCode: 0, generationId: 2, leader: '', memberId: id, protocolType: 'consumer', protocolName: 'range', members: [] });
  const resynced = await c.request(SyncGroupApi, 5, { groupId: 'g', generationId: 2, memberId: id, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
  const mine = partitionsIn(resynced.assignment);
  t.equal(mine.version, 3, 'serialized at the version the member speaks');
  t.equal(mine.partitions.length, 2);
  const committed = await c.request(OffsetCommitApi, 9, {
    groupId: 'g',
    generationIdOrMemberEpoch: 2,
    memberId: id,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ partitionIndex: mine.partitions[0]!, committedOffset: 7n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  });
  t.equal(committed.topics[0]!.partitions[0]!.errorCode, 0);
  const second = await hb(2, []);
  t.equal(second.assignment?.topicPartitions.flatMap((x) => x.partitions).length, 2, 'the consumer member gets the released half');

  // The consumer member leaves: back to classic, and the classic member must rejoin.
  t.equal((await hb(-1, null)).errorCode, 0);
  t.equal(await groupType(), 'classic');
  t.equal((await c.request(HeartbeatApi, 4, { groupId: 'g', generationId: 2, memberId: id, groupInstanceId: null })).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const back = await c.request(JoinGroupApi, 9, join(id));
  t.match(back, { errorCode: 0, generationId: 3, leader: id });
  const fetched = await c.request(OffsetFetchApi, 8, { groupId: '', topics: null, groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  t.equal(fetched.groups[0]!.topics[0]!.partitions.find((p) => p.partitionIndex === mine.partitions[0])!.committedOffset, 7n, 'the offset committed inside the consumer group is kept');
  t.same((await c.request(LeaveGroupApi, 5, { groupId: 'g', memberId: '', members: [{ memberId: id, groupInstanceId: null, reason: null }] })).members.map((m) => m.errorCode), [0]);
});
