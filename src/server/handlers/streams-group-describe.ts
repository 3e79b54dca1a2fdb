/**
 * StreamsGroupDescribe (key 89), v0-1: a streams group's state, epochs, configured topology and
 * members with their current and target tasks (coordinators/streams/streams-describe.ts). Any
 * other group, or none, is GROUP_ID_NOT_FOUND ("Group g is not a streams group." / "Group g not
 * found."). v1 adds the topology description (status NOT_STORED when asked: no topology
 * description plugin) and the assignor name ("sticky").
 */
import { StreamsGroupDescribeApi } from '../../protocol/messages/streams-group-describe.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';
import { emptyDescribedGroup } from '../coordinators/streams/streams-describe.js';

export const streamsGroupDescribeHandler = defineHandler(StreamsGroupDescribeApi, {
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.STREAMS_VERSION) < 1) return { throttleTimeMs: 0, groups: req.groupIds.map((g) => emptyDescribedGroup(g, ErrorCode.UNSUPPORTED_VERSION, null)) };
    const local = req.groupIds.filter((g) => coordinatesGroup(ctx, g));
    const described = new Map(ctx.groups.streams.describe(local, req.includeAuthorizedOperations, req.includeTopologyDescription).map((d) => [d.groupId, d]));
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => described.get(g) ?? emptyDescribedGroup(g, ErrorCode.NOT_COORDINATOR, null)) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => emptyDescribedGroup(g, code, null)) };
  },
});
