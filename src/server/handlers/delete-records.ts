/**
 * DeleteRecords (key 21), v0-2: moves each partition's log start offset up to the requested offset
 * (-1: the high watermark) and answers the new log start as the low watermark. Whole segments
 * below it are dropped at once; records below it in the first remaining segment stay stored but
 * are out of range: a fetch below the log start gets OFFSET_OUT_OF_RANGE and consumers reset.
 *
 * Per partition, with Kafka's codes (KafkaApis.handleDeleteRecordsRequest,
 * ReplicaManager.deleteRecordsOnLocalLog, Partition.deleteRecordsOnLeader):
 * - unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION;
 * - internal topics (__consumer_offsets, __transaction_state, ...): INVALID_TOPIC_EXCEPTION;
 * - not the leader: NOT_LEADER_OR_FOLLOWER;
 * - cleanup.policy without delete (compact only): POLICY_VIOLATION;
 * - an offset below -1, or above the high watermark: OFFSET_OUT_OF_RANGE;
 * - an offset at or below the log start: nothing moves, the low watermark is the log start.
 * Failed partitions answer low watermark -1. With one replica the low watermark is reached when
 * the response is built, so timeoutMs is never waited on (Kafka waits for followers).
 *
 * Deviation: partitions are answered in request order, grouped as the request groups them (Kafka
 * groups by topic in hash-map order).
 */
import { DeleteRecordsApi } from '../../protocol/messages/delete-records.js';
import type { DeleteRecordsRequestDeleteRecordsPartition, DeleteRecordsResponse, DeleteRecordsResponseDeleteRecordsPartitionResult } from '../../protocol/messages/delete-records.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import { INTERNAL_TOPICS } from '../cluster/topics.js';
import type { Topic } from '../cluster/topics.js';
import { leaderPartition } from '../cluster/partition-access.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';

const HIGH_WATERMARK = -1n;

export const deleteRecordsHandler = defineHandler(DeleteRecordsApi, {
  handle(ctx, req): DeleteRecordsResponse {
    // KafkaApis.handleDeleteRecordsRequest: DELETE on the topic, before anything else.
    const allowed = authorizedNames(ctx, AclOperation.DELETE, ResourceType.TOPIC, req.topics.map((t) => t.name));
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (!allowed.has(t.name)) return { name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) };
        const topic = ctx.cluster.topics.get(t.name);
        return { name: t.name, partitions: t.partitions.map((p) => deletePartition(ctx, t.name, topic, p)) };
      }),
    };
  },

  errorResponse(_ctx, req, code) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, code)) })),
    };
  },
});

function failed(partitionIndex: number, errorCode: number): DeleteRecordsResponseDeleteRecordsPartitionResult {
  return { partitionIndex, lowWatermark: -1n, errorCode };
}

function deletePartition(ctx: RequestContext, name: string, topic: Topic | undefined, p: DeleteRecordsRequestDeleteRecordsPartition): DeleteRecordsResponseDeleteRecordsPartitionResult {
  const access = leaderPartition(ctx.cluster, ctx.broker.nodeId, topic, p.partitionIndex);
  if (access.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return failed(p.partitionIndex, access.errorCode);
  if (INTERNAL_TOPICS.has(name)) return failed(p.partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (access.partition === null) return failed(p.partitionIndex, access.errorCode);
  if (!ctx.cluster.configs.cleanupPolicy(topic!).delete) {
    ctx.logger.debug(`delete records of ${name}-${p.partitionIndex}: refused by cleanup.policy`);
    return failed(p.partitionIndex, ErrorCode.POLICY_VIOLATION);
  }
  const log = access.partition.log;
  if (p.offset < HIGH_WATERMARK || p.offset > BigInt(log.highWatermark)) return failed(p.partitionIndex, ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    const lowWatermark = log.deleteRecordsBefore(Number(p.offset));
    return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE };
  } catch (e) {
    if (!isKafkaError(e)) throw e;
    return failed(p.partitionIndex, e.code);
  }
}
