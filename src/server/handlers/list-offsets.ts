/**
 * ListOffsets (key 2): an offset per partition for a timestamp, as Kafka's
 * ReplicaManager.fetchOffset, Partition.fetchOffsetForTimestamp and UnifiedLog.fetchOffsetByTimestamp:
 * - -1 LATEST: the last fetchable offset: the high watermark, or for read_committed
 *   (isolationLevel 1) the last stable offset; for a replicaId other than -1 (a follower or the
 *   -2 debugging id) the log end. Leader epoch: the partition's current one.
 * - -2 EARLIEST and -4 EARLIEST_LOCAL (v8+; no tiered storage, so the same): the log start
 *   offset, with the first cached leader epoch when it starts at or before the log start.
 * - -3 MAX_TIMESTAMP (v7+, KIP-734): the first record carrying the largest timestamp in the log,
 *   with that timestamp.
 * - -5 LATEST_TIERED (v9+) and -6 EARLIEST_PENDING_UPLOAD (v11+): offset -1, timestamp -1,
 *   epoch -1, what Kafka answers for a topic without tiered storage.
 * - a timestamp >= 0: the first record at or after it, with its own timestamp (the log's time
 *   index finds the batch, record-timestamp-search the record), or offset -1 / timestamp -1
 *   when there is none.
 * - For -3, -5, -6 and timestamps, a result at or past the last fetchable offset is not
 *   revealed: offset -1, timestamp -1, as Kafka.
 * Errors per partition: the same partition twice in a request: INVALID_REQUEST (every copy); a
 * negative timestamp that is no sentinel or needs a newer version: UNSUPPORTED_VERSION; unknown
 * topic or partition: UNKNOWN_TOPIC_OR_PARTITION; not the leader: NOT_LEADER_OR_FOLLOWER;
 * currentLeaderEpoch (v4+) older than ours: FENCED_LEADER_EPOCH, newer: UNKNOWN_LEADER_EPOCH.
 * Error answers carry offset -1, timestamp -1, leader epoch -1. v4+ returns the leader epoch.
 *
 * Versions 1-11 (Kafka 4.x dropped v0). timeoutMs (v10, for remote storage) is ignored.
 * Deviation: MAX_TIMESTAMP ignores batches wholly below the log start (after DeleteRecords),
 * which Kafka, looking only at segment metadata, can still return.
 */
import { ListOffsetsApi } from '../../protocol/messages/list-offsets.js';
import type { ListOffsetsRequestListOffsetsPartition, ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/messages/list-offsets.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import type { Partition } from '../../log/partition.js';
import { checkLeaderEpoch, leaderPartition } from '../cluster/partition-access.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';

export const ListOffsetsTimestamp = {
  LATEST: -1n,
  EARLIEST: -2n,
  MAX_TIMESTAMP: -3n,
  EARLIEST_LOCAL: -4n,
  LATEST_TIERED: -5n,
  EARLIEST_PENDING_UPLOAD: -6n,
} as const;

/** Kafka's timestampMinSupportedVersion: the first ListOffsets version that knows each sentinel. */
const SENTINEL_MIN_VERSION: ReadonlyMap<bigint, number> = new Map([
  [ListOffsetsTimestamp.LATEST, 1],
  [ListOffsetsTimestamp.EARLIEST, 1],
  [ListOffsetsTimestamp.MAX_TIMESTAMP, 7],
  [ListOffsetsTimestamp.EARLIEST_LOCAL, 8],
  [ListOffsetsTimestamp.LATEST_TIERED, 9],
  [ListOffsetsTimestamp.EARLIEST_PENDING_UPLOAD, 11],
]);

const CONSUMER_REPLICA_ID = -1;
const READ_COMMITTED = 1;

export const listOffsetsHandler = defineHandler(ListOffsetsApi, {
  minVersion: 1,
  maxVersion: 11,

  handle(ctx, req) {
    const seen = new Map<string, number>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const key = `${p.partitionIndex}:${t.name}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    const isClient = req.replicaId === CONSUMER_REPLICA_ID;
    const committed = req.isolationLevel === READ_COMMITTED;
    // KafkaApis.handleListOffsetRequest: DESCRIBE on the topic, before anything else.
    const allowed = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, req.topics.map((t) => t.name));
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => {
        if (!allowed.has(t.name)) return { name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) };
        const topic = ctx.cluster.topics.get(t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((p) => {
            if (seen.get(`${p.partitionIndex}:${t.name}`)! > 1) return failed(p.partitionIndex, ErrorCode.INVALID_REQUEST);
            if (p.timestamp < 0n) {
              const min = SENTINEL_MIN_VERSION.get(p.timestamp);
              if (min === undefined || ctx.apiVersion < min) return failed(p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION);
            }
            const access = leaderPartition(ctx.cluster, ctx.broker.nodeId, topic, p.partitionIndex);
            if (access.partition === null) return failed(p.partitionIndex, access.errorCode);
            const epochError = checkLeaderEpoch(access.partition, p.currentLeaderEpoch);
            if (epochError !== ErrorCode.NONE) return failed(p.partitionIndex, epochError);
            return lookup(ctx, access.partition, p, isClient, committed);
          }),
        };
      }),
    };
  },

  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, code)) })) };
  },
});

function failed(partitionIndex: number, errorCode: number): ListOffsetsResponseListOffsetsPartitionResponse {
  return { partitionIndex, errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 };
}

function found(ctx: RequestContext, partitionIndex: number, offset: number, timestamp: number, leaderEpoch: number): ListOffsetsResponseListOffsetsPartitionResponse {
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    // The field exists from v4; older versions must leave it at its default.
    leaderEpoch: ctx.apiVersion >= 4 ? leaderEpoch : -1,
  };
}

function lookup(ctx: RequestContext, partition: Partition, p: ListOffsetsRequestListOffsetsPartition, isClient: boolean, committed: boolean): ListOffsetsResponseListOffsetsPartitionResponse {
  const log = partition.log;
  const index = p.partitionIndex;
  const lastFetchable = !isClient ? log.logEndOffset : committed ? log.lastStableOffset : log.highWatermark;
  switch (p.timestamp) {
    case ListOffsetsTimestamp.LATEST:
      return found(ctx, index, lastFetchable, -1, partition.leaderEpoch);
    case ListOffsetsTimestamp.EARLIEST:
    case ListOffsetsTimestamp.EARLIEST_LOCAL: {
      const first = log.leaderEpochCache.earliestEntry();
      const epoch = first !== null && first.startOffset <= log.logStartOffset ? first.epoch : -1;
      return found(ctx, index, log.logStartOffset, -1, epoch);
    }
    case ListOffsetsTimestamp.LATEST_TIERED:
    case ListOffsetsTimestamp.EARLIEST_PENDING_UPLOAD:
      // No tiered storage: nothing is uploaded, so there is no such offset.
      return found(ctx, index, -1, -1, -1);
  }
  const hit = p.timestamp === ListOffsetsTimestamp.MAX_TIMESTAMP ? log.maxTimestampOffset() : log.offsetForTimestamp(Number(p.timestamp));
  // Offsets at or past what this reader may fetch are not revealed (Kafka's lastFetchableOffset).
  if (hit === null || hit.offset >= lastFetchable) return failed(index, ErrorCode.NONE);
  return found(ctx, index, hit.offset, hit.timestamp, hit.leaderEpoch);
}
