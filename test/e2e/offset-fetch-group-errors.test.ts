// OffsetFetch v9+ from a consumer-group member that is not (or no longer) one: the group error is the
// whole answer for that group, with no topics (KafkaApis.fetchOffsetsForGroup returns the
// coordinator's error response as it is). franz-go's kgo suite hit this: with topics named by id
// (v10), or with an authorizer, the broker built per-topic answers from the empty error answer and
// closed the connection on a TypeError.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { ConsumerGroupHeartbeatApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { WireClient } from '../helpers/wire-client.js';

async function memberOf(c: WireClient, topic: string): Promise<{ memberId: string; memberEpoch: number }> {
  const r = await c.request(ConsumerGroupHeartbeatApi, 1, {
    groupId: 'g',
    memberId: 'kgo-member-00000000001',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: [topic],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
  });
  if (r.errorCode !== ErrorCode.NONE || r.memberId === null) throw new Error(`ConsumerGroupHeartbeat: error ${r.errorCode}`);
  return { memberId: r.memberId, memberEpoch: r.memberEpoch };
}

for (const authorizer of [false, true]) {
  t.test(`a stale or unknown member's OffsetFetch v9/v10 answers the group error alone${authorizer ? ' (with an authorizer)' : ''}`, async (t) => {
    await using kafka = await MiniKafka.start({
      topics: ['orders:2'],
      // ANONYMOUS (PLAINTEXT) as a super user: the authorizer's code path runs and allows everything.
      ...(authorizer ? { superUsers: ['User:ANONYMOUS'], config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' } } : {}),
    });
    const c = await WireClient.connect(kafka.bootstrapServers);
    t.teardown(() => c.close());
    const member = await memberOf(c, 'orders');
    const ordersId = kafka.broker.cluster.topics.get('orders')!.id;
    const fetch = (version: number, memberId: string, memberEpoch: number) =>
      c.request(OffsetFetchApi, version, {
        groupId: '',
        topics: [],
        groups: [{ groupId: 'g', memberId, memberEpoch, topics: [{ name: version >= 10 ? '' : 'orders', topicId: version >= 10 ? ordersId : ZERO_UUID, partitionIndexes: [0, 1] }] }],
        requireStable: true,
      });

    for (const version of [9, 10]) {
      const stale = await fetch(version, member.memberId, member.memberEpoch + 5);
      t.strictSame(stale.groups.map((g) => [g.groupId, g.errorCode, g.topics.length]), [['g', ErrorCode.STALE_MEMBER_EPOCH, 0]], `v${version}: a wrong epoch is STALE_MEMBER_EPOCH, no topics`);
      const unknown = await fetch(version, 'nobody-0000000000000000', 1);
      t.strictSame(unknown.groups.map((g) => [g.errorCode, g.topics.length]), [[ErrorCode.UNKNOWN_MEMBER_ID, 0]], `v${version}: an unknown member is UNKNOWN_MEMBER_ID, no topics`);
      const ok = await fetch(version, member.memberId, member.memberEpoch);
      t.strictSame(
        ok.groups[0]!.topics.map((x) => [x.topicId, x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])]),
        [[version >= 10 ? ordersId : ZERO_UUID, [[0, -1n, 0], [1, -1n, 0]]]],
        `v${version}: the member at its epoch gets its (absent) offsets on the same connection`,
      );
    }
    t.notOk(c.closed, 'the broker kept the connection open');
  });
}
