/**
 * What ShareFetch and ShareAcknowledge share: the request checks, the share session step, the
 * acknowledgement of one partition's batches, and the per-partition leader facts.
 */
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { authorize } from './authorize.js';
import type { RequestContext } from './handler.js';
import type { Partition } from '../../log/partition.js';
import type { Topic } from '../cluster/topics.js';
import { leaderPartition } from '../cluster/partition-access.js';
import { Feature } from '../cluster/features.js';
import { AckType } from '../coordinators/share/share-partition.js';
import type { AckBatch } from '../coordinators/share/share-partition.js';
import { FINAL_EPOCH, INITIAL_EPOCH } from '../coordinators/share/share-sessions.js';
import type { ShareSession } from '../coordinators/share/share-sessions.js';

export interface WireAckBatch {
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly acknowledgeTypes: readonly number[];
}

export interface TopLevelError {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

function topError(code: number, message: string | null = null): TopLevelError {
  return { errorCode: code, errorMessage: message ?? errorInfo(code).message };
}

/** Checks every share data request makes first; null when the request may go on. */
export function checkShareRequest(ctx: RequestContext, groupId: string | null, memberId: string | null): TopLevelError | null {
  // share.version 0 turns share groups off (KafkaApis.isShareGroupProtocolEnabled).
  if (ctx.cluster.features.level(Feature.SHARE_VERSION) < 1) return topError(ErrorCode.UNSUPPORTED_VERSION);
  if (groupId === null || groupId === '') return topError(ErrorCode.INVALID_GROUP_ID);
  if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, groupId)) return topError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (memberId === null || memberId.trim() === '') return topError(ErrorCode.INVALID_REQUEST, 'The member id must not be empty.');
  return null;
}

export type SessionStep = { readonly session: ShareSession; readonly error: null } | { readonly session: null; readonly error: TopLevelError };

/**
 * The share session a request works in. Epoch 0 (ShareFetch only) opens one, closing the member's
 * old one on this broker and releasing what it held; other epochs must match; -1 is handled by
 * the caller after the acknowledgements (it closes the session).
 */
export function shareSession(ctx: RequestContext, groupId: string, memberId: string, epoch: number, mayOpen: boolean): SessionStep {
  const shares = ctx.shares;
  const nodeId = ctx.broker.nodeId;
  if (epoch === INITIAL_EPOCH) {
    if (!mayOpen) return { session: null, error: topError(ErrorCode.INVALID_SHARE_SESSION_EPOCH) };
    const old = shares.sessions.get(nodeId, groupId, memberId);
    if (old !== undefined) shares.closeSession(old);
    const opened = shares.sessions.open(nodeId, groupId, memberId, ctx.connection.id);
    if (opened.session === null) return { session: null, error: topError(opened.errorCode) };
    watchConnection(ctx);
    return { session: opened.session, error: null };
  }
  const found = shares.sessions.continue(nodeId, groupId, memberId, epoch);
  if (found.session === null) return { session: null, error: topError(found.errorCode) };
  if (epoch !== FINAL_EPOCH) found.session.bumpEpoch();
  if (found.session.connectionId !== ctx.connection.id) {
    found.session.connectionId = ctx.connection.id;
    watchConnection(ctx);
  }
  return { session: found.session, error: null };
}

const watched = new WeakSet<object>();

/** A closing connection ends its share sessions (Kafka's connection disconnect listener). */
function watchConnection(ctx: RequestContext): void {
  const conn = ctx.connection;
  if (watched.has(conn)) return;
  watched.add(conn);
  const shares = () => ctx.shares;
  const nodeId = ctx.broker.nodeId;
  conn.onClose(() => shares().connectionClosed(nodeId, conn.id));
}

export interface PartitionTarget {
  readonly topic: Topic | undefined;
  readonly index: number;
  readonly partition: Partition | null;
  readonly errorCode: number;
}

/** The partition a share request names by topic id, if this broker leads it. */
export function sharePartitionTarget(ctx: RequestContext, topicId: string, index: number): PartitionTarget {
  const topic = ctx.cluster.topics.getById(topicId);
  if (topic === undefined) return { topic, index, partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  if (!authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic.name)) return { topic, index, partition: null, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
  const access = leaderPartition(ctx.cluster, ctx.broker.nodeId, topic, index);
  return { topic, index, partition: access.partition, errorCode: access.errorCode };
}

/** The leader facts Kafka puts in each partition answer (-1s when the topic is unknown). */
export function currentLeader(ctx: RequestContext, target: PartitionTarget): { leaderId: number; leaderEpoch: number } {
  const p = target.topic?.partitions[target.index];
  if (target.topic === undefined || p === undefined) return { leaderId: -1, leaderEpoch: -1 };
  return { leaderId: ctx.cluster.leaderFor(target.topic, target.index), leaderEpoch: p.leaderEpoch };
}

/**
 * Applies one partition's acknowledgements for a member; returns the error code for the
 * partition. RENEW needs ShareFetch/ShareAcknowledge v2, share.version 2 and
 * share.renew.acknowledge.enable (true by default).
 */
export function acknowledgePartition(ctx: RequestContext, groupId: string, memberId: string, target: PartitionTarget, batches: readonly WireAckBatch[]): number {
  if (target.partition === null || target.topic === undefined) return target.errorCode;
  const renewAllowed = ctx.apiVersion >= 2 && ctx.cluster.features.level(Feature.SHARE_VERSION) >= 2 && ctx.shares.settings.renewEnabled(groupId);
  if (!renewAllowed && batches.some((b) => b.acknowledgeTypes.includes(AckType.RENEW))) return ErrorCode.INVALID_REQUEST;
  const sp = ctx.shares.existingPartition(groupId, target.topic.id, target.index);
  // Nothing was ever acquired here for this group: no record can be in the Acquired state.
  if (sp === undefined) return ErrorCode.INVALID_RECORD_STATE;
  const ackBatches: AckBatch[] = batches.map((b) => ({ firstOffset: Number(b.firstOffset), lastOffset: Number(b.lastOffset), acknowledgeTypes: b.acknowledgeTypes }));
  return sp.acknowledge(memberId, ackBatches);
}
