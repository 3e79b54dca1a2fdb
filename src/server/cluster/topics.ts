/**
 * The topics a cluster holds: names, stable ids, partitions and per-topic config overrides.
 * Lookups by name and by id are O(1); nothing here scans all partitions.
 */
import { Partition } from '../../log/partition.js';
import type { PartitionLogOptions } from '../../log/partition-log.js';
import type { LogStorage } from '../../log/log-storage.js';
import { randomUuid } from '../../protocol/uuid.js';
import { KafkaError } from '../../protocol/errors.js';
import { recordTimestampSearch } from './record-timestamp-search.js';
import type { Clock } from '../../util/clock.js';

export interface Topic {
  readonly name: string;
  readonly id: string;
  readonly partitions: Partition[];
  /** Topic-level overrides only (DYNAMIC_TOPIC_CONFIG); broker defaults live elsewhere. */
  readonly configs: Map<string, string>;
  readonly internal: boolean;
}

/**
 * Kafka's rules and words (org.apache.kafka.common.internals.Topic.validate): 1-249 characters of
 * [a-zA-Z0-9._-], not "." or "..". Returns the InvalidTopicException message, or null if valid.
 */
export function topicNameProblem(name: string): string | null {
  let reason: string | null = null;
  if (name.length === 0) reason = 'the empty string is not allowed';
  else if (name === '.') reason = "'.' is not allowed";
  else if (name === '..') reason = "'..' is not allowed";
  else if (name.length > 249) reason = `the length of '${name}' is longer than the max allowed length 249`;
  else if (!/^[a-zA-Z0-9._-]+$/.test(name)) reason = `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return reason === null ? null : `Topic name is invalid: ${reason}`;
}

/** '.' and '_' collide in metric names, so Kafka refuses "a.b" when "a_b" exists (Topic.hasCollision). */
export function collisionKey(name: string): string | null {
  return name.includes('.') || name.includes('_') ? name.replaceAll('.', '_') : null;
}

export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export type TopicDeletedListener = (topic: Topic) => void;

/**
 * Durable mode (src/server/persistence/data-dir.ts): partitions are made on disk, and every
 * change to the set of topics is recorded before the request that made it is answered.
 */
export interface TopicStore {
  newPartition(topic: Topic, index: number, logOptions: PartitionLogOptions): Partition;
  /** Called synchronously after a topic is created, grows or is deleted. */
  topicsChanged(): void;
}

export class TopicRegistry {
  private readonly byName = new Map<string, Topic>();
  private readonly byId = new Map<string, Topic>();
  // Names containing '.' or '_', by collision key: the check is O(1) rather than a scan.
  private readonly byCollisionKey = new Map<string, Set<string>>();
  private readonly deletedListeners = new Set<TopicDeletedListener>();
  /**
   * The effective log settings of a topic (its overrides over the broker's log.* configs), set by
   * the cluster's config store (src/server/configs/); without one, the overrides alone.
   */
  logConfigResolver: ((topic: Topic) => PartitionLogOptions['config']) | null = null;
  /** Durable mode only; null keeps every partition in memory. */
  store: TopicStore | null = null;
  /**
   * In memory: where segments spill past the broker's memory budget (src/log/spill/); null
   * keeps every batch in memory, unbounded.
   */
  memoryStorage: LogStorage | null = null;

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

  /** An existing topic whose name collides with `name` ('.' vs '_'), other than `name` itself. */
  collidingWith(name: string): string | undefined {
    const key = collisionKey(name);
    if (key === null) return undefined;
    for (const other of this.byCollisionKey.get(key) ?? []) if (other !== name) return other;
    return undefined;
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
    const key = collisionKey(name);
    if (key !== null) {
      let names = this.byCollisionKey.get(key);
      if (!names) this.byCollisionKey.set(key, (names = new Set()));
      names.add(name);
    }
    this.store?.topicsChanged();
    return topic;
  }

  addPartitions(topic: Topic, newTotal: number): void {
    for (let i = topic.partitions.length; i < newTotal; i++) topic.partitions.push(this.newPartition(topic, i));
    this.store?.topicsChanged();
  }

  /**
   * Removes a topic and then tells the listeners, synchronously: a long-poll fetch holding one of
   * its partitions can answer at once instead of waiting out its maxWait on a detached log.
   */
  delete(topic: Topic): void {
    if (this.byName.get(topic.name) !== topic) return;
    this.byName.delete(topic.name);
    this.byId.delete(topic.id);
    const key = collisionKey(topic.name);
    if (key !== null) {
      const names = this.byCollisionKey.get(key);
      names?.delete(topic.name);
      if (names?.size === 0) this.byCollisionKey.delete(key);
    }
    this.store?.topicsChanged();
    if (this.store === null) for (const p of topic.partitions) p.log.discard();
    for (const fn of [...this.deletedListeners]) {
      try {
        fn(topic);
      } catch (err) {
        // The topic is gone either way; a throwing listener is a bug to surface, not a reason to
        // fail the DeleteTopics request.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Calls `fn` after each topic deletion until the returned function is called. */
  onDeleted(fn: TopicDeletedListener): () => void {
    this.deletedListeners.add(fn);
    return () => this.deletedListeners.delete(fn);
  }

  /** Whether `topic` is still the live topic of its name (false once deleted or recreated). */
  isLive(topic: Topic): boolean {
    return this.byName.get(topic.name) === topic;
  }

  private newPartition(topic: Topic, index: number): Partition {
    // recordSearch makes ListOffsets by timestamp and MAX_TIMESTAMP record-exact, as Kafka's.
    const config = this.logConfigResolver?.(topic) ?? logConfigFrom(topic.configs);
    const logOptions: PartitionLogOptions = { clock: this.clock, config, recordSearch: recordTimestampSearch };
    if (this.store !== null) return this.store.newPartition(topic, index, logOptions);
    const storage = this.memoryStorage;
    return new Partition({ topic: topic.name, partition: index, logOptions: storage === null ? logOptions : { ...logOptions, storage } });
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
