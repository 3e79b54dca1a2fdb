/**
 * ShareFetch (key 78), v1-2 (KIP-932; v0 was Kafka 4.0's early access and is gone from 4.1):
 * a share consumer's fetch. In one request a member
 * - opens (epoch 0), continues (its session's next epoch) or closes (-1) its share session on
 *   this broker, adding partitions (Topics) and removing them (ForgottenTopicsData);
 * - acknowledges records it was given (piggy-backed AcknowledgementBatches: ACCEPT, RELEASE,
 *   REJECT, GAP, and RENEW from v2), answered per partition in AcknowledgeErrorCode;
 * - acquires records from every partition of its session (none when closing, nor for a v2
 *   IsRenewAck request): whole log batches with the AcquiredRecords ranges the member now holds,
 *   each with its delivery count (coordinators/share/share-partition.ts), up to MaxRecords and
 *   MaxBytes (a first batch always fits, as KIP-74).
 * When nothing was acquired and MaxWaitMs > 0, the request waits, on the broker clock, until a
 * session partition gets new data or records are released (a RELEASE, a lock expiry, a member
 * leaving), then acquires again; a connection closing ends the wait with no answer.
 *
 * Errors: share.version 0: UNSUPPORTED_VERSION; no group id: INVALID_GROUP_ID; no member id:
 * INVALID_REQUEST; acknowledgements in an epoch-0 request: INVALID_REQUEST; session errors
 * (SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH, SHARE_SESSION_LIMIT_REACHED) top level;
 * per partition: UNKNOWN_TOPIC_ID, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER (with the current leader and its endpoint); acknowledgements of records
 * the member does not hold: INVALID_RECORD_STATE.
 *
 * An epoch-0 answer lists every session partition; later ones only the partitions with records,
 * an error or an acknowledgement result (as Kafka's ShareSessionContext).
 */
import { ShareFetchApi } from '../../protocol/messages/share-fetch.js';
import type { ShareFetchResponse, ShareFetchResponseNodeEndpoint, ShareFetchResponsePartitionData, ShareFetchResponseShareFetchableTopicResponse } from '../../protocol/messages/share-fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { NO_RESPONSE, defineHandler } from './handler.js';
import type { HandlerResult, RequestContext } from './handler.js';
import { acknowledgePartition, checkShareRequest, currentLeader, shareSession, sharePartitionTarget } from './share-support.js';
import type { PartitionTarget } from './share-support.js';
import { FINAL_EPOCH } from '../coordinators/share/share-sessions.js';
import type { SharePartition } from '../coordinators/share/share-partition.js';

/** What a share consumer gets when it leaves MaxRecords at 0 (Java's max.poll.records default). */
const DEFAULT_MAX_RECORDS = 500;

function topLevel(code: number, message: string | null): ShareFetchResponse {
  return { throttleTimeMs: 0, errorCode: code, errorMessage: message, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

export const shareFetchHandler = defineHandler(ShareFetchApi, {
  minVersion: 1,
  maxVersion: 2,

  handle(ctx, req): HandlerResult<ShareFetchResponse> | Promise<HandlerResult<ShareFetchResponse>> {
    const bad = checkShareRequest(ctx, req.groupId, req.memberId);
    if (bad !== null) return topLevel(bad.errorCode, bad.errorMessage);
    const groupId = req.groupId!;
    const memberId = req.memberId!;
    const hasAcks = req.topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length > 0));
    if (req.shareSessionEpoch === 0 && hasAcks) return topLevel(ErrorCode.INVALID_REQUEST, 'Acknowledge data present on initial epoch.');
    const step = shareSession(ctx, groupId, memberId, req.shareSessionEpoch, true);
    if (step.error !== null) return topLevel(step.error.errorCode, step.error.errorMessage);
    const session = step.session;
    const full = req.shareSessionEpoch === 0;
    const closing = req.shareSessionEpoch === FINAL_EPOCH;

    const answers = new Answers(ctx);
    // Piggy-backed acknowledgements first: records released here may be acquired below.
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const target = sharePartitionTarget(ctx, t.topicId, p.partitionIndex);
        if (!closing) session.add({ topicId: t.topicId, partition: p.partitionIndex });
        if (p.acknowledgementBatches.length === 0) continue;
        answers.acknowledged(target, t.topicId, acknowledgePartition(ctx, groupId, memberId, target, p.acknowledgementBatches));
      }
    }
    for (const f of req.forgottenTopicsData) for (const p of f.partitions) session.remove(f.topicId, p);
    if (closing) {
      ctx.shares.closeSession(session);
      return answers.response(lockTimeout(ctx, groupId));
    }
    const targets = [...session.partitions.values()].map((p) => ({ topicId: p.topicId, target: sharePartitionTarget(ctx, p.topicId, p.partition) }));
    if (full) for (const { topicId, target } of targets) answers.entry(target, topicId);
    if (req.isRenewAck) return answers.response(lockTimeout(ctx, groupId));

    const maxRecords = req.maxRecords > 0 ? req.maxRecords : DEFAULT_MAX_RECORDS;
    const maxBytes = Math.max(0, Math.min(req.maxBytes, ctx.cluster.configs.brokerNumber('fetch.max.bytes', 57671680)));
    const acquired = acquireAll(ctx, groupId, memberId, targets, answers, maxBytes, maxRecords);
    if (acquired.records > 0 || acquired.failed || req.maxWaitMs <= 0 || acquired.waitable.length === 0) return answers.response(lockTimeout(ctx, groupId));
    return waitForRecords(ctx, acquired.waitable, req.maxWaitMs).then((woken) => {
      if (!woken) return NO_RESPONSE;
      acquireAll(ctx, groupId, memberId, targets, answers, maxBytes, maxRecords);
      return answers.response(lockTimeout(ctx, groupId));
    });
  },

  errorResponse(_ctx, _req, code) {
    return topLevel(code, null);
  },
});

function lockTimeout(ctx: RequestContext, groupId: string): number {
  return ctx.shares.settings.partition(groupId).lockDurationMs;
}

interface AcquireOutcome {
  readonly records: number;
  readonly failed: boolean;
  readonly waitable: SharePartition[];
}

function acquireAll(ctx: RequestContext, groupId: string, memberId: string, targets: readonly { topicId: string; target: PartitionTarget }[], answers: Answers, maxBytes: number, maxRecords: number): AcquireOutcome {
  let bytesLeft = maxBytes;
  let recordsLeft = maxRecords;
  let minOneBatch = true;
  let records = 0;
  let failed = false;
  const waitable: SharePartition[] = [];
  for (const { topicId, target } of targets) {
    if (target.partition === null || target.topic === undefined) {
      if (target.errorCode !== ErrorCode.NONE) {
        answers.failed(target, topicId, target.errorCode);
        failed = true;
      }
      continue;
    }
    const sp = ctx.shares.sharePartition(groupId, target.topic.id, target.partition);
    waitable.push(sp);
    if (recordsLeft <= 0) continue;
    const got = sp.acquire(memberId, bytesLeft, recordsLeft, minOneBatch);
    if (got.acquired.length === 0) continue;
    const n = got.acquired.reduce((sum, a) => sum + (a.lastOffset - a.firstOffset + 1), 0);
    records += n;
    recordsLeft -= n;
    bytesLeft = Math.max(0, bytesLeft - got.bytes);
    minOneBatch = false;
    answers.records(target, topicId, got.batches, got.acquired);
  }
  return { records, failed, waitable };
}

/** Resolves true when something may be acquirable, false when the connection closed. */
function waitForRecords(ctx: RequestContext, waitable: readonly SharePartition[], maxWaitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    let done = false;
    const finish = (woken: boolean) => {
      if (done) return;
      done = true;
      for (const c of cancels) c();
      resolve(woken);
    };
    for (const sp of waitable) {
      cancels.push(sp.partition.onAppend(() => finish(true)));
      cancels.push(ctx.shares.onAvailable(sp, () => finish(true)));
    }
    const timer = ctx.clock.setTimeout(() => finish(true), maxWaitMs);
    cancels.push(() => ctx.clock.clearTimeout(timer));
    if (ctx.connection.closed) finish(false);
    else ctx.connection.onClose(() => finish(false));
  });
}

/** The response under construction: one entry per (topic, partition), in first-seen order. */
class Answers {
  readonly #topics = new Map<string, ShareFetchResponseShareFetchableTopicResponse>();
  readonly #entries = new Map<string, ShareFetchResponsePartitionData>();
  readonly #endpoints: ShareFetchResponseNodeEndpoint[] = [];

  constructor(private readonly ctx: RequestContext) {}

  entry(target: PartitionTarget, topicId: string): ShareFetchResponsePartitionData {
    const key = `${topicId}:${target.index}`;
    let e = this.#entries.get(key);
    if (e !== undefined) return e;
    e = {
      partitionIndex: target.index,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      acknowledgeErrorCode: ErrorCode.NONE,
      acknowledgeErrorMessage: null,
      currentLeader: currentLeader(this.ctx, target),
      // Kafka answers an empty record set, not null, for a partition without data.
      records: [],
      acquiredRecords: [],
    };
    this.#entries.set(key, e);
    let topic = this.#topics.get(topicId);
    if (topic === undefined) this.#topics.set(topicId, (topic = { topicId, partitions: [] }));
    topic.partitions.push(e);
    return e;
  }

  acknowledged(target: PartitionTarget, topicId: string, code: number): void {
    this.entry(target, topicId).acknowledgeErrorCode = code;
  }

  failed(target: PartitionTarget, topicId: string, code: number): void {
    this.entry(target, topicId).errorCode = code;
    if (code !== ErrorCode.NOT_LEADER_OR_FOLLOWER || target.topic === undefined) return;
    const leaderId = this.ctx.cluster.leaderFor(target.topic, target.index);
    const node = this.ctx.cluster.liveNodeOn(leaderId, this.ctx.connection.listenerName);
    if (node && !this.#endpoints.some((n) => n.nodeId === leaderId)) this.#endpoints.push({ nodeId: node.nodeId, host: node.host, port: node.port, rack: node.rack });
  }

  records(target: PartitionTarget, topicId: string, batches: Buffer[], acquired: readonly { firstOffset: number; lastOffset: number; deliveryCount: number }[]): void {
    const e = this.entry(target, topicId);
    const prev = Array.isArray(e.records) ? (e.records as Buffer[]) : [];
    e.records = [...prev, ...batches];
    for (const a of acquired) e.acquiredRecords.push({ firstOffset: BigInt(a.firstOffset), lastOffset: BigInt(a.lastOffset), deliveryCount: a.deliveryCount });
  }

  response(acquisitionLockTimeoutMs: number): ShareFetchResponse {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, acquisitionLockTimeoutMs, responses: [...this.#topics.values()], nodeEndpoints: this.#endpoints };
  }
}
