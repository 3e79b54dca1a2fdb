/**
 * Request builders for the transaction e2e tests: a transactional producer over a WireClient, as
 * a Kafka client drives one (InitProducerId, AddPartitionsToTxn, Produce with sequences, EndTxn),
 * plus readers of fetched batches that tell data from markers.
 */
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  EndTxnApi,
  InitProducerIdApi,
  ProduceApi,
  TxnOffsetCommitApi,
} from '../../src/protocol/messages/index.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import type { EndTxnResponse, InitProducerIdResponse, ProduceResponsePartitionProduceResponse } from '../../src/protocol/messages/index.js';
import { buildBatchSync, iterateRecords, readBatchHeader, readControlRecordType } from '../../src/protocol/records/index.js';
import { produceRequest, batchesOf, fetchOne } from './data-path.js';
import type { WireClient } from './wire-client.js';

export function initProducerId(c: WireClient, transactionalId: string | null, opts: { timeoutMs?: number; version?: number; producerId?: bigint; producerEpoch?: number } = {}): Promise<InitProducerIdResponse> {
  return c.request(InitProducerIdApi, opts.version ?? 4, {
    transactionalId,
    transactionTimeoutMs: opts.timeoutMs ?? 60000,
    producerId: opts.producerId ?? -1n,
    producerEpoch: opts.producerEpoch ?? -1,
    enable2Pc: false,
    keepPreparedTxn: false,
  });
}

export interface Producer {
  readonly transactionalId: string;
  readonly producerId: bigint;
  producerEpoch: number;
  /** Next sequence per "topic/partition". */
  readonly sequences: Map<string, number>;
}

export async function transactionalProducer(c: WireClient, transactionalId: string, timeoutMs = 60000): Promise<Producer> {
  const r = await initProducerId(c, transactionalId, { timeoutMs });
  if (r.errorCode !== 0) throw new Error(`InitProducerId failed: ${r.errorCode}`);
  return { transactionalId, producerId: r.producerId, producerEpoch: r.producerEpoch, sequences: new Map() };
}

/** AddPartitionsToTxn v3; the code of every partition, in request order. */
export async function addPartitions(c: WireClient, p: Producer, topic: string, partitions: number[], version = 3): Promise<number[]> {
  const r = await c.request(AddPartitionsToTxnApi, version, {
    transactions: [],
    v3AndBelowTransactionalId: p.transactionalId,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return r.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((x) => x.partitionErrorCode));
}

export async function addOffsets(c: WireClient, p: Producer, groupId: string): Promise<number> {
  return (await c.request(AddOffsetsToTxnApi, 3, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, groupId })).errorCode;
}

export function endTxn(c: WireClient, p: Producer, commit: boolean, version = 3): Promise<EndTxnResponse> {
  return c.request(EndTxnApi, version, { transactionalId: p.transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: commit });
}

export async function txnOffsetCommit(c: WireClient, p: Producer, groupId: string, topic: string, partition: number, offset: bigint, version = 3): Promise<number> {
  const r = await c.request(TxnOffsetCommitApi, version, {
    transactionalId: p.transactionalId,
    groupId,
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return r.topics[0]!.partitions[0]!.errorCode;
}

export function values(prefix: string, n: number, timestamp = Date.now()): { key: Buffer; value: Buffer; timestamp: number }[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`), timestamp }));
}

/**
 * Produces `n` records as the producer's next batch on the partition (a transactional batch when
 * `transactional`). `sequence` overrides the next sequence (for retries and gaps); the producer's
 * sequence only advances on success.
 */
export async function send(
  c: WireClient,
  p: Producer,
  topic: string,
  partition: number,
  records: { key: Buffer; value: Buffer; timestamp: number }[],
  opts: { transactional?: boolean; sequence?: number; version?: number; epoch?: number } = {},
): Promise<ProduceResponsePartitionProduceResponse> {
  const k = `${topic}/${partition}`;
  const seq = opts.sequence ?? p.sequences.get(k) ?? 0;
  const transactional = opts.transactional ?? true;
  const batch = buildBatchSync(records, { producerId: Number(p.producerId), producerEpoch: opts.epoch ?? p.producerEpoch, baseSequence: seq, transactional });
  const resp = await c.request(ProduceApi, opts.version ?? 11, produceRequest([{ topic, partition, records: batch }], { transactionalId: transactional ? p.transactionalId : null }));
  const r = resp.responses[0]!.partitionResponses[0]!;
  if (r.errorCode === 0 && opts.sequence === undefined) p.sequences.set(k, seq + records.length);
  return r;
}

export type FetchedEntry = { readonly offset: number; readonly value: string } | { readonly offset: number; readonly marker: 'COMMIT' | 'ABORT'; readonly producerId: number };

/** The fetched records field as data records and markers, in offset order. */
export function entriesOf(records: unknown): FetchedEntry[] {
  const out: FetchedEntry[] = [];
  for (const b of batchesOf(records)) {
    const h = readBatchHeader(b);
    for (const r of iterateRecords(b)) {
      if (h.control) out.push({ offset: r.offset, marker: readControlRecordType(r.key) === 1 ? 'COMMIT' : 'ABORT', producerId: h.producerId });
      else out.push({ offset: r.offset, value: r.value!.toString() });
    }
  }
  return out;
}

/**
 * What a read_committed consumer hands to the application from one fetched partition, as Kafka's
 * Java consumer decides it (CompletedFetch): data of a producer is dropped from the first offset of
 * one of its aborted transactions listed in the response until that producer's ABORT marker;
 * markers are never handed out.
 */
export function committedValues(records: unknown, aborted: readonly { producerId: bigint; firstOffset: bigint }[] | null): { offset: number; key: string | null; value: string }[] {
  const pending = [...(aborted ?? [])].sort((a, b) => Number(a.firstOffset - b.firstOffset));
  const abortedProducers = new Set<number>();
  const out: { offset: number; key: string | null; value: string }[] = [];
  for (const b of batchesOf(records)) {
    const h = readBatchHeader(b);
    const lastOffset = h.baseOffset + h.lastOffsetDelta;
    while (pending.length > 0 && Number(pending[0]!.firstOffset) <= lastOffset) abortedProducers.add(Number(pending.shift()!.producerId));
    if (h.control) {
      const [marker] = [...iterateRecords(b)];
      if (marker !== undefined && readControlRecordType(marker.key) === 0) abortedProducers.delete(h.producerId);
      continue;
    }
    if (h.transactional && abortedProducers.has(h.producerId)) continue;
    for (const r of iterateRecords(b)) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? '' });
  }
  return out;
}

/**
 * All that a read_committed consumer gets from one partition, from offset 0 to its last stable
 * offset, and whether a transaction was still open there (last stable offset below the high
 * watermark) when the reading ended.
 */
export async function readCommitted(c: WireClient, topic: string, partition: number): Promise<{ records: { offset: number; key: string | null; value: string }[]; openTransaction: boolean }> {
  const records: { offset: number; key: string | null; value: string }[] = [];
  let offset = 0;
  for (;;) {
    const f = await fetchOne(c, { topic, partition, offset }, { isolationLevel: 1 });
    records.push(...committedValues(f.records, f.abortedTransactions));
    const batches = batchesOf(f.records);
    if (batches.length === 0) return { records, openTransaction: f.lastStableOffset !== f.highWatermark };
    const last = readBatchHeader(batches[batches.length - 1]!);
    offset = last.baseOffset + last.lastOffsetDelta + 1;
  }
}

/**
 * How `values` differ from holding each of `expected` exactly once: the first 10 missing, the first
 * 10 read more than once, and the first 10 that are not expected at all.
 */
export function exactlyOnce(values: readonly string[], expected: readonly string[]): { missing: string[]; twice: string[]; strays: string[] } {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const wanted = new Set(expected);
  return {
    missing: expected.filter((v) => !counts.has(v)).slice(0, 10),
    twice: [...counts].filter(([, k]) => k > 1).map(([v]) => v).slice(0, 10),
    strays: [...counts.keys()].filter((v) => !wanted.has(v)).slice(0, 10),
  };
}
