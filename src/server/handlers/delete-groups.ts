/**
 * DeleteGroups (key 42), v0-2: removes empty groups with their committed offsets (tombstones in
 * __consumer_offsets). NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for an unknown
 * group. A group named twice is answered once, as Kafka does.
 */
import { DeleteGroupsApi } from '../../protocol/messages/delete-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const deleteGroupsHandler = defineHandler(DeleteGroupsApi, {
  maxVersion: 2, // v3 adds per-group ErrorMessage texts, which Kafka fills and we do not
  handle(ctx, req) {
    const ids = [...new Set(req.groupsNames)];
    // KafkaApis.handleDeleteGroupsRequest: DELETE on each group.
    const allowed = authorizedNames(ctx, AclOperation.DELETE, ResourceType.GROUP, ids);
    const local = ids.filter((g) => allowed.has(g) && coordinatesGroup(ctx, g));
    const results = new Map(ctx.groups.deleteGroups(local).map((r) => [r.groupId, r]));
    return {
      throttleTimeMs: 0,
      results: ids.map(
        (groupId) =>
          results.get(groupId) ?? { groupId, errorCode: allowed.has(groupId) ? ErrorCode.NOT_COORDINATOR : ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null },
      ),
    };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, results: [...new Set(req.groupsNames)].map((groupId) => ({ groupId, errorCode: code, errorMessage: null })) };
  },
});
