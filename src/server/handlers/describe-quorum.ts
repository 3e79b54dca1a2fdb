/**
 * DescribeQuorum (key 55), v0-2: the KRaft metadata quorum, as `kafka-metadata-quorum.sh describe
 * --status/--replication` shows it. minikafka's quorum is one voter, the controller (the lowest
 * broker id), leading at epoch 1 (cluster/quorum.ts): its log end offset is the high watermark, it
 * has fetched and caught up "now", and there are no observers (Kafka's brokers of a combined
 * single node are the voter itself).
 *
 * Behaviour (KafkaRaftClient.handleDescribeQuorumRequest, checked against Kafka 4.4): only
 * __cluster_metadata-0 is described; another topic or partition is UNKNOWN_TOPIC_OR_PARTITION
 * "This server does not host this topic-partition." with the rest zero. v1 adds the fetch
 * timestamps, v2 the voter's directory id and the nodes' endpoints.
 *
 * Deviation: the voter's endpoint is named CONTROLLER, as Kafka names the controller listener,
 * but it is the broker's own address: minikafka has no separate controller listener.
 *
 * ACLs: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { DescribeQuorumApi } from '../../protocol/messages/describe-quorum.js';
import type { DescribeQuorumResponse, DescribeQuorumResponsePartitionData } from '../../protocol/messages/describe-quorum.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';

export const METADATA_TOPIC = '__cluster_metadata';

function unknownPartition(partitionIndex: number): DescribeQuorumResponsePartitionData {
  return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.', leaderId: 0, leaderEpoch: 0, highWatermark: 0n, currentVoters: [], observers: [] };
}

export const describeQuorumHandler = requireClusterOperation(AclOperation.DESCRIBE, defineHandler(DescribeQuorumApi, {
  handle(ctx, req): DescribeQuorumResponse {
    const cluster = ctx.cluster;
    const quorum = cluster.quorum;
    const leaderId = cluster.controllerId;
    const leader = cluster.brokers.find((b) => b.nodeId === leaderId);
    let described = false;
    const topics = req.topics.map((t) => ({
      topicName: t.topicName,
      partitions: t.partitions.map((p): DescribeQuorumResponsePartitionData => {
        if (t.topicName !== METADATA_TOPIC || p.partitionIndex !== 0) return unknownPartition(p.partitionIndex);
        described = true;
        const hw = quorum.highWatermark();
        const now = BigInt(ctx.clock.now());
        return {
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: '',
          leaderId,
          leaderEpoch: quorum.leaderEpoch,
          highWatermark: hw,
          currentVoters: [{ replicaId: leaderId, replicaDirectoryId: ctx.apiVersion >= 2 ? quorum.directoryId : ZERO_UUID, logEndOffset: hw, lastFetchTimestamp: now, lastCaughtUpTimestamp: now }],
          observers: [],
        };
      }),
    }));
    const nodes = ctx.apiVersion >= 2 && described && leader !== undefined ? [{ nodeId: leaderId, listeners: [{ name: 'CONTROLLER', host: leader.host, port: leader.port }] }] : [];
    return { errorCode: ErrorCode.NONE, errorMessage: '', topics, nodes };
  },
  errorResponse(_ctx, _req, code) {
    return { errorCode: code, errorMessage: errorInfo(code).message, topics: [], nodes: [] };
  },
}));
