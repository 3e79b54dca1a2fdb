/**
 * ShareGroupHeartbeat (key 76), v1 (KIP-932; v0 was Kafka 4.0's early access): a share consumer
 * joins with epoch 0 and its subscription, heartbeats with its epoch, and leaves with -1; every
 * answer carries its epoch and the heartbeat interval, and, when it changed, its assignment. The
 * group logic is coordinators/share/share-group.ts; the request checks (INVALID_REQUEST with
 * Kafka's messages) and the group-type check in ShareCoordinator.heartbeat.
 *
 * Errors: share.version 0: UNSUPPORTED_VERSION; not this group's coordinator: NOT_COORDINATOR; no
 * READ on the group: GROUP_AUTHORIZATION_FAILED; an id held by a classic or consumer group:
 * GROUP_ID_NOT_FOUND; group.share.max.size members: GROUP_MAX_SIZE_REACHED; an unknown member:
 * UNKNOWN_MEMBER_ID; a stale epoch: FENCED_MEMBER_EPOCH.
 */
import { ShareGroupHeartbeatApi } from '../../protocol/messages/share-group-heartbeat.js';
import type { ShareGroupHeartbeatResponse } from '../../protocol/messages/share-group-heartbeat.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { clientInfoOf, coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function errorResponse(code: number, message: string | null = null): ShareGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode: code, errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

export const shareGroupHeartbeatHandler = defineHandler(ShareGroupHeartbeatApi, {
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.SHARE_VERSION) < 1) return errorResponse(ErrorCode.UNSUPPORTED_VERSION);
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return errorResponse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (req.groupId.trim() !== '' && !coordinatesGroup(ctx, req.groupId)) return errorResponse(ErrorCode.NOT_COORDINATOR);
    const client = clientInfoOf(ctx);
    return ctx.shares.heartbeat(req, { clientId: client.clientId, clientHost: client.clientHost });
  },
  errorResponse(_ctx, _req, code) {
    return errorResponse(code);
  },
});
