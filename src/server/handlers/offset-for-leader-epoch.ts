/**
 * OffsetForLeaderEpoch (key 23): for each partition, the end offset of the requested leader
 * epoch from the partition's LeaderEpochCache, which consumers (KIP-320, after a leader change)
 * and followers use to detect a diverged log. Semantics are Kafka's
 * (UnifiedLog.endOffsetForEpoch / LeaderEpochFileCache.endOffsetFor):
 * - the current (latest) epoch: that epoch and the log end offset;
 * - an older epoch: the largest known epoch <= it, ending where the next epoch starts;
 * - an epoch before every cached one: the requested epoch and the first epoch's start offset;
 * - an epoch newer than all, or -1, or an empty cache: leaderEpoch -1, endOffset -1, no error.
 * Errors: unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION; not the leader:
 * NOT_LEADER_OR_FOLLOWER; currentLeaderEpoch older than ours: FENCED_LEADER_EPOCH, newer:
 * UNKNOWN_LEADER_EPOCH (-1 skips the check). Errors carry leaderEpoch -1, endOffset -1.
 *
 * Versions 2-4 (Kafka 4.x dropped 0-1). replicaId (v3+) is ignored: Kafka answers followers and
 * consumers alike from the leader.
 */
import { OffsetForLeaderEpochApi } from '../../protocol/messages/offset-for-leader-epoch.js';
import type { OffsetForLeaderEpochResponseEpochEndOffset } from '../../protocol/messages/offset-for-leader-epoch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { checkLeaderEpoch, leaderPartition } from '../cluster/partition-access.js';
import { AclOperation, ResourceType, authorizeCluster, authorizedNames } from './authorize.js';

export const offsetForLeaderEpochHandler = defineHandler(OffsetForLeaderEpochApi, {
  minVersion: 2,
  maxVersion: 4,

  handle(ctx, req) {
    // KafkaApis.handleOffsetForLeaderEpochRequest: CLUSTER_ACTION (a follower) allows all, else
    // DESCRIBE on each topic.
    const names = req.topics.map((t) => t.topic);
    const allowed = authorizeCluster(ctx, AclOperation.CLUSTER_ACTION, { logIfDenied: false }) ? new Set(names) : authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names);
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (!allowed.has(t.topic)) return { topic: t.topic, partitions: t.partitions.map((p) => failed(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) };
        const topic = ctx.cluster.topics.get(t.topic);
        return {
          topic: t.topic,
          partitions: t.partitions.map((p): OffsetForLeaderEpochResponseEpochEndOffset => {
            const access = leaderPartition(ctx.cluster, ctx.broker.nodeId, topic, p.partition);
            if (access.partition === null) return failed(p.partition, access.errorCode);
            const partition = access.partition;
            const epochError = checkLeaderEpoch(partition, p.currentLeaderEpoch);
            if (epochError !== ErrorCode.NONE) return failed(p.partition, epochError);
            const log = partition.log;
            const end = log.leaderEpochCache.endOffsetFor(p.leaderEpoch, log.logEndOffset);
            // UnifiedLog.endOffsetForEpoch: an undefined end offset is "no answer", not an error.
            if (end.endOffset < 0) return failed(p.partition, ErrorCode.NONE);
            return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: end.epoch, endOffset: BigInt(end.endOffset) };
          }),
        };
      }),
    };
  },

  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => failed(p.partition, code)) })) };
  },
});

function failed(partition: number, errorCode: number): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch: -1, endOffset: -1n };
}
