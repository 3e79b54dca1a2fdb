/**
 * Request builders for the data-path e2e tests (Produce, Fetch, ListOffsets): plain objects for
 * the generated codecs, with Kafka's defaults, so each test states only what it is about.
 */
import { FetchApi, ListOffsetsApi, ProduceApi } from '../../src/protocol/messages/index.js';
import type {
  FetchRequest,
  FetchResponse,
  FetchResponsePartitionData,
  ListOffsetsResponseListOffsetsPartitionResponse,
  ProduceRequest,
  ProduceResponsePartitionProduceResponse,
} from '../../src/protocol/messages/index.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { BatchCursor, ScanMode } from '../../src/protocol/records/index.js';
import type { WireClient } from './wire-client.js';

export interface ProduceTarget {
  readonly topic: string;
  readonly partition?: number;
  readonly records: Buffer | null;
  readonly topicId?: string;
}

export function produceRequest(targets: readonly ProduceTarget[], opts: { acks?: number; transactionalId?: string | null } = {}): ProduceRequest {
  return {
    transactionalId: opts.transactionalId ?? null,
    acks: opts.acks ?? -1,
    timeoutMs: 30000,
    topicData: targets.map((t) => ({
      name: t.topic,
      topicId: t.topicId ?? ZERO_UUID,
      partitionData: [{ index: t.partition ?? 0, records: t.records }],
    })),
  };
}

/** Produces one batch to one partition and returns that partition's response. */
export async function produceOne(
  c: WireClient,
  topic: string,
  records: Buffer | null,
  opts: { version?: number; partition?: number; acks?: number; transactionalId?: string | null; topicId?: string } = {},
): Promise<ProduceResponsePartitionProduceResponse> {
  const resp = await c.request(ProduceApi, opts.version ?? 11, produceRequest([{ topic, partition: opts.partition ?? 0, records, topicId: opts.topicId ?? ZERO_UUID }], opts));
  return resp.responses[0]!.partitionResponses[0]!;
}

export interface FetchTarget {
  readonly topic: string;
  readonly topicId?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly partitionMaxBytes?: number;
  readonly currentLeaderEpoch?: number;
  readonly lastFetchedEpoch?: number;
}

export function fetchRequest(
  targets: readonly FetchTarget[],
  opts: {
    maxWaitMs?: number;
    minBytes?: number;
    maxBytes?: number;
    isolationLevel?: number;
    sessionId?: number;
    sessionEpoch?: number;
    /** Partitions an incremental request removes from its session. */
    forgotten?: readonly { topic: string; topicId?: string; partitions: number[] }[];
  } = {},
): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 52428800,
    isolationLevel: opts.isolationLevel ?? 0,
    sessionId: opts.sessionId ?? 0,
    sessionEpoch: opts.sessionEpoch ?? -1,
    topics: targets.map((t) => ({
      topic: t.topic,
      topicId: t.topicId ?? ZERO_UUID,
      partitions: [
        {
          partition: t.partition ?? 0,
          currentLeaderEpoch: t.currentLeaderEpoch ?? -1,
          fetchOffset: BigInt(t.offset ?? 0),
          lastFetchedEpoch: t.lastFetchedEpoch ?? -1,
          logStartOffset: -1n,
          partitionMaxBytes: t.partitionMaxBytes ?? 1048576,
          replicaDirectoryId: ZERO_UUID,
          highWatermark: 9223372036854775807n,
        },
      ],
    })),
    forgottenTopicsData: (opts.forgotten ?? []).map((f) => ({ topic: f.topic, topicId: f.topicId ?? ZERO_UUID, partitions: f.partitions })),
    rackId: '',
  };
}

export function fetch(c: WireClient, targets: readonly FetchTarget[], opts: Parameters<typeof fetchRequest>[1] & { version?: number } = {}): Promise<FetchResponse> {
  return c.request(FetchApi, opts.version ?? 12, fetchRequest(targets, opts));
}

/** The single partition of a one-partition fetch. */
export async function fetchOne(c: WireClient, target: FetchTarget, opts: Parameters<typeof fetch>[2] = {}): Promise<FetchResponsePartitionData> {
  const resp = await fetch(c, [target], opts);
  return resp.responses[0]!.partitions[0]!;
}

/** The batches of a fetched records field, each as its own Buffer. */
export function batchesOf(records: unknown): Buffer[] {
  if (records === null) return [];
  const buf = records as Buffer;
  const out: Buffer[] = [];
  const cursor = new BatchCursor(buf, ScanMode.FETCH);
  while (cursor.next()) out.push(buf.subarray(cursor.position, cursor.position + cursor.size));
  return out;
}

export async function listOffset(
  c: WireClient,
  topic: string,
  timestamp: bigint,
  opts: { version?: number; partition?: number; isolationLevel?: number; currentLeaderEpoch?: number; replicaId?: number } = {},
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const v = opts.version ?? 9;
  const resp = await c.request(ListOffsetsApi, v, {
    replicaId: opts.replicaId ?? -1,
    isolationLevel: opts.isolationLevel ?? 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: opts.partition ?? 0, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, timestamp, maxNumOffsets: 1 }] }],
    timeoutMs: 0,
  });
  return resp.topics[0]!.partitions[0]!;
}
