/**
 * AddOffsetsToTxn (key 25): adds a group's __consumer_offsets partition to a producer's
 * transaction, so that its TxnOffsetCommit may follow (sendOffsetsToTransaction), as Kafka's
 * KafkaApis.handleAddOffsetsToTxnRequest: the partition is abs(hash(groupId)) % the number of
 * __consumer_offsets partitions (the topic is created on first use), and the coordinator answers
 * as for AddPartitionsToTxn: NOT_COORDINATOR, INVALID_REQUEST (''), INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2), CONCURRENT_TRANSACTIONS, or NONE.
 *
 * Versions 0-4.
 *
 * ACLs (KafkaApis): WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the group (GROUP_AUTHORIZATION_FAILED).
 */
import { AddOffsetsToTxnApi } from '../../protocol/messages/add-offsets-to-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, requireResourceOperation } from './authorize.js';
import { OFFSETS_TOPIC } from '../coordinators/group/group-coordinator.js';
import { coordinatesTransaction } from './txn-support.js';

export const addOffsetsToTxnHandler = requireResourceOperation(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, (req) => req.transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, requireResourceOperation(AclOperation.READ, ResourceType.GROUP, (req) => req.groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, defineHandler(AddOffsetsToTxnApi, {
  handle(ctx, req) {
    if (req.transactionalId !== '' && !coordinatesTransaction(ctx, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR };
    const offsetsPartition = ctx.groups.offsetsPartitionOf(req.groupId);
    let errorCode = ctx.txns.addPartitions(req.transactionalId, Number(req.producerId), req.producerEpoch, [
      { topic: OFFSETS_TOPIC, partition: offsetsPartition.partition },
    ]);
    if (errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },

  errorResponse(_ctx, _req, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
})));
