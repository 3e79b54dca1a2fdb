/** A coordinator on a ManualClock, request builders, and a way to look at pending promises. */
import { ManualClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/logger.js';
import { Cluster } from '../../../src/server/cluster/cluster.js';
import { defaultBrokerConfig, applyBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { GroupCoordinator } from '../../../src/server/coordinators/group/group-coordinator.js';
import type { ClientInfo } from '../../../src/server/coordinators/group/classic-group-member.js';
import { Writer } from '../../../src/protocol/writer.js';
import { writeConsumerProtocolSubscription } from '../../../src/protocol/messages/consumer-protocol-subscription.js';
import { writeConsumerProtocolAssignment } from '../../../src/protocol/messages/consumer-protocol-assignment.js';
import type { ConsumerGroupHeartbeatRequest, JoinGroupRequest, JoinGroupResponse, SyncGroupRequest, SyncGroupResponse, OffsetCommitRequest } from '../../../src/protocol/messages/index.js';
import { iterateRecords } from '../../../src/protocol/records/index.js';
import { decodeCoordinatorRecord, OFFSETS_TOPIC } from '../../../src/server/coordinators/group/offsets-topic.js';
import type { DecodedCoordinatorRecord } from '../../../src/server/coordinators/group/offsets-topic.js';

export interface Setup {
  readonly clock: ManualClock;
  readonly cluster: Cluster;
  readonly gc: GroupCoordinator;
}

export function setup(configs: Record<string, string> = {}): Setup {
  const clock = new ManualClock(1_700_000_000_000);
  const logger = createLogger('error');
  const config = defaultBrokerConfig();
  for (const [k, v] of Object.entries(configs)) applyBrokerConfig(config, k, v);
  const cluster = new Cluster('test-cluster', clock, logger, config);
  cluster.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
  const gc = new GroupCoordinator(cluster, config, clock, logger);
  return { clock, cluster, gc };
}

export function client(apiVersion = 9, clientId = 'app'): ClientInfo {
  return { clientId, clientHost: '/127.0.0.1', apiVersion };
}

/** A consumer-protocol subscription (version 0 layout, as Kafka's ConsumerProtocol writes it, with its int16 version first). */
export function subscription(topics: string[], version = 0): Buffer {
  const w = new Writer();
  w.int16(version);
  writeConsumerProtocolSubscription(w, version, { topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null });
  return w.toBuffer();
}

export function assignment(topic: string, partitions: number[]): Buffer {
  const w = new Writer();
  w.int16(0);
  writeConsumerProtocolAssignment(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null });
  return w.toBuffer();
}

export function joinReq(groupId: string, memberId = '', over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['orders']) }],
    reason: null,
    ...over,
  };
}

export function syncReq(groupId: string, memberId: string, generationId: number, over: Partial<SyncGroupRequest> = {}): SyncGroupRequest {
  return { groupId, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [], ...over };
}

export function commitReq(groupId: string, generation: number, memberId: string, topics: { name: string; partitions: number[]; offset?: bigint; metadata?: string | null }[], over: Partial<OffsetCommitRequest> = {}): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: generation,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: topics.map((t) => ({
      name: t.name,
      topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
      partitions: t.partitions.map((p) => ({ partitionIndex: p, committedOffset: t.offset ?? 42n, committedLeaderEpoch: 3, commitTimestamp: -1n, committedMetadata: t.metadata === undefined ? 'meta' : t.metadata })),
    })),
    ...over,
  };
}

/** Observes a promise without awaiting it: `done` turns true once it has settled and microtasks ran. */
export interface Tracked<T> {
  done: boolean;
  value: T | undefined;
}

export function track<T>(p: Promise<T>): Tracked<T> {
  const s: Tracked<T> = { done: false, value: undefined };
  void p.then((v) => {
    s.done = true;
    s.value = v;
  });
  return s;
}

/** Lets resolved promises run their callbacks. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances the clock and lets the promises it resolved settle. */
export async function advance(s: Setup, ms: number): Promise<void> {
  s.clock.advance(ms);
  await flush();
}

/** A member that has joined a group alone and synced: the group is Stable at generation `generation`. */
export async function stableSingleMember(s: Setup, groupId: string, over: Partial<JoinGroupRequest> = {}): Promise<{ memberId: string; generation: number }> {
  let memberId = '';
  if (over.groupInstanceId == null) {
    const first = await s.gc.joinGroup(joinReq(groupId, '', over), client());
    memberId = first.memberId;
  }
  const joined = track(s.gc.joinGroup(joinReq(groupId, memberId, over), client()));
  await advance(s, 0);
  const j = joined.value as JoinGroupResponse;
  const synced: SyncGroupResponse = await s.gc.syncGroup(syncReq(groupId, j.memberId, j.generationId, { assignments: [{ memberId: j.memberId, assignment: assignment('orders', [0]) }] }));
  if (synced.errorCode !== 0) throw new Error(`sync failed ${synced.errorCode}`);
  return { memberId: j.memberId, generation: j.generationId };
}

/** Every record written to __consumer_offsets so far, decoded, in log order. */
export function coordinatorRecords(s: Setup): { partition: number; record: DecodedCoordinatorRecord }[] {
  const topic = s.cluster.topics.get(OFFSETS_TOPIC);
  if (!topic) return [];
  const out: { partition: number; record: DecodedCoordinatorRecord }[] = [];
  for (const p of topic.partitions) {
    const { batches } = p.log.read(p.log.logStartOffset, Number.MAX_SAFE_INTEGER, { minOneBatch: true });
    for (const b of batches) for (const r of iterateRecords(b)) out.push({ partition: p.partition, record: decodeCoordinatorRecord(r.key!, r.value) });
  }
  return out;
}

/** A ConsumerGroupHeartbeat request: a join at epoch 0 subscribes to orders; `over` changes any field. */
export function hb(groupId: string, memberId: string, memberEpoch: number, over: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatRequest {
  return {
    groupId,
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: memberEpoch === 0 ? 30_000 : -1,
    subscribedTopicNames: memberEpoch === 0 ? ['orders'] : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: memberEpoch === 0 ? [] : null,
    ...over,
  };
}
