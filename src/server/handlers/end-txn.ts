/**
 * EndTxn (key 26): commits or aborts a producer's open transaction, as Kafka's
 * KafkaApis.handleEndTxnRequest and TransactionCoordinator.handleEndTransaction: the outcome is
 * written to __transaction_state, a COMMIT or ABORT marker is written into every partition of the
 * transaction (each taking an offset; __consumer_offsets partitions make the transaction's
 * offsets visible or drop them), and the transaction completes.
 *
 * Codes: NOT_COORDINATOR; INVALID_REQUEST (''); INVALID_PRODUCER_ID_MAPPING (unknown id, another
 * producer id); PRODUCER_FENCED for another epoch (INVALID_PRODUCER_EPOCH below v2);
 * INVALID_TXN_STATE for nothing open or the other outcome of a completed transaction; NONE again
 * for a retry of the outcome just completed. producerId/producerEpoch (v5) are answered with the
 * producer's, -1 on error.
 *
 * Versions 0-5. v5 is transactions V2 (KIP-890 part 2, used by clients once transaction.version 2
 * is finalized): every EndTxn bumps the epoch, an abort with nothing open is allowed, and the
 * answer carries the producer id and epoch the producer goes on with (see
 * coordinators/txn/end-txn-decision.ts).
 * Deviation: markers are written before the answer, so the transaction is complete when the client
 * hears back (Kafka answers once the outcome is logged and writes markers afterwards).
 *
 * ACLs (KafkaApis): WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import { EndTxnApi } from '../../protocol/messages/end-txn.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, requireResourceOperation } from './authorize.js';
import { coordinatesTransaction } from './txn-support.js';

export const endTxnHandler = requireResourceOperation(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, (req) => req.transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, defineHandler(EndTxnApi, {
  maxVersion: 5,

  handle(ctx, req) {
    if (req.transactionalId !== '' && !coordinatesTransaction(ctx, req.transactionalId)) return failed(ErrorCode.NOT_COORDINATOR);
    const clientTransactionVersion = ctx.apiVersion >= 5 ? 2 : 0;
    const result = ctx.txns.endTxn(req.transactionalId, Number(req.producerId), req.producerEpoch, req.committed, clientTransactionVersion);
    const errorCode = result.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : result.errorCode;
    return { throttleTimeMs: 0, errorCode, producerId: BigInt(result.producerId), producerEpoch: result.producerEpoch };
  },

  errorResponse(_ctx, _req, code) {
    return failed(code);
  },
}));

function failed(errorCode: number) {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
}
