/**
 * The topics a cluster holds: names, stable ids, partitions and per-topic config overrides.
 * Lookups by name and by id are O(1); nothing here scans all partitions.
 */
import { Partition } from '../log/partition.js';
import type { PartitionLogOptions } from '../log/partition-log.js';
import { randomUuid } from '../protocol/uuid.js';
import { KafkaError } from '../protocol/errors.js';
import type { Clock } from '../util/clock.js';

export interface Topic {
  readonly name: string;
  readonly id: string;
  readonly partitions: Partition[];
  /** Topic-level overrides only (DYNAMIC_TOPIC_CONFIG); broker defaults live elsewhere. */
  readonly configs: Map<string, string>;
  readonly internal: boolean;
}

/** Kafka's rules (org.apache.kafka.common.internals.Topic): 1-249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > 249) return `Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);

export class TopicRegistry {
  private readonly byName = new Map<string, Topic>();
  private readonly byId = new Map<string, Topic>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.byName.size;
  }

  get(name: string): Topic | undefined {
    return this.byName.get(name);
  }

  getById(id: string): Topic | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Topic> {
    return this.byName.values();
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.byName.get(topic)?.partitions[index];
  }

  /** Creates a topic; the caller has validated name, partition count and configs. */
  create(name: string, numPartitions: number, configs: Map<string, string> = new Map(), id = randomUuid()): Topic {
    if (this.byName.has(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    const topic: Topic = { name, id, partitions: [], configs, internal: INTERNAL_TOPICS.has(name) };
    for (let i = 0; i < numPartitions; i++) topic.partitions.push(this.newPartition(topic, i));
    this.byName.set(name, topic);
    this.byId.set(id, topic);
    return topic;
  }

  addPartitions(topic: Topic, newTotal: number): void {
    for (let i = topic.partitions.length; i < newTotal; i++) topic.partitions.push(this.newPartition(topic, i));
  }

  delete(topic: Topic): void {
    this.byName.delete(topic.name);
    this.byId.delete(topic.id);
  }

  private newPartition(topic: Topic, index: number): Partition {
    const logOptions: PartitionLogOptions = { clock: this.clock, config: logConfigFrom(topic.configs) };
    return new Partition({ topic: topic.name, partition: index, logOptions });
  }
}

/** The log settings a topic's configs override. */
export function logConfigFrom(configs: Map<string, string>): PartitionLogOptions['config'] {
  const out: { segmentBytes?: number; segmentMs?: number; retentionMs?: number; retentionBytes?: number } = {};
  const num = (k: string) => (configs.has(k) ? Number(configs.get(k)) : undefined);
  const sb = num('segment.bytes');
  if (sb !== undefined) out.segmentBytes = sb;
  const sm = num('segment.ms');
  if (sm !== undefined) out.segmentMs = sm;
  const rm = num('retention.ms');
  if (rm !== undefined) out.retentionMs = rm;
  const rb = num('retention.bytes');
  if (rb !== undefined) out.retentionBytes = rb;
  return out;
}
