/**
 * Leader elections (ElectLeaders, KIP-460) over the cluster's replica sets, as Kafka's
 * ReplicationControlManager.electLeader decides them:
 * - PREFERRED (0): the leader is already the first replica: ELECTION_NOT_NEEDED; otherwise the
 *   preferred replica would take over when it is alive and in sync;
 * - UNCLEAN (1): a partition that has a leader: ELECTION_NOT_NEEDED; otherwise any live replica.
 *
 * Leadership here is a function of the live brokers (Cluster.leaderFor gives every partition to
 * its first replica), so every partition always has its preferred leader and each election is
 * ELECTION_NOT_NEEDED, which is what Kafka answers on a healthy single-node cluster. Should the two
 * ever differ, the answer is PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE:
 * minikafka cannot hand leadership over yet.
 */
import { KafkaError } from '../../protocol/errors.js';
import type { Cluster } from './cluster.js';
import type { Topic } from './topics.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/** Throws the KafkaError of the election's outcome (ELECTION_NOT_NEEDED included); returns on an election. */
export function electLeader(cluster: Cluster, topic: Topic, partition: number, type: number): void {
  const leader = cluster.leaderFor(topic, partition);
  const replicas = cluster.replicasFor(topic, partition);
  if (type === ElectionType.PREFERRED) {
    if (leader === replicas[0]) throw new KafkaError('ELECTION_NOT_NEEDED');
    throw new KafkaError('PREFERRED_LEADER_NOT_AVAILABLE', `Failed to elect leader for partition ${topic.name}-${partition} under strategy PREFERRED`);
  }
  if (leader >= 0) throw new KafkaError('ELECTION_NOT_NEEDED');
  throw new KafkaError('ELIGIBLE_LEADERS_NOT_AVAILABLE', `Failed to elect leader for partition ${topic.name}-${partition} under strategy UNCLEAN`);
}
