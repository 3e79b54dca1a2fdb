/**
 * Fetch (key 1): reads whole batches from each requested partition, in request order, following
 * Kafka's ReplicaManager.readFromLog and DelayedFetch:
 * - Limits: each partition gets min(partitionMaxBytes, what is left of the request's maxBytes,
 *   itself capped by the broker's fetch.max.bytes, 55 MiB by default).
 *   KIP-74: until some partition has returned data, the first batch is returned whole even when
 *   it exceeds both limits, so a consumer is never stuck behind a batch larger than its fetch
 *   size. A batch that does not fit is left for the next fetch (Kafka would send a partial
 *   trailing batch that clients drop).
 * - Visibility: only data below the high watermark (read_uncommitted) or the last stable offset
 *   (read_committed, isolationLevel 1). fetchOffset below the log start or above the log end:
 *   OFFSET_OUT_OF_RANGE. Between the visible bound and the log end: an empty answer.
 * - Errors: unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION; unknown topic id (v13+):
 *   UNKNOWN_TOPIC_ID; not the leader: NOT_LEADER_OR_FOLLOWER; currentLeaderEpoch (v9+) older or
 *   newer than ours: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, with currentLeader and
 *   nodeEndpoints from v16. Error fields are Kafka's: highWatermark, lastStableOffset and
 *   logStartOffset are -1; records are null for partitions Kafka rejects before reading (unknown
 *   topic) and empty for read errors (out of range, epochs). Every requested partition is
 *   answered.
 * - Divergence (v12+ lastFetchedEpoch >= 0, used by followers and KRaft-style readers): when the
 *   log holds a different history for that epoch, divergingEpoch is set and no records are sent.
 * - Long poll: when fewer than minBytes were read, maxWaitMs > 0 and no partition failed, the
 *   request waits for appends to any of its partitions (Partition.onAppend, no polling), counting
 *   per partition min(bytes available, partitionMaxBytes) as DelayedFetch does, until minBytes
 *   are available, maxWaitMs passes (on the broker clock), or the connection closes (then
 *   nothing is sent). It then reads again and answers. Partitions that do not exist do not end
 *   the wait early (Kafka answers them without entering the read).
 * - Records go out as the log's own Buffers (the response writer references large ones), control
 *   batches (transaction markers) included: clients skip them. abortedTransactions: null for
 *   read_uncommitted; for read_committed the aborted transactions (producer id, first offset)
 *   overlapping the offsets returned, from the partition's transaction index, as Kafka's
 *   collectAbortedTransactions; empty when none. preferredReadReplica -1.
 * - Long poll in read_committed counts only data below the last stable offset, and a marker
 *   append (which moves it) wakes the wait like any append.
 * - Fetch below v10 from a topic with compression.type=zstd: UNSUPPORTED_COMPRESSION_TYPE.
 *
 * Fetch sessions (KIP-227, v7+): see fetch-sessions.ts. A full request (epoch 0) opens one and
 * is answered whole; an incremental one reads every partition of its session and is answered with
 * the partitions that changed; session errors are top-level codes with no partitions.
 *
 * Versions 4-18. replicaId / ReplicaState are ignored: followers are treated as consumers.
 */
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { FetchApi } from '../../protocol/messages/fetch.js';
import type { FetchRequest, FetchRequestFetchPartition, FetchRequestFetchTopic, FetchResponse, FetchResponseAbortedTransaction, FetchResponseFetchableTopicResponse, FetchResponseNodeEndpoint, FetchResponsePartitionData } from '../../protocol/messages/fetch.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import { NO_RESPONSE, defineHandler } from './handler.js';
import { fetchQuotaApplies, fetchQuotaMaxBytes, fetchThrottleMs } from './quota-throttle.js';
import { Writer } from '../../protocol/writer.js';
import type { ConnectionInfo, HandlerResult, RequestContext } from './handler.js';
import type { Topic } from '../cluster/topics.js';
import type { Partition } from '../../log/partition.js';
import { checkLeaderEpoch, leaderPartition } from '../cluster/partition-access.js';
import { topicCompressionType } from '../cluster/configs/topic-settings.js';
import { BatchLayout, readBaseOffset } from '../../protocol/records/index.js';

const READ_COMMITTED = 1;

/** The size of a response on the wire, for the fetch quota (records are referenced, not copied). */
function encodedSize(version: number, r: FetchResponse): number {
  const w = new Writer();
  FetchApi.writeResponse(w, version, r);
  return w.length;
}

export const fetchHandler = defineHandler(FetchApi, {
  minVersion: 4,
  maxVersion: 18,

  handle(ctx, req): HandlerResult<FetchResponse> | Promise<HandlerResult<FetchResponse>> {
    const fc = ctx.fetchSessions.open(req, ctx.apiVersion);
    if (fc.kind === 'error') return sessionError(fc.errorCode);
    const topics = fc.kind === 'session' ? fc.session.topics() : req.topics;
    const quota = fetchQuotaApplies(ctx);
    // Under a fetch quota a request takes at most one quota window's bytes (KafkaApis).
    if (quota) req = { ...req, maxBytes: Math.min(req.maxBytes, fetchQuotaMaxBytes(ctx)), minBytes: Math.min(req.minBytes, fetchQuotaMaxBytes(ctx)) };
    const select = (r: FetchResponse) => (fc.kind === 'session' ? fc.session.select(r, fc.incremental) : r);
    const started = performance.now();
    const answer = (r: FetchResponse) => {
      if (!quota) return select(r);
      // A throttled fetch answers no partitions; its bytes are not charged (handleFetchRequest).
      const selected = select(r);
      const throttleTimeMs = fetchThrottleMs(ctx, encodedSize(ctx.apiVersion, selected), performance.now() - started);
      if (throttleTimeMs === 0) return selected;
      const sessionId = fc.kind === 'session' && fc.incremental ? selected.sessionId : 0;
      return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId, responses: [], nodeEndpoints: [] };
    };
    const first = readAll(ctx, req, topics);
    const immediate =
      req.maxWaitMs <= 0 || first.waitable.length === 0 || first.bytes >= req.minBytes || first.mustAnswer;
    if (immediate) return answer(first.response);
    return longPoll(ctx, req, topics, first.waitable).then((r) => (r === NO_RESPONSE ? r : answer(r)));
  },

  errorResponse(_ctx, req, code) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: req.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => rejected(p.partition, code)) })),
      nodeEndpoints: [],
    };
  },
});

function sessionError(code: number): FetchResponse {
  return { throttleTimeMs: 0, errorCode: code, sessionId: 0, responses: [], nodeEndpoints: [] };
}

/**
 * A partition Kafka answers before reading (FetchResponse.partitionResponse). Its records are
 * empty, not null: FetchResponse.toMessage turns null records into MemoryRecords.EMPTY "to protect
 * the clients from failing due to null records" (librdkafka fails to parse the whole response at a
 * negative MessageSetSize, so a consumer never sees e.g. TOPIC_AUTHORIZATION_FAILED).
 */
function rejected(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: [],
  };
}

/** A read that failed (LogReadResult with an exception): empty records, unknown offsets. */
function readError(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: [],
  };
}

/**
 * The aborted transactions overlapping [fetchOffset, upperBound) that a read_committed consumer
 * must filter out: those whose marker is at or after the fetch offset and whose first offset is
 * below the end of the data returned.
 */
export function abortedTransactions(partition: Partition, fetchOffset: number, upperBound: number): FetchResponseAbortedTransaction[] {
  return partition.txnIndex.collect(fetchOffset, upperBound).map((t) => ({ producerId: BigInt(t.producerId), firstOffset: BigInt(t.firstOffset) }));
}

/** The offset after the last batch of `batches` (fetchOffset when there are none). */
function endOfBatches(batches: readonly Buffer[], fetchOffset: number): number {
  const last = batches[batches.length - 1];
  if (last === undefined) return fetchOffset;
  return readBaseOffset(last, 0) + last.readInt32BE(BatchLayout.LAST_OFFSET_DELTA) + 1;
}

/** A partition the request may wait on, with what it asked for. */
interface Waitable {
  readonly partition: Partition;
  readonly req: FetchRequestFetchPartition;
}

interface ReadOutcome {
  readonly response: FetchResponse;
  readonly bytes: number;
  /** A partition failed or diverged: Kafka answers at once (ReplicaManager.fetchMessages). */
  readonly mustAnswer: boolean;
  readonly waitable: Waitable[];
}

function resolveTopic(ctx: RequestContext, name: string, id: string): Topic | undefined {
  const topics = ctx.cluster.topics;
  return ctx.apiVersion >= 13 ? topics.getById(id) : topics.get(name);
}

/** One pass over every partition to read, in order, with the request-wide byte budget. */
function readAll(ctx: RequestContext, req: FetchRequest, topics: readonly FetchRequestFetchTopic[]): ReadOutcome {
  const v = ctx.apiVersion;
  const nodeId = ctx.broker.nodeId;
  const committed = req.isolationLevel === READ_COMMITTED;
  const nodeEndpoints: FetchResponseNodeEndpoint[] = [];
  const waitable: Waitable[] = [];
  const responses: FetchResponseFetchableTopicResponse[] = [];
  // As KafkaApis.handleFetchRequest: the request's maxBytes capped by the broker's fetch.max.bytes.
  let limitBytes = Math.max(0, Math.min(req.maxBytes, ctx.cluster.configs.brokerNumber('fetch.max.bytes', 57671680)));
  let minOneBatch = true;
  let bytes = 0;
  let mustAnswer = false;

  for (const t of topics) {
    // A topic named with no partitions is not answered (Kafka builds its answer by partition); the
    // Java client's session-closing fetch sends one, and would take it for an extra topic.
    if (t.partitions.length === 0) continue;
    const topic = resolveTopic(ctx, t.topic, t.topicId);
    const partitions: FetchResponsePartitionData[] = [];
    responses.push({ topic: topic?.name ?? t.topic, topicId: topic?.id ?? t.topicId, partitions });
    if (topic === undefined && v >= 13) {
      for (const p of t.partitions) partitions.push(rejected(p.partition, ErrorCode.UNKNOWN_TOPIC_ID));
      continue;
    }
    // KafkaApis.handleFetchRequest: READ on the topic, else TOPIC_AUTHORIZATION_FAILED per partition.
    if (!authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic?.name ?? t.topic)) {
      mustAnswer = true;
      for (const p of t.partitions) partitions.push(rejected(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    const zstdRefused = v < 10 && topic !== undefined && topicCompressionType(topic, ctx.cluster.configs) === 'zstd';
    for (const p of t.partitions) {
      const access = leaderPartition(ctx.cluster, nodeId, topic, p.partition);
      if (access.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        partitions.push(rejected(p.partition, access.errorCode));
        continue;
      }
      if (access.partition === null) {
        mustAnswer = true;
        partitions.push(withLeader(ctx, readError(p.partition, access.errorCode), topic!, p.partition, nodeEndpoints));
        continue;
      }
      const partition = access.partition;
      const epochError = checkLeaderEpoch(partition, p.currentLeaderEpoch);
      if (epochError !== ErrorCode.NONE) {
        mustAnswer = true;
        partitions.push(withLeader(ctx, readError(p.partition, epochError), topic!, p.partition, nodeEndpoints));
        continue;
      }
      const log = partition.log;
      const fetchOffset = Number(p.fetchOffset);
      if (p.lastFetchedEpoch >= 0) {
        const end = log.leaderEpochCache.endOffsetFor(p.lastFetchedEpoch, log.logEndOffset);
        if (end.epoch < p.lastFetchedEpoch || end.endOffset < fetchOffset) {
          mustAnswer = true;
          const data = success(partition, committed, fetchOffset, []);
          data.divergingEpoch = { epoch: end.epoch, endOffset: BigInt(end.endOffset) };
          partitions.push(data);
          continue;
        }
      }
      const upperBound = committed ? log.lastStableOffset : log.highWatermark;
      let batches: Buffer[];
      let read = 0;
      try {
        const r = log.read(fetchOffset, Math.min(p.partitionMaxBytes, limitBytes), { minOneBatch, maxOffset: upperBound });
        batches = r.batches;
        read = r.bytes;
      } catch (e) {
        if (!isKafkaError(e)) throw e;
        // As Kafka's ReplicaManager: a read that fails on the log's bytes is logged at ERROR.
        if (e.code === ErrorCode.CORRUPT_MESSAGE) ctx.logger.error(`fetch from ${partition.topic}-${partition.partition} at offset ${fetchOffset}: ${e.message}`);
        mustAnswer = true;
        partitions.push(readError(p.partition, e.code));
        continue;
      }
      if (read > 0) minOneBatch = false;
      limitBytes = Math.max(0, limitBytes - read);
      bytes += read;
      waitable.push({ partition, req: p });
      partitions.push(zstdRefused ? rejected(p.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE) : success(partition, committed, fetchOffset, batches));
    }
  }
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints }, bytes, mustAnswer, waitable };
}

function success(partition: Partition, committed: boolean, fetchOffset: number, batches: Buffer[]): FetchResponsePartitionData {
  const log = partition.log;
  return {
    partitionIndex: partition.partition,
    errorCode: ErrorCode.NONE,
    highWatermark: BigInt(log.highWatermark),
    lastStableOffset: BigInt(log.lastStableOffset),
    logStartOffset: BigInt(log.logStartOffset),
    abortedTransactions: committed ? abortedTransactions(partition, fetchOffset, endOfBatches(batches, fetchOffset)) : null,
    preferredReadReplica: -1,
    records: batches,
  };
}

/** v16+: tell the client who leads now for NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH (KIP-951). */
function withLeader(ctx: RequestContext, data: FetchResponsePartitionData, topic: Topic, index: number, endpoints: FetchResponseNodeEndpoint[]): FetchResponsePartitionData {
  if (ctx.apiVersion < 16) return data;
  if (data.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER && data.errorCode !== ErrorCode.FENCED_LEADER_EPOCH) return data;
  const cluster = ctx.cluster;
  const leaderId = cluster.leaderFor(topic, index);
  data.currentLeader = { leaderId, leaderEpoch: topic.partitions[index]!.leaderEpoch };
  const node = cluster.liveNodeOn(leaderId, ctx.connection.listenerName);
  if (node && !endpoints.some((e) => e.nodeId === leaderId)) endpoints.push({ nodeId: node.nodeId, host: node.host, port: node.port, rack: node.rack });
  return data;
}

/**
 * Bytes a partition could contribute now, as DelayedFetch counts them: what lies between the
 * fetch offset and the visible bound, capped at partitionMaxBytes. -1 when the read now fails
 * (the log moved under the fetch offset): that ends the wait, as it does in Kafka.
 */
function availableBytes(w: Waitable, committed: boolean): number {
  const log = w.partition.log;
  try {
    const maxOffset = committed ? log.lastStableOffset : log.highWatermark;
    const r = log.read(Number(w.req.fetchOffset), w.req.partitionMaxBytes, { minOneBatch: true, maxOffset });
    return Math.min(r.bytes, Math.max(0, w.req.partitionMaxBytes));
  } catch {
    return -1;
  }
}

/** Waiters per connection, so that one close listener serves every long poll of a connection. */
const waitersByConnection = new WeakMap<ConnectionInfo, Set<() => void>>();

function onConnectionClose(conn: ConnectionInfo, fn: () => void): () => void {
  let set = waitersByConnection.get(conn);
  if (set === undefined) {
    const waiters = new Set<() => void>();
    set = waiters;
    waitersByConnection.set(conn, waiters);
    // ConnectionInfo has no way to remove a close listener, so register one per connection, not one
    // per request: a consumer long-polling for hours would otherwise grow the listener list forever.
    conn.onClose(() => {
      for (const w of [...waiters]) w();
      waiters.clear();
    });
  }
  set.add(fn);
  const waiters = set;
  return () => waiters.delete(fn);
}

type WaitEnd = 'data' | 'timeout' | 'closed';

async function longPoll(ctx: RequestContext, req: FetchRequest, topics: readonly FetchRequestFetchTopic[], waitable: Waitable[]): Promise<FetchResponse | typeof NO_RESPONSE> {
  if (ctx.connection.closed) return NO_RESPONSE;
  const committed = req.isolationLevel === READ_COMMITTED;
  const end = await new Promise<WaitEnd>((resolve) => {
    const available = waitable.map((w) => Math.max(0, availableBytes(w, committed)));
    let total = available.reduce((a, b) => a + b, 0);
    const byPartition = new Map<Partition, number[]>();
    waitable.forEach((w, i) => {
      const list = byPartition.get(w.partition);
      if (list === undefined) byPartition.set(w.partition, [i]);
      else list.push(i);
    });
    const unsubscribe: (() => void)[] = [];
    let done = false;
    const timer = ctx.clock.setTimeout(() => finish('timeout'), req.maxWaitMs);
    const finish = (how: WaitEnd) => {
      if (done) return;
      done = true;
      ctx.clock.clearTimeout(timer);
      for (const u of unsubscribe) u();
      resolve(how);
    };
    // Runs inside the producer's append: only recount this partition; the answer is read after
    // the producing request's turn, so a produce to several partitions is seen whole.
    const onAppend = (p: Partition) => {
      for (const i of byPartition.get(p) ?? []) {
        const now = availableBytes(waitable[i]!, committed);
        if (now < 0) return finish('data');
        total += now - available[i]!;
        available[i] = now;
      }
      if (total >= req.minBytes) finish('data');
    };
    for (const p of byPartition.keys()) unsubscribe.push(p.onAppend(onAppend));
    unsubscribe.push(onConnectionClose(ctx.connection, () => finish('closed')));
    // A deleted topic answers at once (UNKNOWN_TOPIC_OR_PARTITION) instead of at the timeout.
    unsubscribe.push(
      ctx.cluster.topics.onDeleted((t) => {
        if (t.partitions.some((p) => byPartition.has(p))) finish('data');
      }),
    );
    // As DelayedFetch.tryCompleteElseWatch: the per-partition count may already suffice where the
    // request-wide byte budget of the first read did not.
    if (total >= req.minBytes) finish('data');
  });
  if (end === 'closed') return NO_RESPONSE;
  return readAll(ctx, req, topics).response;
}
