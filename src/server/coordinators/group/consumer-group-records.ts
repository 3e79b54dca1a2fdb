/**
 * The records a consumer group (KIP-848) writes to __consumer_offsets, in Kafka's coordinator
 * record format (see offsets-topic.ts for the framing): the key's version is the record type.
 *
 *   type 3  ConsumerGroupMetadata            group epoch
 *   type 5  ConsumerGroupMemberMetadata      a member's subscription and client details
 *   type 6  ConsumerGroupTargetAssignmentMetadata   the epoch of the target assignment
 *   type 7  ConsumerGroupTargetAssignmentMember     a member's target partitions
 *   type 8  ConsumerGroupCurrentMemberAssignment    a member's epochs, state and partitions
 *
 * A null value is a tombstone. Deleting a group writes tombstones in Kafka's order: current
 * assignments, target assignments, the target epoch, member subscriptions, the group epoch.
 *
 * Type 4 (ConsumerGroupPartitionMetadata, the subscribed topics' metadata) is not written: Kafka
 * 4.x replaced it with a metadata hash, and nothing here reads it back.
 */
import { Writer } from '../../../protocol/writer.js';
import {
  writeConsumerGroupCurrentMemberAssignmentKey,
  writeConsumerGroupCurrentMemberAssignmentValue,
  writeConsumerGroupMemberMetadataKey,
  writeConsumerGroupMemberMetadataValue,
  writeConsumerGroupMetadataKey,
  writeConsumerGroupMetadataValue,
  writeConsumerGroupTargetAssignmentMemberKey,
  writeConsumerGroupTargetAssignmentMemberValue,
  writeConsumerGroupTargetAssignmentMetadataKey,
  writeConsumerGroupTargetAssignmentMetadataValue,
} from '../../../protocol/coordinator-records/index.js';
import type { CoordinatorRecord } from './offsets-topic.js';

export const ConsumerRecordType = {
  GROUP_METADATA: 3,
  MEMBER_METADATA: 5,
  TARGET_ASSIGNMENT_METADATA: 6,
  TARGET_ASSIGNMENT_MEMBER: 7,
  CURRENT_MEMBER_ASSIGNMENT: 8,
} as const;

function versioned(version: number, write: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  w.int16(version);
  write(w);
  return w.toBuffer();
}

function record(type: number, writeKey: (w: Writer) => void, writeValue: ((w: Writer) => void) | null): CoordinatorRecord {
  return { key: versioned(type, writeKey), value: writeValue === null ? null : versioned(0, writeValue) };
}

/** Partitions by topic id, as the records list them (sorted, for stable bytes). */
export function topicPartitionList(a: ReadonlyMap<string, ReadonlySet<number> | ReadonlyMap<number, number>>): { topicId: string; partitions: number[] }[] {
  return [...a].map(([topicId, ps]) => ({ topicId, partitions: [...ps.keys()].sort((x, y) => x - y) }));
}

export function groupEpochRecord(groupId: string, epoch: number | null): CoordinatorRecord {
  return record(
    ConsumerRecordType.GROUP_METADATA,
    (w) => writeConsumerGroupMetadataKey(w, ConsumerRecordType.GROUP_METADATA, { groupId }),
    epoch === null ? null : (w) => writeConsumerGroupMetadataValue(w, 0, { epoch, metadataHash: 0n }),
  );
}

export interface MemberMetadata {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly serverAssignor: string | null;
  /** Set for a member that speaks the classic protocol (JoinGroup/SyncGroup) inside the group. */
  readonly classic: ClassicMemberMetadata | null;
}

/** What a classic-protocol member of a consumer group joined with (Kafka's ClassicMemberMetadata). */
export interface ClassicMemberMetadata {
  readonly sessionTimeoutMs: number;
  /** The JoinGroup protocols, in the member's order of preference. */
  readonly protocols: readonly { readonly name: string; readonly metadata: Buffer }[];
}

export function memberMetadataRecord(groupId: string, memberId: string, m: MemberMetadata | null): CoordinatorRecord {
  return record(
    ConsumerRecordType.MEMBER_METADATA,
    (w) => writeConsumerGroupMemberMetadataKey(w, ConsumerRecordType.MEMBER_METADATA, { groupId, memberId }),
    m === null
      ? null
      : (w) =>
          writeConsumerGroupMemberMetadataValue(w, 0, {
            instanceId: m.instanceId,
            rackId: m.rackId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            subscribedTopicNames: [...m.subscribedTopicNames],
            subscribedTopicRegex: m.subscribedTopicRegex,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            serverAssignor: m.serverAssignor,
            classicMemberMetadata:
              m.classic === null ? null : { sessionTimeoutMs: m.classic.sessionTimeoutMs, supportedProtocols: m.classic.protocols.map((p) => ({ name: p.name, metadata: p.metadata })) },
          }),
  );
}

export function targetAssignmentEpochRecord(groupId: string, epoch: number | null): CoordinatorRecord {
  return record(
    ConsumerRecordType.TARGET_ASSIGNMENT_METADATA,
    (w) => writeConsumerGroupTargetAssignmentMetadataKey(w, ConsumerRecordType.TARGET_ASSIGNMENT_METADATA, { groupId }),
    epoch === null ? null : (w) => writeConsumerGroupTargetAssignmentMetadataValue(w, 0, { assignmentEpoch: epoch, assignmentTimestamp: 0n }),
  );
}

export function targetAssignmentMemberRecord(groupId: string, memberId: string, partitions: ReadonlyMap<string, ReadonlySet<number>> | null): CoordinatorRecord {
  return record(
    ConsumerRecordType.TARGET_ASSIGNMENT_MEMBER,
    (w) => writeConsumerGroupTargetAssignmentMemberKey(w, ConsumerRecordType.TARGET_ASSIGNMENT_MEMBER, { groupId, memberId }),
    partitions === null ? null : (w) => writeConsumerGroupTargetAssignmentMemberValue(w, 0, { topicPartitions: topicPartitionList(partitions) }),
  );
}

export interface CurrentAssignment {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: number;
  readonly assigned: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly pendingRevocation: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export function currentAssignmentRecord(groupId: string, memberId: string, a: CurrentAssignment | null): CoordinatorRecord {
  return record(
    ConsumerRecordType.CURRENT_MEMBER_ASSIGNMENT,
    (w) => writeConsumerGroupCurrentMemberAssignmentKey(w, ConsumerRecordType.CURRENT_MEMBER_ASSIGNMENT, { groupId, memberId }),
    a === null
      ? null
      : (w) =>
          writeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
            memberEpoch: a.memberEpoch,
            previousMemberEpoch: a.previousMemberEpoch,
            state: a.state,
            assignedPartitions: topicPartitionList(a.assigned).map((t) => ({ ...t, assignmentEpochs: null })),
            partitionsPendingRevocation: topicPartitionList(a.pendingRevocation).map((t) => ({ ...t, assignmentEpochs: null })),
          }),
  );
}
