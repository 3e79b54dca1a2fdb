/**
 * The producer checks of a Produce before its batch is appended (produce.ts's checkProducerState),
 * as Kafka's ReplicaManager.handleProduceAppend and UnifiedLog.analyzeAndValidateProducerState:
 *
 * 1. Transaction verification (KIP-890 part 1, transaction.partition.verification.enable): the
 *    first transactional batch of a producer on a partition (no transaction of it open there at
 *    this epoch) is
 *    checked with the transaction coordinator, which must have the partition in the producer's
 *    open transaction. Its answers reach the producer as Kafka translates them:
 *    not in the transaction: TRANSACTION_ABORTABLE from Produce v11, INVALID_TXN_STATE ("Partition
 *    was not added to the transaction") below; PRODUCER_FENCED: INVALID_PRODUCER_EPOCH;
 *    CONCURRENT_TRANSACTIONS and coordinator errors: NOT_ENOUGH_REPLICAS (which old clients retry);
 *    INVALID_PRODUCER_ID_MAPPING as it is. These errors carry no log start offset.
 *    From Produce v12 (transactions V2, KIP-890 part 2) the broker adds the partition to the
 *    transaction instead of only checking it (Kafka's TransactionSupportedOperation addPartition):
 *    the producer sends no AddPartitionsToTxn; the coordinator's answers map as above.
 * 2. The partition's producer state (src/log/producer-state.ts): duplicates, epochs, sequences,
 *    a non-transactional batch inside an open transaction. These errors carry the log start offset.
 */
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import type { Partition } from '../../log/partition.js';
import type { BatchMetadata } from '../../log/producer-state.js';
import type { RequestContext } from './handler.js';

export interface ProducerBatchInfo {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
  /** lastOffset - baseOffset of the batch. */
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: number;
  readonly isTransactional: boolean;
  readonly transactionalId: string | null;
}

/** A failure of a partition's produce: a Kafka code and what the response carries with it. */
export interface Failure {
  readonly errorCode: number;
  readonly message: string;
  /** Kafka reports the log start offset for unexpected failures only (ReplicaManager.appendToLocalLog). */
  readonly withLogStart?: boolean;
  readonly errorMessage?: string;
  readonly recordErrors?: { batchIndex: number; batchIndexErrorMessage: string | null }[];
}

/** Produce versions from which TRANSACTION_ABORTABLE is answered (KIP-890). */
const TRANSACTION_ABORTABLE_MIN_VERSION = 11;
/** Produce versions from which the broker adds a transaction's partitions itself (KIP-890 part 2). */
const ADD_PARTITION_MIN_VERSION = 12;

export function producerChecks(ctx: RequestContext, partition: Partition, batch: ProducerBatchInfo, firstOffset: number): Failure | { readonly duplicate: BatchMetadata } | null {
  if (batch.producerId < 0) return null;
  const state = partition.producerState;
  if (batch.isTransactional && batch.transactionalId !== null && !state.hasOngoingTransaction(batch.producerId, batch.producerEpoch)) {
    const failure = verifyTransaction(ctx, partition, batch, batch.transactionalId);
    if (failure !== null) return failure;
  }
  const check = state.checkData(
    {
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      lastOffsetDelta: batch.lastOffsetDelta,
      maxTimestamp: batch.maxTimestamp,
      isTransactional: batch.isTransactional,
    },
    firstOffset,
    'client',
  );
  if (check === null || 'duplicate' in check) return check;
  return { errorCode: ErrorCode[check.error], message: check.message, withLogStart: true };
}

function verifyTransaction(ctx: RequestContext, partition: Partition, batch: ProducerBatchInfo, transactionalId: string): Failure | null {
  const coordinator = ctx.txns;
  const tp = [{ topic: partition.topic, partition: partition.partition }];
  const [code] =
    ctx.apiVersion >= ADD_PARTITION_MIN_VERSION
      ? [coordinator.addPartitions(transactionalId, batch.producerId, batch.producerEpoch, tp, 2)]
      : coordinator.verifyPartitions(transactionalId, batch.producerId, batch.producerEpoch, tp);
  switch (code) {
    case ErrorCode.NONE:
    case undefined:
      return null;
    case ErrorCode.TRANSACTION_ABORTABLE:
      if (ctx.apiVersion >= TRANSACTION_ABORTABLE_MIN_VERSION) return { errorCode: code, message: 'the partition is not in the transaction' };
      return { errorCode: ErrorCode.INVALID_TXN_STATE, message: 'Partition was not added to the transaction', errorMessage: 'Partition was not added to the transaction' };
    case ErrorCode.PRODUCER_FENCED:
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: 'the transaction coordinator has a newer epoch' };
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.NETWORK_EXCEPTION: {
      const message = `Unable to verify the partition has been added to the transaction. Underlying error: ${errorInfo(code).name}`;
      return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, message, errorMessage: message };
    }
    default:
      return { errorCode: code, message: `transaction verification failed with error ${code}` };
  }
}
