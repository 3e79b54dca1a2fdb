/**
 * DescribeShareGroupOffsets (key 90), v0-1: each share-partition's start offset and (v1) lag, as
 * `kafka-share-groups.sh --describe --offsets` shows them (coordinators/share/share-offsets.ts).
 * A group another broker coordinates: NOT_COORDINATOR; no DESCRIBE on the group:
 * GROUP_AUTHORIZATION_FAILED; share.version 0: UNSUPPORTED_VERSION.
 */
import { DescribeShareGroupOffsetsApi } from '../../protocol/messages/describe-share-group-offsets.js';
import type { DescribeShareGroupOffsetsResponseGroup } from '../../protocol/messages/describe-share-group-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function groupError(groupId: string, errorCode: number): DescribeShareGroupOffsetsResponseGroup {
  return { groupId, topics: [], errorCode, errorMessage: null };
}

export const describeShareGroupOffsetsHandler = defineHandler(DescribeShareGroupOffsetsApi, {
  handle(ctx, req) {
    const enabled = ctx.cluster.features.level(Feature.SHARE_VERSION) >= 1;
    const groups = req.groups.map((g) => {
      if (!enabled) return groupError(g.groupId, ErrorCode.UNSUPPORTED_VERSION);
      if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId)) return groupError(g.groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
      if (!coordinatesGroup(ctx, g.groupId)) return groupError(g.groupId, ErrorCode.NOT_COORDINATOR);
      return ctx.shares.offsets.describe(g.groupId, g.topics);
    });
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groups.map((g) => groupError(g.groupId, code)) };
  },
});
