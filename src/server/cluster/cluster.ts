/**
 * Cluster-wide state shared by the brokers of one cluster: who the brokers are, which one is the
 * controller, the topics, the configs, the producer id blocks and the background log work.
 * Partition leadership is a function (leaderFor) so that a cluster of several in-process brokers
 * can spread partitions later without touching the handlers.
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
import { TelemetryReceiver } from './telemetry.js';
import type { BrokerConfig } from './broker-config.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

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
  #maintenanceStarted = false;
  private readonly brokerNodes = new Map<number, BrokerNode>();
  private sortedIds: number[] = [];
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
  }

  /** Starts retention and compaction once per cluster (when a broker first listens) until close. */
  startLogMaintenance(): void {
    if (this.#maintenanceStarted) return;
    this.#maintenanceStarted = true;
    this.logMaintenance.start();
    this.onClose(() => this.logMaintenance.stop());
  }

  registerBroker(node: BrokerNode): void {
    this.brokerNodes.set(node.nodeId, node);
    this.sortedIds = [...this.brokerNodes.keys()].sort((a, b) => a - b);
  }

  unregisterBroker(nodeId: number): void {
    this.brokerNodes.delete(nodeId);
    this.sortedIds = [...this.brokerNodes.keys()].sort((a, b) => a - b);
  }

  get brokers(): BrokerNode[] {
    return this.sortedIds.map((id) => this.brokerNodes.get(id)!);
  }

  /** The lowest live node id acts as controller, as a stable answer for Metadata and DescribeCluster. */
  get controllerId(): number {
    return this.sortedIds[0] ?? -1;
  }

  /** Leader of a partition: round-robin over the brokers by partition index. */
  leaderFor(_topic: Topic, partition: number): number {
    const ids = this.sortedIds;
    if (ids.length === 0) return -1;
    return ids[partition % ids.length]!;
  }

  /** Replicas of a partition: one per partition today (replication is not modelled). */
  replicasFor(topic: Topic, partition: number): number[] {
    const leader = this.leaderFor(topic, partition);
    return leader < 0 ? [] : [leader];
  }

  /** Registers work to stop when the last broker of the cluster closes (background timers). */
  onClose(fn: () => void): void {
    this.closeHooks.push(fn);
  }

  closeIfUnused(): void {
    if (this.brokerNodes.size > 0) return;
    for (const fn of this.closeHooks.splice(0)) fn();
  }
}
