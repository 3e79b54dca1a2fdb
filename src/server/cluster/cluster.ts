/**
 * Cluster-wide state shared by the brokers of one cluster: who the brokers are, which one is the
 * controller, the topics, the configs, the producer id blocks and the background log work.
 * Partition leadership, replica sets and ISRs live in `replicas` (replicas.ts), placed over the
 * registered brokers (broker-registry.ts) as Kafka's controller places them.
 *
 * Everything here is made in the constructor: the parts take the pieces they act on (the topic
 * registry, the config store), never the cluster or a broker, so no module of cluster/ imports
 * this one back. The coordinators sit above the cluster and are made by the composition root.
 */
import { TopicRegistry } from './topics.js';
import type { Topic } from './topics.js';
import { ConfigStore } from './configs/config-store.js';
import { ProducerIdAllocator } from './producer-ids.js';
import { LogMaintenance } from './log-maintenance.js';
import { ClientQuotaStore } from './quotas/client-quotas.js';
import { defaultBrokerConfig } from './broker-config.js';
import { FeatureRegistry } from './features.js';
import { MetadataQuorum } from './quorum.js';
import { ClientMetrics } from './client-metrics.js';
import { GroupConfigs } from './configs/group-configs.js';
import { TelemetryReceiver } from './telemetry.js';
import type { BrokerConfig } from './broker-config.js';
import { BrokerRegistry, nodeOnListener } from './broker-registry.js';
import type { BrokerNode } from './broker-registry.js';
import { ReplicaSets } from './replicas.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

export type { BrokerNode, BrokerEndpoint } from './broker-registry.js';
export { nodeOnListener } from './broker-registry.js';

export class Cluster {
  readonly topics: TopicRegistry;
  /** Topic overrides and dynamic broker configs, over the static configs of the home broker. */
  readonly configs: ConfigStore;
  readonly producerIds = new ProducerIdAllocator();
  /** Client quotas (AlterClientQuotas), enforced by each broker's quota managers. */
  readonly quotas = new ClientQuotaStore();
  /** Retention and compaction: started by the first broker that listens, stopped on close. */
  readonly logMaintenance: LogMaintenance;
  /** Feature levels (ApiVersions, UpdateFeatures). */
  readonly features: FeatureRegistry;
  /** The metadata quorum as DescribeQuorum shows it. */
  readonly quorum: MetadataQuorum;
  /** Client metrics subscriptions and the telemetry clients push (KIP-714). */
  readonly clientMetrics = new ClientMetrics();
  /** What clients push (PushTelemetry), kept bounded for tests. */
  readonly telemetry: TelemetryReceiver;
  /** GROUP config resources: per-group overrides of the group coordinator's settings. */
  readonly groupConfigs: GroupConfigs;
  #maintenanceStarted = false;
  /** Registered brokers, live or stopped. */
  readonly registry = new BrokerRegistry();
  /** Replica sets, ISRs and leaders of every partition. */
  readonly replicas: ReplicaSets;
  private readonly closeHooks: (() => void)[] = [];

  constructor(
    readonly clusterId: string,
    readonly clock: Clock,
    readonly logger: Logger,
    /** The static configs the cluster's configs start from: the (first) broker's. */
    readonly homeConfig: BrokerConfig = defaultBrokerConfig(),
  ) {
    this.topics = new TopicRegistry(clock);
    this.configs = new ConfigStore(this.topics, homeConfig);
    this.logMaintenance = new LogMaintenance(this.topics, this.configs, clock, logger);
    this.features = new FeatureRegistry(() => this.controllerId, homeConfig.extra, (why) => logger.warn(why));
    this.quorum = new MetadataQuorum(clock);
    this.features.onChange(() => this.quorum.recordChange());
    this.telemetry = new TelemetryReceiver(this.clientMetrics, clock);
    this.replicas = new ReplicaSets(this.registry, (topic) => defaultReplicationFactor(homeConfig, topic.name));
    this.groupConfigs = new GroupConfigs((name) => this.configs.brokerValue(name), (name) => this.configs.homeBrokerSynonyms(name));
  }

  /** Starts retention and compaction once per cluster (when a broker first listens) until close. */
  startLogMaintenance(): void {
    if (this.#maintenanceStarted) return;
    this.#maintenanceStarted = true;
    this.logMaintenance.start();
    this.onClose(() => this.logMaintenance.stop());
  }

  /** A broker listens (again): live, back in the ISRs of its partitions. */
  registerBroker(node: BrokerNode): void {
    if (this.registry.register(node)) this.replicas.brokerStarted(node.nodeId, this.topics.all());
  }

  /** A broker stops but stays registered: its leaderships move to other in-sync replicas. */
  stopBroker(nodeId: number): void {
    if (this.registry.fence(nodeId)) this.replicas.brokerStopped(nodeId, this.topics.all());
  }

  /** A broker closes for good. */
  unregisterBroker(nodeId: number): void {
    this.registry.remove(nodeId);
  }

  /** The live brokers, sorted by id. */
  get brokers(): readonly BrokerNode[] {
    return this.registry.live;
  }

  /**
   * The live brokers as a client on `listenerName` sees them: at their endpoints on that
   * listener, brokers without one left out (Kafka's getAliveBrokerNodes(listenerName)).
   */
  brokersOn(listenerName: string | undefined): BrokerNode[] {
    const out: BrokerNode[] = [];
    for (const b of this.registry.live) {
      const n = nodeOnListener(b, listenerName);
      if (n !== null) out.push(n);
    }
    return out;
  }

  /** A live broker at its endpoint on `listenerName`, or undefined (not live, or no such listener). */
  liveNodeOn(nodeId: number, listenerName: string | undefined): BrokerNode | undefined {
    const b = this.registry.liveNode(nodeId);
    return b === undefined ? undefined : (nodeOnListener(b, listenerName) ?? undefined);
  }

  /** The lowest live node id acts as controller, as a stable answer for Metadata and DescribeCluster. */
  get controllerId(): number {
    return this.registry.live[0]?.nodeId ?? -1;
  }

  /** Leader of a partition, -1 when none (no broker, or no live in-sync replica). */
  leaderFor(topic: Topic, partition: number): number {
    return this.replicas.leader(topic, partition);
  }

  /** Replicas of a partition, the preferred leader first. */
  replicasFor(topic: Topic, partition: number): number[] {
    return this.replicas.of(topic, partition)?.replicas ?? [];
  }

  /** In-sync replicas of a partition. */
  isrFor(topic: Topic, partition: number): number[] {
    return this.replicas.of(topic, partition)?.isr ?? [];
  }

  /** Replicas on stopped brokers (Metadata's offlineReplicas). */
  offlineReplicasFor(topic: Topic, partition: number): number[] {
    const replicas = this.replicas.of(topic, partition)?.replicas ?? [];
    return replicas.filter((id) => !this.registry.isLive(id));
  }

  /** Registers work to stop when the last broker of the cluster closes (background timers). */
  onClose(fn: () => void): void {
    this.closeHooks.push(fn);
  }

  closeIfUnused(): void {
    if (this.registry.size > 0) return;
    for (const fn of this.closeHooks.splice(0)) fn();
  }
}

/**
 * The replication factor of a topic created without one: Kafka's default.replication.factor (1),
 * and for the internal topics offsets.topic.replication.factor / transaction.state.log.replication.factor
 * (3); clamped to the brokers where used.
 */
export function defaultReplicationFactor(config: BrokerConfig, topicName: string): number {
  const key =
    topicName === '__consumer_offsets' ? 'offsets.topic.replication.factor' : topicName === '__transaction_state' ? 'transaction.state.log.replication.factor' : topicName === '__share_group_state' ? 'share.coordinator.state.topic.replication.factor' : 'default.replication.factor';
  const fallback = key === 'default.replication.factor' ? 1 : 3;
  const n = Number(config.extra.get(key) ?? fallback);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
