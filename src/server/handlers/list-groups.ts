/**
 * ListGroups (key 16), v0-5: the groups this broker coordinates. v4+ filter by state
 * (case-insensitive), v5+ by type ("classic", "consumer"; an unknown type matches nothing).
 */
import { ListGroupsApi } from '../../protocol/messages/list-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { coordinatesGroup } from './group-support.js';

export const listGroupsHandler = defineHandler(ListGroupsApi, {
  handle(ctx, req) {
    const groups = ctx.groups
      .listGroups(ctx.apiVersion >= 4 ? req.statesFilter : [], ctx.apiVersion >= 5 ? req.typesFilter : [])
      .filter((g) => coordinatesGroup(ctx, g.groupId));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, groups: [] };
  },
});
