/**
 * ConsumerGroupDescribe (key 69), v0-1: the KIP-848 view of consumer groups: state (Empty,
 * Assigning, Reconciling, Stable), group and target assignment epochs, the assignor, and per
 * member its subscription, epoch, current assignment and target assignment (topics that no longer
 * exist are left out, as Kafka does). A classic group or an unknown one is GROUP_ID_NOT_FOUND
 * ("Group g is not a consumer group." / "Group g not found."), which is how Kafka's Admin client
 * knows to fall back to DescribeGroups. Authorized operations are every group operation, when
 * asked (there are no ACLs). v1 adds each member's type (KIP-1099): always 1, consumer, since
 * classic members cannot join these groups (no online protocol upgrade, DEVIATIONS.md).
 */
import { ConsumerGroupDescribeApi } from '../../protocol/messages/consumer-group-describe.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../protocol/messages/consumer-group-describe.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function groupError(groupId: string, errorCode: number): ConsumerGroupDescribeResponseDescribedGroup {
  return { errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 };
}

export const consumerGroupDescribeHandler = defineHandler(ConsumerGroupDescribeApi, {
  handle(ctx, req) {
    // group.version 0 turns the consumer protocol off (KafkaApis.isConsumerGroupProtocolEnabled).
    if (ctx.cluster.features.level(Feature.GROUP_VERSION) < 1) return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, ErrorCode.UNSUPPORTED_VERSION)) };
    const local = req.groupIds.filter((g) => coordinatesGroup(ctx, g));
    const described = new Map(ctx.groups.consumerGroupDescribe(local, req.includeAuthorizedOperations).map((d) => [d.groupId, d]));
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => described.get(g) ?? groupError(g, ErrorCode.NOT_COORDINATOR)) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, code)) };
  },
});
