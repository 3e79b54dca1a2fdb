/**
 * Online migration of a running group between the classic and the consumer protocol (KIP-848), as
 * Kafka's GroupMetadataManager does it (convertToConsumerGroup, convertToClassicGroup and their
 * validations), governed by group.consumer.migration.policy:
 *
 *   bidirectional (Kafka 4.x's default)  upgrade and downgrade
 *   upgrade                              classic -> consumer only
 *   downgrade                            consumer -> classic only
 *   disabled                             neither
 *
 * Upgrade: the first ConsumerGroupHeartbeat joining a non-empty classic group that uses the
 * consumer embedded protocol (and whose size is within group.consumer.max.size) turns it into a
 * consumer group, in whatever state it is: every classic member becomes a classic-protocol member
 * of the consumer group, Stable at member epoch = the classic generation, with its last SyncGroup
 * assignment as both its current and its target assignment (group epoch = assignment epoch = the
 * generation). Parked JoinGroup/SyncGroup requests are answered REBALANCE_IN_PROGRESS, so that
 * those members rejoin the consumer group. The joining member then bumps the group epoch and the
 * consumer group's reconciliation moves partitions without ever giving one to two members.
 *
 * Downgrade: when the last consumer-protocol member of a group whose other members all speak the
 * classic protocol leaves (or is fenced), the group becomes a classic group: Stable at generation =
 * the group epoch before that departure (the epoch its reconciled members hold, so that their
 * commits stay valid until they rejoin), each member with its target assignment serialized in the protocol the members
 * vote for, then a rebalance starts (PreparingRebalance) and every member rejoins through
 * JoinGroup. A group left empty stays a consumer group (the next classic join replaces it).
 *
 * Committed offsets belong to the group id, not to the group object: both conversions keep them.
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';
import type { Logger } from '../../../util/logger.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import { CONSUMER_PROTOCOL_TYPE } from './classic-group.js';
import type { ClassicGroup } from './classic-group.js';
import { ClassicGroupMember } from './classic-group-member.js';
import { ConsumerGroup } from './consumer-group.js';
import type { ConsumerGroupEnv } from './consumer-group.js';
import { sortedUnique } from './consumer-group-member.js';
import type { ConsumerGroupMember } from './consumer-group-member.js';
import { MemberState } from './consumer-reconcile.js';
import { byTopicId, embeddedVersion, parseAssignment, parseSubscription, serializeAssignment } from './consumer-protocol-embedded.js';
import type { CoordinatorRecord } from './offsets-topic.js';

export type MigrationPolicy = 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled';

const POLICIES: readonly MigrationPolicy[] = ['bidirectional', 'upgrade', 'downgrade', 'disabled'];

/** group.consumer.migration.policy, case-insensitive as Kafka parses it; an unknown value keeps the default, with a warning. */
export function migrationPolicy(config: BrokerConfig, logger: Logger): MigrationPolicy {
  const raw = (config.extra.get('group.consumer.migration.policy') ?? 'bidirectional').trim().toLowerCase();
  const found = POLICIES.find((p) => p === raw);
  if (found) return found;
  logger.warn(`group.consumer.migration.policy: unknown value '${raw}' (known: ${POLICIES.join(', ')}); using bidirectional`);
  return 'bidirectional';
}

const upgradeEnabled = (p: MigrationPolicy): boolean => p === 'bidirectional' || p === 'upgrade';
const downgradeEnabled = (p: MigrationPolicy): boolean => p === 'bidirectional' || p === 'downgrade';

/** Kafka's validateOnlineUpgrade: whether a non-empty classic group may become a consumer group now. */
export function canUpgrade(group: ClassicGroup, policy: MigrationPolicy, consumerMaxSize: number, logger: Logger): boolean {
  const why = !upgradeEnabled(policy)
    ? 'the online upgrade is disabled'
    : !group.usesConsumerProtocol()
      ? 'the group does not use the consumer embedded protocol'
      : group.size > consumerMaxSize
        ? 'the group size exceeds the consumer group maximum size'
        : null;
  if (why !== null) logger.info(`group ${group.groupId}: cannot upgrade the classic group to a consumer group because ${why}`);
  return why === null;
}

/**
 * The consumer group that replaces a classic group, with the records that delete the classic
 * group and create the consumer group. Parked requests of the classic group are answered
 * REBALANCE_IN_PROGRESS. A malformed embedded protocol is GROUP_ID_NOT_FOUND, as in Kafka.
 */
export function upgradeToConsumerGroup(classic: ClassicGroup, env: ConsumerGroupEnv): { group: ConsumerGroup; records: CoordinatorRecord[] } {
  const generation = classic.generationId;
  let members: ConsumerGroupMember[];
  try {
    members = [...classic.members].map((m) => consumerMemberOf(m, classic.protocolName, generation, env.topics));
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    throw new KafkaError('GROUP_ID_NOT_FOUND', `Cannot upgrade classic group ${classic.groupId} to consumer group because the embedded consumer protocol is malformed: ${e.message}`);
  }
  classic.kill(ErrorCode.REBALANCE_IN_PROGRESS);
  const group = new ConsumerGroup(classic.groupId, env);
  const records = group.adoptMembers(members, generation);
  env.logger.info(`group ${classic.groupId}: classic group of ${members.length} members upgraded to a consumer group at epoch ${generation}`);
  return { group, records };
}

function consumerMemberOf(m: ClassicGroupMember, protocolName: string | null, generation: number, topics: TopicRegistry): ConsumerGroupMember {
  // A group that never completed a rebalance has no protocol yet: the member's first one speaks for it.
  const metadata = protocolName !== null ? m.metadata(protocolName) : (m.protocols[0]?.metadata ?? Buffer.alloc(0));
  const subscription = parseSubscription(metadata);
  return {
    memberId: m.memberId,
    instanceId: m.groupInstanceId,
    rackId: subscription.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: sortedUnique(subscription.topics),
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    serverAssignor: null,
    classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) },
    memberEpoch: generation,
    previousMemberEpoch: generation,
    state: MemberState.STABLE,
    assigned: byTopicId(parseAssignment(m.assignment), generation, topics),
    pendingRevocation: new Map(),
  };
}

/**
 * Kafka's validateOnlineDowngradeWithFencedMember, asked after `removed` left: the group still has
 * members, all of the classic protocol, and `removed` was its last consumer-protocol member.
 */
export function shouldDowngrade(group: ConsumerGroup, removed: ConsumerGroupMember, policy: MigrationPolicy, logger: Logger): boolean {
  if (removed.classic !== null || group.size === 0) return false;
  for (const m of group.members) if (m.classic === null) return false;
  if (!downgradeEnabled(policy)) {
    logger.info(`group ${group.groupId}: cannot downgrade the consumer group to a classic group because the online downgrade is disabled`);
    return false;
  }
  return true;
}

/**
 * Fills `classic`, the new (empty) classic group that replaces a consumer group whose members all
 * speak the classic protocol, with those members; it starts rebalancing.
 */
export function downgradeToClassicGroup(consumer: ConsumerGroup, classic: ClassicGroup, generationId: number, topics: TopicRegistry): void {
  const members = [...consumer.members].map(
    (m) => new ClassicGroupMember(m.memberId, m.instanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.classic!.sessionTimeoutMs, CONSUMER_PROTOCOL_TYPE, m.classic!.protocols),
  );
  classic.adoptMembers(
    generationId,
    members,
    (m, protocolName) => serializeAssignment(consumer.targetAssignment(m.memberId), embeddedVersion(m.metadata(protocolName)), topics),
    `downgrade group ${consumer.groupId} from consumer to classic`,
  );
}
