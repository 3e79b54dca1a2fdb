// Streams groups (KIP-1071) over the wire: StreamsGroupHeartbeat joins with a topology, the
// broker creates the internal topics (MISSING_INTERNAL_TOPICS until then), tasks are assigned
// with standbys on another process, StreamsGroupDescribe, ListGroups (type filter), DescribeGroups,
// OffsetCommit/OffsetFetch with the member epoch, a member fenced by a clock advance past the
// session timeout, leave, and DeleteGroups.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { ApiVersionsApi, DeleteGroupsApi, DescribeGroupsApi, ListGroupsApi, MetadataApi, OffsetCommitApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { StreamsGroupHeartbeatApi } from '../../src/protocol/messages/streams-group-heartbeat.js';
import type { StreamsGroupHeartbeatRequest, StreamsGroupHeartbeatResponse } from '../../src/protocol/messages/streams-group-heartbeat.js';
import { StreamsGroupDescribeApi } from '../../src/protocol/messages/streams-group-describe.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';

const APP = 'wordcount';

/** Kafka Streams' word count topology: source -> repartition (stateless), repartition -> count (stateful). */
const TOPOLOGY: StreamsGroupHeartbeatRequest['topology'] = {
  epoch: 0,
  subtopologies: [
    { subtopologyId: '0', sourceTopics: ['words'], sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: [`${APP}-by-word-repartition`], repartitionSourceTopics: [], copartitionGroups: [] },
    {
      subtopologyId: '1',
      sourceTopics: [],
      sourceTopicRegex: [],
      stateChangelogTopics: [{ name: `${APP}-counts-changelog`, partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'compact' }] }],
      repartitionSinkTopics: [],
      repartitionSourceTopics: [{ name: `${APP}-by-word-repartition`, partitions: 0, replicationFactor: 0, topicConfigs: [] }],
      copartitionGroups: [],
    },
  ],
};

function hb(memberId: string, memberEpoch: number, over: Partial<StreamsGroupHeartbeatRequest> = {}): StreamsGroupHeartbeatRequest {
  const joining = memberEpoch === 0;
  return {
    groupId: APP,
    memberId,
    memberEpoch,
    endpointInformationEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: joining ? 30_000 : -1,
    topology: joining ? TOPOLOGY : null,
    activeTasks: joining ? [] : null,
    standbyTasks: joining ? [] : null,
    warmupTasks: joining ? [] : null,
    processId: joining ? `process-${memberId}` : null,
    userEndpoint: joining ? { host: `host-${memberId}`, port: 8080 } : null,
    clientTags: joining ? [] : null,
    taskOffsets: null,
    taskEndOffsets: null,
    shutdownApplication: false,
    ...over,
  };
}

const count = (r: StreamsGroupHeartbeatResponse, kind: 'activeTasks' | 'standbyTasks') => (r[kind] ?? []).reduce((n, x) => n + x.partitions.length, 0);

t.test('a streams group over the wire: internal topics, tasks with standbys, describe, offsets, expiry, delete', async (t) => {
  // A 1-standby group; the clock is frozen so that session timeouts only pass when advanced.
  await using kafka = await MiniKafka.start({ topics: ['words:4'], config: { 'group.streams.num.standby.replicas': 1 } });
  kafka.clock.freeze();
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());

  const versions = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  t.hasStrict(versions.apiKeys.find((k) => k.apiKey === 88), { minVersion: 0, maxVersion: 1 }, 'StreamsGroupHeartbeat v0-1');
  t.hasStrict(versions.apiKeys.find((k) => k.apiKey === 89), { minVersion: 0, maxVersion: 1 }, 'StreamsGroupDescribe v0-1');
  t.hasStrict(versions.finalizedFeatures.find((f) => f.name === 'streams.version'), { maxVersionLevel: 1 }, 'streams.version finalized at 1');

  // The first join: the internal topics do not exist yet, the broker creates them.
  const a0 = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 0));
  t.equal(a0.errorCode, ErrorCode.NONE);
  t.equal(a0.memberEpoch, 2, 'a new group is at epoch 1 (as Kafka 4.4), the join bumps it');
  t.equal(a0.heartbeatIntervalMs, 5000, 'group.streams.heartbeat.interval.ms default');
  t.strictSame(a0.status?.map((s) => s.statusCode), [3], 'MISSING_INTERNAL_TOPICS');
  t.match(a0.status?.[0]?.statusDetail, `Internal topics are missing: ${APP}-by-word-repartition, ${APP}-counts-changelog`);
  t.equal(count(a0, 'activeTasks'), 0, 'no tasks while the group is NotReady');
  const md = await c.request(MetadataApi, 12, { topics: [{ topicId: ZERO_UUID, name: `${APP}-by-word-repartition` }, { topicId: ZERO_UUID, name: `${APP}-counts-changelog` }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.strictSame(md.topics.map((x) => [x.name, x.errorCode, x.partitions.length]), [[`${APP}-by-word-repartition`, 0, 4], [`${APP}-counts-changelog`, 0, 4]], 'created with the source topic partition count');

  // The next heartbeat sees them: eight active tasks for the only member, no standby (one process).
  const a1 = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 2));
  t.strictSame(a1.status, [], 'no status once the topics exist (an empty list, as Kafka)');
  t.equal(a1.memberEpoch, 3);
  t.equal(count(a1, 'activeTasks'), 8);
  t.equal(count(a1, 'standbyTasks'), 0);
  t.ok(a1.partitionsByUserEndpoint !== null && a1.partitionsByUserEndpoint.length === 1, 'endpoint information for interactive queries');
  t.strictSame(a1.partitionsByUserEndpoint?.[0]?.activePartitions, [{ topic: `${APP}-by-word-repartition`, partitions: [0, 1, 2, 3] }, { topic: 'words', partitions: [0, 1, 2, 3] }]);

  // Member b joins on another process: a must give up tasks before b gets them.
  const b0 = await c.request(StreamsGroupHeartbeatApi, 1, hb('b', 0));
  t.equal(b0.memberEpoch, 4);
  const aRevoke = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 3));
  t.equal(aRevoke.memberEpoch, 3, 'a stays at its epoch while it revokes');
  t.equal(count(aRevoke, 'activeTasks'), 4, 'a keeps half of the active tasks');
  const kept = aRevoke.activeTasks!;
  const aDone = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 3, { activeTasks: kept, standbyTasks: [], warmupTasks: [] }));
  t.equal(aDone.memberEpoch, 4, 'a reaches the target epoch once the revocation is reported');
  t.equal(count(aDone, 'standbyTasks'), 0, 'its standbys wait: the tasks were still its own active ones when it reconciled');
  const b1 = await c.request(StreamsGroupHeartbeatApi, 1, hb('b', 4, { activeTasks: [], standbyTasks: [], warmupTasks: [] }));
  t.equal(count(b1, 'activeTasks'), 4, 'b gets the released tasks');
  t.equal(count(b1, 'standbyTasks'), 2, "b gets standbys of a's stateful tasks");
  const a3 = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 4, { activeTasks: kept, standbyTasks: [], warmupTasks: [] }));
  t.equal(count(a3, 'standbyTasks'), 2, "then a gets standbys of b's stateful tasks");
  const d = (await c.request(StreamsGroupDescribeApi, 1, { groupIds: [APP, 'nope'], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups;
  t.hasStrict(d[0], { errorCode: 0, groupState: 'Stable', groupEpoch: 4, assignmentEpoch: 4, assignorName: 'sticky' });
  t.strictSame(d[0]!.topology?.subtopologies?.map((s) => s.subtopologyId), ['0', '1']);
  t.strictSame(d[0]!.members.map((m) => [m.memberId, m.processId, m.memberEpoch]).sort(), [['a', 'process-a', 4], ['b', 'process-b', 4]]);
  for (const m of d[0]!.members) {
    const active = new Set(m.assignment.activeTasks.filter((x) => x.subtopologyId === '1').flatMap((x) => x.partitions));
    const standby = m.assignment.standbyTasks.flatMap((x) => x.partitions);
    t.ok(standby.length === 2 && standby.every((p) => !active.has(p)), `${m.memberId}: standbys are tasks active on the other process`);
  }
  t.hasStrict(d[1], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group nope not found.' });

  // ListGroups with the type filter; DescribeGroups v6 says it is not a classic group.
  const listed = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['streams'] });
  t.strictSame(listed.groups.map((g) => [g.groupId, g.groupState, g.groupType, g.protocolType]), [[APP, 'Stable', 'streams', 'streams']]);
  t.strictSame((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups, []);
  const described = await c.request(DescribeGroupsApi, 6, { groups: [APP], includeAuthorizedOperations: false });
  t.hasStrict(described.groups[0], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${APP} is not a classic group.` });

  // Offsets: a member commits at its epoch; another epoch is STALE_MEMBER_EPOCH.
  const commit = (memberId: string, epoch: number) =>
    c.request(OffsetCommitApi, 9, { groupId: APP, generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 'words', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }] });
  t.equal((await commit('a', 4)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  t.equal((await commit('a', 3)).topics[0]!.partitions[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  t.equal((await commit('zz', 4)).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const fetched = await c.request(OffsetFetchApi, 9, { groupId: '', topics: null, groups: [{ groupId: APP, memberId: 'a', memberEpoch: 4, topics: [{ name: 'words', topicId: ZERO_UUID, partitionIndexes: [0] }] }], requireStable: false });
  t.hasStrict(fetched.groups[0], { errorCode: 0, topics: [{ name: 'words', partitions: [{ partitionIndex: 0, committedOffset: 5n }] }] });
  const stale = await c.request(OffsetFetchApi, 9, { groupId: '', topics: null, groups: [{ groupId: APP, memberId: 'a', memberEpoch: 1, topics: null }], requireStable: false });
  t.equal(stale.groups[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);

  // b stops heartbeating: past group.streams.session.timeout.ms (45 s) it is fenced and a gets everything.
  kafka.clock.advance(44_999);
  t.equal((await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 4))).errorCode, ErrorCode.NONE, 'a heartbeats');
  kafka.clock.advance(1);
  // a now reconciles to everything: first it gives up its standbys (it cannot hold a task as
  // active and standby), then it takes the active tasks, as Kafka's CurrentAssignmentBuilder.
  let owned = { activeTasks: a3.activeTasks!, standbyTasks: a3.standbyTasks!, warmupTasks: [] as { subtopologyId: string; partitions: number[] }[] };
  let last = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 4));
  for (let round = 0; round < 5 && !(last.memberEpoch === 5 && count(last, 'activeTasks') === 8); round++) {
    if (last.activeTasks !== null) owned = { activeTasks: last.activeTasks, standbyTasks: last.standbyTasks!, warmupTasks: last.warmupTasks! };
    last = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', last.memberEpoch, owned));
  }
  t.equal(last.memberEpoch, 5, 'b fenced by the session timeout: group epoch bumped, a at the new target');
  t.equal(count(last, 'activeTasks'), 8, 'a holds every task');
  t.equal(count(last, 'standbyTasks'), 0, 'no standby without a second process');
  t.equal((await c.request(StreamsGroupHeartbeatApi, 1, hb('b', 4))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'the fenced member is gone');

  // A stale epoch is fenced; leaving empties the group; DeleteGroups then removes it.
  t.equal((await c.request(StreamsGroupHeartbeatApi, 1, hb('a', 9))).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  t.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: [APP] })).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP);
  const left = await c.request(StreamsGroupHeartbeatApi, 1, hb('a', -1));
  t.hasStrict(left, { errorCode: 0, memberId: 'a', memberEpoch: -1 });
  t.hasStrict((await c.request(StreamsGroupDescribeApi, 0, { groupIds: [APP], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0], { groupState: 'Empty' });
  t.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: [APP] })).results[0]!.errorCode, ErrorCode.NONE);
  t.hasStrict((await c.request(StreamsGroupDescribeApi, 0, { groupIds: [APP], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0], { errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
});

t.test('request validation and topology errors, with Kafka messages', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['words:4'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const check = async (req: StreamsGroupHeartbeatRequest, code: number, message: string) => {
    const r = await c.request(StreamsGroupHeartbeatApi, 1, req);
    t.equal(r.errorCode, code, message);
    t.equal(r.errorMessage, message);
  };
  await check(hb('', 0), ErrorCode.INVALID_REQUEST, "MemberId can't be empty.");
  await check(hb('m', 0, { rebalanceTimeoutMs: -1 }), ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
  await check(hb('m', 0, { topology: null }), ErrorCode.INVALID_REQUEST, 'Topology must be non-null when (re-)joining.');
  await check(hb('m', 1, { topology: TOPOLOGY }), ErrorCode.INVALID_REQUEST, 'Topology can only be provided when (re-)joining.');
  await check(hb('m', -3), ErrorCode.INVALID_REQUEST, 'MemberEpoch is -3, but must be greater than or equal to -2.');
  await check(hb('m', 1), ErrorCode.GROUP_ID_NOT_FOUND, `Streams group ${APP} not found.`);
  const badChangelog = { epoch: 0, subtopologies: [{ ...TOPOLOGY!.subtopologies[1]!, stateChangelogTopics: [{ name: 'x-changelog', partitions: 3, replicationFactor: 0, topicConfigs: [] }] }] };
  await check(hb('m', 0, { topology: badChangelog }), ErrorCode.STREAMS_INVALID_TOPOLOGY, 'Changelog topic x-changelog must have an undefined partition count, but it is set to 3.');

  // A missing source topic: the member joins but the group stays NotReady, with the status.
  const missing = { epoch: 0, subtopologies: [{ ...TOPOLOGY!.subtopologies[0]!, sourceTopics: ['absent'] }] };
  const r = await c.request(StreamsGroupHeartbeatApi, 1, { ...hb('m', 0, { topology: missing }), groupId: 'other' });
  t.equal(r.errorCode, ErrorCode.NONE);
  t.strictSame(r.status, [{ statusCode: 1, statusDetail: 'Source topics absent are missing.' }], 'MISSING_SOURCE_TOPICS');
  t.hasStrict((await c.request(StreamsGroupDescribeApi, 0, { groupIds: ['other'], includeAuthorizedOperations: false, includeTopologyDescription: false })).groups[0], { groupState: 'NotReady', topology: { epoch: 0, subtopologies: null } });
});
