/**
 * TxnOffsetCommit (key 28): a transactional producer commits a consumer group's offsets as part of
 * its transaction (sendOffsetsToTransaction), as Kafka's KafkaApis.handleTxnOffsetCommitRequest and
 * the group coordinator's commitTransactionalOffsets. The offsets are written to __consumer_offsets
 * at once but become visible to OffsetFetch only when the transaction commits (see
 * src/server/coordinators/group/txn-offsets.ts).
 *
 * Order of checks, as Kafka: a topic or partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION
 * for it (the others go on); an empty group id: INVALID_GROUP_ID; a broker that does not coordinate
 * the group: NOT_COORDINATOR; the transaction's verification (KIP-890 part 1) unless the producer
 * already has its transaction open on the group's __consumer_offsets partition: that partition
 * must be in the transaction (AddOffsetsToTxn), else TRANSACTION_ABORTABLE from v4 and
 * INVALID_TXN_STATE below; PRODUCER_FENCED from the coordinator is INVALID_PRODUCER_EPOCH;
 * INVALID_PRODUCER_ID_MAPPING and CONCURRENT_TRANSACTIONS as they are; then the group checks
 * (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) and the producer epoch on the
 * partition (INVALID_PRODUCER_EPOCH). Such errors apply to every remaining partition;
 * OFFSET_METADATA_TOO_LARGE to one.
 *
 * Versions 0-6. From v5 (transactions V2, KIP-890 part 2) the group's __consumer_offsets partition
 * is added to the transaction here instead of only verified (the producer sends no
 * AddOffsetsToTxn), with the same answers. v6 (KIP-1319) names topics by id: an id that names no
 * topic, the zero id included, is UNKNOWN_TOPIC_ID for its partitions, refused first like an
 * unknown partition; answers carry the id and an empty name (checked against Kafka 4.4).
 */
import { TxnOffsetCommitApi } from '../../protocol/messages/txn-offset-commit.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitRequestTopic, TxnOffsetCommitResponseTopic } from '../../protocol/messages/txn-offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizedNames } from './authorize.js';
import type { RequestContext } from './handler.js';
import { OFFSETS_TOPIC } from '../coordinators/group/group-coordinator.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { coordinatesGroup } from './group-support.js';

function allFailed(topics: readonly TxnOffsetCommitRequestTopic[], code: number, byId = false): TxnOffsetCommitResponseTopic[] {
  return topics.map((t) => ({ name: byId ? '' : t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) }));
}

export const txnOffsetCommitHandler = defineHandler(TxnOffsetCommitApi, {
  handle(ctx, req) {
    // KafkaApis.handleTxnOffsetCommitRequest: WRITE on the transactional id, READ on the group,
    // then READ on each topic (refused topics: TOPIC_AUTHORIZATION_FAILED, not committed).
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return { throttleTimeMs: 0, topics: allFailed(req.topics, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, topics: allFailed(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    const registry = ctx.cluster.topics;
    const byId = ctx.apiVersion >= 6;
    // v6 names topics by id: an id that names no topic (the zero id too) is UNKNOWN_TOPIC_ID.
    const named = req.topics.map((t) => (byId ? { ...t, name: t.topicId === ZERO_UUID ? '' : (registry.getById(t.topicId)?.name ?? '') } : t));
    const readable = authorizedNames(ctx, AclOperation.READ, ResourceType.TOPIC, named.flatMap((t) => (t.name === '' && byId ? [] : [t.name])));
    // Kafka's TxnOffsetCommitResponse.Builder: the partitions it refuses first, in request order.
    const unknown = new ResponseTopics(byId);
    const valid: TxnOffsetCommitRequestTopic[] = [];
    for (const t of named) {
      const refusal = byId && t.name === '' ? ErrorCode.UNKNOWN_TOPIC_ID : !readable.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE;
      if (refusal !== ErrorCode.NONE) {
        unknown.add(t, t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: refusal })));
        continue;
      }
      const topic = registry.get(t.name);
      const good = t.partitions.filter((p) => {
        if (topic?.partitions[p.partitionIndex] !== undefined) return true;
        unknown.add(t, [{ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }]);
        return false;
      });
      if (good.length > 0) valid.push({ ...t, partitions: good });
    }
    const answer = (committed: TxnOffsetCommitResponseTopic[]) => ({ throttleTimeMs: 0, topics: unknown.merge(committed, valid) });
    if (valid.length === 0) return answer([]);
    const code = preCommitError(ctx, req);
    if (code !== ErrorCode.NONE) return answer(allFailed(valid, code));
    const result = ctx.groups.commitTransactionalOffsets(req, valid);
    return answer(typeof result === 'number' ? allFailed(valid, result) : result);
  },

  errorResponse(ctx, req, code) {
    return { throttleTimeMs: 0, topics: allFailed(req.topics, code, ctx.apiVersion >= 6) };
  },
});

/** The checks that fail the whole request: group id, coordinator, transaction verification. */
function preCommitError(ctx: RequestContext, req: TxnOffsetCommitRequest): number {
  if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  if (!coordinatesGroup(ctx, req.groupId)) return ErrorCode.NOT_COORDINATOR;
  const partition = ctx.groups.offsetsPartitionOf(req.groupId);
  const producerId = Number(req.producerId);
  if (partition.producerState.hasOngoingTransaction(producerId, req.producerEpoch)) return ErrorCode.NONE;
  const tp = [{ topic: OFFSETS_TOPIC, partition: partition.partition }];
  const [code = ErrorCode.NONE] =
    ctx.apiVersion >= 5 ? [ctx.txns.addPartitions(req.transactionalId, producerId, req.producerEpoch, tp, 2)] : ctx.txns.verifyPartitions(req.transactionalId, producerId, req.producerEpoch, tp);
  switch (code) {
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return ctx.apiVersion >= 4 ? code : ErrorCode.INVALID_TXN_STATE;
    default:
      return code;
  }
}

/**
 * Response topics in the order Kafka's builder produces them, keyed by name, or from v6 by topic
 * id (the answer then carries the id and an empty name, as Kafka's).
 */
class ResponseTopics {
  readonly #topics: TxnOffsetCommitResponseTopic[] = [];
  readonly #byKey = new Map<string, TxnOffsetCommitResponseTopic>();

  constructor(private readonly byId: boolean) {}

  add(topic: { readonly name: string; readonly topicId: string }, partitions: TxnOffsetCommitResponseTopic['partitions']): void {
    const key = this.byId ? topic.topicId : topic.name;
    let t = this.#byKey.get(key);
    if (t === undefined) {
      t = this.byId ? { name: '', topicId: topic.topicId, partitions: [] } : { name: topic.name, topicId: ZERO_UUID, partitions: [] };
      this.#topics.push(t);
      this.#byKey.set(key, t);
    }
    t.partitions.push(...partitions);
  }

  /** The coordinator's answer (by topic name) joined in: its partitions after ours, its new topics at the end. */
  merge(committed: readonly TxnOffsetCommitResponseTopic[], sent: readonly TxnOffsetCommitRequestTopic[]): TxnOffsetCommitResponseTopic[] {
    const idOf = new Map(sent.map((t) => [t.name, t.topicId]));
    for (const t of committed) this.add({ name: t.name, topicId: idOf.get(t.name) ?? t.topicId }, t.partitions);
    return this.#topics;
  }
}
