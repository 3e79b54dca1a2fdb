/**
 * What EndTxn does with a transactional id, as Kafka's TransactionCoordinator.endTransaction
 * decides it before anything is written: prepare the commit or abort, answer NONE for a retry of
 * an outcome already reached, or refuse with a code. Kept apart from the coordinator because the
 * rules differ with the transaction version the request speaks.
 *
 * Checks, in Kafka's order: another producer id INVALID_PRODUCER_ID_MAPPING; an invalid epoch
 * PRODUCER_FENCED; a pending transition (other than an epoch fence) CONCURRENT_TRANSACTIONS; then
 * by state:
 *
 *   state            commit                                 abort
 *   Ongoing          -> PrepareCommit                       -> PrepareAbort
 *   PrepareCommit    CONCURRENT_TRANSACTIONS                INVALID_TXN_STATE
 *   PrepareAbort     INVALID_TXN_STATE                      CONCURRENT_TRANSACTIONS
 *   CompleteCommit   V1: NONE; V2: NONE for a retry, else   V1: INVALID_TXN_STATE; V2: INVALID_TXN_STATE
 *                    INVALID_TXN_STATE                      for a retry, else an empty -> PrepareAbort
 *   CompleteAbort    INVALID_TXN_STATE                      V1: NONE; V2: NONE for a retry, else an
 *                                                           empty -> PrepareAbort
 *   Empty            INVALID_TXN_STATE                      V1: INVALID_TXN_STATE; V2: an empty -> PrepareAbort
 *
 * The epoch: transactions V1 (and the coordinator's own aborts, which fence the producer) need the
 * current epoch from a client, and at least the current one from the coordinator. Transactions V2
 * bump the epoch on every EndTxn, so the same epoch means "the next transaction", and a retry of
 * the last EndTxn is recognised by the epoch one below the current one (`retryOnEpochBump`), or,
 * right after the bump rotated the producer id, by the previous producer id at the last epoch
 * (`retryOnOverflow`). In Prepare* only such a retry is valid; in Complete* also the current epoch.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { TxnState, SHORT_MAX, IllegalTxnTransition, supportsEpochBump } from './transaction-metadata.js';
import type { TransactionMetadata } from './transaction-metadata.js';

const S = TxnState;

export type EndTxnDecision =
  | { readonly kind: 'prepare'; readonly state: typeof S.PREPARE_COMMIT | typeof S.PREPARE_ABORT; readonly noPartitionAdded: boolean }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly code: number };

const error = (code: number): EndTxnDecision => ({ kind: 'error', code });
const prepare = (commit: boolean, noPartitionAdded = false): EndTxnDecision => ({ kind: 'prepare', state: commit ? S.PREPARE_COMMIT : S.PREPARE_ABORT, noPartitionAdded });
const DONE: EndTxnDecision = { kind: 'done' };

export interface EndTxnRequestView {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly commit: boolean;
  /** False for the coordinator's own aborts (timeout, InitProducerId fencing an open transaction). */
  readonly isFromClient: boolean;
  /** 2 for EndTxn v5 (transactions V2), 0 below; the coordinator's own aborts use the finalized level. */
  readonly clientTransactionVersion: number;
}

export function decideEndTxn(meta: TransactionMetadata, req: EndTxnRequestView): EndTxnDecision {
  const fencing = meta.pendingState === S.PREPARE_EPOCH_FENCE;
  const v2 = supportsEpochBump(req.clientTransactionVersion) && !fencing;
  const retryOnOverflow = v2 && meta.previousProducerId === req.producerId && req.producerEpoch === SHORT_MAX - 1 && meta.producerEpoch === 0;
  const retryOnEpochBump = v2 && meta.producerEpoch === req.producerEpoch + 1;
  const isRetry = retryOnEpochBump || retryOnOverflow;

  if (meta.producerId !== req.producerId && !retryOnOverflow) return error(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (!validEpoch(meta, req, v2, retryOnEpochBump, retryOnOverflow)) return error(ErrorCode.PRODUCER_FENCED);
  if (meta.pendingTransitionInProgress && !fencing) return error(ErrorCode.CONCURRENT_TRANSACTIONS);
  const { commit } = req;
  switch (meta.state) {
    case S.ONGOING:
      // An epoch fence always ends in an abort.
      return fencing && commit ? error(ErrorCode.INVALID_TXN_STATE) : prepare(commit);
    case S.COMPLETE_COMMIT:
      if (!v2) return commit ? DONE : error(ErrorCode.INVALID_TXN_STATE);
      if (commit) return isRetry ? DONE : error(ErrorCode.INVALID_TXN_STATE);
      return isRetry ? error(ErrorCode.INVALID_TXN_STATE) : prepare(false, true);
    case S.COMPLETE_ABORT:
      if (commit) return error(ErrorCode.INVALID_TXN_STATE);
      if (!v2 || isRetry) return DONE;
      return prepare(false, true);
    case S.PREPARE_COMMIT:
      return error(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case S.PREPARE_ABORT:
      return error(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
    case S.EMPTY:
      return v2 && !commit ? prepare(false, true) : error(ErrorCode.INVALID_TXN_STATE);
    case S.DEAD:
    case S.PREPARE_EPOCH_FENCE:
      throw new IllegalTxnTransition(`Found transactionalId ${meta.transactionalId} with state ${meta.state}. This is illegal as we should never have transitioned to this state.`);
  }
}

function validEpoch(meta: TransactionMetadata, req: EndTxnRequestView, v2: boolean, retryOnEpochBump: boolean, retryOnOverflow: boolean): boolean {
  if (!v2) return (!req.isFromClient || req.producerEpoch === meta.producerEpoch) && req.producerEpoch >= meta.producerEpoch;
  switch (meta.state) {
    case S.PREPARE_COMMIT:
    case S.PREPARE_ABORT:
      return retryOnEpochBump;
    case S.COMPLETE_COMMIT:
    case S.COMPLETE_ABORT:
      return retryOnEpochBump || retryOnOverflow || req.producerEpoch === meta.producerEpoch;
    default:
      return req.producerEpoch === meta.producerEpoch;
  }
}
