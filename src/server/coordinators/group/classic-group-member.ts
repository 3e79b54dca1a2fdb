/**
 * A member of a classic group, and the parts of the classic requests (JoinGroup, SyncGroup,
 * LeaveGroup) the group's state machine (classic-group.ts) acts on.
 */
import type { JoinGroupResponse } from '../../../protocol/messages/join-group.js';
import type { SyncGroupResponse } from '../../../protocol/messages/sync-group.js';

export const EMPTY_ASSIGNMENT = Buffer.alloc(0);

export interface MemberProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

/** The parts of a JoinGroup request the state machine acts on. */
export interface JoinRequest {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly MemberProtocol[];
  readonly reason: string | null;
}

export interface SyncRequest {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly { readonly memberId: string; readonly assignment: Buffer }[];
}

/** Who sent a request: member ids embed the client id; DescribeGroups shows the client host. */
export interface ClientInfo {
  readonly clientId: string;
  readonly clientHost: string;
  readonly apiVersion: number;
}

export interface LeaveMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason: string | null;
}

export interface LeaveMemberResult {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

export type JoinCallback = (r: JoinGroupResponse) => void;
export type SyncCallback = (r: SyncGroupResponse) => void;

export class ClassicGroupMember {
  protocols: readonly MemberProtocol[];
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  assignment: Buffer;
  /** Set while the member's JoinGroup is parked. */
  awaitingJoin: JoinCallback | null = null;
  /** Set while the member's SyncGroup is parked. */
  awaitingSync: SyncCallback | null = null;
  /** Joined in the current rebalance and has not had a join response yet. */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    readonly protocolType: string,
    protocols: readonly MemberProtocol[],
    assignment: Buffer = EMPTY_ASSIGNMENT,
  ) {
    this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.protocols = protocols;
    this.assignment = assignment;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** The member's metadata for a protocol; empty if it does not support it. */
  metadata(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_ASSIGNMENT;
  }

  /**
   * Whether a session expiry can be ignored: a member parked in a join or sync is waiting on the
   * group, not gone. A new member has no such excuse: its join may never be answered.
   */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.awaitingJoin !== null || this.awaitingSync !== null;
  }

  /** Same protocols with the same metadata, in the same order. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's most preferred protocol among the candidates (null if none, which joins prevent). */
  vote(candidates: ReadonlySet<string>): string | null {
    for (const p of this.protocols) if (candidates.has(p.name)) return p.name;
    return null;
  }
}
