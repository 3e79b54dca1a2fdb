/**
 * Which topics and partitions a decoded request names, so that a fault can be scoped to a topic or
 * a partition. One small reader serves every API whose request lists topics: the generated
 * codecs name the topic `name` or `topic` (or only `topicId` from Produce v13 / Fetch v13 on), and
 * the partitions `partitionData`, `partitions` or `partitionIndexes`, as objects with `index`,
 * `partition` or `partitionIndex`, or as bare numbers.
 *
 * A Fetch in an incremental fetch session lists only the partitions that changed; the others are
 * not seen here (the fault then matches only requests that name the partition).
 */
import { ApiKey } from '../../protocol/messages/api-table.js';

export interface RequestTopic {
  readonly name: string;
  /** null: the request names the topic as a whole (Metadata, CreateTopics, DeleteTopics). */
  readonly partitions: readonly number[] | null;
}

/** Resolves a topic id to its name, or null when unknown. */
export type TopicNameOf = (topicId: string) => string | null;

type Obj = Record<string, unknown>;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

// Where each API keeps its topic list; nested lists (per transaction, per group) are flattened.
const TOPIC_LISTS: ReadonlyMap<number, (body: Obj) => unknown[]> = new Map<number, (body: Obj) => unknown[]>([
  [ApiKey.Produce, (b) => arr(b.topicData)],
  [ApiKey.Fetch, (b) => arr(b.topics)],
  [ApiKey.ListOffsets, (b) => arr(b.topics)],
  [ApiKey.Metadata, (b) => arr(b.topics)],
  [ApiKey.OffsetCommit, (b) => arr(b.topics)],
  [ApiKey.OffsetFetch, (b) => [...arr(b.topics), ...arr(b.groups).flatMap((g) => arr((g as Obj).topics))]],
  [ApiKey.CreateTopics, (b) => arr(b.topics)],
  [ApiKey.DeleteTopics, (b) => [...arr(b.topics), ...arr(b.topicNames).map((name) => ({ name }))]],
  [ApiKey.DeleteRecords, (b) => arr(b.topics)],
  [ApiKey.OffsetForLeaderEpoch, (b) => arr(b.topics)],
  [ApiKey.AddPartitionsToTxn, (b) => [...arr(b.v3AndBelowTopics), ...arr(b.transactions).flatMap((t) => arr((t as Obj).topics))]],
  [ApiKey.TxnOffsetCommit, (b) => arr(b.topics)],
  [ApiKey.CreatePartitions, (b) => arr(b.topics)],
  [ApiKey.OffsetDelete, (b) => arr(b.topics)],
  [ApiKey.DescribeProducers, (b) => arr(b.topics)],
  [ApiKey.DescribeTopicPartitions, (b) => arr(b.topics)],
]);

/** The topics a request names; null for an API that names none (the fault then never matches by topic). */
export function requestTopics(apiKey: number, body: unknown, nameOf: TopicNameOf): RequestTopic[] | null {
  const list = TOPIC_LISTS.get(apiKey);
  if (list === undefined || body === null || typeof body !== 'object') return null;
  const out: RequestTopic[] = [];
  for (const t of list(body as Obj)) {
    if (t === null || typeof t !== 'object') continue;
    const name = topicName(t as Obj, nameOf);
    if (name !== null) out.push({ name, partitions: partitionsOf(t as Obj) });
  }
  return out;
}

function topicName(t: Obj, nameOf: TopicNameOf): string | null {
  const byName = typeof t.name === 'string' && t.name !== '' ? t.name : typeof t.topic === 'string' && t.topic !== '' ? t.topic : null;
  if (byName !== null) return byName;
  return typeof t.topicId === 'string' && t.topicId !== ZERO_UUID ? nameOf(t.topicId) : null;
}

function partitionsOf(t: Obj): number[] | null {
  const list = Array.isArray(t.partitionData) ? t.partitionData : Array.isArray(t.partitions) ? t.partitions : Array.isArray(t.partitionIndexes) ? t.partitionIndexes : null;
  if (list === null) return null;
  const out: number[] = [];
  for (const p of list as unknown[]) {
    if (typeof p === 'number') out.push(p);
    else if (p !== null && typeof p === 'object') {
      const o = p as Obj;
      const i = o.index ?? o.partition ?? o.partitionIndex;
      if (typeof i === 'number') out.push(i);
    }
  }
  return out;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
