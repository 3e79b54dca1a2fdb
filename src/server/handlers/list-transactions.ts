/**
 * ListTransactions (key 66, KIP-664): the transactional ids this broker coordinates, as Kafka's
 * TransactionStateManager.listTransactionStates: filtered by state names (unknown names are
 * returned in unknownStateFilters and match nothing), by producer ids, from v1 by duration
 * (only transactions started longer ago than durationFilter ms; -1 none) and from v2 by a
 * regular expression the whole transactional id must match (null or '': none). Ids being expired
 * (Dead) are never listed.
 *
 * Versions 0-2. With several brokers in one cluster each lists the ids it coordinates, as on Kafka
 * (the Admin client asks every broker).
 * Deviation: the pattern is a JavaScript regular expression (Kafka: java.util.regex); an invalid one
 * is INVALID_REGULAR_EXPRESSION.
 */
import { ListTransactionsApi } from '../../protocol/messages/list-transactions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';

export const listTransactionsHandler = defineHandler(ListTransactionsApi, {
  handle(ctx, req) {
    const coordinator = ctx.txns;
    const listed = coordinator.list({
      states: req.stateFilters,
      producerIds: req.producerIdFilters.map(Number),
      durationMs: ctx.apiVersion >= 1 ? Number(req.durationFilter) : -1,
      transactionalIdPattern: ctx.apiVersion >= 2 ? req.transactionalIdPattern : null,
    });
    const nodeId = ctx.broker.nodeId;
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      unknownStateFilters: listed.unknownStateFilters,
      transactionStates: listed.transactions
        .filter((t) => coordinator.isCoordinator(t.transactionalId, nodeId))
        // KafkaApis.handleListTransactionsRequest: only ids the principal may describe.
        .filter((t) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId))
        .map((t) => ({ transactionalId: t.transactionalId, producerId: BigInt(t.producerId), transactionState: t.state })),
    };
  },

  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, unknownStateFilters: [], transactionStates: [] };
  },
});
