// Share groups (KIP-932) over the wire: membership and the simple assignor, the share-partition
// state machine (acquire, accept / release / reject, acquisition locks expiring on the broker's
// frozen clock, the delivery count limit, the start offset), share sessions and their errors,
// long polls woken by new records, GROUP configs, and the group admin APIs (ListGroups,
// DescribeShareGroupOffsets, AlterShareGroupOffsets, DeleteGroups).
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import {
  AlterShareGroupOffsetsApi,
  DeleteGroupsApi,
  DeleteShareGroupOffsetsApi,
  DescribeConfigsApi,
  DescribeShareGroupOffsetsApi,
  IncrementalAlterConfigsApi,
  ListGroupsApi,
  ShareAcknowledgeApi,
  ShareFetchApi,
  ShareGroupDescribeApi,
  ShareGroupHeartbeatApi,
} from '../../src/protocol/messages/index.js';
import type { ShareFetchResponse, ShareFetchRequestFetchTopic } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { produceOne } from '../helpers/data-path.js';
import { addPartitions, endTxn, send, transactionalProducer, values } from '../helpers/transactions.js';

const ACCEPT = 1;
const RELEASE = 2;
const REJECT = 3;
const GROUP = 32;

async function setup(t: { teardown(fn: () => Promise<void> | void): void }) {
  const kafka = await MiniKafka.start({ port: 0, topics: [{ name: 'q', partitions: 2 }] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  const topicId = kafka.broker.cluster.topics.get('q')!.id;
  return { kafka, c, topicId };
}

function heartbeat(c: WireClient, memberId: string, memberEpoch: number, topics: string[] | null = ['q'], groupId = 'sg') {
  return c.request(ShareGroupHeartbeatApi, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames: topics });
}

function records(from: number, n: number): Buffer {
  return buildBatchSync(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${from + i}`) })));
}

async function setGroupConfigs(c: WireClient, groupId: string, configs: Record<string, string>) {
  const resp = await c.request(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: GROUP, resourceName: groupId, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })) }],
    validateOnly: false,
  });
  return resp.responses[0]!;
}

interface FetchOpts {
  readonly epoch: number;
  readonly partitions?: readonly number[];
  readonly acks?: Readonly<Record<number, { first: number; last: number; types: number[] }[]>>;
  readonly maxWaitMs?: number;
  readonly maxRecords?: number;
}

function shareFetch(c: WireClient, topicId: string, memberId: string, o: FetchOpts, groupId = 'sg'): Promise<ShareFetchResponse> {
  const partitions = new Set([...(o.partitions ?? []), ...Object.keys(o.acks ?? {}).map(Number)]);
  const topics: ShareFetchRequestFetchTopic[] =
    partitions.size === 0
      ? []
      : [
          {
            topicId,
            partitions: [...partitions].map((p) => ({
              partitionIndex: p,
              partitionMaxBytes: 0,
              acknowledgementBatches: (o.acks?.[p] ?? []).map((a) => ({ firstOffset: BigInt(a.first), lastOffset: BigInt(a.last), acknowledgeTypes: a.types })),
            })),
          },
        ];
  return c.request(ShareFetchApi, 1, {
    groupId,
    memberId,
    shareSessionEpoch: o.epoch,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: o.maxRecords ?? 500,
    batchSize: 500,
    shareAcquireMode: 0,
    isRenewAck: false,
    topics,
    forgottenTopicsData: [],
  });
}

function acquired(r: ShareFetchResponse, partition = 0): [number, number, number][] {
  const p = r.responses.flatMap((t) => t.partitions).find((x) => x.partitionIndex === partition);
  return (p?.acquiredRecords ?? []).map((a) => [Number(a.firstOffset), Number(a.lastOffset), a.deliveryCount]);
}

function ackCode(r: { responses: { partitions: { partitionIndex: number; acknowledgeErrorCode?: number; errorCode: number }[] }[] }, partition = 0): number | undefined {
  const p = r.responses.flatMap((t) => t.partitions).find((x) => x.partitionIndex === partition);
  return p === undefined ? undefined : (p.acknowledgeErrorCode ?? p.errorCode);
}

t.test('members share the partitions of a share group: the simple assignor, ListGroups, ShareGroupDescribe', async (t) => {
  const { c, topicId } = await setup(t);
  const members = ['m-a', 'm-b', 'm-c'];
  for (const m of members) t.equal((await heartbeat(c, m, 0)).errorCode, ErrorCode.NONE, `${m} joins`);
  // A new group is at epoch 1 (as Kafka 4.4). Each joined at the group epoch of its join (2, 3, 4)
  // and heartbeats with it; the answer moves it to the group epoch, with its assignment when it
  // changed since it was last sent. m-a's join initialized the topic's share-partitions, which
  // its join's assignment did not have yet (as in Kafka); m-b's join assigned them.
  const changed: string[] = [];
  for (const [i, m] of members.entries()) {
    const r = await heartbeat(c, m, i + 2, null);
    t.equal(r.memberEpoch, 4, `${m} is at the group epoch`);
    if (r.assignment !== null) changed.push(m);
  }
  // m-a had none, then p0 (m-b took p1); m-b keeps p1 when m-c shares p0.
  t.strictSame(changed, ['m-a'], 'only a member whose assignment changed since it was sent gets one');
  for (const m of members) t.equal((await heartbeat(c, m, 4, null)).assignment, null, 'an unchanged assignment is not sent again');
  // Three members, two partitions: each member gets one, so one partition is shared.
  const described = await c.request(ShareGroupDescribeApi, 1, { groupIds: ['sg', 'nope'], includeAuthorizedOperations: false });
  const g = described.groups[0]!;
  t.hasStrict(g, { errorCode: 0, groupState: 'Stable', groupEpoch: 4, assignmentEpoch: 4, assignorName: 'simple' });
  const perMember = g.members.map((m) => m.assignment.topicPartitions.flatMap((tp) => (tp.topicId === topicId && tp.topicName === 'q' ? tp.partitions : [])));
  t.strictSame(perMember.map((ps) => ps.length), [1, 1, 1], 'one partition each');
  t.strictSame([...new Set(perMember.flat())].sort(), [0, 1], 'both partitions covered');
  t.hasStrict(described.groups[1], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group nope not found.' });

  const listed = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['share'] });
  t.strictSame(listed.groups.map((x) => [x.groupId, x.groupType, x.groupState, x.protocolType]), [['sg', 'share', 'Stable', 'share']]);
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups, [], 'type filter');

  t.equal((await heartbeat(c, 'm-a', 1, null)).errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'stale epoch');
  t.equal((await heartbeat(c, 'ghost', 4, null)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.hasStrict(await heartbeat(c, 'x', 0, []), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'SubscribedTopicNames must be set in first request.' });
  t.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: ['sg'] })).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP);
  for (const m of members) t.equal((await heartbeat(c, m, -1, null)).memberEpoch, -1, `${m} leaves`);
  t.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: ['sg'] })).results[0]!.errorCode, ErrorCode.NONE, 'an empty share group is deleted');
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })).groups, []);
});

t.test('acquire, accept, release, reject, lock expiry on the clock, delivery count limit', async (t) => {
  const { kafka, c, topicId } = await setup(t);
  kafka.clock.freeze();
  t.equal((await setGroupConfigs(c, 'sg', { 'share.auto.offset.reset': 'earliest', 'share.delivery.count.limit': '3' })).errorCode, ErrorCode.NONE);
  await produceOne(c, 'q', records(0, 5));
  await produceOne(c, 'q', records(5, 5));
  await heartbeat(c, 'a', 0);
  await heartbeat(c, 'b', 0);

  const a1 = await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] });
  t.equal(a1.errorCode, ErrorCode.NONE);
  t.equal(a1.acquisitionLockTimeoutMs, 30000);
  t.strictSame(acquired(a1), [[0, 9, 1]], 'both batches acquired, first delivery');
  const b1 = await shareFetch(c, topicId, 'b', { epoch: 0, partitions: [0] });
  t.strictSame(acquired(b1), [], 'nothing left for another member');

  t.equal(ackCode(await shareFetch(c, topicId, 'b', { epoch: 1, acks: { 0: [{ first: 3, last: 3, types: [ACCEPT] }] } })), ErrorCode.INVALID_RECORD_STATE, 'records another member holds');
  const ack = await c.request(ShareAcknowledgeApi, 1, {
    groupId: 'sg',
    memberId: 'a',
    shareSessionEpoch: 1,
    isRenewAck: false,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 9n, acknowledgeTypes: [RELEASE, RELEASE, REJECT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT] }] }] }],
  });
  t.equal(ack.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'per-record acknowledge types');

  const b2 = await shareFetch(c, topicId, 'b', { epoch: 2, partitions: [0] });
  t.strictSame(acquired(b2), [[0, 1, 2]], 'released records come back with a higher delivery count; the rejected one does not');

  kafka.clock.advance(29_999);
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 2 })), [], 'still locked 1 ms before the lock duration');
  kafka.clock.advance(1);
  const a3 = await shareFetch(c, topicId, 'a', { epoch: 3 });
  t.strictSame(acquired(a3), [[0, 1, 3]], 'an expired lock makes the records available again');
  t.equal(ackCode(await shareFetch(c, topicId, 'b', { epoch: 3, acks: { 0: [{ first: 0, last: 1, types: [ACCEPT] }] } })), ErrorCode.INVALID_RECORD_STATE, 'the old holder lost them');

  const a4 = await shareFetch(c, topicId, 'a', { epoch: 4, acks: { 0: [{ first: 0, last: 1, types: [RELEASE] }] } });
  t.equal(ackCode(a4), ErrorCode.NONE);
  t.strictSame(acquired(a4), [], 'released at the delivery count limit: archived, never redelivered');

  const offsets = await c.request(DescribeShareGroupOffsetsApi, 1, { groups: [{ groupId: 'sg', topics: [{ topicName: 'q', partitions: [0, 1, 7] }] }] });
  const parts = offsets.groups[0]!.topics[0]!.partitions;
  // Every record is settled (lag 0); the start offset reported is the one of the last state write,
  // which Kafka makes before moving it past the records that write settled: 0.
  t.hasStrict(parts[0], { partitionIndex: 0, startOffset: 0n, lag: 0n, errorCode: 0 }, 'every record settled; the start offset as of the last state write');
  t.equal(kafka.broker.services.shares.existingPartition('sg', topicId, 0)?.startOffset, 10, 'the share-partition itself moved past every settled record');
  t.hasStrict(parts[1], { partitionIndex: 1, startOffset: -1n, errorCode: 0 }, 'never fetched: not initialized');
  t.hasStrict(parts[2], { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });

  await produceOne(c, 'q', records(10, 3));
  const a5 = await shareFetch(c, topicId, 'a', { epoch: 5, maxRecords: 2 });
  t.strictSame(acquired(a5), [[10, 12, 1]], 'a whole batch even past maxRecords');
});

t.test('share sessions: epochs, errors, and a long poll woken by a produce', async (t) => {
  const { kafka, c, topicId } = await setup(t);
  await setGroupConfigs(c, 'sg', { 'share.auto.offset.reset': 'earliest' });
  await heartbeat(c, 'a', 0);
  t.equal((await shareFetch(c, topicId, 'a', { epoch: 1, partitions: [0] })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);
  t.equal((await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] })).errorCode, ErrorCode.NONE);
  t.equal((await shareFetch(c, topicId, 'a', { epoch: 5 })).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH);
  t.equal((await shareFetch(c, topicId, 'a', { epoch: 0, acks: { 0: [{ first: 0, last: 0, types: [ACCEPT] }] } })).errorCode, ErrorCode.INVALID_REQUEST, 'acknowledgements on the initial epoch');
  const ack0 = await c.request(ShareAcknowledgeApi, 1, { groupId: 'sg', memberId: 'a', shareSessionEpoch: 0, isRenewAck: false, topics: [] });
  t.equal(ack0.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH);

  // The broker clock runs in real time here: the long poll ends on the produce, not on its 2 min.
  // The bound, 1 min, is generous for a loaded 2-core machine and still tells the two apart.
  const started = Date.now();
  const waiting = shareFetch(c, topicId, 'a', { epoch: 1, maxWaitMs: 120_000 });
  const producer = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => producer.close());
  await produceOne(producer, 'q', records(0, 4));
  const woken = await waiting;
  t.strictSame(acquired(woken), [[0, 3, 1]]);
  t.ok(Date.now() - started < 60_000, `answered on the produce (${Date.now() - started} ms)`);

  // Epoch -1 closes the session; what the member still holds is released, and its delivery count
  // goes back down (Kafka's releaseAcquiredRecords: DeliveryCountOps.DECREASE).
  const closed = await shareFetch(c, topicId, 'a', { epoch: -1, acks: { 0: [{ first: 0, last: 1, types: [ACCEPT] }] } });
  t.equal(ackCode(closed), ErrorCode.NONE);
  t.equal((await shareFetch(c, topicId, 'a', { epoch: 2 })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND, 'closed');
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] })), [[2, 3, 1]], 'released on close, the acquisition uncounted (as Kafka)');
});

t.test('GROUP configs: Kafka validation, describe with defaults from the broker', async (t) => {
  const { c } = await setup(t);
  t.hasStrict(await setGroupConfigs(c, 'g1', { 'share.record.lock.duration.ms': '5000' }), { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'share.record.lock.duration.ms must be in the range 15000 to 60000 inclusive.' });
  t.hasStrict(await setGroupConfigs(c, 'g1', { 'no.such': '1' }), { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown group config name: no.such' });
  t.hasStrict(await setGroupConfigs(c, 'g1', { 'share.isolation.level': 'sometimes' }), { errorCode: ErrorCode.INVALID_CONFIG });
  t.hasStrict(await setGroupConfigs(c, 'g1', { 'share.session.timeout.ms': '50000', 'share.heartbeat.interval.ms': '15000' }), { errorCode: ErrorCode.NONE });
  t.hasStrict(await setGroupConfigs(c, 'g1', { 'share.auto.offset.reset': 'by_duration:PT1H' }), { errorCode: ErrorCode.NONE });
  const d = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: GROUP, resourceName: 'g1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  const byName = new Map(d.results[0]!.configs.map((x) => [x.name, x]));
  t.hasStrict(byName.get('share.session.timeout.ms'), { value: '50000', configSource: 8 });
  t.hasStrict(byName.get('share.record.lock.duration.ms'), { value: '30000', configSource: 5 });
  t.hasStrict(byName.get('share.auto.offset.reset'), { value: 'by_duration:PT1H' });
  t.ok(byName.has('consumer.session.timeout.ms') && byName.has('streams.num.standby.replicas'));
});

t.test('AlterShareGroupOffsets and DeleteShareGroupOffsets on an empty group', async (t) => {
  const { c, topicId } = await setup(t);
  await produceOne(c, 'q', records(0, 6));
  const altered = await c.request(AlterShareGroupOffsetsApi, 0, { groupId: 'sg', topics: [{ topicName: 'q', partitions: [{ partitionIndex: 0, startOffset: 4n }] }] });
  t.hasStrict(altered, { errorCode: 0, responses: [{ topicName: 'q', topicId, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] });
  await heartbeat(c, 'a', 0);
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] })), [[4, 5, 1]], 'fetching starts at the altered start offset (within the batch)');
  t.equal((await c.request(AlterShareGroupOffsetsApi, 0, { groupId: 'sg', topics: [] })).errorCode, ErrorCode.NON_EMPTY_GROUP);
  await heartbeat(c, 'a', -1, null);
  const deleted = await c.request(DeleteShareGroupOffsetsApi, 0, { groupId: 'sg', topics: [{ topicName: 'q' }, { topicName: 'nope' }] });
  t.hasStrict(deleted.responses, [{ topicName: 'q', errorCode: 0 }, { topicName: 'nope', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }]);
  const all = await c.request(DescribeShareGroupOffsetsApi, 1, { groups: [{ groupId: 'sg', topics: null }] });
  t.strictSame(all.groups[0]!.topics, [], 'no state left');
});

t.test('share.isolation.level=read_committed: committed transactions only, markers and aborted records archived', async (t) => {
  const { c, topicId } = await setup(t);
  await setGroupConfigs(c, 'sg', { 'share.auto.offset.reset': 'earliest', 'share.isolation.level': 'read_committed' });
  const p = await transactionalProducer(c, 'tx');
  const run = async (n: number, prefix: string, commit: boolean | null) => {
    await addPartitions(c, p, 'q', [0]);
    await send(c, p, 'q', 0, values(prefix, n));
    if (commit !== null) t.equal((await endTxn(c, p, commit)).errorCode, 0);
  };
  await run(3, 'committed', true); // 0-2, marker 3
  await run(2, 'aborted', false); // 4-5, marker 6
  await run(2, 'open', null); // 7-8, open: the last stable offset stays at 7
  await heartbeat(c, 'a', 0);
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] })), [[0, 2, 1]], 'only the committed records below the last stable offset');
  t.equal((await endTxn(c, p, true)).errorCode, 0);
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 1, acks: { 0: [{ first: 0, last: 2, types: [ACCEPT] }] } })), [[7, 8, 1]], 'the aborted records and the markers are skipped');
  const ack = await shareFetch(c, topicId, 'a', { epoch: 2, acks: { 0: [{ first: 7, last: 8, types: [ACCEPT] }] } });
  t.equal(ackCode(ack), ErrorCode.NONE);
  const offsets = await c.request(DescribeShareGroupOffsetsApi, 1, { groups: [{ groupId: 'sg', topics: [{ topicName: 'q', partitions: [0] }] }] });
  // The start offset reported is the one of the last state write, made before the acknowledgement
  // moved it (as Kafka's SharePartition writes, then advances): 7; the lag counts 7-8 as done.
  t.hasStrict(offsets.groups[0]!.topics[0]!.partitions[0], { startOffset: 7n, lag: 0n }, 'archived markers and aborted records count as done');
});

t.test('RENEW (ShareAcknowledge v2) restarts the acquisition lock', async (t) => {
  const { kafka, c, topicId } = await setup(t);
  kafka.clock.freeze();
  // The members do not heartbeat during the 50 s this test moves the clock: a 60 s session.
  await setGroupConfigs(c, 'sg', { 'share.auto.offset.reset': 'earliest', 'share.session.timeout.ms': '60000' });
  await produceOne(c, 'q', records(0, 2));
  await heartbeat(c, 'a', 0);
  await heartbeat(c, 'b', 0);
  t.strictSame(acquired(await shareFetch(c, topicId, 'a', { epoch: 0, partitions: [0] })), [[0, 1, 1]]);
  await shareFetch(c, topicId, 'b', { epoch: 0, partitions: [0] });
  kafka.clock.advance(20_000);
  const renew = (version: number, epoch: number) =>
    c.request(ShareAcknowledgeApi, version, { groupId: 'sg', memberId: 'a', shareSessionEpoch: epoch, isRenewAck: version >= 2, topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [4] }] }] }] });
  t.equal((await renew(1, 1)).responses[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_REQUEST, 'no RENEW before v2');
  t.equal((await renew(2, 2)).responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  kafka.clock.advance(20_000);
  t.strictSame(acquired(await shareFetch(c, topicId, 'b', { epoch: 1 })), [], 'still locked 40 s after the acquisition');
  kafka.clock.advance(10_000);
  t.strictSame(acquired(await shareFetch(c, topicId, 'b', { epoch: 2 })), [[0, 1, 2]], 'the renewed lock expires 30 s after the renewal');
});
