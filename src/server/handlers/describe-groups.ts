/**
 * DescribeGroups (key 15), v0-6. State names are Kafka's ("Empty", "PreparingRebalance",
 * "CompletingRebalance", "Stable", "Dead"). Member metadata and the chosen protocol are only
 * shown for a Stable group, as Kafka does; assignments always.
 *
 * Versions: v3+ authorized operations when asked (every group operation: there are no ACLs);
 * v4+ group.instance.id; v6 answers GROUP_ID_NOT_FOUND with a message for an unknown group
 * (KIP-1043), where older versions describe it as a Dead group without an error.
 */
import { DescribeGroupsApi } from '../../protocol/messages/describe-groups.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../protocol/messages/describe-groups.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorizedNames, withGroupOperations } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

function groupError(groupId: string, errorCode: number): DescribeGroupsResponseDescribedGroup {
  return { errorCode, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
}

export const describeGroupsHandler = defineHandler(DescribeGroupsApi, {
  handle(ctx, req) {
    const gc = ctx.groups;
    // KafkaApis.handleDescribeGroupsRequest: DESCRIBE on each group; authorized operations are the principal's.
    const allowed = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, req.groups);
    const local = req.groups.filter((g) => allowed.has(g) && coordinatesGroup(ctx, g));
    const described = new Map(gc.describeGroups(local, ctx.apiVersion, req.includeAuthorizedOperations).map((d) => [d.groupId, withGroupOperations(ctx, req.includeAuthorizedOperations, d)]));
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => (allowed.has(g) ? (described.get(g) ?? groupError(g, ErrorCode.NOT_COORDINATOR)) : groupError(g, ErrorCode.GROUP_AUTHORIZATION_FAILED))),
    };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groups.map((g) => groupError(g, code)) };
  },
});
