/**
 * Leader elections (ElectLeaders, KIP-460) over the cluster's replica sets (replicas.ts), as
 * Kafka's ReplicationControlManager.electLeader decides them:
 * - PREFERRED (0): the leader is already the first replica: ELECTION_NOT_NEEDED; the preferred
 *   replica takes over when it is live and in sync, else PREFERRED_LEADER_NOT_AVAILABLE;
 * - UNCLEAN (1): a partition that has a leader: ELECTION_NOT_NEEDED; otherwise any live replica,
 *   else ELIGIBLE_LEADERS_NOT_AVAILABLE.
 * A new leader gets a new leader epoch.
 */
import type { Cluster } from './cluster.js';
import type { Topic } from './topics.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/** Throws the KafkaError of the election's outcome (ELECTION_NOT_NEEDED included); returns on an election. */
export function electLeader(cluster: Cluster, topic: Topic, partition: number, type: number): void {
  if (type === ElectionType.PREFERRED) cluster.replicas.electPreferred(topic, partition);
  else cluster.replicas.electUnclean(topic, partition);
}
