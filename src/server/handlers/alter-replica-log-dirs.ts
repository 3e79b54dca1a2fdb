/**
 * AlterReplicaLogDirs (key 34), v1-2 (kafka-reassign-partitions.sh with log dirs): moves replicas
 * of this broker between its log directories. minikafka has one log directory, the one
 * DescribeLogDirs reports, so (ReplicaManager.alterReplicaLogDirs, checked against Kafka 4.4):
 * - that directory: NONE, nothing moves (the replica is there already);
 * - any other path: LOG_DIR_NOT_FOUND;
 * - a topic or partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION (checked after the path,
 *   as Kafka does).
 * Results are grouped by topic, in the order topics first appear in the request.
 *
 * ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { AlterReplicaLogDirsApi } from '../../protocol/messages/alter-replica-log-dirs.js';
import type { AlterReplicaLogDirsResponseAlterReplicaLogDirPartitionResult } from '../../protocol/messages/alter-replica-log-dirs.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { logDirOf } from '../cluster/broker-config.js';

export const alterReplicaLogDirsHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(AlterReplicaLogDirsApi, {
  minVersion: 1,
  handle(ctx, req) {
    const logDir = logDirOf(ctx.broker.config);
    const byTopic = new Map<string, AlterReplicaLogDirsResponseAlterReplicaLogDirPartitionResult[]>();
    for (const dir of req.dirs) {
      for (const t of dir.topics) {
        let list = byTopic.get(t.name);
        if (!list) byTopic.set(t.name, (list = []));
        const topic = ctx.cluster.topics.get(t.name);
        for (const p of t.partitions) {
          let errorCode: number = ErrorCode.NONE;
          if (dir.path !== logDir) errorCode = ErrorCode.LOG_DIR_NOT_FOUND;
          else if (topic?.partitions[p] === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          list.push({ partitionIndex: p, errorCode });
        }
      }
    }
    return { throttleTimeMs: 0, results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, results: req.dirs.flatMap((d) => d.topics.map((t) => ({ topicName: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p, errorCode: code })) }))) };
  },
}));
