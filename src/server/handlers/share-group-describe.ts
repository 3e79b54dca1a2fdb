/**
 * ShareGroupDescribe (key 77), v1: share groups as `kafka-share-groups.sh --describe` shows them:
 * state (Empty, Stable), group and assignment epochs, the assignor ("simple"), and per member its
 * client, subscription, epoch and assigned partitions (by topic id and name). An unknown id, or
 * one of a classic or consumer group, is GROUP_ID_NOT_FOUND ("Group g not found." / "Group g is
 * not a share group."), a group another broker coordinates NOT_COORDINATOR.
 */
import { ShareGroupDescribeApi } from '../../protocol/messages/share-group-describe.js';
import type { ShareGroupDescribeResponseDescribedGroup } from '../../protocol/messages/share-group-describe.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function groupError(groupId: string, errorCode: number): ShareGroupDescribeResponseDescribedGroup {
  return { errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 };
}

export const shareGroupDescribeHandler = defineHandler(ShareGroupDescribeApi, {
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.SHARE_VERSION) < 1) return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, ErrorCode.UNSUPPORTED_VERSION)) };
    const local = req.groupIds.filter((g) => coordinatesGroup(ctx, g));
    const described = new Map(ctx.shares.describe(local, req.includeAuthorizedOperations).map((d) => [d.groupId, d]));
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => described.get(g) ?? groupError(g, ErrorCode.NOT_COORDINATOR)) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, code)) };
  },
});
