/**
 * Creating topics, shared by CreateTopics, auto-creation on Metadata and Produce, the CLI's
 * --topic and the fixture. Validation follows Kafka: name rules, partition count >= 1,
 * replication factor accepted as 1 or -1 (and clamped, with a log line, when larger: Connect and
 * MirrorMaker ask for 3 and a dev broker should not refuse them).
 */
import { KafkaError } from '../protocol/errors.js';
import { topicNameProblem, INTERNAL_TOPICS } from './topics.js';
import type { Topic } from './topics.js';
import type { Cluster } from './cluster.js';
import type { BrokerConfig } from './broker-config.js';

export interface CreateTopicSpec {
  readonly name: string;
  /** -1 (or undefined) means num.partitions. */
  readonly numPartitions?: number;
  /** -1 (or undefined) means default.replication.factor (1). */
  readonly replicationFactor?: number;
  readonly configs?: ReadonlyMap<string, string>;
}

/** Checks a creation without doing it; throws a KafkaError with Kafka's code and message. */
export function validateTopicCreation(cluster: Cluster, config: BrokerConfig, spec: CreateTopicSpec): { partitions: number; replicationFactor: number } {
  const problem = topicNameProblem(spec.name);
  if (problem) throw new KafkaError('INVALID_TOPIC_EXCEPTION', problem);
  if (cluster.topics.get(spec.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${spec.name}' already exists.`);
  const partitions = spec.numPartitions === undefined || spec.numPartitions === -1 ? config.numPartitions : spec.numPartitions;
  if (partitions < 1) throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
  let rf = spec.replicationFactor === undefined || spec.replicationFactor === -1 ? 1 : spec.replicationFactor;
  if (rf < 1) throw new KafkaError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0.');
  const brokers = Math.max(1, cluster.brokers.length);
  if (rf > brokers) {
    cluster.logger.info(`topic ${spec.name}: replication factor ${rf} clamped to ${brokers}, the number of brokers`);
    rf = brokers;
  }
  return { partitions, replicationFactor: rf };
}

export function createTopic(cluster: Cluster, config: BrokerConfig, spec: CreateTopicSpec): Topic {
  const { partitions } = validateTopicCreation(cluster, config, spec);
  const topic = cluster.topics.create(spec.name, partitions, new Map(spec.configs ?? []));
  cluster.logger.info(`created topic ${spec.name} (${partitions} partitions, id ${topic.id})`);
  return topic;
}

/** Whether a client may auto-create this name (never the internal topics). */
export function mayAutoCreate(config: BrokerConfig, name: string): boolean {
  return config.autoCreateTopics && !INTERNAL_TOPICS.has(name);
}
