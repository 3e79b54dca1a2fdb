/**
 * Heartbeat (key 12), v0-4: keeps a classic member's session alive and tells it when to rejoin
 * (REBALANCE_IN_PROGRESS). v3+ carry group.instance.id, checked for fencing (FENCED_INSTANCE_ID).
 */
import { HeartbeatApi } from '../../protocol/messages/heartbeat.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const heartbeatHandler = defineHandler(HeartbeatApi, {
  handle(ctx, req) {
    // KafkaApis: READ on the group.
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    if (!coordinatesGroup(ctx, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR };
    const errorCode = ctx.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId, req.generationId);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code };
  },
});
