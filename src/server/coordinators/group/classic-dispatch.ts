/**
 * The classic group APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as the group coordinator
 * routes them: to a classic group (classic-group.ts), or to a consumer group that serves classic
 * members during an online migration (consumer-group-classic.ts). An empty consumer group gives
 * way to a classic group on a join, keeping its offsets, as in Kafka.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import type { GroupMetadataValueMemberMetadata } from '../../../protocol/coordinator-records/index.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import { defaultJoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import { defaultSyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import { ClassicGroup } from './classic-group.js';
import type { ClientInfo, LeaveMember, LeaveMemberResult } from './classic-group-member.js';
import type { GroupCoordinatorContext } from './group-coordinator-context.js';
import { groupMetadataRecord } from './offsets-topic.js';
import type { CoordinatorRecord } from './offsets-topic.js';

export function createClassicGroup(ctx: GroupCoordinatorContext, groupId: string): ClassicGroup {
  const group = new ClassicGroup(groupId, ctx.classicEnv);
  ctx.addGroup(group);
  return group;
}

export function joinGroup(ctx: GroupCoordinatorContext, req: JoinGroupRequest, client: ClientInfo): Promise<JoinGroupResponse> {
  const error = (code: number): Promise<JoinGroupResponse> => Promise.resolve({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: code });
  if (ctx.closed()) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
  if (ctx.otherGroups()?.has(req.groupId) === true) return error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  if (req.sessionTimeoutMs < ctx.settings.minSessionTimeoutMs || req.sessionTimeoutMs > ctx.settings.maxSessionTimeoutMs) {
    return error(ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  let group = ctx.groups.get(req.groupId);
  if (group?.type === 'consumer' && !group.isEmpty) {
    // A classic member of a non-empty consumer group (online migration): answered at once.
    try {
      return Promise.resolve(group.classicJoin(req, client));
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return Promise.resolve({ ...defaultJoinGroupResponse(), memberId: req.memberId, errorCode: e.code });
    }
  }
  if (group && group.type !== 'classic') {
    // An empty consumer group gives way to a classic group, keeping its offsets, as in Kafka.
    if (!group.isEmpty) return Promise.resolve({ ...defaultJoinGroupResponse(), errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
    ctx.log.append(req.groupId, group.deletionRecords());
    ctx.removeGroup(group);
    ctx.logger.info(`group ${req.groupId}: empty consumer group replaced by a classic group`);
    group = undefined;
  }
  const isNew = group === undefined;
  if (!group) {
    // A member id for a group that does not exist: the group expired or was deleted.
    if (req.memberId !== '') return error(ErrorCode.UNKNOWN_MEMBER_ID);
    group = createClassicGroup(ctx, req.groupId);
  }
  const writesBefore = ctx.groupWrites();
  const joined = group.join(
    {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      // v0 has no rebalance timeout: the session timeout serves as both, as in Kafka.
      rebalanceTimeoutMs: client.apiVersion === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      reason: req.reason,
    },
    client,
  );
  // As Kafka: a group created by a join that wrote nothing itself is committed with an empty
  // metadata record, so that it exists in the log too.
  if (isNew && ctx.groupWrites() === writesBefore) {
    ctx.log.append(req.groupId, [
      groupMetadataRecord(req.groupId, { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: BigInt(group.stateTimestamp), members: [] }),
    ]);
  }
  return joined;
}

export function syncGroup(ctx: GroupCoordinatorContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  const error = (code: number): Promise<SyncGroupResponse> => Promise.resolve({ ...defaultSyncGroupResponse(), errorCode: code });
  if (ctx.closed()) return error(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
  const group = ctx.groups.get(req.groupId);
  if (group?.type === 'consumer') return Promise.resolve(classicRequest(() => group.classicSync(req), (code) => ({ ...defaultSyncGroupResponse(), errorCode: code })));
  if (!group || group.isEmpty || group.type !== 'classic') return error(ErrorCode.UNKNOWN_MEMBER_ID);
  return group.sync(req);
}

export function heartbeat(ctx: GroupCoordinatorContext, groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
  if (ctx.closed()) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const group = ctx.groups.get(groupId);
  if (group?.type === 'consumer') return classicRequest(() => group.classicHeartbeat(memberId, groupInstanceId, generationId), (code) => code);
  if (!group || group.type !== 'classic') return ErrorCode.UNKNOWN_MEMBER_ID;
  return group.heartbeat(memberId, groupInstanceId, generationId);
}

export function leaveGroup(ctx: GroupCoordinatorContext, groupId: string, members: readonly LeaveMember[]): { errorCode: number; members: LeaveMemberResult[] } {
  if (ctx.closed()) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
  const group = ctx.groups.get(groupId);
  if (group?.type === 'consumer') return { errorCode: ErrorCode.NONE, members: group.classicLeave(members) };
  if (!group || group.type !== 'classic') {
    // Kafka answers an unknown group member by member, not with a top-level error.
    return { errorCode: ErrorCode.NONE, members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
  }
  return group.leave(members);
}

/** A classic request served by a consumer group: its KafkaError becomes the response's error code. */
function classicRequest<T>(serve: () => T, error: (code: number) => T): T {
  try {
    return serve();
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return error(e.code);
  }
}

/** A classic group's metadata record: members with their subscription and assignment. */
export function classicGroupMetadataRecord(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): CoordinatorRecord {
  const members: GroupMetadataValueMemberMetadata[] = [];
  for (const m of group.members) {
    members.push({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadata(group.protocolName),
      assignment: assignments.get(m.memberId) ?? Buffer.alloc(0),
    });
  }
  return groupMetadataRecord(group.groupId, {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.stateTimestamp),
    members,
  });
}
