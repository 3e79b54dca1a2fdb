/**
 * ACL authorization with the semantics of Kafka's StandardAuthorizer (StandardAuthorizerData):
 * - super.users are allowed everything (rule "SuperUser");
 * - the ACLs that apply to a resource are the LITERAL ones with its exact name, the LITERAL ones
 *   named "*", and the PREFIXED ones whose name is a prefix of it;
 * - an ACL applies to a request if its principal is the request's or User:*, its host is the
 *   client's address or "*", and its operation is the one asked, ALL, or (for ALLOW ACLs only)
 *   one that implies it: READ/WRITE/DELETE/ALTER imply DESCRIBE, ALTER_CONFIGS implies
 *   DESCRIBE_CONFIGS;
 * - any applicable DENY wins; else any applicable ALLOW allows; else, when the resource has no
 *   ACLs at all, allow.everyone.if.no.acl.found decides (DefaultAllow / DefaultDeny), and when it
 *   has ACLs for others only, DefaultDeny.
 * Every decision goes to the audit logger as Kafka's kafka.authorizer.logger writes it.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import {
  AclOperation,
  AclPermissionType,
  bindingKey,
  filterMatches,
  operationName,
  operationsBitfield,
  PatternType,
  resourceTypeDisplayName,
  standardAclString,
  SUPPORTED_OPERATIONS,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AclBinding,
  type AclBindingFilter,
  type AclOperationCode,
  type ResourceTypeCode,
} from './acl-types.js';
import { validateFilter, validateNewAcl } from './acl-validation.js';
import type { AuditLogger } from './audit-log.js';

export interface AuthorizerConfig {
  /** super.users: "User:admin;User:ops" split into principals. */
  readonly superUsers?: Iterable<string>;
  /** allow.everyone.if.no.acl.found (default false). */
  readonly allowEveryoneIfNoAclFound?: boolean;
  readonly audit?: AuditLogger;
}

/** Who asks, from where, in which request (Kafka's AuthorizableRequestContext). */
export interface RequestContext {
  /** "User:alice"; "User:ANONYMOUS" on PLAINTEXT listeners. */
  readonly principal: string;
  /** The client's IP address as text. */
  readonly host: string;
  /** ApiKeys name, e.g. "Produce" (audit lines only). */
  readonly requestName: string;
}

export interface Action {
  readonly operation: AclOperationCode;
  readonly resourceType: ResourceTypeCode;
  readonly name: string;
  readonly resourceRefCount?: number;
  /** Log an allow at DEBUG (true) or TRACE (false): false when only computing authorized operations. */
  readonly logIfAllowed?: boolean;
  /** Log a denial at INFO (true) or TRACE (false): false when filtering a listing. */
  readonly logIfDenied?: boolean;
}

export interface ApiErrorResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DeleteAclsResult extends ApiErrorResult {
  readonly deleted: readonly AclBinding[];
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);
const OK: ApiErrorResult = Object.freeze({ errorCode: ErrorCode.NONE, errorMessage: null });

/** Java's InetAddress prints an IPv4-mapped IPv6 address as the IPv4 address: match ACL hosts the same way. */
export function normalizeHost(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** StandardAuthorizerData.findResult: does this ACL decide the action, and how. */
function findResult(op: number, principal: string, host: string, acl: AclBinding): 'ALLOW' | 'DENY' | null {
  const e = acl.entry;
  if (e.principal !== principal && e.principal !== WILDCARD_PRINCIPAL) return null;
  if (e.host !== WILDCARD_HOST && e.host !== host) return null;
  if (e.operation !== AclOperation.ALL) {
    if (e.permissionType === AclPermissionType.ALLOW) {
      if (op === AclOperation.DESCRIBE) {
        if (!IMPLIES_DESCRIBE.has(e.operation)) return null;
      } else if (op === AclOperation.DESCRIBE_CONFIGS) {
        if (!IMPLIES_DESCRIBE_CONFIGS.has(e.operation)) return null;
      } else if (op !== e.operation) return null;
    } else if (op !== e.operation) return null;
  }
  return e.permissionType === AclPermissionType.ALLOW ? 'ALLOW' : 'DENY';
}

interface TypeIndex {
  /** name -> key -> binding, LITERAL (including "*"). */
  readonly literal: Map<string, Map<string, AclBinding>>;
  readonly prefixed: Map<string, Map<string, AclBinding>>;
}

export class StandardAuthorizer {
  readonly #superUsers: ReadonlySet<string>;
  readonly #allowIfNoAcl: boolean;
  readonly #audit: AuditLogger | undefined;
  readonly #all = new Map<string, AclBinding>();
  readonly #byType = new Map<number, TypeIndex>();
  readonly #listeners = new Set<() => void>();

  constructor(config: AuthorizerConfig = {}) {
    this.#superUsers = new Set(config.superUsers ?? []);
    this.#allowIfNoAcl = config.allowEveryoneIfNoAclFound ?? false;
    this.#audit = config.audit;
  }

  /** Called after CreateAcls / DeleteAcls changed the ACL set (durable mode saves it). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every ACL binding, for saving. */
  allAcls(): AclBinding[] {
    return [...this.#all.values()];
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  get aclCount(): number {
    return this.#all.size;
  }

  isSuperUser(principal: string): boolean {
    return this.#superUsers.has(principal);
  }

  // ---- ACL set -----------------------------------------------------------------------------

  /** CreateAcls: one result per binding, in order. Re-creating an existing ACL succeeds. */
  createAcls(bindings: readonly AclBinding[]): ApiErrorResult[] {
    const results = bindings.map((b) => {
      const invalid = validateNewAcl(b);
      if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid };
      this.#add(b);
      return OK;
    });
    if (results.some((r) => r.errorCode === ErrorCode.NONE)) this.#changed();
    return results;
  }

  /** DeleteAcls: per filter, the bindings it removed. A binding matched by two filters goes to the first. */
  deleteAcls(filters: readonly AclBindingFilter[]): DeleteAclsResult[] {
    const matched = filters.map((f) => {
      const invalid = validateFilter(f);
      if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid, deleted: [] as AclBinding[] };
      return { ...OK, deleted: this.acls(f) };
    });
    const removed = new Set<string>();
    const results = matched.map((r) => {
      const deleted = r.deleted.filter((b) => {
        const k = bindingKey(b);
        if (removed.has(k)) return false;
        removed.add(k);
        this.#remove(b);
        return true;
      });
      return { ...r, deleted };
    });
    if (removed.size > 0) this.#changed();
    return results;
  }

  acls(filter: AclBindingFilter): AclBinding[] {
    return [...this.#all.values()].filter((b) => filterMatches(filter, b));
  }

  #index(type: number): TypeIndex {
    let ix = this.#byType.get(type);
    if (ix === undefined) this.#byType.set(type, (ix = { literal: new Map(), prefixed: new Map() }));
    return ix;
  }

  #add(b: AclBinding): void {
    const key = bindingKey(b);
    if (this.#all.has(key)) return;
    this.#all.set(key, b);
    const ix = this.#index(b.pattern.resourceType);
    const byName = b.pattern.patternType === PatternType.LITERAL ? ix.literal : ix.prefixed;
    let set = byName.get(b.pattern.name);
    if (set === undefined) byName.set(b.pattern.name, (set = new Map()));
    set.set(key, b);
  }

  #remove(b: AclBinding): void {
    const key = bindingKey(b);
    if (!this.#all.delete(key)) return;
    const ix = this.#index(b.pattern.resourceType);
    const byName = b.pattern.patternType === PatternType.LITERAL ? ix.literal : ix.prefixed;
    const set = byName.get(b.pattern.name);
    set?.delete(key);
    if (set?.size === 0) byName.delete(b.pattern.name);
  }

  // ---- decisions ---------------------------------------------------------------------------

  authorize(ctx: RequestContext, action: Action): boolean {
    const host = normalizeHost(ctx.host);
    let allowed: boolean;
    let rule: string;
    if (this.#superUsers.has(ctx.principal)) {
      allowed = true;
      rule = 'SuperUser';
    } else {
      const found = this.#findRule(ctx.principal, host, action);
      allowed = found.allowed;
      rule = found.rule;
    }
    this.#auditDecision(ctx, host, action, allowed, rule);
    return allowed;
  }

  /** Several actions at once, as Authorizer.authorize(context, actions). */
  authorizeAll(ctx: RequestContext, actions: readonly Action[]): boolean[] {
    return actions.map((a) => this.authorize(ctx, a));
  }

  /** The ACLs that apply to a resource of this type and name, each once. */
  *#applicable(type: number, name: string): Generator<AclBinding> {
    const ix = this.#byType.get(type);
    if (ix === undefined) return;
    const exact = ix.literal.get(name);
    if (exact !== undefined) yield* exact.values();
    if (ix.prefixed.size > name.length) {
      // Many PREFIXED ACLs: look up each prefix of the name (at most its length lookups).
      for (let i = 1; i <= name.length; i++) {
        const set = ix.prefixed.get(name.slice(0, i));
        if (set !== undefined) yield* set.values();
      }
    } else if (ix.prefixed.size > 0) {
      for (const [prefix, set] of ix.prefixed) if (name.startsWith(prefix)) yield* set.values();
    }
    if (name !== WILDCARD_RESOURCE) {
      const wildcard = ix.literal.get(WILDCARD_RESOURCE);
      if (wildcard !== undefined) yield* wildcard.values();
    }
  }

  #findRule(principal: string, host: string, action: Action): { allowed: boolean; rule: string } {
    let allowAcl: AclBinding | null = null;
    let hasResourceAcls = false;
    for (const acl of this.#applicable(action.resourceType, action.name)) {
      hasResourceAcls = true;
      const r = findResult(action.operation, principal, host, acl);
      if (r === 'DENY') return { allowed: false, rule: `MatchingAcl(acl=${standardAclString(acl)})` };
      if (r === 'ALLOW') allowAcl = acl;
    }
    if (allowAcl !== null) return { allowed: true, rule: `MatchingAcl(acl=${standardAclString(allowAcl)})` };
    if (!hasResourceAcls && this.#allowIfNoAcl) return { allowed: true, rule: 'DefaultAllow' };
    return { allowed: false, rule: 'DefaultDeny' };
  }

  #auditDecision(ctx: RequestContext, host: string, action: Action, allowed: boolean, rule: string): void {
    const audit = this.#audit;
    if (audit === undefined) return;
    const level = allowed ? (action.logIfAllowed ?? true ? 'debug' : 'trace') : action.logIfDenied ?? true ? 'info' : 'trace';
    if (!audit.enabled(level)) return;
    audit.log({
      principal: ctx.principal,
      allowed,
      operation: operationName(action.operation),
      host,
      resource: `${resourceTypeDisplayName(action.resourceType)}:LITERAL:${action.name}`,
      request: ctx.requestName,
      resourceRefCount: action.resourceRefCount ?? 1,
      rule,
      level,
    });
  }

  /**
   * Authorizer.authorizeByResourceType: is the principal allowed `op` on at least one resource of
   * this type (InitProducerId's idempotent-write fallback, and the like)? Allowed if a made-up
   * resource is allowed (super users, allow.everyone with no ACLs), if there is a wildcard ALLOW,
   * or if some ALLOW pattern is not covered by a DENY (a literal DENY of the same name, or a
   * PREFIXED DENY of one of its prefixes). A wildcard DENY denies.
   */
  authorizeByResourceType(ctx: RequestContext, op: AclOperationCode, resourceType: ResourceTypeCode): boolean {
    if (this.authorize(ctx, { operation: op, resourceType, name: 'hardcode', resourceRefCount: 0, logIfAllowed: true, logIfDenied: false })) return true;
    const host = normalizeHost(ctx.host);
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allow: { name: string; literal: boolean }[] = [];
    for (const b of this.#all.values()) {
      const { pattern: p, entry: e } = b;
      if (p.resourceType !== resourceType) continue;
      if (e.host !== host && e.host !== WILDCARD_HOST) continue;
      if (e.principal !== ctx.principal && e.principal !== WILDCARD_PRINCIPAL) continue;
      if (e.operation !== op && e.operation !== AclOperation.ALL) continue;
      const literal = p.patternType === PatternType.LITERAL;
      if (e.permissionType === AclPermissionType.DENY) {
        if (literal && p.name === WILDCARD_RESOURCE) return false;
        (literal ? denyLiteral : denyPrefixed).add(p.name);
      } else if (e.permissionType === AclPermissionType.ALLOW) {
        if (literal && p.name === WILDCARD_RESOURCE) return true;
        allow.push({ name: p.name, literal });
      }
    }
    return allow.some(({ name, literal }) => {
      if (literal && denyLiteral.has(name)) return false;
      for (let i = 1; i <= name.length; i++) if (denyPrefixed.has(name.slice(0, i))) return false;
      return true;
    });
  }

  /**
   * AuthHelper.authorizedOperations: the bitfield of the supported operations the principal may
   * perform on this resource (logged at TRACE only, as Kafka does).
   */
  authorizedOperations(ctx: RequestContext, resourceType: ResourceTypeCode, name: string): number {
    const ops = SUPPORTED_OPERATIONS[resourceType] ?? [];
    return operationsBitfield(
      ops.filter((operation) => this.authorize(ctx, { operation, resourceType, name, logIfAllowed: false, logIfDenied: false })),
    );
  }
}
