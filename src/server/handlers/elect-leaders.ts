/**
 * ElectLeaders (key 43), v0-2 (kafka-leader-election.sh): preferred (v0, and type 0) or unclean
 * (type 1) leader election per partition; the decision is cluster/leader-election.ts.
 *
 * Behaviour (ReplicationControlManager.electLeaders, checked against Kafka 4.4):
 * - each requested topic entry gets its own result entry, partitions in request order, repeats
 *   kept; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION "No such topic as t", an unknown
 *   partition "No such partition as t-7"; a partition whose leader is already right
 *   ELECTION_NOT_NEEDED "Leader election not needed for topic partition.";
 * - topicPartitions null means every partition: every topic is listed, with only the partitions
 *   where an election happened or failed (ELECTION_NOT_NEEDED is left out);
 * - an election type other than 0 and 1: INVALID_REQUEST at the top and for every partition,
 *   "Unknown election type N".
 *
 * ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { ElectLeadersApi } from '../../protocol/messages/elect-leaders.js';
import type { ElectLeadersResponse, ElectLeadersResponsePartitionResult } from '../../protocol/messages/elect-leaders.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { ElectionType, electLeader } from '../cluster/leader-election.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Topic } from '../cluster/topics.js';

function result(partitionId: number, errorCode: number, errorMessage: string | null): ElectLeadersResponsePartitionResult {
  return { partitionId, errorCode, errorMessage };
}

function elect(cluster: Cluster, topic: Topic, partition: number, type: number): ElectLeadersResponsePartitionResult {
  try {
    electLeader(cluster, topic, partition, type);
    return result(partition, ErrorCode.NONE, null);
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return result(partition, e.code, e.message);
  }
}

export const electLeadersHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(ElectLeadersApi, {
  handle(ctx, req): ElectLeadersResponse {
    const cluster = ctx.cluster;
    const type = ctx.apiVersion === 0 ? ElectionType.PREFERRED : req.electionType;
    if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) {
      const message = `Unknown election type ${type}`;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((p) => result(p, ErrorCode.INVALID_REQUEST, message)) })),
      };
    }
    if (req.topicPartitions === null) {
      const replicaElectionResults = [...cluster.topics.all()].map((topic) => ({
        topic: topic.name,
        partitionResult: [...topic.partitions.keys()].map((p) => elect(cluster, topic, p, type)).filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED),
      }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults };
    }
    const replicaElectionResults = req.topicPartitions.map((t) => {
      const topic = cluster.topics.get(t.topic);
      return {
        topic: t.topic,
        partitionResult: t.partitions.map((p) => {
          if (topic === undefined) return result(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${t.topic}`);
          if (topic.partitions[p] === undefined) return result(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${t.topic}-${p}`);
          return elect(cluster, topic, p, type);
        }),
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, errorCode: code, replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((p) => result(p, code, null)) })) };
  },
}));
