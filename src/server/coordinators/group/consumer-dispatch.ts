/**
 * ConsumerGroupHeartbeat (KIP-848) as the group coordinator routes it: Kafka's request checks,
 * then a join (epoch 0) that finds, creates or upgrades the group, a heartbeat, or a leave. A
 * ConsumerGroupHeartbeat joining a running classic group upgrades it online (group-migration.ts,
 * within group.consumer.migration.policy); the departure of the last consumer-protocol member
 * of a group that still has classic members downgrades it back.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../protocol/messages/consumer-group-heartbeat.js';
import { ClassicGroup } from './classic-group.js';
import type { ClientInfo } from './classic-group-member.js';
import { ConsumerGroup } from './consumer-group.js';
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './consumer-group-member.js';
import type { GroupCoordinatorContext } from './group-coordinator-context.js';
import { canUpgrade, downgradeToClassicGroup, shouldDowngrade, upgradeToConsumerGroup } from './group-migration.js';
import { groupMetadataRecord } from './offsets-topic.js';

/**
 * One ConsumerGroupHeartbeat: join (epoch 0), heartbeat (the member's epoch), leave (-1) or a
 * static member's temporary leave (-2). Errors come back as the code with Kafka's message.
 */
export function consumerGroupHeartbeat(ctx: GroupCoordinatorContext, req: ConsumerGroupHeartbeatRequest, client: ClientInfo): ConsumerGroupHeartbeatResponse {
  const error = (code: number, message: string | null): ConsumerGroupHeartbeatResponse => ({
    throttleTimeMs: 0,
    errorCode: code,
    errorMessage: message,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  });
  if (ctx.closed()) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  const invalid = validateConsumerGroupHeartbeat(ctx, req, client.apiVersion);
  if (invalid) return error(invalid.code, invalid.message);
  if (ctx.otherGroups()?.has(req.groupId) === true) return error(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
  try {
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return consumerGroupOf(ctx, req.groupId).leave(req.memberId, req.instanceId, req.memberEpoch);
    }
    const group = req.memberEpoch === 0 ? getOrCreateConsumerGroup(ctx, req.groupId) : consumerGroupOf(ctx, req.groupId);
    return group.heartbeat(req, { clientId: client.clientId, clientHost: client.clientHost });
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return error(e.code, e.message);
  }
}

/** Kafka's request checks (GroupCoordinatorService.throwIfConsumerGroupHeartbeatRequestIsInvalid). */
function validateConsumerGroupHeartbeat(ctx: GroupCoordinatorContext, req: ConsumerGroupHeartbeatRequest, apiVersion: number): KafkaError | null {
  const blank = (s: string | null) => s !== null && s.trim() === '';
  const bad = (message: string) => new KafkaError('INVALID_REQUEST', message);
  // v1 members make up their own id (KIP-1082); v0 members get one from the coordinator.
  if ((apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) && blank(req.memberId)) return bad("MemberId can't be empty.");
  if (blank(req.groupId)) return bad("GroupId can't be empty.");
  if (blank(req.instanceId)) return bad("InstanceId can't be empty.");
  if (blank(req.rackId)) return bad("RackId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) return bad('RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) return bad('TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) return bad('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) return bad("InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    return bad('MemberEpoch is invalid.');
  }
  const assignors = ctx.settings.consumer.assignors;
  if (req.serverAssignor !== null && !assignors.has(req.serverAssignor)) {
    return new KafkaError('UNSUPPORTED_ASSIGNOR', `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${[...assignors.keys()].join(', ')}.`);
  }
  return null;
}

/** The consumer group, or GROUP_ID_NOT_FOUND as Kafka's consumerGroup(groupId). */
function consumerGroupOf(ctx: GroupCoordinatorContext, groupId: string): ConsumerGroup {
  const group = ctx.groups.get(groupId);
  if (!group) throw new KafkaError('GROUP_ID_NOT_FOUND', `Consumer group ${groupId} not found.`);
  if (group.type !== 'consumer') throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
  return group;
}

/** A join may create the group, or replace an empty classic group (its offsets stay). */
function getOrCreateConsumerGroup(ctx: GroupCoordinatorContext, groupId: string): ConsumerGroup {
  const existing = ctx.groups.get(groupId);
  if (existing?.type === 'consumer') return existing;
  if (existing) {
    if (existing.type === 'streams') throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
    if (!existing.isEmpty) {
      // Online upgrade: the running classic group becomes a consumer group (group-migration.ts).
      if (!canUpgrade(existing, ctx.settings.migrationPolicy, ctx.settings.consumer.maxSize, ctx.logger)) {
        throw new KafkaError('GROUP_ID_NOT_FOUND', `Group ${groupId} is not a consumer group.`);
      }
      const { group, records } = upgradeToConsumerGroup(existing, ctx.consumerEnv);
      ctx.log.append(groupId, [groupMetadataRecord(groupId, null), ...records]);
      ctx.removeGroup(existing);
      return addConsumerGroup(ctx, group);
    }
    ctx.log.append(groupId, [groupMetadataRecord(groupId, null)]);
    ctx.removeGroup(existing);
    ctx.logger.info(`group ${groupId}: empty classic group replaced by a consumer group`);
  }
  return addConsumerGroup(ctx, new ConsumerGroup(groupId, ctx.consumerEnv));
}

/** Registers a consumer group, watching its departures for an online downgrade. */
export function addConsumerGroup(ctx: GroupCoordinatorContext, group: ConsumerGroup): ConsumerGroup {
  group.onMemberRemoved = (removed) => {
    if (ctx.closed() || ctx.groups.get(group.groupId) !== group) return;
    if (!shouldDowngrade(group, removed, ctx.settings.migrationPolicy, ctx.logger)) return;
    ctx.log.append(group.groupId, group.deletionRecords());
    ctx.removeGroup(group);
    const classic = new ClassicGroup(group.groupId, ctx.classicEnv);
    ctx.groups.set(group.groupId, classic);
    // The removal bumped the group epoch once; Kafka converts without that bump, and the
    // generation must be the epoch the members hold for their commits to pass until they rejoin.
    const generation = group.groupEpoch - 1;
    downgradeToClassicGroup(group, classic, generation, ctx.topics);
    ctx.logger.info(`group ${group.groupId}: consumer group downgraded to a classic group at generation ${generation}; its members rejoin`);
  };
  ctx.addGroup(group);
  return group;
}
