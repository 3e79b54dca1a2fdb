/**
 * DescribeTopicPartitions (key 75), v0: topic metadata in pages, for admin clients (KIP-966).
 *
 * Behaviour (DescribeTopicPartitionsRequestHandler and KRaftMetadataCache):
 * - topics empty: every existing topic; otherwise the named ones (duplicates answered once);
 *   either way only names >= the cursor's topic, sorted by name;
 * - a cursor whose topic is not among the named topics, or with a negative partition, is
 *   INVALID_REQUEST for every requested topic;
 * - the page holds at most max(min(responsePartitionLimit, 2000), 1) partitions (2000 is Kafka's
 *   max.request.partition.size.limit); the cursor's topic starts at the cursor's partition. When a
 *   topic is cut short, nextCursor points at its first partition left out; when the page is full
 *   at a topic boundary, nextCursor points at the next topic, partition 0;
 * - a named topic that does not exist: UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an
 *   invalid name), taking no room in the page; when listing all topics none are reported;
 * - every topic carries topicAuthorizedOperations (all topic operations, as Kafka without an
 *   authorizer); partitions carry empty ELR and last-known-ELR lists.
 *
 * Cost: O(selected topics · log) to sort them plus the partitions of one page.
 */
import { DescribeTopicPartitionsApi } from '../../protocol/messages/describe-topic-partitions.js';
import type { DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, DescribeTopicPartitionsResponseTopic, DescribeTopicPartitionsResponsePartition, DescribeTopicPartitionsResponseCursor } from '../../protocol/messages/describe-topic-partitions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizedOperations } from './authorize.js';
import { topicNameProblem, INTERNAL_TOPICS } from '../cluster/topics.js';
import { AUTHORIZED_OPERATIONS_OMITTED, TOPIC_AUTHORIZED_OPERATIONS } from './authorized-operations.js';

/** max.request.partition.size.limit's default. */
const MAX_PARTITIONS_PER_RESPONSE = 2000;

export const describeTopicPartitionsHandler = defineHandler(DescribeTopicPartitionsApi, {
  handle(ctx, req) {
    const cluster = ctx.cluster;
    const cursor = req.cursor;
    const from = cursor?.topicName ?? '';
    const fetchAll = req.topics.length === 0;
    let names: string[];
    if (fetchAll) {
      names = [];
      for (const t of cluster.topics.all()) if (t.name >= from) names.push(t.name);
    } else {
      names = [...new Set(req.topics.map((t) => t.name))].filter((n) => n >= from);
      if (cursor && !names.includes(cursor.topicName)) return errorResponse(req, ErrorCode.INVALID_REQUEST);
    }
    if (cursor && cursor.partitionIndex < 0) return errorResponse(req, ErrorCode.INVALID_REQUEST);
    // Java's String.compareTo; names are ASCII, so code-unit order is the same.
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // DescribeTopicPartitionsRequestHandler: DESCRIBE on each topic; refused named topics are
    // answered after the others (without id), refused ones of a listing left out.
    const denied = ctx.authorizer === null ? [] : names.filter((n) => !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, n));
    if (denied.length > 0) names = names.filter((n) => !denied.includes(n));

    let remaining = Math.max(Math.min(MAX_PARTITIONS_PER_RESPONSE, req.responsePartitionLimit), 1);
    const topics: DescribeTopicPartitionsResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponseCursor | null = null;
    for (const name of names) {
      if (remaining === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const topic = cluster.topics.get(name);
      if (!topic) {
        if (!fetchAll) {
          const code = topicNameProblem(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION;
          topics.push({ errorCode: code, name, topicId: ZERO_UUID, isInternal: INTERNAL_TOPICS.has(name), partitions: [], topicAuthorizedOperations: TOPIC_AUTHORIZED_OPERATIONS });
        }
        continue;
      }
      const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const size = topic.partitions.length;
      const upper = Math.min(size, start + remaining);
      const partitions: DescribeTopicPartitionsResponsePartition[] = [];
      for (let i = start; i < upper; i++) {
        partitions.push({
          errorCode: ErrorCode.NONE,
          partitionIndex: i,
          leaderId: cluster.leaderFor(topic, i),
          leaderEpoch: topic.partitions[i]!.leaderEpoch,
          replicaNodes: cluster.replicasFor(topic, i),
          isrNodes: cluster.isrFor(topic, i),
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: cluster.offlineReplicasFor(topic, i),
        });
      }
      topics.push({ errorCode: ErrorCode.NONE, name, topicId: topic.id, isInternal: topic.internal, partitions, topicAuthorizedOperations: authorizedOperations(ctx, true, TOPIC_AUTHORIZED_OPERATIONS, ResourceType.TOPIC, name) });
      if (upper < size) {
        nextCursor = { topicName: name, partitionIndex: upper };
        break;
      }
      remaining -= partitions.length;
    }
    if (!fetchAll) {
      for (const name of denied) topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED });
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
  errorResponse(_ctx, req, code) {
    return errorResponse(req, code);
  },
});

/** DescribeTopicPartitionsRequest.getErrorResponse: every requested topic with one code. */
function errorResponse(req: DescribeTopicPartitionsRequest, code: number): DescribeTopicPartitionsResponse {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ errorCode: code, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED })),
    nextCursor: null,
  };
}
