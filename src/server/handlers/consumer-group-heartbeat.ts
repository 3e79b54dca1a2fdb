/**
 * ConsumerGroupHeartbeat (key 68), v0-1: the whole KIP-848 consumer protocol in one request. A
 * member joins with epoch 0, heartbeats with its epoch (sending its subscription and owned
 * partitions when they change), and leaves with -1 (or -2, a static member leaving for now); every
 * answer carries its epoch and, when it changed, its assignment. The group logic is in
 * group/consumer-group.ts; the request checks (INVALID_REQUEST with Kafka's messages,
 * UNSUPPORTED_ASSIGNOR) in GroupCoordinator.consumerGroupHeartbeat.
 *
 * Versions: v0 members may send an empty member id and get one from the coordinator (a random
 * Kafka Uuid); v1 members must bring their own (KIP-1082) and may subscribe by regular expression
 * (SubscribedTopicRegex; RE2/J syntax, matched here as an anchored JavaScript RegExp).
 *
 * Deviations from Kafka: classic-protocol members cannot join a consumer group and a consumer
 * member cannot join a non-empty classic group (GROUP_ID_NOT_FOUND), where Kafka converts the
 * group between protocols online.
 */
import { ConsumerGroupHeartbeatApi } from '../../protocol/messages/consumer-group-heartbeat.js';
import type { ConsumerGroupHeartbeatResponse } from '../../protocol/messages/consumer-group-heartbeat.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizedNames } from './authorize.js';
import { clientInfoOf, coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';

function errorResponse(code: number): ConsumerGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode: code, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

export const consumerGroupHeartbeatHandler = defineHandler(ConsumerGroupHeartbeatApi, {
  handle(ctx, req) {
    // group.version 0 turns the consumer protocol off (KafkaApis.isConsumerGroupProtocolEnabled).
    if (ctx.cluster.features.level(Feature.GROUP_VERSION) < 1) return errorResponse(ErrorCode.UNSUPPORTED_VERSION);
    // KafkaApis: READ on the group.
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return errorResponse(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    // Subscribed topics must all be describable (KafkaApis.handleConsumerGroupHeartbeat).
    if (req.subscribedTopicNames !== null && req.subscribedTopicNames.length > 0) {
      const names = new Set(req.subscribedTopicNames);
      if (authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, names).size < names.size) return errorResponse(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    }
    if (req.groupId.trim() !== '' && !coordinatesGroup(ctx, req.groupId)) return errorResponse(ErrorCode.NOT_COORDINATOR);
    return ctx.groups.consumerGroupHeartbeat(req, clientInfoOf(ctx));
  },
  errorResponse(_ctx, _req, code) {
    return errorResponse(code);
  },
});
