/**
 * AlterPartitionReassignments (key 45), v0-1 (kafka-reassign-partitions.sh --execute/--cancel):
 * each partition is checked and applied on its own by cluster/reassignments.ts, with Kafka's codes
 * and messages (an unknown broker is INVALID_REPLICA_ASSIGNMENT "The manual partition assignment
 * includes broker 2, but no such broker is registered."; a cancellation with nothing in progress
 * NO_REASSIGNMENT_IN_PROGRESS with no message). Results keep the request's order, repeats included;
 * v1 echoes allowReplicationFactorChange (v0 requests always allow a change).
 *
 * Deviation: a valid move to other live brokers (several brokers only) is refused, see
 * reassignments.ts.
 *
 * ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { AlterPartitionReassignmentsApi } from '../../protocol/messages/alter-partition-reassignments.js';
import type { AlterPartitionReassignmentsResponse } from '../../protocol/messages/alter-partition-reassignments.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { reassignPartition } from '../cluster/reassignments.js';

export const alterPartitionReassignmentsHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(AlterPartitionReassignmentsApi, {
  handle(ctx, req): AlterPartitionReassignmentsResponse {
    const allow = ctx.apiVersion === 0 || req.allowReplicationFactorChange;
    const responses = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        try {
          reassignPartition(ctx.cluster, t.name, p.partitionIndex, p.replicas, allow);
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (e) {
          if (!(e instanceof KafkaError)) throw e;
          // Kafka sends no message with NO_REASSIGNMENT_IN_PROGRESS.
          return { partitionIndex: p.partitionIndex, errorCode: e.code, errorMessage: e.code === ErrorCode.NO_REASSIGNMENT_IN_PROGRESS ? null : e.message };
        }
      }),
    }));
    return { throttleTimeMs: 0, allowReplicationFactorChange: allow, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, allowReplicationFactorChange: req.allowReplicationFactorChange, errorCode: code, errorMessage: null, responses: [] };
  },
}));
