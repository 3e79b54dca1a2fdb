/**
 * The group coordinator's housekeeping, as Kafka's: committed offsets expire after
 * offsets.retention.ms (for a classic group only once it is empty, counted from when it became
 * empty; for a consumer group, offsets of topics it no longer subscribes to, counted from the
 * commit), empty groups left without offsets are deleted, and a deleted topic's offsets go at
 * once. group-coordinator.ts runs cleanupGroupMetadata every offsets.retention.check.interval.ms.
 */
import type { Topic } from '../../cluster/topics.js';
import { ClassicGroupState } from './classic-group-states.js';
import type { Group, GroupCoordinatorContext } from './group-coordinator-context.js';
import type { CommittedOffset } from './offset-store.js';
import { groupMetadataRecord, offsetCommitRecord } from './offsets-topic.js';
import type { CoordinatorRecord } from './offsets-topic.js';

/**
 * Kafka's periodic cleanupGroupMetadata: expires committed offsets past offsets.retention.ms
 * (or past the explicit expire time an OffsetCommit v2-4 gave them), never for a topic the group
 * subscribes to, then deletes empty groups that have no offsets left.
 */
export function cleanupGroupMetadata(ctx: GroupCoordinatorContext): void {
  if (ctx.closed()) return;
  const now = ctx.clock.now();
  const retention = ctx.settings.offsetsRetentionMs;
  for (const group of [...ctx.groups.values()]) {
    const groupId = group.groupId;
    const base = expiryBase(group);
    const records: CoordinatorRecord[] = [];
    let allExpired = true;
    for (const [topic, partition, o] of [...ctx.offsets.entries(groupId)]) {
      if (base === null || group.isSubscribedToTopic(topic)) {
        allExpired = false;
        continue;
      }
      const expired = o.expireTimestampMs !== null ? now >= o.expireTimestampMs : now - base(o) >= retention;
      if (!expired) {
        allExpired = false;
        continue;
      }
      ctx.offsets.delete(groupId, topic, partition);
      records.push(offsetCommitRecord({ group: groupId, topic, partition }, null));
    }
    if (records.length > 0) ctx.logger.info(`group ${groupId}: ${records.length} committed offsets expired`);
    if (allExpired && group.isEmpty) {
      records.push(...(group.type !== 'classic' ? group.deletionRecords() : [groupMetadataRecord(groupId, null)]));
      ctx.removeGroup(group);
      ctx.logger.info(`group ${groupId}: empty and without offsets; deleted`);
    }
    ctx.log.append(groupId, records);
  }
}

/**
 * What an offset's age is counted from, or null when the group's offsets cannot expire now
 * (Kafka's offsetExpirationCondition): a classic group that had members expires them only once
 * Empty (from when it became so) or, Stable with known subscriptions, for unsubscribed topics;
 * a simple group and a consumer group count from the commit.
 */
function expiryBase(group: Group): ((o: CommittedOffset) => number) | null {
  if (group.type !== 'classic') return (o) => o.commitTimestampMs;
  if (group.protocolType === null) return (o) => o.commitTimestampMs;
  if (group.isEmpty) return () => group.stateTimestamp;
  if (group.usesConsumerProtocol() && group.subscribedTopics !== null && group.is(ClassicGroupState.STABLE)) return (o) => o.commitTimestampMs;
  return null;
}

/** A deleted topic's committed offsets go with it, in every group (Kafka's onPartitionsDeleted). */
export function dropOffsetsOfDeletedTopic(ctx: GroupCoordinatorContext, topic: Topic): void {
  if (ctx.closed()) return;
  for (const group of ctx.groups.values()) {
    const records: CoordinatorRecord[] = [];
    for (const [name, partition] of [...ctx.offsets.entries(group.groupId)]) {
      if (name !== topic.name) continue;
      ctx.offsets.delete(group.groupId, name, partition);
      records.push(offsetCommitRecord({ group: group.groupId, topic: name, partition }, null));
    }
    ctx.log.append(group.groupId, records);
  }
}
