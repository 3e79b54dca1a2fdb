/**
 * The inspector's view of consumer groups, of both types (classic and KIP-848 consumer): state,
 * protocol, members with their assignments, and committed offsets with the lag of each
 * partition (high watermark minus committed offset, as kafka-consumer-groups.sh --describe
 * shows it). Read through the group coordinator's own describe and offset-fetch answers, the
 * ones DescribeGroups, ConsumerGroupDescribe and OffsetFetch give clients.
 */
import type { ControlTarget } from '../control-target.js';
import { Reader } from '../../../protocol/reader.js';
import { readConsumerProtocolAssignment } from '../../../protocol/messages/consumer-protocol-assignment.js';

export interface GroupSummary {
  readonly groupId: string;
  readonly type: string;
  readonly state: string;
  readonly protocolType: string;
  readonly members: number;
  /** Sum of the lag of the partitions with a committed offset. */
  readonly lag: number;
}

export interface MemberView {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** "topic-partition" strings, sorted. */
  readonly assignment: string[];
}

export interface OffsetView {
  readonly topic: string;
  readonly partition: number;
  /** null: assigned but nothing committed yet. */
  readonly committed: number | null;
  readonly highWatermark: number;
  readonly lag: number | null;
  readonly metadata: string;
  readonly owner: string | null;
}

export interface GroupDetail extends GroupSummary {
  /** The chosen protocol (classic: e.g. "range"), or the server assignor (consumer). */
  readonly protocol: string;
  readonly epoch: number | null;
  readonly memberList: MemberView[];
  readonly offsets: OffsetView[];
}

function classicAssignment(bytes: Buffer): string[] {
  if (bytes.length < 2) return [];
  try {
    const r = new Reader(bytes);
    const a = readConsumerProtocolAssignment(r, r.int16());
    return a.assignedPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
  } catch {
    // Another protocol's assignment (Connect, a custom one): no partitions to show.
    return [];
  }
}

function members(target: ControlTarget, groupId: string, type: string): { protocol: string; epoch: number | null; list: MemberView[] } {
  if (type === 'consumer') {
    const d = target.groups.consumerGroupDescribe([groupId], false)[0]!;
    return {
      protocol: d.assignorName,
      epoch: d.groupEpoch,
      list: d.members.map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: m.assignment.topicPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topicName}-${p}`)).sort(),
      })),
    };
  }
  // v5: the newest DescribeGroups that still describes a group missing as Dead rather than an error.
  const d = target.groups.describeGroups([groupId], 5, false)[0]!;
  const g = target.groups.classicGroup(groupId);
  return {
    protocol: d.protocolData,
    epoch: g === undefined ? null : g.generationId,
    list: d.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: d.protocolType === 'consumer' ? classicAssignment(m.memberAssignment).sort() : [],
    })),
  };
}

function highWatermark(target: ControlTarget, topic: string, partition: number): number {
  return target.cluster.topics.partition(topic, partition)?.log.highWatermark ?? 0;
}

function offsets(target: ControlTarget, groupId: string, list: readonly MemberView[]): OffsetView[] {
  const owners = new Map<string, string>();
  for (const m of list) for (const tp of m.assignment) owners.set(tp, m.clientId === '' ? m.memberId : `${m.clientId} (${m.memberId.slice(0, 8)})`);
  const out = new Map<string, OffsetView>();
  const fetched = target.groups.fetchOffsets(groupId, null, false);
  for (const t of fetched.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0 || p.committedOffset < 0n) continue;
      const committed = Number(p.committedOffset);
      const hw = highWatermark(target, t.name, p.partitionIndex);
      out.set(`${t.name}-${p.partitionIndex}`, { topic: t.name, partition: p.partitionIndex, committed, highWatermark: hw, lag: Math.max(0, hw - committed), metadata: p.metadata, owner: owners.get(`${t.name}-${p.partitionIndex}`) ?? null });
    }
  }
  // Assigned partitions with nothing committed yet: lag unknown, as the Kafka tool's "-".
  for (const [tp, owner] of owners) {
    if (out.has(tp)) continue;
    const i = tp.lastIndexOf('-');
    const topic = tp.slice(0, i);
    const partition = Number(tp.slice(i + 1));
    out.set(tp, { topic, partition, committed: null, highWatermark: highWatermark(target, topic, partition), lag: null, metadata: '', owner });
  }
  return [...out.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** Total lag of a group's committed partitions (the sampler's figure for the lag chart). */
export function groupLag(target: ControlTarget, groupId: string): number {
  let lag = 0;
  for (const t of target.groups.fetchOffsets(groupId, null, false).topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0 || p.committedOffset < 0n) continue;
      lag += Math.max(0, highWatermark(target, t.name, p.partitionIndex) - Number(p.committedOffset));
    }
  }
  return lag;
}

export function groupSummaries(target: ControlTarget): GroupSummary[] {
  return target.groups
    .listGroups([], [])
    .map((g) => ({ groupId: g.groupId, type: g.groupType, state: g.groupState, protocolType: g.protocolType, members: target.groups.group(g.groupId)?.size ?? 0, lag: groupLag(target, g.groupId) }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export function groupDetail(target: ControlTarget, groupId: string): GroupDetail | null {
  const g = target.groups.group(groupId);
  if (g === undefined) return null;
  const m = members(target, groupId, g.type);
  const offs = offsets(target, groupId, m.list);
  return {
    groupId,
    type: g.type,
    state: g.state,
    protocolType: g.protocolType ?? '',
    members: m.list.length,
    lag: offs.reduce((n, o) => n + (o.lag ?? 0), 0),
    protocol: m.protocol,
    epoch: m.epoch,
    memberList: m.list,
    offsets: offs,
  };
}
