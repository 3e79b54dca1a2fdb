/**
 * DeleteGroups (key 42), v0-3: removes empty groups with their committed offsets (tombstones in
 * __consumer_offsets). NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for an unknown
 * group. A group named twice is answered once, as Kafka does.
 *
 * v3's per-group ErrorMessage (checked against Kafka 4.4): GroupCoordinatorService fills it only
 * from an ApiError, i.e. when the coordinator itself fails (not the coordinator, not available:
 * the exception's default text); a group's own outcome (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) and
 * KafkaApis' GROUP_AUTHORIZATION_FAILED carry null.
 */
import { DeleteGroupsApi } from '../../protocol/messages/delete-groups.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

/** Failures of the coordinator rather than of the group: Kafka's v3 answers them with a message. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export const deleteGroupsHandler = defineHandler(DeleteGroupsApi, {
  handle(ctx, req) {
    const ids = [...new Set(req.groupsNames)];
    // KafkaApis.handleDeleteGroupsRequest: DELETE on each group.
    const allowed = authorizedNames(ctx, AclOperation.DELETE, ResourceType.GROUP, ids);
    const local = ids.filter((g) => allowed.has(g) && coordinatesGroup(ctx, g));
    const results = new Map(ctx.groups.deleteGroups(local).map((r) => [r.groupId, r]));
    return {
      throttleTimeMs: 0,
      results: ids.map((groupId) => {
        const r = results.get(groupId) ?? { groupId, errorCode: allowed.has(groupId) ? ErrorCode.NOT_COORDINATOR : ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
        return ctx.apiVersion >= 3 && COORDINATOR_ERRORS.has(r.errorCode) ? { ...r, errorMessage: errorInfo(r.errorCode).message } : r;
      }),
    };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, results: [...new Set(req.groupsNames)].map((groupId) => ({ groupId, errorCode: code, errorMessage: null })) };
  },
});
