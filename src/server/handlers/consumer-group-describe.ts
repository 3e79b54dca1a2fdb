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
import type { RequestContext } from './handler.js';
import { AclOperation, ResourceType, authorizedNames, withGroupOperations } from './authorize.js';
import { coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function groupError(groupId: string, errorCode: number): ConsumerGroupDescribeResponseDescribedGroup {
  return { errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 };
}

function checkTopics(ctx: RequestContext, includeOperations: boolean, d: ConsumerGroupDescribeResponseDescribedGroup): ConsumerGroupDescribeResponseDescribedGroup {
  if (d.errorCode !== ErrorCode.NONE || ctx.authorizer === null) return d;
  const topics = d.members.flatMap((m) => [...m.subscribedTopicNames, ...m.assignment.topicPartitions.map((t) => t.topicName), ...m.targetAssignment.topicPartitions.map((t) => t.topicName)]);
  const describable = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topics);
  if (topics.some((t) => !describable.has(t))) {
    return { ...groupError(d.groupId, ErrorCode.TOPIC_AUTHORIZATION_FAILED), errorMessage: 'The group has described topic(s) that the client is not authorized to describe.' };
  }
  return withGroupOperations(ctx, includeOperations, d);
}

export const consumerGroupDescribeHandler = defineHandler(ConsumerGroupDescribeApi, {
  handle(ctx, req) {
    // group.version 0 turns the consumer protocol off (KafkaApis.isConsumerGroupProtocolEnabled).
    if (ctx.cluster.features.level(Feature.GROUP_VERSION) < 1) return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, ErrorCode.UNSUPPORTED_VERSION)) };
    // KafkaApis.handleConsumerGroupDescribe: DESCRIBE on each group, and on every topic its members
    // subscribe to or are assigned, else the whole group is TOPIC_AUTHORIZATION_FAILED.
    const allowed = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, req.groupIds);
    const local = req.groupIds.filter((g) => allowed.has(g) && coordinatesGroup(ctx, g));
    const described = new Map(ctx.groups.consumerGroupDescribe(local, req.includeAuthorizedOperations).map((d) => [d.groupId, checkTopics(ctx, req.includeAuthorizedOperations, d)]));
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((g) => (allowed.has(g) ? (described.get(g) ?? groupError(g, ErrorCode.NOT_COORDINATOR)) : groupError(g, ErrorCode.GROUP_AUTHORIZATION_FAILED))),
    };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, groups: req.groupIds.map((g) => groupError(g, code)) };
  },
});
