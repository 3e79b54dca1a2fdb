/**
 * Classic-protocol members inside a consumer group (KIP-848's online migration), as Kafka's
 * GroupMetadataManager serves them (classicGroupJoin/Sync/Heartbeat/LeaveToConsumerGroup): a
 * consumer that still speaks JoinGroup/SyncGroup/Heartbeat/LeaveGroup is a member of the consumer
 * group like any other, and those requests are mapped onto the consumer protocol:
 *
 * - JoinGroup updates the member's subscription (from the embedded ConsumerProtocolSubscription),
 *   bumps the group epoch when it changed, recomputes the target assignment when it lags, and
 *   reconciles the member with the partitions its subscription says it owns. It is answered at
 *   once, never parked: the generation is the member's epoch, the leader nobody (no client-side
 *   assignment), the protocol the member's first one.
 * - SyncGroup answers the member's current assignment (what reconciliation gave it, never
 *   partitions another member still holds), serialized at the member's embedded version; or
 *   REBALANCE_IN_PROGRESS when a newer group epoch calls for another join first.
 * - Heartbeat answers REBALANCE_IN_PROGRESS when the member must rejoin: the group epoch moved
 *   past its epoch, it owes a revocation, or partitions it waits for became free.
 * - LeaveGroup removes the member (and bumps the group epoch).
 *
 * Timers, as Kafka's: the member's own session timeout (from its JoinGroup); once told to rejoin,
 * its rebalance timeout to do so; after a join, its rebalance timeout to send SyncGroup. Missing
 * either deadline removes the member.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import { randomUuid } from '../../../protocol/uuid.js';
import { defaultJoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import { defaultSyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { SyncGroupResponse } from '../../../protocol/messages/sync-group.js';
import type { ClientInfo, JoinRequest, LeaveMember, LeaveMemberResult, SyncRequest } from './classic-group-member.js';
import { CONSUMER_PROTOCOL_TYPE } from './classic-group-core.js';
import type { ConsumerGroupCore } from './consumer-group-core.js';
import { NO_PARTITIONS } from './consumer-group-core.js';
import { freshMember, sameMetadata, sortedUnique } from './consumer-group-member.js';
import type { ConsumerGroupMember } from './consumer-group-member.js';
import { MemberState } from './consumer-reconcile.js';
import * as rec from './consumer-group-records.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import { embeddedVersion, ownedPartitions, parseSubscription, serializeAssignment } from './consumer-protocol-embedded.js';

/** Kafka's ConsumerGroup.supportsClassicProtocols: the consumer protocol type, and a protocol every classic member has. */
function supportsClassicProtocols(g: ConsumerGroupCore, protocolType: string, names: readonly string[]): boolean {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE || names.length === 0) return false;
  const classic = [...g.members.values()].filter((m) => m.classic !== null);
  return names.some((name) => classic.every((m) => m.classic!.protocols.some((p) => p.name === name)));
}

/** The member a classic request names (Kafka's validateConsumerGroupMember), which must speak the classic protocol. */
function classicMember(g: ConsumerGroupCore, memberId: string, instanceId: string | null): ConsumerGroupMember {
  let member: ConsumerGroupMember | undefined;
  if (instanceId === null) {
    member = g.members.get(memberId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${g.groupId}.`);
  } else {
    member = g.staticMember(instanceId);
    if (!member) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member with instance id ${instanceId} is not a member of group ${g.groupId}.`);
    if (memberId !== '' && member.memberId !== memberId) {
      throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${instanceId} was fenced by member ${member.memberId}.`);
    }
  }
  if (member.classic === null) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${member.memberId} does not use the classic protocol.`);
  return member;
}

function throwIfGenerationMismatch(member: ConsumerGroupMember, generationId: number): void {
  if (generationId !== member.memberEpoch) {
    throw new KafkaError('ILLEGAL_GENERATION', `The member ${member.memberId} has a generation id ${generationId} that does not match the member epoch ${member.memberEpoch}.`);
  }
}

/** Once told to rejoin, the member has its rebalance timeout to do so (armed once, not pushed back). */
function scheduleJoinTimeoutIfAbsent(g: ConsumerGroupCore, member: ConsumerGroupMember): void {
  if (g.classicJoinTimers.has(member.memberId)) return;
  g.armTimer(g.classicJoinTimers, member.memberId, Math.max(member.rebalanceTimeoutMs, 0), (m) => g.fence(m, `it did not rejoin within its rebalance timeout of ${m.rebalanceTimeoutMs} ms`));
}

/** Whether some partition of the member's target is still held by another member. */
function waitingOnUnreleased(g: ConsumerGroupCore, member: ConsumerGroupMember): boolean {
  for (const [topicId, ps] of g.target.get(member.memberId) ?? NO_PARTITIONS) {
    const have = member.assigned.get(topicId);
    for (const p of ps) if (!have?.has(p) && g.partitionEpoch(topicId, p) !== -1) return true;
  }
  return false;
}

/** The protocol a classic member is answered with: its most preferred one, as Kafka. */
function protocolOf(member: ConsumerGroupMember): { readonly name: string; readonly metadata: Buffer } {
  return member.classic!.protocols[0]!;
}

/** A JoinGroup from a classic member of a non-empty consumer group; answered at once. */
export function classicJoin(g: ConsumerGroupCore, req: JoinRequest, client: ClientInfo, persist: (records: CoordinatorRecord[]) => void): JoinGroupResponse {
  const isUnknown = req.memberId === '';
  const memberId = isUnknown ? randomUuid() : req.memberId;
  g.throwIfFull(memberId, req.groupInstanceId);
  if (!supportsClassicProtocols(g, req.protocolType, req.protocols.map((p) => p.name))) {
    throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `Member ${memberId}'s protocols are not supported.`);
  }
  // KIP-394: a dynamic member first gets its id and comes back with it.
  if (isUnknown && req.groupInstanceId === null && client.apiVersion >= 4) {
    g.env.logger.info(`group ${g.groupId}: dynamic classic member joins the consumer group; new member id ${memberId}`);
    return { ...defaultJoinGroupResponse(), memberId, errorCode: ErrorCode.MEMBER_ID_REQUIRED };
  }
  const records: CoordinatorRecord[] = [];
  let before: ConsumerGroupMember;
  let isNew = false;
  if (req.groupInstanceId === null) {
    const existing = g.members.get(memberId);
    if (existing && existing.classic === null) throw new KafkaError('UNKNOWN_MEMBER_ID', `Member ${memberId} does not use the classic protocol.`);
    isNew = existing === undefined;
    before = existing ?? freshMember(memberId);
  } else {
    const existing = g.staticMember(req.groupInstanceId);
    if (!existing) {
      isNew = true;
      before = freshMember(memberId);
    } else if (existing.memberId === memberId) {
      before = existing;
    } else if (isUnknown) {
      // A returning static instance takes over its previous member's assignment under a new id.
      before = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
      g.replaceMember(existing, before, records);
    } else {
      throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${memberId} with instance id ${req.groupInstanceId} was fenced by member ${existing.memberId}.`);
    }
  }

  const subscription = parseSubscription(req.protocols[0]!.metadata);
  const updated: ConsumerGroupMember = {
    ...before,
    instanceId: req.groupInstanceId ?? before.instanceId,
    rackId: subscription.rackId ?? before.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : before.rebalanceTimeoutMs,
    subscribedTopicNames: sortedUnique(subscription.topics),
    subscribedTopicRegex: null,
    clientId: client.clientId,
    clientHost: client.clientHost,
    classic: { sessionTimeoutMs: req.sessionTimeoutMs, protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) },
  };
  let bump = isNew;
  if (isNew || !sameMetadata(before, updated)) {
    records.push(rec.memberMetadataRecord(g.groupId, memberId, updated));
    bump ||= before.subscribedTopicNames.join('\u0000') !== updated.subscribedTopicNames.join('\u0000') || before.subscribedTopicRegex !== null;
  }
  g.putMember(g.members.get(memberId), updated);
  if (isNew) g.env.logger.info(`group ${g.groupId}: classic member ${memberId} joins the consumer group`);
  const signature = g.computeMetadataSignature();
  if (signature !== g.metadataSignature) {
    g.metadataSignature = signature;
    bump = true;
  }
  if (bump) {
    g.groupEpoch++;
    records.push(rec.groupEpochRecord(g.groupId, g.groupEpoch));
    g.env.logger.info(`group ${g.groupId}: group epoch bumped to ${g.groupEpoch}`);
  }
  if (g.groupEpoch > g.assignmentEpoch) g.updateTargetAssignment(records);
  const reconciled = g.reconcile(g.members.get(memberId)!, ownedPartitions(subscription, g.env.topics), records);
  persist(records);

  g.cancelTimer(g.classicJoinTimers, memberId);
  g.scheduleSessionTimeout(memberId);
  g.armTimer(g.classicSyncTimers, memberId, Math.max(reconciled.rebalanceTimeoutMs, 0), (m) => g.fence(m, `it did not send SyncGroup within its rebalance timeout of ${m.rebalanceTimeoutMs} ms`));
  return {
    ...defaultJoinGroupResponse(),
    errorCode: ErrorCode.NONE,
    generationId: reconciled.memberEpoch,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocolName: protocolOf(reconciled).name,
    leader: '',
    memberId,
    members: [],
  };
}

/** A SyncGroup from a classic member of a consumer group: its current assignment. */
export function classicSync(g: ConsumerGroupCore, req: SyncRequest): SyncGroupResponse {
  const member = classicMember(g, req.memberId, req.groupInstanceId);
  throwIfGenerationMismatch(member, req.generationId);
  const protocol = protocolOf(member);
  if (req.protocolType !== null && req.protocolType !== CONSUMER_PROTOCOL_TYPE) {
    throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `The protocol type ${req.protocolType} from member ${member.memberId} request is not equal to the group protocol type ${CONSUMER_PROTOCOL_TYPE}.`);
  }
  if (req.protocolName !== null && req.protocolName !== protocol.name) {
    throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `The protocol name ${req.protocolName} from member ${member.memberId} request is not equal to the protocol name ${protocol.name} returned in the join response.`);
  }
  // A member that owes a revocation has rejoined already: it gets its reduced assignment now
  // and rejoins again once it has revoked.
  if (g.groupEpoch > member.memberEpoch && member.state !== MemberState.UNREVOKED_PARTITIONS) {
    scheduleJoinTimeoutIfAbsent(g, member);
    throw new KafkaError('REBALANCE_IN_PROGRESS', `A new rebalance is triggered in group ${g.groupId} and member ${member.memberId} should rejoin to catch up.`);
  }
  g.cancelTimer(g.classicSyncTimers, member.memberId);
  g.scheduleSessionTimeout(member.memberId);
  return {
    ...defaultSyncGroupResponse(),
    errorCode: ErrorCode.NONE,
    protocolType: req.protocolType,
    protocolName: req.protocolName,
    assignment: serializeAssignment(member.assigned, embeddedVersion(protocol.metadata), g.env.topics),
  };
}

/** A Heartbeat from a classic member of a consumer group: NONE, or REBALANCE_IN_PROGRESS to make it rejoin. */
export function classicHeartbeat(g: ConsumerGroupCore, memberId: string, instanceId: string | null, generationId: number): number {
  const member = classicMember(g, memberId, instanceId);
  throwIfGenerationMismatch(member, generationId);
  g.scheduleSessionTimeout(member.memberId);
  const mustRejoin =
    member.memberEpoch < g.groupEpoch ||
    member.state === MemberState.UNREVOKED_PARTITIONS ||
    (member.state === MemberState.UNRELEASED_PARTITIONS && !waitingOnUnreleased(g, member));
  if (!mustRejoin) return ErrorCode.NONE;
  scheduleJoinTimeoutIfAbsent(g, member);
  return ErrorCode.REBALANCE_IN_PROGRESS;
}

/** A LeaveGroup naming classic members of a consumer group; answered member by member. */
export function classicLeave(g: ConsumerGroupCore, members: readonly LeaveMember[]): LeaveMemberResult[] {
  return members.map((m) => {
    try {
      const member = classicMember(g, m.memberId, m.groupInstanceId);
      g.fence(member, `it left the group through LeaveGroup (reason: ${m.reason ?? 'not provided'})`);
      return { memberId: member.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.NONE };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: e.code };
    }
  });
}
