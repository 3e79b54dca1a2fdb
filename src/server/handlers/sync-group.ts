/**
 * SyncGroup (key 14), v0-5: the second half of a classic rebalance. The leader's request carries
 * every member's assignment; followers wait for it (their response is parked until then).
 *
 * Versions: v3+ group.instance.id; v5+ protocol type and name, which are then mandatory (Kafka
 * answers INCONSISTENT_GROUP_PROTOCOL when either is null) and must match the group's.
 */
import { SyncGroupApi, defaultSyncGroupResponse } from '../../protocol/messages/sync-group.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const syncGroupHandler = defineHandler(SyncGroupApi, {
  handle(ctx, req) {
    if (ctx.apiVersion >= 5 && (req.protocolType === null || req.protocolName === null)) {
      return { ...defaultSyncGroupResponse(), errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL };
    }
    // KafkaApis: READ on the group.
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { ...defaultSyncGroupResponse(), errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    if (!coordinatesGroup(ctx, req.groupId)) return { ...defaultSyncGroupResponse(), errorCode: ErrorCode.NOT_COORDINATOR };
    return ctx.groups.syncGroup(req);
  },
  errorResponse(_ctx, _req, code) {
    return { ...defaultSyncGroupResponse(), errorCode: code };
  },
});
