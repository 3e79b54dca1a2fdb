/**
 * The authorization check every handler makes (Kafka's AuthHelper.authorize): allowed when the
 * broker has no authorizer, else the authorizer's decision for the connection's principal and
 * address, audited under this request's API name.
 */
import { apiInfoByKey } from '../../protocol/messages/api-table.js';
import { AclOperation, CLUSTER_NAME, ResourceType, operationName } from '../security/authorizer/acl-types.js';
export { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl-types.js';
import type { AclOperationCode, ResourceTypeCode } from '../security/authorizer/acl-types.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { AUTHORIZED_OPERATIONS_OMITTED, GROUP_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import type { Handler, RequestContext } from './handler.js';
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

/** An operation on the one CLUSTER resource (AuthHelper.authorize(..., CLUSTER, CLUSTER_NAME)). */
export function authorizeCluster(ctx: RequestContext, operation: AclOperationCode, opts: AuthorizeOptions = {}): boolean {
  return authorize(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME, opts);
}

/**
 * AuthHelper.filterByAuthorized: the names of the given ones the principal may act on. Each
 * distinct name is decided once, with the number of times the request named it (as Kafka passes
 * resourceReferenceCount), so a request naming a topic for 100 partitions makes one audit line.
 */
export function authorizedNames(ctx: RequestContext, operation: AclOperationCode, resourceType: ResourceTypeCode, names: Iterable<string>, opts: AuthorizeOptions = {}): Set<string> {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  if (ctx.authorizer === null) return new Set(counts.keys());
  const allowed = new Set<string>();
  for (const [name, count] of counts) {
    if (authorize(ctx, operation, resourceType, name, { ...opts, resourceRefCount: count })) allowed.add(name);
  }
  return allowed;
}

/** Authorizer.authorizeByResourceType: some ACL allows the operation on some resource of the type. */
export function authorizeByResourceType(ctx: RequestContext, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean {
  const authorizer = ctx.authorizer;
  return authorizer === null || authorizer.authorizeByResourceType(authContext(ctx), operation, resourceType);
}

/** ConfigResource.Type codes as DescribeConfigs / AlterConfigs carry them. */
const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
const CONFIG_BROKER_LOGGER = 8;
const CONFIG_CLIENT_METRICS = 16;
const CONFIG_GROUP = 32;

/**
 * The check on one config resource (ConfigHelper / ControllerApis.authorizeAlterResource):
 * DESCRIBE_CONFIGS or ALTER_CONFIGS on the topic, the group, or the cluster for broker, logger and
 * client-metrics resources. Returns the error code of a refusal, or NONE (0) when allowed; other
 * resource types are left to the handler's own validation.
 */
export function configResourceAuthorization(ctx: RequestContext, operation: AclOperationCode, configResourceType: number, name: string): number {
  switch (configResourceType) {
    case CONFIG_TOPIC:
      return authorize(ctx, operation, ResourceType.TOPIC, name) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    case CONFIG_GROUP:
      return authorize(ctx, operation, ResourceType.GROUP, name) ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    case CONFIG_BROKER:
    case CONFIG_BROKER_LOGGER:
    case CONFIG_CLIENT_METRICS:
      return authorizeCluster(ctx, operation) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
    default:
      return ErrorCode.NONE;
  }
}

/**
 * Runs a config change on the resources the principal may change and answers the others with
 * their refusal (KafkaApis: authorized and unauthorized resources, ApiError(code, null)), keeping
 * the request's order.
 */
export function alterAuthorizedConfigs<R extends { readonly resourceType: number; readonly resourceName: string }, Out>(
  ctx: RequestContext,
  resources: readonly R[],
  run: (allowed: R[]) => Out[],
  refused: (resource: R, errorCode: number) => Out,
): Out[] {
  const codes = resources.map((r) => configResourceAuthorization(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName));
  const results = run(resources.filter((_, i) => codes[i] === ErrorCode.NONE));
  let next = 0;
  return resources.map((r, i) => (codes[i] === ErrorCode.NONE ? results[next++]! : refused(r, codes[i]!)));
}

/**
 * The handler behind AuthHelper.authorizeClusterOperation: the operation on the cluster is
 * checked first and a refusal is the request's getErrorResponse(CLUSTER_AUTHORIZATION_FAILED),
 * which the handler's errorResponse builds, with the message `refusal` gives (null: none).
 */
export function requireClusterOperation<Req, Resp>(operation: AclOperationCode, handler: Handler<Req, Resp>, refusal: (ctx: RequestContext, operation: AclOperationCode) => string | null = () => null): Handler<Req, Resp> {
  const errorResponse = handler.errorResponse;
  if (errorResponse === undefined) throw new Error(`${handler.api.name}: a cluster-checked handler needs errorResponse`);
  return {
    ...handler,
    handle(ctx, req) {
      if (!authorizeCluster(ctx, operation)) return errorResponse.call(handler, ctx, req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, refusal(ctx, operation));
      return handler.handle(ctx, req);
    },
  };
}

/**
 * The message of Kafka's ClusterAuthorizationException in the controller's
 * authorizeClusterOperation: "Request <the request> needs <OPERATION> permission.", the request
 * as RequestChannel.Request prints itself. Kafka's names its processor, connection id, session
 * object, buffer and (forwarded from a broker) envelope; minikafka serves the request itself and
 * writes what it knows of it (DEVIATIONS.md: the recorded answers compare the text around it).
 */
export function clusterPermissionMessage(ctx: RequestContext, operation: AclOperationCode): string {
  const c = ctx.connection;
  const listener = c.listenerName ?? 'PLAINTEXT';
  const principal = c.principal ?? 'User:ANONYMOUS';
  const request = `Request(connectionId=${c.remoteAddress}:${c.remotePort}-${c.id}, principal=${principal}, listenerName=ListenerName(${listener}), api=${apiInfoByKey.get(ctx.apiKey)?.name ?? ctx.apiKey} v${ctx.apiVersion}, correlationId=${ctx.correlationId}, envelope=Optional.empty)`;
  return `Request ${request} needs ${operationName(operation)} permission.`;
}

/** Kafka's default text of CLUSTER_AUTHORIZATION_FAILED, for refusals built from the bare error. */
export const clusterAuthorizationFailed = (): string => errorInfo(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message ?? '';

/** A described group's authorizedOperations: the principal's operations on it, when asked for. */
export function withGroupOperations<G extends { readonly groupId: string; readonly errorCode: number; authorizedOperations: number }>(ctx: RequestContext, requested: boolean, g: G): G {
  if (!requested || g.errorCode !== ErrorCode.NONE || ctx.authorizer === null) return g;
  return { ...g, authorizedOperations: authorizedOperations(ctx, true, GROUP_AUTHORIZED_OPERATIONS, ResourceType.GROUP, g.groupId) };
}

/**
 * The handler behind a single-resource check made before anything else (EndTxn's WRITE on the
 * transactional id, ...): refused, the request's errorResponse with the given code. nameOf
 * returning null skips the check.
 */
export function requireResourceOperation<Req, Resp>(
  operation: AclOperationCode,
  resourceType: ResourceTypeCode,
  nameOf: (req: Req, ctx: RequestContext) => string | null,
  errorCode: number,
  handler: Handler<Req, Resp>,
): Handler<Req, Resp> {
  const errorResponse = handler.errorResponse;
  if (errorResponse === undefined) throw new Error(`${handler.api.name}: a resource-checked handler needs errorResponse`);
  return {
    ...handler,
    handle(ctx, req) {
      const name = nameOf(req, ctx);
      if (name !== null && !authorize(ctx, operation, resourceType, name)) return errorResponse.call(handler, ctx, req, errorCode);
      return handler.handle(ctx, req);
    },
  };
}
