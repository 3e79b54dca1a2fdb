/**
 * The consumer protocol embedded in classic JoinGroup/SyncGroup bytes (ConsumerProtocolSubscription
 * in a protocol's metadata, ConsumerProtocolAssignment in a SyncGroup assignment), as the group
 * coordinator reads and writes it when a group moves between the classic and the consumer
 * protocol (group-migration.ts) and when classic members live inside a consumer group
 * (consumer-group-classic.ts). Topic names here; the consumer group keys partitions by topic id.
 */
import { KafkaError } from '../../../protocol/errors.js';
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import { readConsumerProtocolSubscription, ConsumerProtocolSubscriptionVersions } from '../../../protocol/messages/consumer-protocol-subscription.js';
import type { ConsumerProtocolSubscription } from '../../../protocol/messages/consumer-protocol-subscription.js';
import { readConsumerProtocolAssignment, writeConsumerProtocolAssignment, ConsumerProtocolAssignmentVersions } from '../../../protocol/messages/consumer-protocol-assignment.js';
import type { TopicRegistry } from '../../cluster/topics.js';
import type { OwnedPartitions } from './consumer-reconcile.js';

/** The version an embedded message starts with; a version newer than ours is read as our newest (its prefix). */
export function embeddedVersion(bytes: Buffer): number {
  if (bytes.length < 2) throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', 'Malformed embedded consumer protocol: no version.');
  return bytes.readInt16BE(0);
}

/** A protocol's metadata as a consumer subscription; INCONSISTENT_GROUP_PROTOCOL when it does not parse. */
export function parseSubscription(metadata: Buffer): ConsumerProtocolSubscription {
  try {
    const r = new Reader(metadata);
    const v = Math.min(r.int16(), ConsumerProtocolSubscriptionVersions.max);
    if (v < 0) throw new Error(`version ${v}`);
    return readConsumerProtocolSubscription(r, v);
  } catch (e) {
    if (e instanceof KafkaError) throw e;
    throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `Malformed embedded consumer protocol subscription: ${(e as Error).message}.`);
  }
}

/** A SyncGroup assignment's partitions by topic name; zero bytes is no partitions. */
export function parseAssignment(bytes: Buffer): Map<string, number[]> {
  if (bytes.length === 0) return new Map();
  try {
    const r = new Reader(bytes);
    const v = Math.min(r.int16(), ConsumerProtocolAssignmentVersions.max);
    const a = readConsumerProtocolAssignment(r, v);
    const out = new Map<string, number[]>();
    for (const tp of a.assignedPartitions) out.set(tp.topic, [...(out.get(tp.topic) ?? []), ...tp.partitions]);
    return out;
  } catch (e) {
    throw new KafkaError('INCONSISTENT_GROUP_PROTOCOL', `Malformed embedded consumer protocol assignment: ${(e as Error).message}.`);
  }
}

/**
 * Partitions keyed by topic id as an assignment in the embedded format, at the version the member
 * speaks (clamped to what we know), as Kafka's ConsumerProtocol.serializeAssignment. Topics that
 * no longer exist are left out.
 */
export function serializeAssignment(partitions: ReadonlyMap<string, ReadonlySet<number> | ReadonlyMap<number, number>>, version: number, topics: TopicRegistry): Buffer {
  const v = Math.max(ConsumerProtocolAssignmentVersions.min, Math.min(version, ConsumerProtocolAssignmentVersions.max));
  const assignedPartitions: { topic: string; partitions: number[] }[] = [];
  for (const [topicId, ps] of partitions) {
    const topic = topics.getById(topicId);
    if (topic) assignedPartitions.push({ topic: topic.name, partitions: [...ps.keys()].sort((a, b) => a - b) });
  }
  const w = new Writer(64);
  w.int16(v);
  writeConsumerProtocolAssignment(w, v, { assignedPartitions, userData: null });
  return w.toBuffer();
}

/** Partitions by topic name as partitions by topic id (with `epoch` as each one's assignment epoch); unknown topics dropped. */
export function byTopicId(byName: ReadonlyMap<string, readonly number[]>, epoch: number, topics: TopicRegistry): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [name, ps] of byName) {
    const t = topics.get(name);
    if (!t || ps.length === 0) continue;
    out.set(t.id, new Map(ps.map((p) => [p, epoch])));
  }
  return out;
}

/** A subscription's owned partitions as a heartbeat's owned partitions (topic ids). */
export function ownedPartitions(sub: ConsumerProtocolSubscription, topics: TopicRegistry): OwnedPartitions {
  const out: { topicId: string; partitions: number[] }[] = [];
  for (const tp of sub.ownedPartitions) {
    const t = topics.get(tp.topic);
    if (t) out.push({ topicId: t.id, partitions: [...tp.partitions] });
  }
  return out;
}
