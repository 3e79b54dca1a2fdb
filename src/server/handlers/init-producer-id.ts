/**
 * InitProducerId (key 22), for idempotent producers only (the Java client and franz-go are
 * idempotent by default, so they call this before their first produce).
 *
 * Without a transactionalId, as Kafka's TransactionCoordinator.handleInitProducerId: a new
 * producer id from the cluster's allocator (src/server/producer-ids.ts; ids start at 0, as a
 * fresh Kafka cluster's) and epoch 0, whatever producerId/epoch the request carries (KIP-360
 * epoch bumps of an idempotent producer get a fresh id, as in Kafka). A request giving only one of
 * producerId and producerEpoch: INVALID_REQUEST, as KafkaApis. An empty transactionalId:
 * INVALID_REQUEST, as the coordinator.
 *
 * With a transactionalId: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, until the transaction
 * coordinator exists. Clients treat it as fatal at once (Java: TransactionalIdAuthorizationException
 * from initTransactions(), librdkafka and franz-go likewise), where COORDINATOR_NOT_AVAILABLE would
 * make them retry until their timeout (60 s in Java) and fail with a vague TimeoutException. The
 * broker logs a warning saying transactions are not supported, so the cause is findable.
 * Deviation: Kafka would serve the transaction.
 *
 * Versions 0-6; the 2PC fields of v6 (KIP-939) are ignored and the ongoing-transaction fields
 * answered -1.
 */
import { InitProducerIdApi } from '../../protocol/messages/init-producer-id.js';
import type { InitProducerIdResponse } from '../../protocol/messages/init-producer-id.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { producerIdsOf } from '../producer-ids.js';

export const initProducerIdHandler = defineHandler(InitProducerIdApi, {
  handle(ctx, req) {
    const givenId = req.producerId !== -1n;
    const givenEpoch = req.producerEpoch !== -1;
    if (givenId !== givenEpoch) return failed(ErrorCode.INVALID_REQUEST);
    if (req.transactionalId !== null) {
      if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
      ctx.broker.logger.warn(
        `InitProducerId for transactional id '${req.transactionalId}' from client ${ctx.clientId ?? '(none)'}: transactions are not supported yet; answering TRANSACTIONAL_ID_AUTHORIZATION_FAILED`,
      );
      return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const producerId = producerIdsOf(ctx.broker.cluster).allocate();
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: BigInt(producerId),
      producerEpoch: 0,
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
