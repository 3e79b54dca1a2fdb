/**
 * The checks CreateAcls and DeleteAcls make before touching the ACL set, with Kafka's texts:
 * AclApis.handleCreateAcls (CLUSTER name, empty name) then AclControlManager.validateNewAcl
 * (pattern type, operation, permission type, principal), and AclControlManager.validateFilter for
 * deletions. Every failure is INVALID_REQUEST (Kafka's InvalidRequestException).
 */
import {
  AclOperation,
  AclPermissionType,
  CLUSTER_NAME,
  operationName,
  PatternType,
  patternTypeName,
  permissionTypeName,
  ResourceType,
  type AclBinding,
  type AclBindingFilter,
} from './acl-types.js';

/** A message for INVALID_REQUEST, or null when the binding may be created. */
export function validateNewAcl(b: AclBinding): string | null {
  const { pattern: p, entry: e } = b;
  if (p.resourceType === ResourceType.CLUSTER && p.name !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (p.name.length === 0) return 'Invalid empty resource name';
  if (p.resourceType === ResourceType.UNKNOWN || p.resourceType === ResourceType.ANY) return `Invalid resourceType ${p.resourceType === 0 ? 'UNKNOWN' : 'ANY'}`;
  if (p.patternType !== PatternType.LITERAL && p.patternType !== PatternType.PREFIXED) return `Invalid patternType ${patternTypeName(p.patternType)}`;
  if (e.operation === AclOperation.UNKNOWN || e.operation === AclOperation.ANY) return `Invalid operation ${operationName(e.operation)}`;
  if (e.permissionType !== AclPermissionType.ALLOW && e.permissionType !== AclPermissionType.DENY) {
    return `Invalid permissionType ${permissionTypeName(e.permissionType)}`;
  }
  if (!e.principal.includes(':')) {
    return `Could not parse principal from \`${e.principal}\` (no colon is present separating the principal type from the principal name)`;
  }
  return null;
}

export function validateFilter(f: AclBindingFilter): string | null {
  if (f.pattern.resourceType === ResourceType.UNKNOWN || f.pattern.patternType === PatternType.UNKNOWN) return 'Unknown patternFilter.';
  if (f.entry.operation === AclOperation.UNKNOWN || f.entry.permissionType === AclPermissionType.UNKNOWN) return 'Unknown entryFilter.';
  return null;
}
