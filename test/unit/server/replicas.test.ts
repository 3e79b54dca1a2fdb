// Replica placement (striped as Kafka's StripedReplicaPlacer, without its randomness) and the
// replica state machine of cluster/replicas.ts: ISR shrink and growth, leader moves with a new
// leader epoch, elections and reassignments, on a Cluster with registered brokers and no listener.
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/logger.js';
import { Cluster } from '../../../src/server/cluster/cluster.js';
import { defaultBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { createTopic } from '../../../src/server/cluster/topic-create.js';
import { liveLeaderFirst, placeReplicas } from '../../../src/server/cluster/placement.js';
import { KafkaError } from '../../../src/protocol/errors.js';

const live = (ids: number[], racks: (string | null)[] = []) => ids.map((nodeId, i) => ({ nodeId, rack: racks[i] ?? null, live: true }));

function cluster(n: number, racks: (string | null)[] = []): Cluster {
  const c = new Cluster('c', new ManualClock(0), createLogger('error'), defaultBrokerConfig());
  for (let i = 1; i <= n; i++) c.registerBroker({ nodeId: i, host: '127.0.0.1', port: 9000 + i, rack: racks[i - 1] ?? null });
  return c;
}

t.test('placement stripes replicas and leaders over the brokers', async (t) => {
  t.same(placeReplicas(live([1, 2, 3]), 0, 4, 3, 0), [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 2, 3]]);
  t.same(placeReplicas(live([1, 2, 3]), 0, 3, 2, 1), [[2, 3], [3, 1], [1, 2]], 'another start offset, a smaller factor');
  t.same(placeReplicas(live([1, 2, 3]), 2, 1, 1, 0), [[3]], 'partitions added later continue the stripe');
  t.same(placeReplicas(live([3, 1, 2]), 0, 1, 3, 0), [[1, 2, 3]], 'brokers sorted by id');
  const racked = placeReplicas(live([1, 2, 3, 4], ['a', 'a', 'b', 'b']), 0, 4, 2, 0);
  // Each rack's offset moves on with every partition, as Kafka's BrokerList does per epoch.
  t.same(racked, [[1, 3], [4, 2], [1, 3], [4, 2]], 'racks alternate within a partition and as leaders');
  t.same(placeReplicas(live([1, 2]), 0, 1, 5, 0), [[1, 2]], 'never more replicas than brokers');
  t.same(liveLeaderFirst([1, 2, 3], (id) => id !== 1), [2, 1, 3]);
  t.same(liveLeaderFirst([1, 2, 3], () => true), [1, 2, 3]);
});

t.test('a stopped broker leaves the ISRs and hands its leaderships over with a new epoch; back, it rejoins', async (t) => {
  const c = cluster(3);
  const topic = createTopic(c, defaultBrokerConfig(), { name: 't', numPartitions: 3, replicationFactor: 3 });
  t.same([0, 1, 2].map((p) => c.leaderFor(topic, p)), [1, 2, 3]);
  c.stopBroker(2);
  t.same([c.leaderFor(topic, 1), topic.partitions[1]!.leaderEpoch, c.isrFor(topic, 1), c.offlineReplicasFor(topic, 1)], [3, 1, [3, 1], [2]]);
  t.same([c.leaderFor(topic, 0), topic.partitions[0]!.leaderEpoch], [1, 0], 'other leaders stay, with their epochs');
  t.same(c.brokers.map((b) => b.nodeId), [1, 3]);
  c.stopBroker(2);
  t.equal(topic.partitions[1]!.leaderEpoch, 1, 'stopping twice changes nothing');
  c.registerBroker({ nodeId: 2, host: '127.0.0.1', port: 9002, rack: null });
  t.same([c.leaderFor(topic, 1), c.isrFor(topic, 1), c.offlineReplicasFor(topic, 1)], [3, [3, 1, 2], []]);
  c.replicas.electPreferred(topic, 1);
  t.same([c.leaderFor(topic, 1), topic.partitions[1]!.leaderEpoch], [2, 2]);
  t.throws(() => c.replicas.electPreferred(topic, 1), { errorName: 'ELECTION_NOT_NEEDED' } as never);
});

t.test('the last in-sync replica stays in the ISR with no leader; it leads again when it returns', async (t) => {
  const c = cluster(2);
  const topic = createTopic(c, defaultBrokerConfig(), { name: 'one', numPartitions: 1, replicationFactor: 1 });
  c.stopBroker(1);
  t.same([c.leaderFor(topic, 0), c.isrFor(topic, 0)], [-1, [1]]);
  t.throws(() => c.replicas.electUnclean(topic, 0), KafkaError);
  c.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9001, rack: null });
  t.same([c.leaderFor(topic, 0), topic.partitions[0]!.leaderEpoch], [1, 2]);
});

t.test('moves, reassignments and the replication factor of topics made without one', async (t) => {
  const c = cluster(3);
  const topic = createTopic(c, defaultBrokerConfig(), { name: 'm', numPartitions: 1, replicationFactor: 2 });
  t.same(c.replicasFor(topic, 0), [1, 2]);
  t.throws(() => c.replicas.moveLeader(topic, 0, 3), KafkaError, 'not a replica');
  c.replicas.moveLeader(topic, 0, 2);
  t.same([c.leaderFor(topic, 0), topic.partitions[0]!.leaderEpoch], [2, 1]);
  c.replicas.reassign(topic, 0, [3, 1]);
  t.same([c.replicasFor(topic, 0), c.isrFor(topic, 0), c.leaderFor(topic, 0)], [[3, 1], [3, 1], 3]);
  const dflt = createTopic(c, defaultBrokerConfig(), { name: 'd' });
  t.equal(c.replicasFor(dflt, 0).length, 1, 'default.replication.factor 1');
  const offsets = createTopic(c, defaultBrokerConfig(), { name: '__consumer_offsets', numPartitions: 2 });
  t.equal(c.replicasFor(offsets, 1).length, 3, 'offsets.topic.replication.factor 3');
  const recovered = c.topics.create('recovered', 2);
  t.same(c.replicasFor(recovered, 1).length, 1, 'a topic made without placement is placed on first use');
});
