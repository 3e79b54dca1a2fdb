/**
 * DeleteShareGroupOffsets (key 92), v0: forgets the share state of whole topics for an empty
 * share group (`kafka-share-groups.sh --delete-offsets`); see coordinators/share/share-offsets.ts.
 * A group another broker coordinates: NOT_COORDINATOR; no DELETE on the group:
 * GROUP_AUTHORIZATION_FAILED; share.version 0: UNSUPPORTED_VERSION.
 */
import { DeleteShareGroupOffsetsApi } from '../../protocol/messages/delete-share-group-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

const failed = (code: number) => ({ throttleTimeMs: 0, errorCode: code, errorMessage: null, responses: [] });

export const deleteShareGroupOffsetsHandler = defineHandler(DeleteShareGroupOffsetsApi, {
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.SHARE_VERSION) < 1) return failed(ErrorCode.UNSUPPORTED_VERSION);
    if (!authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, req.groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (!coordinatesGroup(ctx, req.groupId)) return failed(ErrorCode.NOT_COORDINATOR);
    return ctx.shares.offsets.delete(req.groupId, req.topics);
  },
  errorResponse(_ctx, _req, code) {
    return failed(code);
  },
});
