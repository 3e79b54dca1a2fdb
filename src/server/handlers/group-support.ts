/** Helpers shared by the group coordinator's handlers. */
import type { RequestContext } from './handler.js';
import type { ClientInfo } from '../coordinators/group/classic-group-member.js';

/**
 * Who sent the request. The client host is shown the way Kafka shows it (Java's
 * InetAddress.toString(): "/127.0.0.1"), without Node's IPv4-mapped-IPv6 prefix.
 */
export function clientInfoOf(ctx: RequestContext): ClientInfo {
  const address = ctx.connection.remoteAddress.replace(/^::ffff:/, '');
  return { clientId: ctx.clientId ?? '', clientHost: `/${address}`, apiVersion: ctx.apiVersion };
}

/** Whether this broker coordinates the group; if not, Kafka answers NOT_COORDINATOR. */
export function coordinatesGroup(ctx: RequestContext, groupId: string): boolean {
  return ctx.groups.isCoordinator(groupId, ctx.broker.nodeId);
}
