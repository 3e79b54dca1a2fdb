/**
 * DescribeProducers (key 61, KIP-664): the active producers of partitions (kafka-transactions.sh
 * describe-producers, and how Admin.abortTransaction finds a hanging transaction), as Kafka's
 * KafkaApis.handleDescribeProducersRequest and UnifiedLog.activeProducers.
 *
 * Per partition: an invalid topic name INVALID_TOPIC_EXCEPTION (with Kafka's message); an unknown
 * topic UNKNOWN_TOPIC_OR_PARTITION with its default message, an unknown partition without one; a partition another broker leads
 * NOT_LEADER_OR_FOLLOWER; else every producer with state on it: id, epoch, last sequence (-1 when
 * it only wrote markers), last timestamp, the coordinator epoch of its last marker (-1 if none)
 * and the first offset of its open transaction (-1 if none). Producers idle past
 * producer.id.expiration.ms disappear at the next expiry check, as on Kafka.
 *
 * Version 0.
 */
import { DescribeProducersApi } from '../../protocol/messages/describe-producers.js';
import type { DescribeProducersResponsePartitionResponse } from '../../protocol/messages/describe-producers.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';
import { topicNameProblem } from '../cluster/topics.js';
import { leaderPartition } from '../cluster/partition-access.js';

function failed(partitionIndex: number, errorCode: number, errorMessage: string | null = null): DescribeProducersResponsePartitionResponse {
  return { partitionIndex, errorCode, errorMessage, activeProducers: [] };
}

export const describeProducersHandler = defineHandler(DescribeProducersApi, {
  handle(ctx, req) {
    // KafkaApis.handleDescribeProducersRequest: READ on the topic.
    const allowed = authorizedNames(ctx, AclOperation.READ, ResourceType.TOPIC, req.topics.map((t) => t.name));
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (!allowed.has(t.name)) {
          return { name: t.name, partitions: t.partitionIndexes.map((p) => failed(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message)) };
        }
        const problem = topicNameProblem(t.name);
        const topic = ctx.cluster.topics.get(t.name);
        return {
          name: t.name,
          partitions: t.partitionIndexes.map((index) => {
            if (problem !== null) return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
            // Kafka's topic-level check carries the error's default message; its partition lookup none.
            if (topic === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message);
            const access = leaderPartition(ctx.cluster, ctx.broker.nodeId, topic, index);
            if (access.partition === null) return failed(index, access.errorCode);
            const activeProducers = [...access.partition.producerState.activeProducers()].map((e) => ({
              producerId: BigInt(e.producerId),
              producerEpoch: e.producerEpoch,
              lastSequence: e.lastSeq,
              lastTimestamp: BigInt(e.lastTimestamp),
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: BigInt(e.currentTxnFirstOffset ?? -1),
            }));
            return { partitionIndex: index, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
          }),
        };
      }),
    };
  },

  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => failed(p, code)) })) };
  },
});
