/**
 * Kafka's ACL vocabulary with its wire codes (org.apache.kafka.common.acl / .resource): resource
 * types, pattern types, operations and permission types, ACL bindings (pattern + entry) and the
 * filters DescribeAcls and DeleteAcls match them with (AclBindingFilter.matches).
 */

export const ResourceType = {
  UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7,
} as const;
export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternTypeCode = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15,
} as const;
export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermissionTypeCode = (typeof AclPermissionType)[keyof typeof AclPermissionType];

function nameTable<T extends Record<string, number>>(o: T): Map<number, keyof T & string> {
  return new Map(Object.entries(o).map(([k, v]) => [v, k as keyof T & string]));
}
const RT = nameTable(ResourceType);
const PT = nameTable(PatternType);
const OP = nameTable(AclOperation);
const PERM = nameTable(AclPermissionType);

/** Enum names as Java's toString prints them; codes Kafka does not know read as UNKNOWN. */
export const resourceTypeName = (c: number) => RT.get(c) ?? 'UNKNOWN';
export const patternTypeName = (c: number) => PT.get(c) ?? 'UNKNOWN';
export const operationName = (c: number) => OP.get(c) ?? 'UNKNOWN';
export const permissionTypeName = (c: number) => PERM.get(c) ?? 'UNKNOWN';

/** A wire code as Kafka's fromCode reads it: unknown codes become UNKNOWN (0). */
export function knownCode(table: Map<number, string>, code: number): number {
  return table.has(code) ? code : 0;
}
export const resourceTypeFromCode = (c: number) => knownCode(RT, c) as ResourceTypeCode;
export const patternTypeFromCode = (c: number) => knownCode(PT, c) as PatternTypeCode;
export const operationFromCode = (c: number) => knownCode(OP, c) as AclOperationCode;
export const permissionTypeFromCode = (c: number) => knownCode(PERM, c) as AclPermissionTypeCode;

/** SecurityUtils.resourceTypeName: the CamelCase names of audit lines and kafka-acls.sh. */
export function resourceTypeDisplayName(c: number): string {
  return resourceTypeName(c).toLowerCase().replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());
}

export const WILDCARD_RESOURCE = '*';
export const WILDCARD_HOST = '*';
export const WILDCARD_PRINCIPAL = 'User:*';
/** The one valid name of the CLUSTER resource (Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';

export interface ResourcePattern {
  readonly resourceType: ResourceTypeCode;
  readonly name: string;
  readonly patternType: PatternTypeCode;
}

export interface AccessControlEntry {
  /** "<type>:<name>", e.g. "User:alice". */
  readonly principal: string;
  readonly host: string;
  readonly operation: AclOperationCode;
  readonly permissionType: AclPermissionTypeCode;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** Null fields match anything, as in Kafka's filters. */
export interface AclBindingFilter {
  readonly pattern: { readonly resourceType: ResourceTypeCode; readonly name: string | null; readonly patternType: PatternTypeCode };
  readonly entry: {
    readonly principal: string | null;
    readonly host: string | null;
    readonly operation: AclOperationCode;
    readonly permissionType: AclPermissionTypeCode;
  };
}

export const MATCH_ANY_FILTER: AclBindingFilter = {
  pattern: { resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY },
  entry: { principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY },
};

/**
 * ResourcePatternFilter.matches: ANY matches every pattern type with an exact name; MATCH matches
 * every pattern that would apply to a resource of that name (literal equal, literal "*", or a
 * prefix of it); a concrete type matches only that type with an exact name.
 */
export function patternFilterMatches(filter: AclBindingFilter['pattern'], p: ResourcePattern): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== p.resourceType) return false;
  if (filter.patternType !== PatternType.ANY && filter.patternType !== PatternType.MATCH && filter.patternType !== p.patternType) return false;
  if (filter.name === null) return true;
  if (filter.patternType === PatternType.ANY || filter.patternType === p.patternType) return filter.name === p.name;
  if (p.patternType === PatternType.LITERAL) return filter.name === p.name || p.name === WILDCARD_RESOURCE;
  return filter.name.startsWith(p.name);
}

export function entryFilterMatches(filter: AclBindingFilter['entry'], e: AccessControlEntry): boolean {
  return (
    (filter.principal === null || filter.principal === e.principal) &&
    (filter.host === null || filter.host === e.host) &&
    (filter.operation === AclOperation.ANY || filter.operation === e.operation) &&
    (filter.permissionType === AclPermissionType.ANY || filter.permissionType === e.permissionType)
  );
}

export function filterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  return patternFilterMatches(filter.pattern, binding.pattern) && entryFilterMatches(filter.entry, binding.entry);
}

/** StandardAcl's record toString, which the audit log's "based on rule" shows. */
export function standardAclString(b: AclBinding): string {
  return (
    `StandardAcl[resourceType=${resourceTypeName(b.pattern.resourceType)}, resourceName=${b.pattern.name}, ` +
    `patternType=${patternTypeName(b.pattern.patternType)}, principal=${b.entry.principal}, host=${b.entry.host}, ` +
    `operation=${operationName(b.entry.operation)}, permissionType=${permissionTypeName(b.entry.permissionType)}]`
  );
}

/** One key per distinct binding: creating the same ACL twice stores it once, as Kafka does. */
export function bindingKey(b: AclBinding): string {
  const { pattern: p, entry: e } = b;
  return JSON.stringify([p.resourceType, p.patternType, p.name, e.principal, e.host, e.operation, e.permissionType]);
}

/**
 * The operations each resource type supports (AclEntry.supportedOperations): the bits that the
 * authorized-operations fields can carry.
 */
export const SUPPORTED_OPERATIONS: Readonly<Partial<Record<ResourceTypeCode, readonly AclOperationCode[]>>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/** Utils.to32BitField: one bit per operation code. */
export function operationsBitfield(ops: Iterable<number>): number {
  let bits = 0;
  for (const op of ops) bits |= 1 << op;
  return bits;
}
