/**
 * DescribeTransactions (key 65, KIP-664): the state of transactional ids, as Kafka's
 * TransactionCoordinator.handleDescribeTransactions: per id NOT_COORDINATOR when another broker
 * coordinates it, INVALID_REQUEST for '', TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expiring)
 * id, else its state name (Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit,
 * CompleteAbort), timeout, start time (-1 when no transaction was started), producer id and epoch,
 * and the partitions of the open transaction.
 *
 * Version 0.
 */
import { DescribeTransactionsApi, defaultDescribeTransactionsResponseTransactionState } from '../../protocol/messages/describe-transactions.js';
import type { DescribeTransactionsResponseTransactionState } from '../../protocol/messages/describe-transactions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import { coordinatesTransaction } from './txn-support.js';

/** An error answer: Kafka sets only the id and the code, the rest keeps the message defaults. */
function failed(transactionalId: string, errorCode: number): DescribeTransactionsResponseTransactionState {
  return { ...defaultDescribeTransactionsResponseTransactionState(), errorCode, transactionalId };
}

export const describeTransactionsHandler = defineHandler(DescribeTransactionsApi, {
  handle(ctx, req) {
    const coordinator = ctx.txns;
    return {
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((transactionalId) => {
        // KafkaApis.handleDescribeTransactionsRequest: DESCRIBE on the id; only describable topics listed.
        if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) return failed(transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        if (transactionalId !== '' && !coordinatesTransaction(ctx, transactionalId)) return failed(transactionalId, ErrorCode.NOT_COORDINATOR);
        const d = coordinator.describe(transactionalId);
        if (d.errorCode !== ErrorCode.NONE) return failed(transactionalId, d.errorCode);
        return {
          errorCode: ErrorCode.NONE,
          transactionalId,
          transactionState: d.state,
          transactionTimeoutMs: d.transactionTimeoutMs,
          transactionStartTimeMs: BigInt(d.transactionStartTimeMs),
          producerId: BigInt(d.producerId),
          producerEpoch: d.producerEpoch,
          topics: ctx.authorizer === null ? d.topics : d.topics.filter((t) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)),
        };
      }),
    };
  },

  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, transactionStates: req.transactionalIds.map((id) => failed(id, code)) };
  },
});
