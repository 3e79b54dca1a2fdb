/**
 * WriteTxnMarkers (key 27): writes COMMIT/ABORT markers into partitions this broker leads. Kafka's
 * coordinators send it to partition leaders; the Java Admin's abortTransaction (kafka-transactions.sh
 * abort) sends it to end a hanging transaction. As Kafka's KafkaApis.handleWriteTxnMarkersRequest,
 * per partition: UNKNOWN_TOPIC_OR_PARTITION when it does not exist, NOT_LEADER_OR_FOLLOWER when
 * another broker leads it, the partition's refusal (INVALID_PRODUCER_EPOCH for an epoch older than
 * the producer's, TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch), or NONE. A marker
 * for a __consumer_offsets partition also commits or drops the producer's pending offsets there.
 *
 * Versions 0-2; v2's transactionVersion is ignored (transactions V2 are not served).
 * Deviation: served to anyone (Kafka requires the CLUSTER_ACTION or ALTER permission).
 *
 * ACLs: CLUSTER_ACTION on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { WriteTxnMarkersApi } from '../../protocol/messages/write-txn-markers.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { writeMarkerTo } from '../coordinators/txn/transaction-markers.js';
import type { OffsetsMarkerWriter } from '../coordinators/txn/transaction-markers.js';

export const writeTxnMarkersHandler = requireClusterOperation(AclOperation.CLUSTER_ACTION, defineHandler(WriteTxnMarkersApi, {
  handle(ctx, req) {
    const cluster = ctx.cluster;
    const offsetsWriter: OffsetsMarkerWriter = (partition, marker) => ctx.groups.completeTransaction(partition, marker);
    return {
      markers: req.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => {
            const topic = cluster.topics.get(t.name);
            let errorCode: number;
            if (topic === undefined || topic.partitions[partitionIndex] === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            else if (cluster.leaderFor(topic, partitionIndex) !== ctx.broker.nodeId) errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
            else {
              errorCode = writeMarkerTo(cluster, offsetsWriter, t.name, partitionIndex, {
                producerId: Number(m.producerId),
                producerEpoch: m.producerEpoch,
                coordinatorEpoch: m.coordinatorEpoch,
                commit: m.transactionResult,
              });
            }
            return { partitionIndex, errorCode };
          }),
        })),
      })),
    };
  },

  errorResponse(_ctx, req, code) {
    return {
      markers: req.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: code })) })),
      })),
    };
  },
}));
