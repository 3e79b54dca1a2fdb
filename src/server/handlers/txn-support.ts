/** Helpers shared by the transaction coordinator's handlers. */
import type { RequestContext } from './handler.js';

/** Whether this broker coordinates the transactional id; if not, Kafka answers NOT_COORDINATOR. */
export function coordinatesTransaction(ctx: RequestContext, transactionalId: string): boolean {
  return ctx.txns.isCoordinator(transactionalId, ctx.broker.nodeId);
}
