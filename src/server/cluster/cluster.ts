/**
 * Cluster-wide state shared by the brokers of one cluster: who the brokers are, which one is the
 * controller, and the topics. Partition leadership is a function (leaderFor) so that a cluster of
 * several in-process brokers can spread partitions later without touching the handlers.
 */
import { TopicRegistry } from './topics.js';
import type { Topic } from './topics.js';
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
  private readonly brokerNodes = new Map<number, BrokerNode>();
  private sortedIds: number[] = [];
  private readonly closeHooks: (() => void)[] = [];

  constructor(
    readonly clusterId: string,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    this.topics = new TopicRegistry(clock);
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
