/**
 * InitProducerId (key 22): producer ids and epochs for idempotent and transactional producers,
 * from the transaction coordinator (src/server/coordinators/txn/transaction-coordinator.ts), as Kafka's
 * KafkaApis.handleInitProducerIdRequest and TransactionCoordinator.handleInitProducerId.
 *
 * - Only one of producerId and producerEpoch given: INVALID_REQUEST (KafkaApis).
 * - Without a transactionalId: a new producer id (ids start at 0, as on a fresh Kafka cluster) at
 *   epoch 0, whatever was given: an idempotent producer's KIP-360 epoch bump gets a fresh id.
 * - With one: '' INVALID_REQUEST; transactionTimeoutMs <= 0 or above transaction.max.timeout.ms
 *   (900000) INVALID_TRANSACTION_TIMEOUT; a broker that does not coordinate the id NOT_COORDINATOR;
 *   then the coordinator: a new id starts at epoch 0; each call bumps the epoch and fences the
 *   previous producer (its requests get PRODUCER_FENCED, its produce INVALID_PRODUCER_EPOCH); an
 *   open transaction is aborted first and the answer is CONCURRENT_TRANSACTIONS, so that the
 *   client retries (this is also how Admin.fenceProducers ends a transaction); KIP-360 recovery
 *   (producerId and epoch given) bumps the epoch when they are current, returns the same epoch
 *   again for a retry of the last bump, and answers PRODUCER_FENCED otherwise; an exhausted epoch
 *   (32766) moves to a new producer id at epoch 0.
 * - PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v4, which older clients understand.
 *
 * Versions 0-5, as Kafka 4.x advertises them: v6 (KIP-939, two-phase commit) is one of Kafka's
 * unstable versions, not served by default.
 */
import { InitProducerIdApi } from '../../protocol/messages/init-producer-id.js';
import type { InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizeByResourceType, authorizeCluster } from './authorize.js';
import { coordinatesTransaction } from './txn-support.js';

export const initProducerIdHandler = defineHandler(InitProducerIdApi, {
  maxVersion: 5,

  handle(ctx, req) {
    const givenId = req.producerId !== -1n;
    const givenEpoch = req.producerEpoch !== -1;
    if (givenId !== givenEpoch) return failed(ErrorCode.INVALID_REQUEST);
    const coordinator = ctx.txns;
    const id = req.transactionalId;
    // KafkaApis.handleInitProducerIdRequest: WRITE on the transactional id; an idempotent producer
    // needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    if (id !== null) {
      if (!authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    } else if (!authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE, { logIfDenied: false }) && !authorizeByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    }
    if (id !== null && id !== '' && coordinator.validTransactionTimeout(req.transactionTimeoutMs) && !coordinatesTransaction(ctx, id)) {
      return failed(ErrorCode.NOT_COORDINATOR);
    }
    const expected = givenId ? { producerId: Number(req.producerId), producerEpoch: req.producerEpoch } : null;
    const result = coordinator.initProducerId(id, req.transactionTimeoutMs, expected);
    const errorCode = result.errorCode === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : result.errorCode;
    return {
      throttleTimeMs: 0,
      errorCode,
      producerId: BigInt(result.producerId),
      producerEpoch: result.producerEpoch,
      ongoingTxnProducerId: -1n,
      ongoingTxnProducerEpoch: -1,
    };
  },

  errorResponse(_ctx, _req, code) {
    return failed(code);
  },
});

function failed(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1, ongoingTxnProducerId: -1n, ongoingTxnProducerEpoch: -1 };
}
