/**
 * The authorization check every handler makes (Kafka's AuthHelper.authorize): allowed when the
 * broker has no authorizer, else the authorizer's decision for the connection's principal and
 * address, audited under this request's API name.
 */
import { apiInfoByKey } from '../../protocol/messages/api-table.js';
import type { AclOperationCode, ResourceTypeCode } from '../security/authorizer/acl-types.js';
import { AUTHORIZED_OPERATIONS_OMITTED } from './authorized-operations.js';
import type { RequestContext } from './handler.js';
import type { RequestContext as AuthContext } from '../security/authorizer/standard-authorizer.js';

export function authContext(ctx: RequestContext): AuthContext {
  return {
    principal: ctx.connection.principal ?? 'User:ANONYMOUS',
    host: ctx.connection.remoteAddress,
    requestName: apiInfoByKey.get(ctx.apiKey)?.name ?? String(ctx.apiKey),
  };
}

export interface AuthorizeOptions {
  /** false when checking only to filter a listing (Metadata of all topics): denials log at TRACE. */
  readonly logIfDenied?: boolean;
  readonly resourceRefCount?: number;
}

export function authorize(ctx: RequestContext, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string, opts: AuthorizeOptions = {}): boolean {
  const authorizer = ctx.authorizer;
  if (authorizer === null) return true;
  return authorizer.authorize(authContext(ctx), { operation, resourceType, name, ...opts });
}

/**
 * The authorized-operations field: the given every-operation bitfield without an authorizer,
 * the principal's allowed operations with one; the schema default when the client did not ask.
 */
export function authorizedOperations(ctx: RequestContext, requested: boolean, all: number, resourceType: ResourceTypeCode, name: string): number {
  if (!requested) return AUTHORIZED_OPERATIONS_OMITTED;
  const authorizer = ctx.authorizer;
  return authorizer === null ? all : authorizer.authorizedOperations(authContext(ctx), resourceType, name);
}
