/**
 * Produce (key 0): validates each partition's one record batch, assigns offsets by patching its
 * header in place, and appends it to the partition's log. Nothing is awaited: a produce is one
 * synchronous turn of the event loop, so its appends are atomic with respect to every other
 * request. timeoutMs is ignored (with one replica, acks=1 and acks=-1 are both satisfied by the
 * append itself).
 *
 * Checks per partition, in Kafka's order (KafkaApis.handleProduceRequest, ReplicaManager,
 * UnifiedLog.analyzeAndValidateRecords, LogValidator), with Kafka's codes:
 * 1. topic (by name, by id from v13) or partition unknown: UNKNOWN_TOPIC_OR_PARTITION, or
 *    UNKNOWN_TOPIC_ID for an unknown id. No auto-creation: Kafka 4.x creates topics only on
 *    Metadata requests.
 * 2. ProduceRequest.validateRecords: no complete batch, magic other than 2, or more than one batch:
 *    INVALID_RECORD; zstd below v7: UNSUPPORTED_COMPRESSION_TYPE; a batch length below 14 or a
 *    magic byte outside 0-2: CORRUPT_MESSAGE. Trailing bytes too short to be a batch are dropped,
 *    as Kafka trims them.
 * 3. acks not in {-1, 0, 1}: INVALID_REQUIRED_ACKS.
 * 4. internal topics (__consumer_offsets, __transaction_state) from clients: INVALID_TOPIC_EXCEPTION.
 * 5. not the leader: NOT_LEADER_OR_FOLLOWER, with currentLeader and nodeEndpoints from v10.
 * 6. batch baseOffset other than 0: INVALID_RECORD; batch larger than the topic's max.message.bytes
 *    (default message.max.bytes, 1048588): MESSAGE_TOO_LARGE; CRC: CORRUPT_MESSAGE; header
 *    (record count, control batch, sequence without producer id): INVALID_RECORD. Records: an
 *    uncompressed batch's record count and lengths, a compressed batch's records decompressed and
 *    walked (before the request's synchronous turn, off the event loop and bounded:
 *    protocol/records/compressed-check.ts): INVALID_RECORD.
 * 7. Records: on compacted topics (cleanup.policy has compact) a record without a key is
 *    INVALID_RECORD, with one recordErrors entry per such record and Kafka's messages
 *    (src/server/cluster/configs/compacted-keys.ts); zstd batches are not checked there, since a produce
 *    is synchronous and zstd decodes only asynchronously here (the log cleaner drops keyless
 *    records, as Kafka's does). Then, on CreateTime topics, a record timestamp outside
 *    [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms] (defaults
 *    Long.MAX_VALUE and 1 hour, Kafka 4.x):
 *    INVALID_TIMESTAMP, with one recordErrors entry per bad record and Kafka's errorMessage.
 *    A client batch typed LogAppendTime is INVALID_TIMESTAMP on a LogAppendTime topic; on a
 *    CreateTime topic it is range-checked and turned back into CreateTime, as Kafka does.
 * 8. checkProducerState (producer-checks.ts): the first transactional batch of a
 *    transaction on a partition is verified with the transaction coordinator (KIP-890 part 1);
 *    then the producer state: a duplicate of one of the producer's last five batches is answered
 *    with its original offsets and not appended; OUT_OF_ORDER_SEQUENCE_NUMBER,
 *    INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE as Kafka. Then the append; a batch larger than
 *    segment.bytes: RECORD_LIST_TOO_LARGE.
 * Like Kafka, logStartOffset is set in error responses only for the errors Kafka does not treat
 * as expected (INVALID_RECORD, INVALID_TIMESTAMP, ...), errorMessage only for record-level failures
 * (timestamps, keyless records on compacted topics).
 * Transactional batches in a request without a transactionalId fail the whole request with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka's authorization check does; transactional
 * batches of more than one producer in one request fail it with INVALID_PRODUCER_ID_MAPPING
 * (Kafka's ReplicaManager.handleProduceAppend).
 *
 * acks=0: no response. As Kafka, when any partition failed the connection is closed instead, so
 * the producer notices and refreshes its metadata.
 *
 * Message.timestamp.type=LogAppendTime: the batch is stamped with the broker clock (CRC
 * recomputed) and the response's logAppendTimeMs is that time; otherwise it is -1.
 *
 * Versions: 3-13 accepted, advertised from 0 (KAFKA-18659; see api-versions.ts). v13 addresses
 * topics by id.
 *
 * Deviations from Kafka:
 * - Timestamps are checked on the batch header (maxTimestamp against the upper bound, the first
 *   record's baseTimestamp against the lower one), so an out-of-order record older than the
 *   batch's first one is not caught by message.timestamp.before.max.ms (default: unbounded).
 *   Records are decoded only to list recordErrors once a batch is rejected; for zstd batches that
 *   list is empty.
 * - CreateTime batches keep the client's maxTimestamp; Kafka recomputes it from the records.
 * - An unknown compression codec (5-7) is UNSUPPORTED_COMPRESSION_TYPE; Kafka fails the whole
 *   request with UNKNOWN_SERVER_ERROR.
 * - A zstd batch with keyless records is accepted on a compacted topic (Kafka: INVALID_RECORD).
 *   Key and timestamp errors are not merged into one answer: keys are checked first.
 *
 * Frame retention: the batch arrives as a view into the request frame, and the frame may be a view
 * into a socket read holding several pipelined requests (up to 64 KiB; TLS connections only: plain
 * ones copy each small frame out of their shared read buffer, see net/direct-reads.ts), or hold the
 * batches of many partitions. Stored as a view, a small batch keeps all of that memory alive for as long as the
 * batch is retained (measured: 65536 bytes held per stored 200-byte batch cut from a 64 KiB read,
 * ~200 when copied). So a batch is copied once, into an exact-size buffer (pooled below 4 KiB;
 * ~0.2 us for 200 bytes, ~20 us for 64 KiB), unless it covers at least half of its backing memory
 * (a lone produce, or a large batch whose frame the connection assembled into its own buffer):
 * then it is kept as is: retention stays under 2x, and a batch that is most of its frame is never
 * copied.
 */
import { authorize } from './authorize.js';
import { AclOperation, ResourceType } from '../security/authorizer/acl-types.js';
import { ProduceApi } from '../../protocol/messages/produce.js';
import type { ProduceRequest, ProduceResponse, ProduceResponseNodeEndpoint, ProduceResponsePartitionProduceResponse, ProduceResponseTopicProduceResponse } from '../../protocol/messages/produce.js';
import { ErrorCode, isKafkaError } from '../../protocol/errors.js';
import {
  BatchAttribute,
  BatchLayout,
  CompressionCodec,
  Magic,
  RecordCursor,
  checkCompressedRecords,
  needsCompressedCheck,
  TimestampType,
  corrupt,
  invalidRecord,
  isRecordsError,
  readInt64,
  recordsSectionSync,
  setMaxTimestamp,
  unsupportedCompression,
  validateAndAssignOffsets,
} from '../../protocol/records/index.js';
import type { RecordsError } from '../../protocol/records/index.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { CloseConnection, NO_RESPONSE, defineHandler } from './handler.js';
import { produceThrottleMs } from './quota-throttle.js';
import type { RequestContext } from './handler.js';
import { INTERNAL_TOPICS } from '../cluster/topics.js';
import type { Topic } from '../cluster/topics.js';
import { leaderPartition } from '../cluster/partition-access.js';
import { produceSettings } from '../cluster/configs/topic-settings.js';
import type { ProduceSettings } from '../cluster/configs/topic-settings.js';
import { keylessRecordFailure } from '../cluster/configs/compacted-keys.js';
import type { Partition } from '../../log/partition.js';
import type { BatchMetadata } from '../../log/producer-state.js';
import { producerChecks } from './producer-checks.js';
import type { Failure, ProducerBatchInfo } from './producer-checks.js';

/** Kafka lets only its own AdminClient (this client id) write to internal topics. */
const ADMIN_CLIENT_ID = '__admin_client';

/** The producer fields of an appended batch, for checkProducerState. */
/**
 * Idempotence and transaction checks on a validated batch before it is appended (sequence numbers,
 * producer epochs, transaction membership): null to append it, a duplicate to answer with the
 * offsets it got the first time, or a failure. See producer-checks.ts.
 */
export function checkProducerState(ctx: RequestContext, partition: Partition, batch: ProducerBatchInfo, firstOffset: number): Failure | { readonly duplicate: BatchMetadata } | null {
  return producerChecks(ctx, partition, batch, firstOffset);
}

export const produceHandler = defineHandler(ProduceApi, {
  minVersion: 3,
  maxVersion: 13,
  advertisedMinVersion: 0,

  handle(ctx, req) {
    // Compressed batches get their records checked first, off the event loop (a bomb must not
    // stall other clients); then the whole request runs in one synchronous turn as before.
    const checks = compressedRecordChecks(req);
    const prior = pendingProduces.get(ctx.connection);
    if (checks.length === 0 && prior === undefined) return respond(ctx, req, NO_RECORD_FAILURES);
    const run = Promise.all([prior, settle(checks)]).then(([, failures]) => respond(ctx, req, failures));
    // A connection's produces are applied in the order they arrived, as Kafka's muted channel does.
    const tail = run.then(noop, noop);
    pendingProduces.set(ctx.connection, tail);
    void tail.then(() => {
      if (pendingProduces.get(ctx.connection) === tail) pendingProduces.delete(ctx.connection);
    });
    return run;
  },

  errorResponse(_ctx, req, code) {
    return {
      responses: req.topicData.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitionResponses: t.partitionData.map((p) => partitionResponse(p.index, code)),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
  },
});

function respond(ctx: RequestContext, req: ProduceRequest, recordFailures: RecordFailures): ProduceResponse | typeof NO_RESPONSE {
  const started = performance.now();
  const response = produce(ctx, req, recordFailures);
  // Quotas: the request's bytes and handling time; the throttle mutes the connection, acks=0 too.
  response.throttleTimeMs = produceThrottleMs(ctx, req.acks, performance.now() - started);
  if (req.acks === 0) {
    const failed = response.responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    // Kafka closes an acks=0 connection on error so the producer notices (KafkaApis).
    if (failed) throw new CloseConnection('acks=0 produce failed on at least one partition');
    return NO_RESPONSE;
  }
  return response;
}

/** Record-level failures of compressed batches, by their records buffer. */
type RecordFailures = ReadonlyMap<Buffer, RecordsError>;
const NO_RECORD_FAILURES: RecordFailures = new Map();
const pendingProduces = new WeakMap<object, Promise<void>>();
const noop = (): void => {};

function compressedRecordChecks(req: ProduceRequest): { records: Buffer; check: Promise<void> }[] {
  const out: { records: Buffer; check: Promise<void> }[] = [];
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const records = p.records as Buffer | null;
      if (records !== null && needsCompressedCheck(records)) out.push({ records, check: checkCompressedRecords(records) });
    }
  }
  return out;
}

async function settle(checks: { records: Buffer; check: Promise<void> }[]): Promise<RecordFailures> {
  const failures = new Map<Buffer, RecordsError>();
  for (const { records, check } of checks) {
    try {
      await check;
    } catch (e) {
      if (!isRecordsError(e)) throw e;
      failures.set(records, e);
    }
  }
  return failures;
}

function partitionResponse(index: number, errorCode: number, logStartOffset = -1): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: BigInt(logStartOffset), recordErrors: [], errorMessage: null };
}

function produce(ctx: RequestContext, req: ProduceRequest, recordFailures: RecordFailures): ProduceResponse {
  const v = ctx.apiVersion;
  const nodeId = ctx.broker.nodeId;
  const byId = v >= 13;
  const nodeEndpoints: ProduceResponseNodeEndpoint[] = [];

  const txnProducers = transactionalProducers(req);
  // Kafka authorizes transactional writes by transactional id; without one the whole request fails.
  // One request may carry the transaction of one producer only (ReplicaManager.handleProduceAppend).
  const wholeRequestError =
    (txnProducers.any && req.transactionalId === null) ||
    (req.transactionalId !== null && !authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId))
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : txnProducers.producers > 1
        ? ErrorCode.INVALID_PRODUCER_ID_MAPPING
        : ErrorCode.NONE;
  if (wholeRequestError !== ErrorCode.NONE) {
    return {
      responses: req.topicData.map((t) => ({
        name: byId ? '' : t.name,
        topicId: byId ? t.topicId : ZERO_UUID,
        partitionResponses: t.partitionData.map((p) => partitionResponse(p.index, wholeRequestError)),
      })),
      throttleTimeMs: 0,
      nodeEndpoints,
    };
  }

  const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
  const viewFrom = smallestKeptView(req);
  const internalAllowed = ctx.clientId === ADMIN_CLIENT_ID;
  const responses: ProduceResponseTopicProduceResponse[] = [];
  for (const t of req.topicData) {
    const topic: Topic | undefined = byId ? ctx.cluster.topics.getById(t.topicId) : ctx.cluster.topics.get(t.name);
    const out: ProduceResponsePartitionProduceResponse[] = [];
    responses.push({ name: byId ? '' : t.name, topicId: byId ? t.topicId : ZERO_UUID, partitionResponses: out });
    if (topic === undefined && byId) {
      for (const p of t.partitionData) out.push(partitionResponse(p.index, ErrorCode.UNKNOWN_TOPIC_ID));
      continue;
    }
    // KafkaApis.handleProduceRequest: WRITE on the topic before anything else, existing or not.
    if (!authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, topic?.name ?? t.name)) {
      for (const p of t.partitionData) out.push(partitionResponse(p.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    const settings = topic === undefined ? null : produceSettings(topic, ctx.cluster.configs);
    for (const p of t.partitionData) {
      const name = topic?.name ?? t.name;
      const access = leaderPartition(ctx.cluster, nodeId, topic, p.index);
      if (access.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        out.push(partitionResponse(p.index, access.errorCode));
        continue;
      }
      const records = p.records as Buffer | null;
      let end: number;
      try {
        end = singleBatchEnd(records, v);
      } catch (e) {
        if (!isRecordsError(e)) throw e;
        ctx.logger.debug(`produce to ${name}-${p.index}: ${e.message}`);
        out.push(partitionResponse(p.index, e.errorCode));
        continue;
      }
      if (!validAcks) {
        out.push(partitionResponse(p.index, ErrorCode.INVALID_REQUIRED_ACKS));
        continue;
      }
      if (INTERNAL_TOPICS.has(name) && !internalAllowed) {
        out.push(partitionResponse(p.index, ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      if (access.partition === null) {
        out.push(notLeaderResponse(ctx, topic!, p.index, v, nodeEndpoints));
        continue;
      }
      if (req.acks === -1 && !enoughInSync(ctx, topic!, p.index)) {
        out.push(partitionResponse(p.index, ErrorCode.NOT_ENOUGH_REPLICAS));
        continue;
      }
      out.push(appendBatch(ctx, access.partition, records!, end, settings!, req.transactionalId, recordFailures.get(records!), viewFrom));
    }
  }
  return { responses, throttleTimeMs: 0, nodeEndpoints };
}

/**
 * Partition.appendRecordsToLeader: acks=all needs min.insync.replicas in the ISR, checked before the
 * append. Only a shrunk ISR (a replica's broker stopped) refuses: with every replica in sync the
 * write goes through even when min.insync.replicas exceeds a replication factor clamped to the
 * brokers (see DEVIATIONS.md), so a single broker takes what it took before.
 */
function enoughInSync(ctx: RequestContext, topic: Topic, index: number): boolean {
  const isr = ctx.cluster.isrFor(topic, index).length;
  if (isr >= ctx.cluster.replicasFor(topic, index).length) return true;
  return isr >= ctx.cluster.configs.topicNumber(topic, 'min.insync.replicas');
}

function notLeaderResponse(ctx: RequestContext, topic: Topic, index: number, v: number, endpoints: ProduceResponseNodeEndpoint[]): ProduceResponsePartitionProduceResponse {
  const resp = partitionResponse(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (v < 10) return resp;
  const cluster = ctx.cluster;
  const leaderId = cluster.leaderFor(topic, index);
  resp.currentLeader = { leaderId, leaderEpoch: topic.partitions[index]!.leaderEpoch };
  const node = cluster.liveNodeOn(leaderId, ctx.connection.listenerName);
  if (node && !endpoints.some((e) => e.nodeId === leaderId)) endpoints.push({ nodeId: node.nodeId, host: node.host, port: node.port, rack: node.rack });
  return resp;
}

/**
 * Whether any partition's first batch is transactional (Kafka's RequestUtils.hasTransactionalRecords,
 * which decides the authorization check), and how many distinct (producer id, epoch) pairs write
 * transactional batches (ReplicaManager refuses more than one).
 */
function transactionalProducers(req: ProduceRequest): { readonly any: boolean; readonly producers: number } {
  let any = false;
  let first: string | null = null;
  let producers = 0;
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const r = p.records as Buffer | null;
      if (r === null || r.length < BatchLayout.ATTRIBUTES + 2 || r.readInt8(BatchLayout.MAGIC) !== Magic.V2) continue;
      if ((r.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.TRANSACTIONAL) === 0) continue;
      any = true;
      if (r.length < BatchLayout.PRODUCER_EPOCH + 2) continue;
      const producerId = readInt64(r, BatchLayout.PRODUCER_ID);
      if (producerId < 0) continue;
      const key = `${producerId}:${r.readInt16BE(BatchLayout.PRODUCER_EPOCH)}`;
      if (first === null) {
        first = key;
        producers = 1;
      } else if (key !== first) {
        producers = 2;
      }
    }
  }
  return { any, producers };
}

/**
 * Kafka's ProduceRequest.validateRecords over its batch iterator (ByteBufferLogInputStream):
 * returns the end of the single batch, or throws the RecordsError Kafka's check would.
 */
function singleBatchEnd(records: Buffer | null, v: number): number {
  const buf = records ?? Buffer.alloc(0);
  const end = entryEnd(buf, 0);
  if (end < 0) throw invalidRecord(`Produce requests with version ${v} must have at least one record batch per partition`);
  if (buf.readInt8(BatchLayout.MAGIC) !== Magic.V2) {
    throw invalidRecord(`Produce requests with version ${v} are only allowed to contain record batches with magic version 2`);
  }
  if (v < 7 && (buf.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK) === CompressionCodec.ZSTD) {
    throw unsupportedCompression(`Produce requests with version ${v} are not allowed to use ZStandard compression`);
  }
  if (entryEnd(buf, end) >= 0) {
    throw invalidRecord(`Produce requests with version ${v} are only allowed to contain exactly one record batch per partition`);
  }
  return end;
}

/** End of the complete entry at pos, or -1 when the bytes left do not hold one. */
function entryEnd(buf: Buffer, pos: number): number {
  const remaining = buf.length - pos;
  if (remaining < BatchLayout.LOG_OVERHEAD) return -1;
  const length = buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
  if (length < 14) throw corrupt(`Record size ${length} is less than the minimum record overhead (14)`);
  if (remaining < BatchLayout.MAGIC + 1) return -1;
  const magic = buf.readInt8(pos + BatchLayout.MAGIC);
  if (magic < 0 || magic > Magic.V2) throw corrupt(`Invalid magic found in record: ${magic}`);
  const size = length + BatchLayout.LOG_OVERHEAD;
  return remaining < size ? -1 : pos + size;
}

function appendBatch(
  ctx: RequestContext,
  partition: Partition,
  records: Buffer,
  end: number,
  settings: ProduceSettings,
  transactionalId: string | null,
  recordFailure: RecordsError | undefined,
  viewFrom = Number.POSITIVE_INFINITY,
): ProduceResponsePartitionProduceResponse {
  const log = partition.log;
  const where = `${partition.topic}-${partition.partition}`;
  const failure = (f: Failure): ProduceResponsePartitionProduceResponse => {
    ctx.logger.debug(`produce to ${where}: ${f.message}`);
    const resp = partitionResponse(partition.partition, f.errorCode, f.withLogStart ? log.logStartOffset : -1);
    if (f.errorMessage !== undefined) resp.errorMessage = f.errorMessage;
    if (f.recordErrors !== undefined) resp.recordErrors = f.recordErrors;
    return resp;
  };

  const baseOffset = readInt64(records, BatchLayout.BASE_OFFSET);
  if (baseOffset !== 0) {
    return failure({
      errorCode: ErrorCode.INVALID_RECORD,
      withLogStart: true,
      message: `The baseOffset of the record batch in the append to ${where} should be 0, but it is ${baseOffset}`,
    });
  }
  if (end > settings.maxMessageBytes) {
    return failure({
      errorCode: ErrorCode.MESSAGE_TOO_LARGE,
      message: `The record batch size in the append to ${where} is ${end} bytes which exceeds the maximum configured value of ${settings.maxMessageBytes}.`,
    });
  }
  const clientLogAppendTime = (records.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.TIMESTAMP_TYPE) !== 0;
  const now = ctx.clock.now();
  let assigned;
  try {
    assigned = validateAndAssignOffsets(records, {
      firstOffset: log.logEndOffset,
      partitionLeaderEpoch: partition.leaderEpoch,
      ...(settings.logAppendTime ? { logAppendTimeMs: now } : {}),
      start: 0,
      end,
    });
  } catch (e) {
    if (!isRecordsError(e)) throw e;
    // CORRUPT_MESSAGE is one of the failures Kafka expects and reports without a log start offset.
    return failure({ errorCode: e.errorCode, message: e.message, withLogStart: e.errorCode !== ErrorCode.CORRUPT_MESSAGE });
  }
  if (recordFailure !== undefined) return failure({ errorCode: recordFailure.errorCode, message: recordFailure.message, withLogStart: true });

  if (settings.compacted) {
    const keyFailure = keylessRecordFailure(records, end, where);
    if (keyFailure !== null) return failure(keyFailure);
  }
  const timestampFailure = checkTimestamps(records, end, settings, clientLogAppendTime, now);
  if (timestampFailure !== null) return failure(timestampFailure);
  const maxTimestamp = assigned.maxTimestamp;
  if (!settings.logAppendTime && clientLogAppendTime) {
    // Kafka rewrites an in-range client LogAppendTime batch as CreateTime on a CreateTime topic.
    setMaxTimestamp(records, 0, TimestampType.CREATE_TIME, maxTimestamp);
  }

  const producer: ProducerBatchInfo = {
    producerId: readInt64(records, BatchLayout.PRODUCER_ID),
    producerEpoch: records.readInt16BE(BatchLayout.PRODUCER_EPOCH),
    baseSequence: records.readInt32BE(BatchLayout.BASE_SEQUENCE),
    recordCount: assigned.recordCount,
    lastOffsetDelta: assigned.lastOffset - assigned.firstOffset,
    maxTimestamp,
    isTransactional: (records.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.TRANSACTIONAL) !== 0,
    transactionalId,
  };
  const producerCheck = checkProducerState(ctx, partition, producer, assigned.firstOffset);
  if (producerCheck !== null) {
    if (!('duplicate' in producerCheck)) return failure(producerCheck);
    // Kafka answers a duplicate with the original batch's offsets, and its max timestamp as the
    // append time (UnifiedLog.append sets logAppendTime from the duplicate's BatchMetadata).
    ctx.logger.debug(`produce to ${where}: duplicate of the batch at offset ${producerCheck.duplicate.firstOffset} from producer ${producer.producerId}`);
    return {
      index: partition.partition,
      errorCode: ErrorCode.NONE,
      baseOffset: BigInt(producerCheck.duplicate.firstOffset),
      logAppendTimeMs: BigInt(producerCheck.duplicate.timestamp),
      logStartOffset: BigInt(log.logStartOffset),
      recordErrors: [],
      errorMessage: null,
    };
  }

  const firstOffset = assigned.firstOffset;
  try {
    partition.append(end >= viewFrom ? records.subarray(0, end) : retainable(records.subarray(0, end)), {
      baseOffset: firstOffset,
      lastOffset: assigned.lastOffset,
      maxTimestamp,
      recordCount: assigned.recordCount,
      leaderEpoch: partition.leaderEpoch,
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence: producer.baseSequence,
      isTransactional: producer.isTransactional,
      isControl: false,
    });
  } catch (e) {
    if (!isKafkaError(e)) throw e;
    return failure({ errorCode: e.code, message: e.message });
  }
  return {
    index: partition.partition,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(firstOffset),
    logAppendTimeMs: settings.logAppendTime ? BigInt(now) : -1n,
    logStartOffset: BigInt(log.logStartOffset),
    recordErrors: [],
    errorMessage: null,
  };
}

/**
 * The size from which a batch of this request is stored as a view of its frame rather than
 * copied. When the request's batches together are at least half of the memory they live in (the
 * frame the connection assembled for a large request with one batch per partition, as a fast
 * producer sends them), a batch of at least its share of that half is kept as is. In a profile
 * under franz-go (issue 20) those copies were ~2 s of samples per GB; end to end, on a machine at
 * load average 22-27, broker CPU per GB did not change measurably (3.6-4.7 s before, 3.6-4.0 s
 * after), so this is kept as a profile-guided step, not a proven gain. Retention stays bounded: such a batch pins
 * at most 2 x (batches in the request) times its size, and only once its neighbours are gone.
 * Otherwise retainable() decides alone.
 */
function smallestKeptView(req: ProduceRequest): number {
  let backing: ArrayBufferLike | null = null;
  let bytes = 0;
  let count = 0;
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const records = p.records as Buffer | null;
      if (records === null) continue;
      if (backing === null) backing = records.buffer;
      else if (records.buffer !== backing) return Number.POSITIVE_INFINITY;
      bytes += records.length;
      count++;
    }
  }
  if (backing === null || bytes * 2 < backing.byteLength) return Number.POSITIVE_INFINITY;
  return backing.byteLength / (2 * count);
}

/** See the header comment: copy once unless the batch is most of the memory it lives in. */
function retainable(batch: Buffer): Buffer {
  if (batch.length * 2 >= batch.buffer.byteLength) return batch;
  const copy = Buffer.allocUnsafe(batch.length);
  batch.copy(copy);
  return copy;
}

/**
 * LogValidator.validateTimestamp, decided on the batch header; records are decoded only once the
 * header says a record is out of range, to list them (and to accept after all when the header's
 * maxTimestamp overstated the records, since Kafka judges the records themselves).
 */
function checkTimestamps(batch: Buffer, end: number, s: ProduceSettings, clientLogAppendTime: boolean, now: number): Failure | null {
  const maxTs = readInt64(batch, BatchLayout.MAX_TIMESTAMP);
  if (clientLogAppendTime && (s.logAppendTime || maxTs === -1)) {
    return timestampFailure(batch, end, () => 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.');
  }
  if (s.logAppendTime) return null;
  const firstTs = clientLogAppendTime ? maxTs : readInt64(batch, BatchLayout.BASE_TIMESTAMP);
  const tooNew = maxTs !== -1 && maxTs - now > s.timestampAfterMaxMs;
  const tooOld = firstTs !== -1 && now - firstTs > s.timestampBeforeMaxMs;
  if (!tooNew && !tooOld) return null;
  const lower = javaLong(now, -s.timestampBeforeMaxMs);
  const upper = javaLong(now, s.timestampAfterMaxMs);
  return timestampFailure(batch, end, (ts, offset) => {
    if (ts === -1 || (now - ts <= s.timestampBeforeMaxMs && ts - now <= s.timestampAfterMaxMs)) return null;
    return `Timestamp ${ts} of message with offset ${offset} is out of range. The timestamp should be within [${lower}, ${upper}]`;
  });
}

/** now + delta as Java's long arithmetic prints it (it wraps for Long.MAX_VALUE windows). */
function javaLong(now: number, delta: number): string {
  const d = delta >= 9.2e18 ? 9223372036854775807n : delta <= -9.2e18 ? -9223372036854775807n : BigInt(delta);
  return BigInt.asIntN(64, BigInt(now) + d).toString();
}

/**
 * INVALID_TIMESTAMP as Kafka reports it: one recordErrors entry per bad record (offsets as the
 * client numbered them, from 0) and a summary message. `check` returns a record's error or null.
 * Null when the records decode and none is bad; records that cannot be decoded here (zstd, or a
 * bad payload) leave the header's verdict standing, without per-record detail.
 */
function timestampFailure(batch: Buffer, end: number, check: (ts: number, offset: number) => string | null): Failure | null {
  const recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[] = [];
  const attributes = batch.readInt16BE(BatchLayout.ATTRIBUTES);
  const logAppendTime = (attributes & BatchAttribute.TIMESTAMP_TYPE) !== 0;
  const baseTs = readInt64(batch, BatchLayout.BASE_TIMESTAMP);
  const maxTs = readInt64(batch, BatchLayout.MAX_TIMESTAMP);
  let decoded = false;
  if ((attributes & BatchAttribute.COMPRESSION_MASK) !== CompressionCodec.ZSTD) {
    try {
      const cursor = new RecordCursor(recordsSectionSync(batch.subarray(0, end), 0), batch.readInt32BE(BatchLayout.RECORDS_COUNT));
      for (let i = 0; cursor.next(); i++) {
        const msg = check(logAppendTime ? maxTs : baseTs + cursor.timestampDelta, cursor.offsetDelta);
        if (msg !== null) recordErrors.push({ batchIndex: i, batchIndexErrorMessage: msg });
      }
      decoded = true;
    } catch {
      recordErrors.length = 0;
    }
  }
  if (decoded && recordErrors.length === 0) return null;
  return {
    errorCode: ErrorCode.INVALID_TIMESTAMP,
    withLogStart: true,
    message: recordErrors[0]?.batchIndexErrorMessage ?? 'record timestamps out of range',
    errorMessage: 'One or more records have been rejected due to invalid timestamp',
    recordErrors,
  };
}
