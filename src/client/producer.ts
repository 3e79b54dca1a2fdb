/**
 * Producing: records are assigned partitions (given, else murmur2 of the key as Kafka's
 * BuiltInPartitioner does, else one partition per call chosen round-robin as the sticky
 * partitioner would), built into v2 batches with the project's batch builder, and sent to each
 * partition's leader. Idempotent producers get an id from InitProducerId and number each
 * partition's batches; transactional ones also register partitions with AddPartitionsToTxn and
 * end with EndTxn. Batches of one partition go one at a time, so order is kept without relying
 * on max.in.flight.
 */
import { buildBatch } from '../protocol/records/batch-builder.js';
import type { RecordInput } from '../protocol/records/batch-builder.js';
import { CompressionCodec } from '../protocol/records/batch-header.js';
import { ProduceApi } from '../protocol/messages/produce.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import { InitProducerIdApi, defaultInitProducerIdRequest } from '../protocol/messages/init-producer-id.js';
import { AddPartitionsToTxnApi, defaultAddPartitionsToTxnRequest } from '../protocol/messages/add-partitions-to-txn.js';
import { EndTxnApi, defaultEndTxnRequest } from '../protocol/messages/end-txn.js';
import type { KafkaClient } from './client.js';
import { CoordinatorType } from './client.js';
import { KafkaResponseError, check } from './errors.js';

export interface ProducerRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: readonly { key: string; value: Buffer | null }[];
  /** Create time in ms; default now. */
  readonly timestamp?: number;
  readonly partition?: number;
}

export const COMPRESSION: Readonly<Record<string, CompressionCodec>> = { none: CompressionCodec.NONE, gzip: CompressionCodec.GZIP, snappy: CompressionCodec.SNAPPY, lz4: CompressionCodec.LZ4, zstd: CompressionCodec.ZSTD };

export interface ProduceOptions {
  /** -1 (all), 0 or 1; default -1 as Kafka's producer since 3.0. */
  readonly acks?: number;
  readonly compression?: CompressionCodec;
  readonly idempotent?: boolean;
  /** Makes the call one transaction, committed at the end (aborted when `abort`). */
  readonly transactionalId?: string;
  readonly abort?: boolean;
  readonly timeoutMs?: number;
  /** Records per batch (default 1000) and bytes per batch, roughly (default 512 KiB). */
  readonly batchRecords?: number;
  readonly batchBytes?: number;
}

export interface PartitionResult {
  readonly partition: number;
  /** Offset of the first record written (-1 with acks=0). */
  readonly baseOffset: number;
  readonly count: number;
}

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), seed 0x9747b28c. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const len4 = length >> 2;
  for (let i = 0; i < len4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = len4 * 4;
  const rest = length - tail;
  // Kafka's switch falls through from 3 to 1.
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's partition for a key: toPositive(murmur2(key)) % partitions. */
export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

let roundRobin = 0;

export async function produce(client: KafkaClient, topic: string, records: readonly ProducerRecord[], o: ProduceOptions = {}): Promise<PartitionResult[]> {
  const info = await client.topic(topic, true);
  const n = info.partitions.length;
  const sticky = roundRobin++ % n;
  const byPartition = new Map<number, ProducerRecord[]>();
  for (const r of records) {
    const p = r.partition ?? (r.key !== null ? partitionForKey(r.key, n) : sticky);
    if (p < 0 || p >= n) throw new KafkaResponseError(3, `${topic} has ${n} partitions; no partition ${p}`);
    let list = byPartition.get(p);
    if (list === undefined) byPartition.set(p, (list = []));
    list.push(r);
  }
  const acks = o.acks ?? -1;
  const txn = o.transactionalId ?? null;
  let producerId = -1n;
  let producerEpoch = -1;
  if (o.idempotent === true || txn !== null) {
    const resp = await client.retry(async () => {
      const conn = txn === null ? client.any : await client.coordinator(txn, CoordinatorType.TRANSACTION);
      const r = await conn.request(InitProducerIdApi, { ...defaultInitProducerIdRequest(), transactionalId: txn, transactionTimeoutMs: 60_000 });
      check(r.errorCode, `InitProducerId${txn === null ? '' : ` ${txn}`}`);
      return r;
    });
    producerId = resp.producerId;
    producerEpoch = resp.producerEpoch;
  }
  if (txn !== null) {
    await client.retry(async () => {
      const coord = await client.coordinator(txn, CoordinatorType.TRANSACTION);
      const resp = await coord.request(AddPartitionsToTxnApi, { ...defaultAddPartitionsToTxnRequest(), v3AndBelowTransactionalId: txn, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [...byPartition.keys()] }] });
      check(resp.errorCode, `AddPartitionsToTxn ${txn}`);
      for (const t of resp.resultsByTopicV3AndBelow) for (const p of t.resultsByPartition) check(p.partitionErrorCode, `AddPartitionsToTxn ${txn} ${t.name}-${p.partitionIndex}`);
    });
  }
  const results = await Promise.all(
    [...byPartition].map(([p, list]) => producePartition(client, topic, p, list, { ...o, acks, producerId, producerEpoch, transactional: txn !== null, transactionalId: txn })),
  );
  if (txn !== null) {
    await client.retry(async () => {
      const coord = await client.coordinator(txn, CoordinatorType.TRANSACTION);
      const resp = await coord.request(EndTxnApi, { ...defaultEndTxnRequest(), transactionalId: txn, producerId, producerEpoch, committed: o.abort !== true });
      check(resp.errorCode, `EndTxn ${txn}`);
    });
  }
  return results.sort((a, b) => a.partition - b.partition);
}

interface BatchContext extends Omit<ProduceOptions, 'transactionalId'> {
  readonly acks: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly transactional: boolean;
  readonly transactionalId: string | null;
}

async function producePartition(client: KafkaClient, topic: string, partition: number, list: readonly ProducerRecord[], o: BatchContext): Promise<PartitionResult> {
  const conn = await client.leader(topic, partition);
  const maxRecords = o.batchRecords ?? 1000;
  const maxBytes = o.batchBytes ?? 512 * 1024;
  let baseOffset = -1;
  let sequence = 0;
  for (let i = 0; i < list.length; ) {
    const chunk: RecordInput[] = [];
    let bytes = 0;
    const now = Date.now();
    while (i < list.length && chunk.length < maxRecords && (chunk.length === 0 || bytes < maxBytes)) {
      const r = list[i++]!;
      bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 16;
      chunk.push({ key: r.key, value: r.value, headers: r.headers ?? [], timestamp: r.timestamp ?? now });
    }
    const batch = await buildBatch(chunk, {
      compression: o.compression ?? CompressionCodec.NONE,
      producerId: Number(o.producerId),
      producerEpoch: o.producerEpoch,
      baseSequence: o.producerId >= 0n ? sequence : -1,
      transactional: o.transactional,
    });
    sequence += chunk.length;
    const body = { transactionalId: o.transactionalId, acks: o.acks, timeoutMs: o.timeoutMs ?? 30_000, topicData: [{ name: topic, topicId: ZERO_UUID, partitionData: [{ index: partition, records: batch }] }] };
    if (o.acks === 0) {
      conn.fireAndForget(ProduceApi, body);
      continue;
    }
    const resp = await conn.request(ProduceApi, body);
    const pr = resp.responses[0]?.partitionResponses[0];
    if (pr === undefined) throw new KafkaResponseError(-1, `Produce ${topic}-${partition}: empty answer`);
    check(pr.errorCode, `Produce ${topic}-${partition}`, pr.errorMessage);
    if (baseOffset < 0) baseOffset = Number(pr.baseOffset);
  }
  return { partition, baseOffset, count: list.length };
}
