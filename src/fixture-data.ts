/**
 * The fixture's data helpers, `kafka.produce(...)` and `kafka.consume(...)`: a test writes and
 * reads records without a Kafka client of its own. They speak the Kafka protocol to the broker
 * with the project's own client (src/client), as any client would, so what they see is what
 * clients see (partitioning by murmur2 of the key, read_committed, the high watermark).
 *
 * Loaded on first use: a broker whose tests bring their own client never loads the client.
 */
import { KafkaClient } from './client/client.js';
import { produce as produceRecords } from './client/producer.js';
import type { PartitionResult, ProduceOptions } from './client/producer.js';
import { IsolationLevel, OffsetSpec, fetchPartition, listOffsets } from './client/fetcher.js';
import type { ConsumedRecord } from './client/fetcher.js';

export type { ConsumedRecord } from './client/fetcher.js';
export type { PartitionResult } from './client/producer.js';

type Bytes = string | Buffer | null;

export interface RecordToProduce {
  readonly key?: Bytes;
  readonly value: Bytes;
  readonly headers?: Readonly<Record<string, Bytes>>;
  /** Default: by the key's murmur2 hash (as Kafka's producer), round robin without a key. */
  readonly partition?: number;
  readonly timestamp?: number;
}

export interface ProduceHelperOptions extends Pick<ProduceOptions, 'acks' | 'compression' | 'idempotent' | 'transactionalId' | 'abort'> {}

export interface ConsumeOptions {
  /** Stop after this many records. */
  readonly count?: number;
  /** Stop at the first record for which this returns true (that record included). */
  readonly until?: (record: ConsumedRecord, all: readonly ConsumedRecord[]) => boolean;
  /** Only these partitions (default: all). */
  readonly partitions?: readonly number[];
  /** Default 'beginning'; 'end' reads only records produced after the call. */
  readonly from?: 'beginning' | 'end';
  readonly isolation?: 'read_uncommitted' | 'read_committed';
  /** Reject after this long without having met count/until (default 30 s). */
  readonly timeoutMs?: number;
}

function bytes(b: Bytes | undefined): Buffer | null {
  return b === undefined || b === null ? null : typeof b === 'string' ? Buffer.from(b) : b;
}

async function withClient<T>(bootstrapServers: string, fn: (c: KafkaClient) => Promise<T>): Promise<T> {
  const client = await KafkaClient.connect({ bootstrapServers, clientId: 'minikafka-fixture' });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export function produce(bootstrapServers: string, topic: string, records: readonly RecordToProduce[], o: ProduceHelperOptions = {}): Promise<PartitionResult[]> {
  const converted = records.map((r) => ({
    key: bytes(r.key),
    value: bytes(r.value),
    headers: Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value: bytes(value) })),
    ...(r.partition !== undefined ? { partition: r.partition } : {}),
    ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
  }));
  return withClient(bootstrapServers, (c) => produceRecords(c, topic, converted, o));
}

export function consume(bootstrapServers: string, topic: string, o: ConsumeOptions = {}): Promise<ConsumedRecord[]> {
  if (o.count === undefined && o.until === undefined) throw new Error('consume needs count or until: with neither it would never end');
  const timeoutMs = o.timeoutMs ?? 30_000;
  const isolationLevel = o.isolation === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
  return withClient(bootstrapServers, async (client) => {
    const info = await client.topic(topic);
    const partitions = o.partitions ?? info.partitions.map((p) => p.partition);
    const positions = await listOffsets(client, topic, partitions, o.from === 'end' ? OffsetSpec.LATEST : OffsetSpec.EARLIEST, isolationLevel);
    const got: ConsumedRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const p of partitions) {
        // A short long-poll per partition, so that a quiet partition does not hold the others up.
        const r = await fetchPartition(client, topic, p, positions.get(p)!, { isolationLevel, maxWaitMs: partitions.length === 1 ? 200 : 50 });
        for (const rec of r.records) {
          got.push(rec);
          if (o.count !== undefined && got.length >= o.count) return got;
          if (o.until?.(rec, got)) return got;
        }
        positions.set(p, Math.max(positions.get(p)!, r.nextOffset));
      }
      if (Date.now() >= deadline) {
        const want = o.count !== undefined ? `${o.count} records` : 'a record matching until()';
        throw new Error(`consume ${topic}: got ${got.length} records in ${timeoutMs} ms, waiting for ${want}`);
      }
    }
  });
}
