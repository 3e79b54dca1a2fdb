/**
 * The checks every partition-addressed API makes before touching a log, with Kafka's codes:
 * - the topic or partition does not exist: UNKNOWN_TOPIC_OR_PARTITION;
 * - this broker is not the partition's leader: NOT_LEADER_OR_FOLLOWER (several in-process brokers
 *   share a cluster and split leadership, see Cluster.leaderFor);
 * - the client's currentLeaderEpoch (KIP-320) is older than ours: FENCED_LEADER_EPOCH, newer:
 *   UNKNOWN_LEADER_EPOCH; -1 means the client does not know it and is not checked
 *   (Kafka's Partition.checkCurrentLeaderEpoch).
 */
import { ErrorCode } from '../../protocol/errors.js';
import type { Cluster } from './cluster.js';
import type { Topic } from './topics.js';
import type { Partition } from '../../log/partition.js';

export type PartitionAccess =
  | { readonly partition: Partition; readonly errorCode: 0 }
  | { readonly partition: null; readonly errorCode: number };

const unknown: PartitionAccess = { partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
const notLeader: PartitionAccess = { partition: null, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };

/** The partition if broker `nodeId` leads it; else why not. Does not check leader epochs. */
export function leaderPartition(cluster: Cluster, nodeId: number, topic: Topic | undefined, index: number): PartitionAccess {
  const partition = topic?.partitions[index];
  if (topic === undefined || partition === undefined) return unknown;
  if (cluster.leaderFor(topic, index) !== nodeId) return notLeader;
  return { partition, errorCode: 0 };
}

/** NONE, FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH for a request's currentLeaderEpoch. */
export function checkLeaderEpoch(partition: Partition, currentLeaderEpoch: number): number {
  if (currentLeaderEpoch === -1) return ErrorCode.NONE;
  const ours = partition.leaderEpoch;
  if (currentLeaderEpoch < ours) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > ours) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}
