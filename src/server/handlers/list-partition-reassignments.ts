/**
 * ListPartitionReassignments (key 46), v0 (kafka-reassign-partitions.sh --list/--verify): the
 * reassignments in progress, for every partition (topics null) or the named ones; unknown topics
 * and partitions are left out, as Kafka does. None is ever in progress here (see
 * cluster/reassignments.ts), so the list is empty, as on a Kafka cluster at rest.
 *
 * ACLs: DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { ListPartitionReassignmentsApi } from '../../protocol/messages/list-partition-reassignments.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { ongoingReassignments } from '../cluster/reassignments.js';

export const listPartitionReassignmentsHandler = requireClusterOperation(AclOperation.DESCRIBE, defineHandler(ListPartitionReassignmentsApi, {
  handle(ctx, req) {
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.name, new Set(t.partitionIndexes)]));
    const byTopic = new Map<string, { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[]>();
    for (const r of ongoingReassignments(ctx.cluster)) {
      if (wanted !== null && !wanted.get(r.topic)?.has(r.partition)) continue;
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ partitionIndex: r.partition, replicas: [...r.replicas], addingReplicas: [...r.addingReplicas], removingReplicas: [...r.removingReplicas] });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: null, topics: [] };
  },
}));
