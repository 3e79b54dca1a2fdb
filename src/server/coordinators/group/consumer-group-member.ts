/**
 * A member of a consumer group (KIP-848): its record, the member epochs with a meaning of their
 * own, and the comparisons the group's heartbeat (consumer-group.ts) makes on members.
 */
import { MemberState } from './consumer-reconcile.js';
import type { AssignedPartitions, MemberAssignmentState, OwnedPartitions } from './consumer-reconcile.js';
import type { ClassicMemberMetadata, MemberMetadata } from './consumer-group-records.js';

/** Member epochs with a meaning of their own (ConsumerGroupHeartbeatRequest.MemberEpoch). */
export const JOIN_GROUP_MEMBER_EPOCH = 0;
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export interface ConsumerGroupMember extends MemberMetadata, MemberAssignmentState {}

/**
 * A topic regex as RE2/J would match it. JavaScript's RegExp accepts the RE2 syntax clients use in
 * practice (classes, alternation, repetition, `.*`); RE2/J's leading inline flags `(?i)`, `(?s)`,
 * `(?m)` become RegExp flags. Where the two differ, RE2 rejects what JavaScript accepts
 * (backreferences, lookaround), so a valid RE2/J pattern means the same here.
 */
export function compileTopicRegex(source: string): RegExp {
  let body = source;
  let flags = 'u';
  const inline = /^\(\?([ims]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of new Set(inline[1]!)) flags += f;
  }
  return new RegExp(`^(?:${body})$`, flags);
}

export function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

export function freshMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    classic: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assigned: new Map(),
    pendingRevocation: new Map(),
  };
}

export function sameMetadata(a: MemberMetadata, b: MemberMetadata): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.serverAssignor === b.serverAssignor &&
    sameClassic(a.classic, b.classic) &&
    a.subscribedTopicNames.length === b.subscribedTopicNames.length &&
    a.subscribedTopicNames.every((n, i) => n === b.subscribedTopicNames[i])
  );
}

/** Every owned partition is assigned to the member (a lost response's epoch is then forgiven). */
export function isSubset(owned: OwnedPartitions, assigned: AssignedPartitions): boolean {
  if (owned === null) return false;
  for (const t of owned) {
    const ps = assigned.get(t.topicId);
    if (t.partitions.length > 0 && !ps) return false;
    for (const p of t.partitions) if (!ps!.has(p)) return false;
  }
  return true;
}

function sameClassic(a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.protocols.length === b.protocols.length &&
    a.protocols.every((p, i) => p.name === b.protocols[i]!.name && p.metadata.equals(b.protocols[i]!.metadata))
  );
}
