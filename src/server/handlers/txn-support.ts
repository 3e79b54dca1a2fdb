/** Helpers shared by the transaction coordinator's handlers. */
import type { RequestContext } from './handler.js';
import { transactionCoordinatorOf } from '../coordinators/txn/transaction-coordinator.js';
import type { TransactionCoordinator } from '../coordinators/txn/transaction-coordinator.js';

export function txnCoordinatorOf(ctx: RequestContext): TransactionCoordinator {
  return transactionCoordinatorOf(ctx.broker);
}

/** Whether this broker coordinates the transactional id; if not, Kafka answers NOT_COORDINATOR. */
export function coordinatesTransaction(ctx: RequestContext, transactionalId: string): boolean {
  return txnCoordinatorOf(ctx).isCoordinator(transactionalId, ctx.broker.nodeId);
}
