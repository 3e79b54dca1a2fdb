/**
 * Share sessions (KIP-932), as Kafka's ShareSessionCache: one per (broker, group, member) on the broker
 * that leads the partitions, holding the partitions the member fetches from, so later requests
 * name only what changed. The epoch in a request: 0 opens a session (replacing the member's old
 * one), -1 closes it, anything else must equal the session's next epoch, which every accepted
 * request moves on by one (wrapping from 2^31-1 to 1).
 *
 * Errors (top-level): an unknown session SHARE_SESSION_NOT_FOUND, a wrong epoch
 * INVALID_SHARE_SESSION_EPOCH, too many sessions (group.share.max.share.sessions)
 * SHARE_SESSION_LIMIT_REACHED.
 */
import { ErrorCode } from '../../../protocol/errors.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

/** A topic-partition of a session, by topic id. */
export interface SessionPartition {
  readonly topicId: string;
  readonly partition: number;
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

export class ShareSession {
  nextEpoch = 1;
  readonly partitions = new Map<string, SessionPartition>();
  /** Connection ids that used the session: a close of the last one ends it. */
  connectionId: number;

  constructor(
    /** The broker the session lives on (sessions are a broker's own, as fetch sessions). */
    readonly nodeId: number,
    readonly groupId: string,
    readonly memberId: string,
    connectionId: number,
  ) {
    this.connectionId = connectionId;
  }

  add(p: SessionPartition): void {
    this.partitions.set(partitionKey(p.topicId, p.partition), p);
  }

  remove(topicId: string, partition: number): void {
    this.partitions.delete(partitionKey(topicId, partition));
  }

  bumpEpoch(): void {
    this.nextEpoch = this.nextEpoch === 2147483647 ? 1 : this.nextEpoch + 1;
  }
}

export type SessionLookup = { readonly session: ShareSession; readonly errorCode: 0 } | { readonly session: null; readonly errorCode: number };

export class ShareSessionCache {
  readonly #sessions = new Map<string, ShareSession>();

  constructor(private readonly maxSessions: () => number) {}

  get size(): number {
    return this.#sessions.size;
  }

  get(nodeId: number, groupId: string, memberId: string): ShareSession | undefined {
    return this.#sessions.get(key(nodeId, groupId, memberId));
  }

  /** Epoch 0: a new session (the member's old one, if any, is returned to be closed first). */
  open(nodeId: number, groupId: string, memberId: string, connectionId: number): { session: ShareSession | null; replaced: ShareSession | null; errorCode: number } {
    const k = key(nodeId, groupId, memberId);
    const replaced = this.#sessions.get(k) ?? null;
    if (replaced === null && this.#sessions.size >= this.maxSessions()) return { session: null, replaced: null, errorCode: ErrorCode.SHARE_SESSION_LIMIT_REACHED };
    const session = new ShareSession(nodeId, groupId, memberId, connectionId);
    this.#sessions.set(k, session);
    return { session, replaced, errorCode: ErrorCode.NONE };
  }

  /** A later request (epoch > 0, or -1 to close): the session if the epoch is the expected one. */
  continue(nodeId: number, groupId: string, memberId: string, epoch: number): SessionLookup {
    const session = this.#sessions.get(key(nodeId, groupId, memberId));
    if (session === undefined) return { session: null, errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND };
    if (epoch !== FINAL_EPOCH && epoch !== session.nextEpoch) return { session: null, errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH };
    return { session, errorCode: ErrorCode.NONE };
  }

  remove(session: ShareSession): void {
    const k = key(session.nodeId, session.groupId, session.memberId);
    if (this.#sessions.get(k) === session) this.#sessions.delete(k);
  }

  /** Sessions last used on a connection of a broker (closed with it, as Kafka's connection disconnect listener). */
  onConnection(nodeId: number, connectionId: number): ShareSession[] {
    return [...this.#sessions.values()].filter((s) => s.nodeId === nodeId && s.connectionId === connectionId);
  }

  /** A member's sessions on every broker. */
  ofMember(groupId: string, memberId: string): ShareSession[] {
    return [...this.#sessions.values()].filter((s) => s.groupId === groupId && s.memberId === memberId);
  }

  clear(): void {
    this.#sessions.clear();
  }
}

function key(nodeId: number, groupId: string, memberId: string): string {
  return `${nodeId}\0${groupId}\0${memberId}`;
}
