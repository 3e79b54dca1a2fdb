/**
 * Partition reassignments (KIP-455) as Kafka's ReplicationControlManager checks them, over the
 * cluster's replica sets (Cluster.replicasFor) and live brokers, so that the same code answers for
 * one broker and for several.
 *
 * Per partition, in Kafka's order and words (checked against Kafka 4.4):
 * - unknown topic: UNKNOWN_TOPIC_OR_PARTITION "Unable to find a topic named t."; unknown
 *   partition: "Unable to find partition t:9.";
 * - replicas null cancels a reassignment: NO_REASSIGNMENT_IN_PROGRESS when none is going on;
 * - an empty replica list: INVALID_REPLICA_ASSIGNMENT "The manual partition assignment includes an
 *   empty replica list."; a broker twice: "... includes the broker 1 more than once."; a broker
 *   that is not registered: "... includes broker 2, but no such broker is registered.";
 * - a different replica count with allowReplicationFactorChange false (v1): INVALID_REPLICATION_FACTOR;
 * - the current replica set: nothing to do, NONE.
 *
 * Replication is simulated (one copy of each log, see replicas.ts), so a new replica is caught up
 * at once: a valid reassignment completes within the request, and none is ever seen in progress.
 */
import { KafkaError } from '../../protocol/errors.js';
import type { Cluster } from './cluster.js';

export interface OngoingReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/** Checks and applies one partition's reassignment; throws the KafkaError Kafka would answer. */
export function reassignPartition(cluster: Cluster, topicName: string, partition: number, replicas: readonly number[] | null, allowReplicationFactorChange: boolean): void {
  const topic = cluster.topics.get(topicName);
  if (topic === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Unable to find a topic named ${topicName}.`);
  if (topic.partitions[partition] === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Unable to find partition ${topicName}:${partition}.`);
  // Nothing is ever in progress (see above), so a cancellation has nothing to cancel.
  if (replicas === null) throw new KafkaError('NO_REASSIGNMENT_IN_PROGRESS');
  if (replicas.length === 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'The manual partition assignment includes an empty replica list.');
  // Registered brokers, stopped ones included, as Kafka accepts fenced brokers here.
  const live = new Set(cluster.registry.known.map((b) => b.nodeId));
  // Kafka walks the ids sorted, so the lowest offending id is the one named.
  let previous: number | null = null;
  for (const id of [...replicas].sort((a, b) => a - b)) {
    if (!live.has(id)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    if (id === previous) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes the broker ${id} more than once.`);
    previous = id;
  }
  const current = cluster.replicasFor(topic, partition);
  if (!allowReplicationFactorChange && replicas.length !== current.length) {
    throw new KafkaError('INVALID_REPLICATION_FACTOR', `The replication factor is changed from ${current.length} to ${replicas.length} but allowReplicationFactorChange is false.`);
  }
  if (replicas.length === current.length && replicas.every((id, i) => current[i] === id)) return;
  cluster.replicas.reassign(topic, partition, replicas);
}

/** The reassignments in progress: none, since replicas move at once or not at all (see above). */
export function ongoingReassignments(_cluster: Cluster): OngoingReassignment[] {
  return [];
}
