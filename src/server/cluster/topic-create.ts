/**
 * Creating topics, shared by CreateTopics, auto-creation on Metadata, the CLI's --topic and the
 * fixture. Validation follows Kafka's controller (ReplicationControlManager.createTopics), in its
 * order and with its messages:
 * 1. the name (INVALID_TOPIC_EXCEPTION), including a '.'/'_' collision with an existing topic;
 * 2. TOPIC_ALREADY_EXISTS;
 * 3. the configs (INVALID_CONFIG, see topic-config-defs.ts);
 * 4. a manual assignment (INVALID_REQUEST when partitions or replication factor is not -1,
 *    INVALID_REPLICA_ASSIGNMENT when it names unknown brokers, repeats one, is not 0..n-1, ...),
 *    otherwise the replication factor (INVALID_REPLICATION_FACTOR) and then the partition count
 *    (INVALID_PARTITIONS).
 *
 * Deviation: a replication factor larger than the number of brokers is clamped (with a log line)
 * rather than refused, since Connect and MirrorMaker ask for 3 and a dev broker should not refuse
 * them. Replicas are placed by the cluster (replicas.ts, placement.ts): a manual assignment as
 * given, otherwise striped over the brokers as Kafka's controller does.
 */
import { KafkaError } from '../../protocol/errors.js';
import { topicNameProblem, INTERNAL_TOPICS } from './topics.js';
import type { Topic } from './topics.js';
import { defaultReplicationFactor } from './cluster.js';
import type { Cluster } from './cluster.js';
import type { BrokerConfig } from './broker-config.js';
import { validateTopicConfigs } from './configs/topic-config-defs.js';

export interface ReplicaAssignment {
  readonly partitionIndex: number;
  readonly brokerIds: readonly number[];
}

export interface CreateTopicSpec {
  readonly name: string;
  /** -1 (or undefined) means num.partitions. */
  readonly numPartitions?: number;
  /** -1 (or undefined) means default.replication.factor (1). */
  readonly replicationFactor?: number;
  /** Overrides by Kafka name; a null value is refused as Kafka refuses it. */
  readonly configs?: ReadonlyMap<string, string | null>;
  /** A manual assignment (CreateTopics' Assignments); numPartitions and replicationFactor must be -1. */
  readonly assignments?: readonly ReplicaAssignment[];
}

export interface ValidatedTopic {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Map<string, string>;
}

/** Checks a creation without doing it; throws a KafkaError with Kafka's code and message. */
export function validateTopicCreation(cluster: Cluster, config: BrokerConfig, spec: CreateTopicSpec): ValidatedTopic {
  const problem = topicNameProblem(spec.name);
  if (problem) throw new KafkaError('INVALID_TOPIC_EXCEPTION', problem);
  if (cluster.topics.get(spec.name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${spec.name}' already exists.`);
  const colliding = cluster.topics.collidingWith(spec.name);
  if (colliding !== undefined) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic '${spec.name}' collides with existing topic: ${colliding}`);
  const requested = spec.configs ?? new Map<string, string | null>();
  validateTopicConfigs(requested, cluster.configs.layersFor(config.nodeId));
  const configs = new Map<string, string>();
  for (const [k, v] of requested) if (v !== null) configs.set(k, v);

  const numPartitions = spec.numPartitions ?? -1;
  const requestedRf = spec.replicationFactor ?? -1;
  let partitions: number;
  let rf: number;
  if (spec.assignments && spec.assignments.length > 0) {
    if (requestedRf !== -1) throw new KafkaError('INVALID_REQUEST', 'A manual partition assignment was specified, but replication factor was not set to -1.');
    if (numPartitions !== -1) throw new KafkaError('INVALID_REQUEST', 'A manual partition assignment was specified, but numPartitions was not set to -1.');
    const seen = new Set<number>();
    let replicas: number | undefined;
    for (const a of spec.assignments) {
      if (seen.has(a.partitionIndex)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
      validateManualAssignment(cluster, a.brokerIds, replicas);
      replicas = a.brokerIds.length;
      seen.add(a.partitionIndex);
    }
    for (let i = 0; i < seen.size; i++) {
      if (!seen.has(i)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'partitions should be a consecutive 0-based integer sequence');
    }
    partitions = seen.size;
    rf = replicas!;
  } else {
    if (requestedRf < -1 || requestedRf === 0) throw new KafkaError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.');
    if (numPartitions < -1 || numPartitions === 0) throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.');
    partitions = numPartitions === -1 ? config.numPartitions : numPartitions;
    rf = requestedRf === -1 ? defaultReplicationFactor(config, spec.name) : requestedRf;
  }
  // Stopped brokers still take replicas, as Kafka places on fenced brokers when it must.
  const brokers = Math.max(1, cluster.registry.size);
  if (rf > brokers) {
    cluster.logger.info(`topic ${spec.name}: replication factor ${rf} clamped to ${brokers}, the number of brokers`);
    rf = brokers;
  }
  return { partitions, replicationFactor: rf, configs };
}

/**
 * Kafka's checks of one partition's manual assignment (validateManualPartitionAssignment), used by
 * CreateTopics and CreatePartitions: not empty, only registered brokers, none twice, and the same
 * replica count as the other partitions.
 */
export function validateManualAssignment(cluster: Cluster, brokerIds: readonly number[], expectedReplicas: number | undefined): void {
  if (brokerIds.length === 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'The manual partition assignment includes an empty replica list.');
  const registered = new Set(cluster.registry.known.map((b) => b.nodeId));
  const sorted = [...brokerIds].sort((a, b) => a - b);
  let prev: number | undefined;
  for (const id of sorted) {
    if (!registered.has(id)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    if (id === prev) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes the broker ${prev} more than once.`);
    prev = id;
  }
  if (expectedReplicas !== undefined && sorted.length !== expectedReplicas) {
    throw new KafkaError(
      'INVALID_REPLICA_ASSIGNMENT',
      `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${expectedReplicas} replica(s).`,
    );
  }
}

export function createTopic(cluster: Cluster, config: BrokerConfig, spec: CreateTopicSpec): Topic {
  const { partitions, configs, replicationFactor } = validateTopicCreation(cluster, config, spec);
  const topic = cluster.topics.create(spec.name, partitions, configs);
  cluster.replicas.place(topic, replicationFactor, spec.assignments);
  cluster.logger.info(`created topic ${spec.name} (${partitions} partitions, id ${topic.id})`);
  return topic;
}

/** Whether a client may auto-create this name (never the internal topics). */
export function mayAutoCreate(config: BrokerConfig, name: string): boolean {
  return config.autoCreateTopics && !INTERNAL_TOPICS.has(name);
}
