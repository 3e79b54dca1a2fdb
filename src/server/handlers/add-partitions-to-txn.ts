/**
 * AddPartitionsToTxn (key 24): adds partitions to a producer's open transaction (starting it), as
 * Kafka's KafkaApis.handleAddPartitionsToTxnRequest and TransactionCoordinator.
 *
 * Two forms, both served as Kafka serves them:
 * - v0-3, from clients: one transaction; the answer is per topic and partition.
 * - v4+, the batched form Kafka's brokers send to the coordinator (KIP-890 part 1): several
 *   transactions, each either added or, with verifyOnly, only checked (NONE for a partition in the
 *   transaction, TRANSACTION_ABORTABLE for one that is not); the answer is per transaction.
 *
 * Per transaction, in Kafka's order: a partition that does not exist fails the whole transaction
 * (UNKNOWN_TOPIC_OR_PARTITION for it, OPERATION_NOT_ATTEMPTED for the others); v0-3 may not name an
 * internal topic (TOPIC_AUTHORIZATION_FAILED, since Kafka leaves internal topics out of the
 * authorized set: AddOffsetsToTxn is the way to add __consumer_offsets); a broker that does not
 * coordinate the id: NOT_COORDINATOR; then the coordinator's answer for every partition:
 * INVALID_REQUEST (''), INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
 * below v2), CONCURRENT_TRANSACTIONS, or NONE.
 *
 * ACLs: v4+ needs CLUSTER_ACTION on the cluster; v0-3 WRITE on the transactional id and on each
 * topic (see refusal()).
 */
import { AddPartitionsToTxnApi } from '../../protocol/messages/add-partitions-to-txn.js';
import type {
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  AddPartitionsToTxnResponse,
  AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../../protocol/messages/add-partitions-to-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizeCluster, authorizedNames } from './authorize.js';
import type { RequestContext } from './handler.js';
import { INTERNAL_TOPICS } from '../cluster/topics.js';
import type { TxnPartition } from '../coordinators/txn/transaction-metadata.js';
import { coordinatesTransaction } from './txn-support.js';

interface TxnRequest {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly verifyOnly: boolean;
  readonly topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
}

export const addPartitionsToTxnHandler = defineHandler(AddPartitionsToTxnApi, {
  handle(ctx, req) {
    const refused = refusal(ctx, req);
    if (refused !== null) return refused;
    if (ctx.apiVersion < 4) {
      const topics = addToTransaction(ctx, {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: req.v3AndBelowTopics,
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: topics };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: req.transactions.map((t) => ({ transactionalId: t.transactionalId, topicResults: addToTransaction(ctx, t) })),
      resultsByTopicV3AndBelow: [],
    };
  },

  errorResponse(ctx, req, code): AddPartitionsToTxnResponse {
    if (ctx.apiVersion < 4) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: sameCode(req.v3AndBelowTopics, code) };
    return { throttleTimeMs: 0, errorCode: code, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
  },
});

/**
 * KafkaApis.handleAddPartitionsToTxnRequest's checks: v4+ (from brokers) needs CLUSTER_ACTION;
 * v0-3 WRITE on the transactional id, then WRITE on each topic: a refused topic answers
 * TOPIC_AUTHORIZATION_FAILED, unknown partitions UNKNOWN_TOPIC_OR_PARTITION, the rest
 * OPERATION_NOT_ATTEMPTED, and nothing is added.
 */
function refusal(ctx: RequestContext, req: AddPartitionsToTxnRequest): AddPartitionsToTxnResponse | null {
  if (ctx.authorizer === null) return null;
  if (ctx.apiVersion >= 4) {
    return authorizeCluster(ctx, AclOperation.CLUSTER_ACTION) ? null : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
  }
  const answer = (codeOf: (topic: string, p: number) => number): AddPartitionsToTxnResponse => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    resultsByTransaction: [],
    resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(t.name, p) })) })),
  });
  if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.v3AndBelowTransactionalId)) return answer(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const allowed = authorizedNames(ctx, AclOperation.WRITE, ResourceType.TOPIC, req.v3AndBelowTopics.map((t) => t.name));
  if (req.v3AndBelowTopics.every((t) => allowed.has(t.name))) return null;
  return answer((topic, p) => {
    if (!allowed.has(topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    return ctx.cluster.topics.partition(topic, p) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED;
  });
}

function sameCode(topics: readonly AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], code: number): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code })) }));
}

function addToTransaction(ctx: RequestContext, t: TxnRequest): AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[] {
  const registry = ctx.cluster.topics;
  const codes = new Map<string, number>();
  const keyOf = (topic: string, p: number) => `${p}:${topic}`;
  const partitions: TxnPartition[] = [];
  let failed = false;
  for (const topic of t.topics) {
    for (const p of topic.partitions) {
      const k = keyOf(topic.name, p);
      if (codes.has(k)) continue;
      let code: number = ErrorCode.NONE;
      if (ctx.apiVersion < 4 && INTERNAL_TOPICS.has(topic.name)) code = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      else if (registry.partition(topic.name, p) === undefined) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (code !== ErrorCode.NONE) failed = true;
      else partitions.push({ topic: topic.name, partition: p });
      codes.set(k, code);
    }
  }
  const answer = (codeOf: (topic: string, p: number) => number) =>
    t.topics.map((topic) => ({ name: topic.name, resultsByPartition: topic.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(topic.name, p) })) }));
  if (failed) {
    return answer((topic, p) => {
      const code = codes.get(keyOf(topic, p)) ?? ErrorCode.NONE;
      return code === ErrorCode.NONE ? ErrorCode.OPERATION_NOT_ATTEMPTED : code;
    });
  }
  if (t.transactionalId !== '' && !coordinatesTransaction(ctx, t.transactionalId)) return answer(() => ErrorCode.NOT_COORDINATOR);
  const coordinator = ctx.txns;
  if (t.verifyOnly) {
    const verified = coordinator.verifyPartitions(t.transactionalId, Number(t.producerId), t.producerEpoch, partitions);
    const byKey = new Map(partitions.map((p, i) => [keyOf(p.topic, p.partition), verified[i]!]));
    return answer((topic, p) => byKey.get(keyOf(topic, p)) ?? ErrorCode.NONE);
  }
  // Kafka's transactionVersionForAddPartitionsToTxn: the broker-to-coordinator form (v4+) adds for transactions V2 producers.
  const clientTransactionVersion = ctx.apiVersion >= 4 ? 2 : 0;
  let code = coordinator.addPartitions(t.transactionalId, Number(t.producerId), t.producerEpoch, partitions, clientTransactionVersion);
  if (code === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) code = ErrorCode.INVALID_PRODUCER_EPOCH;
  return answer(() => code);
}
