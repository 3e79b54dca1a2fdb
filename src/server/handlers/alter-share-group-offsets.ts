/**
 * AlterShareGroupOffsets (key 91), v0: sets share-partition start offsets of an empty share group
 * (`kafka-share-groups.sh --reset-offsets --execute`); see coordinators/share/share-offsets.ts.
 * A group another broker coordinates: NOT_COORDINATOR; no READ on the group:
 * GROUP_AUTHORIZATION_FAILED; share.version 0: UNSUPPORTED_VERSION.
 */
import { AlterShareGroupOffsetsApi } from '../../protocol/messages/alter-share-group-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

const failed = (code: number) => ({ throttleTimeMs: 0, errorCode: code, errorMessage: null, responses: [] });

export const alterShareGroupOffsetsHandler = defineHandler(AlterShareGroupOffsetsApi, {
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.SHARE_VERSION) < 1) return failed(ErrorCode.UNSUPPORTED_VERSION);
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (req.groupId !== '' && !coordinatesGroup(ctx, req.groupId)) return failed(ErrorCode.NOT_COORDINATOR);
    return ctx.shares.offsets.alter(req.groupId, req.topics);
  },
  errorResponse(_ctx, _req, code) {
    return failed(code);
  },
});
