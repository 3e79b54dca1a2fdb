/**
 * Reading: Fetch from a partition's leader (records decoded with the project's record-set
 * decoder, control batches dropped, aborted transactions' records dropped under read_committed
 * as Kafka's consumer does with the answer's abortedTransactions), and ListOffsets for the
 * earliest, latest or by-timestamp offsets.
 */
import { FetchApi, defaultFetchRequest, defaultFetchRequestFetchPartition } from '../protocol/messages/fetch.js';
import { ListOffsetsApi, defaultListOffsetsRequest } from '../protocol/messages/list-offsets.js';
import { decodeRecordSet } from '../protocol/records/record-set.js';
import { ControlRecordType, readControlRecordType } from '../protocol/records/control-record.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import type { KafkaClient } from './client.js';
import { check } from './errors.js';

export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

/** ListOffsets' special timestamps. */
export const OffsetSpec = { LATEST: -1n, EARLIEST: -2n } as const;

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** 0 CreateTime, 1 LogAppendTime. */
  readonly timestampType: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { key: string; value: Buffer | null }[];
}

export interface FetchResult {
  readonly records: ConsumedRecord[];
  /** Where the next fetch starts: past the last batch seen, control and aborted ones included. */
  readonly nextOffset: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
}

export interface FetchOptions {
  readonly isolationLevel?: number;
  readonly maxWaitMs?: number;
  readonly maxBytes?: number;
}

export async function fetchPartition(client: KafkaClient, topic: string, partition: number, offset: number, o: FetchOptions = {}): Promise<FetchResult> {
  const conn = await client.leader(topic, partition);
  const maxBytes = o.maxBytes ?? 4 * 1024 * 1024;
  const resp = await conn.request(FetchApi, (v) => ({
    ...defaultFetchRequest(),
    maxWaitMs: o.maxWaitMs ?? 500,
    minBytes: 1,
    maxBytes,
    isolationLevel: v >= 4 ? (o.isolationLevel ?? 0) : 0,
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ ...defaultFetchRequestFetchPartition(), partition, fetchOffset: BigInt(offset), partitionMaxBytes: maxBytes }] }],
  }));
  check(resp.errorCode, `Fetch ${topic}-${partition}`);
  const p = resp.responses[0]?.partitions[0];
  if (p === undefined) return { records: [], nextOffset: offset, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 };
  check(p.errorCode, `Fetch ${topic}-${partition} at offset ${offset}`);
  const raw = p.records === null ? Buffer.alloc(0) : Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records as readonly Buffer[]);
  const set = await decodeRecordSet(raw);
  const aborted = [...(p.abortedTransactions ?? [])].map((a) => ({ producerId: Number(a.producerId), firstOffset: Number(a.firstOffset) })).sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedNow = new Set<number>();
  const readCommitted = (o.isolationLevel ?? 0) === IsolationLevel.READ_COMMITTED;
  const records: ConsumedRecord[] = [];
  let next = offset;
  for (const b of set.batches) {
    const h = b.header;
    const last = h === null ? (b.records.at(-1)?.offset ?? next - 1) : h.baseOffset + h.lastOffsetDelta;
    next = Math.max(next, last + 1);
    if (h !== null) {
      while (aborted.length > 0 && aborted[0]!.firstOffset <= h.baseOffset) abortedNow.add(aborted.shift()!.producerId);
      if (h.control) {
        if (readControlRecordType(b.records[0]?.key ?? null) === ControlRecordType.ABORT) abortedNow.delete(h.producerId);
        continue;
      }
      if (readCommitted && h.transactional && abortedNow.has(h.producerId)) continue;
    }
    for (const r of b.records) {
      if (r.offset < offset) continue;
      records.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, timestampType: h?.timestampType ?? 0, key: r.key, value: r.value, headers: r.headers });
    }
  }
  return { records, nextOffset: next, highWatermark: Number(p.highWatermark), lastStableOffset: Number(p.lastStableOffset), logStartOffset: Number(p.logStartOffset) };
}

/**
 * The offset for `timestamp` (OffsetSpec.LATEST/EARLIEST or a time in ms) of each partition,
 * asked of each partition's leader. A time past the last record gives -1, as in Kafka.
 */
export async function listOffsets(client: KafkaClient, topic: string, partitions: readonly number[], timestamp: bigint, isolationLevel = 0): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    partitions.map(async (partition) => {
      const conn = await client.leader(topic, partition);
      const resp = await conn.request(ListOffsetsApi, (v) => ({
        ...defaultListOffsetsRequest(),
        replicaId: -1,
        isolationLevel: v >= 2 ? isolationLevel : 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
      }));
      const p = resp.topics[0]?.partitions[0];
      if (p === undefined) throw new Error(`ListOffsets ${topic}-${partition}: empty answer`);
      check(p.errorCode, `ListOffsets ${topic}-${partition}`);
      out.set(partition, Number(p.offset));
    }),
  );
  return out;
}
