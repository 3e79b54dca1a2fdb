/**
 * CreateAcls (key 30), DescribeAcls (key 29), DeleteAcls (key 31), as Kafka's AclApis serves them:
 * - the caller needs CLUSTER ALTER (Create/Delete) or CLUSTER DESCRIBE (Describe), else every
 *   result is CLUSTER_AUTHORIZATION_FAILED;
 * - without an authorizer (authorizer.class.name unset) SECURITY_DISABLED, with Kafka's messages
 *   ("No Authorizer is configured on the broker" for Describe, "No Authorizer is configured." for
 *   Create and Delete);
 * - CreateAcls validates each binding (security/authorizer/acl-validation.ts: INVALID_REQUEST with
 *   Kafka's texts) and creates the rest; creating an existing ACL succeeds;
 * - DescribeAcls lists the matching bindings grouped by resource pattern;
 * - DeleteAcls removes, per filter, the bindings it matches.
 * Request elements with codes Kafka does not know (UNKNOWN) are INVALID_REQUEST. Versions 1-3, as
 * Kafka 4 (v0 was removed by KIP-896).
 * Deviation: ACLs live in memory (durable mode does not persist them yet).
 */
import { CreateAclsApi } from '../../protocol/messages/create-acls.js';
import { DescribeAclsApi } from '../../protocol/messages/describe-acls.js';
import type { DescribeAclsResponseDescribeAclsResource } from '../../protocol/messages/describe-acls.js';
import { DeleteAclsApi } from '../../protocol/messages/delete-acls.js';
import { ErrorCode } from '../../protocol/errors.js';
import {
  AclOperation,
  CLUSTER_NAME,
  operationFromCode,
  patternTypeFromCode,
  permissionTypeFromCode,
  ResourceType,
  resourceTypeFromCode,
  type AclBinding,
  type AclBindingFilter,
} from '../security/authorizer/acl-types.js';
import { defineHandler, type RequestContext } from './handler.js';
import { authorize } from './authorize.js';

interface WireBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

interface WireFilter {
  readonly resourceTypeFilter: number;
  readonly resourceNameFilter: string | null;
  readonly patternTypeFilter: number;
  readonly principalFilter: string | null;
  readonly hostFilter: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

function toFilter(f: WireFilter): AclBindingFilter {
  return {
    pattern: { resourceType: resourceTypeFromCode(f.resourceTypeFilter), name: f.resourceNameFilter, patternType: patternTypeFromCode(f.patternTypeFilter) },
    entry: { principal: f.principalFilter, host: f.hostFilter, operation: operationFromCode(f.operation), permissionType: permissionTypeFromCode(f.permissionType) },
  };
}

function toWire(b: AclBinding): WireBinding {
  return {
    resourceType: b.pattern.resourceType,
    resourceName: b.pattern.name,
    patternType: b.pattern.patternType,
    principal: b.entry.principal,
    host: b.entry.host,
    operation: b.entry.operation,
    permissionType: b.entry.permissionType,
  };
}

function clusterAllowed(ctx: RequestContext, op: typeof AclOperation.ALTER | typeof AclOperation.DESCRIBE): boolean {
  return authorize(ctx, op, ResourceType.CLUSTER, CLUSTER_NAME);
}

export const createAclsHandler = defineHandler(CreateAclsApi, {
  // Kafka 4 serves v1-3 (KIP-896 removed v0).
  minVersion: 1,
  handle(ctx, req) {
    const failAll = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage })) });
    if (!clusterAllowed(ctx, AclOperation.ALTER)) return failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const authorizer = ctx.authorizer;
    if (authorizer === null) return failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const bindings: AclBinding[] = req.creations.map((c) => ({
      pattern: { resourceType: resourceTypeFromCode(c.resourceType), name: c.resourceName, patternType: patternTypeFromCode(c.resourcePatternType) },
      entry: { principal: c.principal, host: c.host, operation: operationFromCode(c.operation), permissionType: permissionTypeFromCode(c.permissionType) },
    }));
    return { throttleTimeMs: 0, results: authorizer.createAcls(bindings) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: code, errorMessage: null })) };
  },
});

export const describeAclsHandler = defineHandler(DescribeAclsApi, {
  minVersion: 1,
  handle(ctx, req) {
    const fail = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (!clusterAllowed(ctx, AclOperation.DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const authorizer = ctx.authorizer;
    if (authorizer === null) return fail(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    const filter = toFilter(req);
    if ([filter.pattern.resourceType, filter.pattern.patternType, filter.entry.operation, filter.entry.permissionType].includes(0)) {
      return fail(ErrorCode.INVALID_REQUEST, 'DescribeAclsRequest contains UNKNOWN elements');
    }
    // DescribeAclsResponse.aclsResources: one entry per resource pattern, in first-seen order.
    const byPattern = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const b of authorizer.acls(filter)) {
      const key = JSON.stringify([b.pattern.resourceType, b.pattern.name, b.pattern.patternType]);
      let res = byPattern.get(key);
      if (res === undefined) {
        res = { resourceType: b.pattern.resourceType, resourceName: b.pattern.name, patternType: b.pattern.patternType, acls: [] };
        byPattern.set(key, res);
      }
      res.acls.push({ principal: b.entry.principal, host: b.entry.host, operation: b.entry.operation, permissionType: b.entry.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byPattern.values()] };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: null, resources: [] };
  },
});

export const deleteAclsHandler = defineHandler(DeleteAclsApi, {
  minVersion: 1,
  handle(ctx, req) {
    const failAll = (errorCode: number, errorMessage: string | null) => ({
      throttleTimeMs: 0,
      filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!clusterAllowed(ctx, AclOperation.ALTER)) return failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, null);
    const authorizer = ctx.authorizer;
    if (authorizer === null) return failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.');
    const results = authorizer.deleteAcls(req.filters.map(toFilter));
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        matchingAcls: r.deleted.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...toWire(b) })),
      })),
    };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode: code, errorMessage: null, matchingAcls: [] })) };
  },
});
