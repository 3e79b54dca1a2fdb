/**
 * LeaveGroup (key 13), v0-5. v3+ batch members (by member id, or by group.instance.id with an
 * empty member id for admin removal) and answer per member; v0-2 name one member and answer with
 * one top-level code, which is the member's error when the group itself had none (as Kafka's
 * LeaveGroupResponse folds it).
 */
import { LeaveGroupApi } from '../../protocol/messages/leave-group.js';
import type { LeaveGroupResponse } from '../../protocol/messages/leave-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const leaveGroupHandler = defineHandler(LeaveGroupApi, {
  handle(ctx, req) {
    const v = ctx.apiVersion;
    // KafkaApis: READ on the group.
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const members = v >= 3 ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const result = coordinatesGroup(ctx, req.groupId)
      ? ctx.groups.leaveGroup(req.groupId, members)
      : { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    if (v >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError, members: [] };
  },
  errorResponse(_ctx, _req, code): LeaveGroupResponse {
    return { throttleTimeMs: 0, errorCode: code, members: [] };
  },
});
