/**
 * ListGroups (key 16), v0-5: the groups this broker coordinates. v4+ filter by state
 * (case-insensitive), v5+ by type ("classic", "consumer"; an unknown type matches nothing).
 */
import { ListGroupsApi } from '../../protocol/messages/list-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizeCluster } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const listGroupsHandler = defineHandler(ListGroupsApi, {
  handle(ctx, req) {
    const groups = ctx.groups
      .listGroups(ctx.apiVersion >= 4 ? req.statesFilter : [], ctx.apiVersion >= 5 ? req.typesFilter : [])
      .filter((g) => coordinatesGroup(ctx, g.groupId));
    // KafkaApis.handleListGroupsRequest: all groups with DESCRIBE on the cluster, else those the
    // principal may describe, without logging the others.
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE, { logIfDenied: false })) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: groups.filter((g) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId, { logIfDenied: false })) };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, groups: [] };
  },
});
