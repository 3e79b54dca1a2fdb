/**
 * DescribeLogDirs (key 35), v0-5 (Kafka 4.x serves v1-5; v0 is the same layout).
 *
 * Behaviour (KafkaApis.handleDescribeLogDirsRequest, ReplicaManager.describeLogDirs):
 * - one log directory: the first of the broker's log.dirs / log.dir settings when given, else
 *   "/minikafka/data" (the logs live in memory, the path only names them);
 * - topics null: every partition; otherwise the named partitions that exist (unknown ones are
 *   left out, as Kafka does); topics with no partition left are left out;
 * - partitionSize is the log's size in bytes, offsetLag max(HW - LEO, 0) = 0 for a leader,
 *   isFutureKey false (no AlterReplicaLogDirs);
 * - totalBytes / usableBytes (v4+): -1, the schema's "unknown", since there is no volume;
 *   isCordoned (v5+) false.
 *
 * Cost: O(requested partitions), O(all partitions) for topics null.
 *
 * ACLs: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { DescribeLogDirsApi } from '../../protocol/messages/describe-log-dirs.js';
import type { DescribeLogDirsResponseDescribeLogDirsTopic } from '../../protocol/messages/describe-log-dirs.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { logDirOf } from '../cluster/broker-config.js';
import type { Topic } from '../cluster/topics.js';

export const describeLogDirsHandler = requireClusterOperation(AclOperation.DESCRIBE, defineHandler(DescribeLogDirsApi, {
  handle(ctx, req) {
    const registry = ctx.cluster.topics;
    const topics: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
    const describe = (topic: Topic, indexes: Iterable<number>) => {
      const partitions = [];
      for (const i of indexes) {
        const p = topic.partitions[i];
        if (!p) continue;
        const lag = Math.max(p.log.highWatermark - p.log.logEndOffset, 0);
        partitions.push({ partitionIndex: i, partitionSize: BigInt(p.log.size), offsetLag: BigInt(lag), isFutureKey: false });
      }
      if (partitions.length > 0) topics.push({ name: topic.name, partitions });
    };
    if (req.topics === null) {
      for (const topic of registry.all()) describe(topic, topic.partitions.keys());
    } else {
      // A topic may be named twice; its partitions are merged as Kafka's set of partitions is.
      const wanted = new Map<string, Set<number>>();
      for (const t of req.topics) {
        let set = wanted.get(t.topic);
        if (!set) wanted.set(t.topic, (set = new Set()));
        for (const p of t.partitions) set.add(p);
      }
      for (const [name, indexes] of wanted) {
        const topic = registry.get(name);
        if (topic) describe(topic, [...indexes].sort((a, b) => a - b));
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: logDirOf(ctx.broker.config), topics, totalBytes: -1n, usableBytes: -1n, isCordoned: false }],
    };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, results: [] };
  },
}));
