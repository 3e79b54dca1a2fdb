// Several brokers in one process (`MiniKafka.start({ brokers: 3 })`): every broker in Metadata and
// DescribeCluster with its rack, replica sets striped as Kafka's controller places them, leaders
// answering and followers refusing with NOT_LEADER_OR_FOLLOWER (and KIP-951's current leader),
// coordinators spread by the leader of their internal partition, min.insync.replicas with
// acks=all, and a broker stopped and started: connections drop, the port refuses, leaders move
// with a new epoch, the ISR shrinks and grows back; ElectLeaders and reassignments act for real.
import t from 'tap';
import type { Test } from 'tap';
import { connect as netConnect } from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../interop/harness.js';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetchOne, listOffset, produceOne } from '../helpers/data-path.js';
import {
  AlterPartitionReassignmentsApi,
  DeleteRecordsApi,
  DescribeClusterApi,
  DescribeTopicPartitionsApi,
  ElectLeadersApi,
  FindCoordinatorApi,
  HeartbeatApi,
  MetadataApi,
  OffsetForLeaderEpochApi,
} from '../../src/protocol/messages/index.js';
import type { MetadataResponse } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const batch = (value = 'v') => buildBatchSync([{ key: null, value: Buffer.from(value), timestamp: Date.now() }]);

async function cluster(t: Test, opts: MiniKafkaOptions = {}): Promise<{ kafka: MiniKafka; clients: Map<number, WireClient>; client(id: number): Promise<WireClient> }> {
  const kafka = await MiniKafka.start({ brokers: 3, ...opts });
  const clients = new Map<number, WireClient>();
  t.teardown(async () => {
    for (const c of clients.values()) c.close();
    await kafka.stop();
  });
  const client = async (id: number) => {
    const open = clients.get(id);
    if (open !== undefined && !open.closed) return open;
    const c = await WireClient.connect(kafka.brokerById(id)!.bootstrapServers);
    clients.set(id, c);
    return c;
  };
  return { kafka, clients, client };
}

const metadata = (c: WireClient, topics: string[] | null): Promise<MetadataResponse> =>
  c.request(MetadataApi, 12, { topics: topics?.map((name) => ({ topicId: ZERO_UUID, name })) ?? null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

function partitionRows(m: MetadataResponse) {
  return m.topics[0]!.partitions.map((p) => ({ p: p.partitionIndex, leader: p.leaderId, epoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, offline: p.offlineReplicas, error: p.errorCode }));
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

t.test('three brokers: ids, ports, racks and bootstrap servers; Metadata and DescribeCluster list them all', async (t) => {
  const { kafka, client } = await cluster(t, { racks: ['a', 'b', 'c'] });
  t.strictSame(kafka.brokers.map((b) => [b.nodeId, b.rack]), [[1, 'a'], [2, 'b'], [3, 'c']]);
  t.equal(new Set(kafka.brokers.map((b) => b.port)).size, 3, 'each its own port');
  t.equal(kafka.bootstrapServers, kafka.brokers.map((b) => `127.0.0.1:${b.port}`).join(','));
  for (const id of [1, 2, 3]) {
    const m = await metadata(await client(id), []);
    t.strictSame(m.brokers.map((b) => [b.nodeId, b.port, b.rack]), kafka.brokers.map((b) => [b.nodeId, b.port, b.rack]), `broker ${id} lists every broker`);
    t.equal(m.controllerId, 1);
  }
  const dc = await (await client(2)).request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
  t.strictSame(dc.brokers.map((b) => [b.brokerId, b.rack]), [[1, 'a'], [2, 'b'], [3, 'c']]);
});

t.test('replicas stripe over the brokers; each leader serves its partition and the others answer NOT_LEADER_OR_FOLLOWER', async (t) => {
  const { kafka, client } = await cluster(t);
  kafka.createTopic('s', 3, {}, 3);
  const rows = partitionRows(await metadata(await client(1), ['s']));
  t.strictSame(rows.map((r) => r.replicas), [[1, 2, 3], [2, 3, 1], [3, 1, 2]], 'striped as Kafka places a topic starting at broker 1');
  t.strictSame(rows.map((r) => r.leader), [1, 2, 3], 'leaders spread');
  t.strictSame(rows.map((r) => r.isr), rows.map((r) => r.replicas), 'all in sync');

  const leader = await client(2);
  const follower = await client(1);
  t.equal((await produceOne(leader, 's', batch(), { partition: 1 })).errorCode, 0);
  const notLeader = await produceOne(follower, 's', batch(), { partition: 1, version: 11 });
  t.equal(notLeader.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.strictSame(notLeader.currentLeader, { leaderId: 2, leaderEpoch: 0 }, 'KIP-951: the current leader');
  t.equal((await produceOne(follower, 's', batch(), { partition: 1, version: 9 })).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'older versions: the code alone');

  const fetched = await fetchOne(follower, { topic: '', topicId: kafka.broker.cluster.topics.get('s')!.id, partition: 1 }, { version: 16 });
  t.equal(fetched.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.strictSame(fetched.currentLeader, { leaderId: 2, leaderEpoch: 0 });
  t.equal((await fetchOne(leader, { topic: 's', partition: 1 })).highWatermark, 1n, 'the leader serves it');
  t.equal((await listOffset(follower, 's', -1n, { partition: 1 })).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.equal((await listOffset(leader, 's', -1n, { partition: 1 })).offset, 1n);
  const ofle = await follower.request(OffsetForLeaderEpochApi, 4, { replicaId: -1, topics: [{ topic: 's', partitions: [{ partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
  t.equal(ofle.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const del = await follower.request(DeleteRecordsApi, 2, { topics: [{ name: 's', partitions: [{ partitionIndex: 1, offset: 1n }] }], timeoutMs: 1000 });
  t.equal(del.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

t.test('racks: consecutive replicas sit in different racks', async (t) => {
  const { kafka, client } = await cluster(t, { brokers: 4, racks: ['a', 'a', 'b', 'b'] });
  kafka.createTopic('r', 4, {}, 2);
  const rack = new Map(kafka.brokers.map((b) => [b.nodeId, b.rack]));
  for (const r of partitionRows(await metadata(await client(1), ['r']))) {
    t.not(rack.get(r.replicas[0]!), rack.get(r.replicas[1]!), `partition ${r.p}: [${r.replicas.join(',')}] spans both racks`);
  }
});

t.test('a broker stops: connections drop, the port refuses, leaders move with a new epoch, the ISR shrinks; it comes back in sync', async (t) => {
  const { kafka, client, clients } = await cluster(t);
  kafka.createTopic('f', 3, {}, 3);
  const toStop = await client(2);
  const port = kafka.brokerById(2)!.port;
  await kafka.brokerById(2)!.stop();
  await t.resolves(new Promise<void>((resolve) => (toStop.closed ? resolve() : toStop.socket.once('close', () => resolve()))), 'its connections dropped');
  t.ok(await refused(port), 'new connections are refused');
  clients.delete(2);

  const m = await metadata(await client(1), ['f']);
  t.strictSame(m.brokers.map((b) => b.nodeId), [1, 3], 'only live brokers are listed');
  const fenced = await (await client(1)).request(DescribeClusterApi, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true });
  t.strictSame(fenced.brokers.map((b) => [b.brokerId, b.isFenced]), [[1, false], [2, true], [3, false]], 'DescribeCluster v2 shows it fenced when asked');
  t.strictSame(partitionRows(m), [
    { p: 0, leader: 1, epoch: 0, replicas: [1, 2, 3], isr: [1, 3], offline: [2], error: 0 },
    { p: 1, leader: 3, epoch: 1, replicas: [2, 3, 1], isr: [3, 1], offline: [2], error: 0 },
    { p: 2, leader: 3, epoch: 0, replicas: [3, 1, 2], isr: [3, 1], offline: [2], error: 0 },
  ]);
  const moved = await produceOne(await client(1), 'f', batch(), { partition: 1, version: 11 });
  t.strictSame([moved.errorCode, moved.currentLeader], [ErrorCode.NOT_LEADER_OR_FOLLOWER, { leaderId: 3, leaderEpoch: 1 }]);
  t.equal((await produceOne(await client(3), 'f', batch(), { partition: 1 })).errorCode, 0, 'the new leader takes writes');
  t.equal((await fetchOne(await client(3), { topic: 'f', partition: 1, currentLeaderEpoch: 0 })).errorCode, ErrorCode.FENCED_LEADER_EPOCH, 'the old epoch is fenced');

  await kafka.brokerById(2)!.start();
  t.equal(kafka.brokerById(2)!.port, port, 'back on the same port');
  const back = partitionRows(await metadata(await client(2), ['f']));
  t.strictSame(back.map((r) => [r.leader, r.isr, r.offline]), [[1, [1, 3, 2], []], [3, [3, 1, 2], []], [3, [3, 1, 2], []]], 'back in every ISR; leaders stay where they are');

  // A preferred election brings partition 1 home, with another epoch.
  const c1 = await client(1);
  const el = await c1.request(ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: 'f', partitions: [1, 0] }], timeoutMs: 5000 });
  t.strictSame(el.replicaElectionResults[0]!.partitionResult.map((r) => r.errorCode), [0, ErrorCode.ELECTION_NOT_NEEDED]);
  t.strictSame(kafka.partition('f', 1), { topic: 'f', partition: 1, leader: 2, leaderEpoch: 2, replicas: [2, 3, 1], isr: [3, 1, 2], offlineReplicas: [] });
  const dtp = await c1.request(DescribeTopicPartitionsApi, 0, { topics: [{ name: 'f' }], responsePartitionLimit: 10, cursor: null });
  t.strictSame(dtp.topics[0]!.partitions.map((p) => p.leaderId), [1, 2, 3], 'DescribeTopicPartitions agrees');
});

t.test('a partition whose every replica stopped has no leader until one returns', async (t) => {
  const { kafka, client } = await cluster(t);
  kafka.createTopic('solo', 1, {}, 1);
  t.strictSame(kafka.partition('solo', 0).replicas, [1]);
  await kafka.brokerById(1)!.stop();
  const row = partitionRows(await metadata(await client(2), ['solo']))[0]!;
  t.strictSame([row.leader, row.isr, row.offline, row.error], [-1, [1], [1], ErrorCode.LEADER_NOT_AVAILABLE]);
  const unclean = await (await client(2)).request(ElectLeadersApi, 2, { electionType: 1, topicPartitions: [{ topic: 'solo', partitions: [0] }], timeoutMs: 5000 });
  t.equal(unclean.replicaElectionResults[0]!.partitionResult[0]!.errorCode, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
  await kafka.brokerById(1)!.start();
  t.strictSame([kafka.partition('solo', 0).leader, kafka.partition('solo', 0).leaderEpoch], [1, 2], 'leader again, two epochs later');
});

t.test('min.insync.replicas with acks=all: NOT_ENOUGH_REPLICAS once the ISR is too small; acks=1 still writes', async (t) => {
  const { kafka, client } = await cluster(t);
  kafka.createTopic('m', 1, { 'min.insync.replicas': 2 }, 3);
  await kafka.brokerById(2)!.stop();
  const c = await client(1);
  t.equal((await produceOne(c, 'm', batch())).errorCode, 0, 'ISR [1,3] satisfies 2');
  await kafka.brokerById(3)!.stop();
  t.equal((await produceOne(c, 'm', batch())).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  t.equal((await produceOne(c, 'm', batch(), { acks: 1 })).errorCode, 0);
  t.equal((await fetchOne(c, { topic: 'm' })).highWatermark, 2n, 'nothing appended by the refused write');
  await kafka.brokerById(3)!.start();
  t.equal((await produceOne(c, 'm', batch())).errorCode, 0, 'back in sync');
});

t.test('group coordinators follow the leader of their __consumer_offsets partition; other brokers answer NOT_COORDINATOR', async (t) => {
  const { kafka, client } = await cluster(t);
  const find = async (id: number, key: string) => (await (await client(id)).request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: [key] })).coordinators[0]!;
  const owners = new Set<number>();
  for (const g of ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']) owners.add((await find(1, g)).nodeId);
  t.strictSame([...owners].sort(), [1, 2, 3], 'groups spread over the brokers');
  const offsets = kafka.broker.cluster.topics.get('__consumer_offsets')!;
  t.equal(kafka.partition('__consumer_offsets', 0).replicas.length, 3, 'offsets.topic.replication.factor 3');
  t.ok(offsets.partitions.length > 0);

  const home = (await find(1, 'g0')).nodeId;
  const other = [1, 2, 3].find((id) => id !== home)!;
  const hb = await (await client(other)).request(HeartbeatApi, 4, { groupId: 'g0', generationId: 1, memberId: 'm', groupInstanceId: null });
  t.equal(hb.errorCode, ErrorCode.NOT_COORDINATOR);
  const txn = await (await client(1)).request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['tx'] });
  t.equal(txn.coordinators[0]!.errorCode, 0, 'transaction coordinators too');

  await kafka.brokerById(home)!.stop();
  const moved = await find(other, 'g0');
  t.not(moved.nodeId, home, 'the coordinator moved when its broker stopped');
  t.equal(moved.port, kafka.brokerById(moved.nodeId)!.port);
});

t.test('reassignments move replicas at once; CreateTopics takes a manual assignment as given', async (t) => {
  const { kafka, client } = await cluster(t);
  kafka.createTopic('ra', 2, {}, 2);
  const c = await client(1);
  const r = await c.request(AlterPartitionReassignmentsApi, 1, {
    timeoutMs: 5000,
    allowReplicationFactorChange: true,
    topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas: [3, 2, 1] }, { partitionIndex: 1, replicas: [9] }] }],
  });
  t.strictSame(r.responses[0]!.partitions.map((p) => p.errorCode), [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
  const p0 = kafka.partition('ra', 0);
  t.strictSame([p0.replicas, p0.isr, p0.leader, p0.leaderEpoch], [[3, 2, 1], [3, 2, 1], 1, 0], 'the leader is among the new replicas: it stays');
  await c.request(AlterPartitionReassignmentsApi, 1, { timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas: [3] }] }] });
  t.strictSame([kafka.partition('ra', 0).leader, kafka.partition('ra', 0).leaderEpoch], [3, 1], 'a leader removed from the replicas hands over');
});

t.test('control: list, stop and start brokers; show and move a partition leader (fixture and HTTP)', async (t) => {
  const { kafka } = await cluster(t, { controlPort: 0 });
  kafka.createTopic('c', 1, {}, 3);
  const url = kafka.controlUrl!;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  t.strictSame((await call('GET', '/brokers')).body, kafka.brokers.map((b) => ({ nodeId: b.nodeId, rack: null, running: true, bootstrapServers: b.bootstrapServers })));
  t.match((await call('POST', '/brokers/1/stop')).body, { nodeId: 1, running: false });
  t.equal(kafka.brokerById(1)!.running, false);
  t.match((await call('GET', '/partitions/c/0')).body, { leader: 2, leaderEpoch: 1, isr: [2, 3], offlineReplicas: [1] });
  t.match((await call('POST', '/partitions/c/0/leader', { broker: 3 })).body, { leader: 3, leaderEpoch: 2 });
  t.match(await call('POST', '/partitions/c/0/leader', { broker: 1 }), { status: 409 }, 'a stopped broker cannot lead');
  t.match(await call('POST', '/brokers/9/stop'), { status: 404 });
  t.match((await call('POST', '/brokers/1/start')).body, { nodeId: 1, running: true });
  t.strictSame(kafka.moveLeader('c', 0, 1).leader, 1, 'the fixture moves leaders too');
  t.match((await call('GET', '/status')).body, { brokers: [{ nodeId: 1, running: true }, { nodeId: 2 }, { nodeId: 3 }] });
});

t.test('a fault scoped to one broker hits only that broker', async (t) => {
  const { kafka, client } = await cluster(t);
  kafka.createTopic('scoped', 3, {}, 3);
  kafka.faults.add({ broker: 2, api: 'Produce', action: 'error', error: 'KAFKA_STORAGE_ERROR' });
  t.equal((await produceOne(await client(1), 'scoped', batch(), { partition: 0 })).errorCode, 0, 'broker 1 answers');
  t.equal((await produceOne(await client(2), 'scoped', batch(), { partition: 1 })).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, 'broker 2 fails');
  t.equal((await produceOne(await client(3), 'scoped', batch(), { partition: 2 })).errorCode, 0, 'broker 3 answers');
});

t.test('the CLI starts several brokers and lists them in the ready line', async (t) => {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist/cli.cjs'), 'start', '--brokers', '2', '--rack', 'x,y', '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  const ready = await new Promise<{ bootstrapServers: string; brokers: { id: number; port: number; rack: string | null }[] }>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  t.strictSame(ready.brokers.map((b) => [b.id, b.rack]), [[1, 'x'], [2, 'y']]);
  t.equal(ready.bootstrapServers, ready.brokers.map((b) => `127.0.0.1:${b.port}`).join(','));
  const c = await WireClient.connect(`127.0.0.1:${ready.brokers[1]!.port}`);
  t.teardown(() => c.close());
  t.strictSame((await metadata(c, [])).brokers.map((b) => [b.nodeId, b.rack]), [[1, 'x'], [2, 'y']]);
});
