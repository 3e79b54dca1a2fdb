/**
 * Brokers and partition leaders under the control plane: list the brokers, stop one (a controlled
 * shutdown: connections drop, the port refuses, leaderships and coordinators move to other in-sync
 * replicas with a new leader epoch), start it again (same port, back in the ISRs), show a
 * partition's replicas and move its leader. The cluster state does the moving (cluster/replicas.ts).
 */
import { KafkaError } from '../../protocol/errors.js';
import { ControlError, ControlErrorCode, badRequest } from './control-error.js';
import type { ControlTarget, ControlledBroker } from './control-target.js';

export interface BrokerView {
  readonly nodeId: number;
  readonly rack: string | null;
  readonly running: boolean;
  readonly bootstrapServers: string;
}

export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  /** -1 when no in-sync replica runs. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export class BrokerControl {
  constructor(private readonly target: ControlTarget) {}

  list(): BrokerView[] {
    return this.target.brokers.map((b) => ({ nodeId: b.nodeId, rack: b.rack, running: b.running, bootstrapServers: b.bootstrapServers }));
  }

  /** Stops a running broker; refuses to stop the last running one (nothing could answer the control plane's clients). */
  async stop(nodeId: number): Promise<BrokerView> {
    const b = this.#broker(nodeId);
    if (b.running && this.target.brokers.filter((x) => x.running).length === 1) {
      throw new ControlError(ControlErrorCode.CONFLICT, `broker ${nodeId} is the last one running; stop the whole cluster instead`);
    }
    await b.stop();
    return this.#view(b);
  }

  async start(nodeId: number): Promise<BrokerView> {
    const b = this.#broker(nodeId);
    await b.start();
    return this.#view(b);
  }

  partition(topicName: string, partition: number): PartitionView {
    const cluster = this.target.cluster;
    const topic = cluster.topics.get(topicName);
    if (topic === undefined || !Number.isSafeInteger(partition) || topic.partitions[partition] === undefined) {
      throw new ControlError(ControlErrorCode.NOT_FOUND, `no partition ${topicName}-${partition}`);
    }
    return {
      topic: topicName,
      partition,
      leader: cluster.leaderFor(topic, partition),
      leaderEpoch: topic.partitions[partition]!.leaderEpoch,
      replicas: [...cluster.replicasFor(topic, partition)],
      isr: [...cluster.isrFor(topic, partition)],
      offlineReplicas: cluster.offlineReplicasFor(topic, partition),
    };
  }

  /** Makes a live replica the leader (a no-op when it already is). */
  moveLeader(topicName: string, partition: number, nodeId: number): PartitionView {
    this.partition(topicName, partition);
    if (!Number.isSafeInteger(nodeId)) throw badRequest(`broker must be a node id, got ${String(nodeId)}`);
    try {
      this.target.cluster.replicas.moveLeader(this.target.cluster.topics.get(topicName)!, partition, nodeId);
    } catch (e) {
      if (e instanceof KafkaError) throw new ControlError(ControlErrorCode.CONFLICT, e.message);
      throw e;
    }
    return this.partition(topicName, partition);
  }

  #broker(nodeId: number): ControlledBroker {
    const b = this.target.brokers.find((x) => x.nodeId === nodeId);
    if (b === undefined) throw new ControlError(ControlErrorCode.NOT_FOUND, `no broker ${nodeId}; brokers are ${this.target.brokers.map((x) => x.nodeId).join(', ')}`);
    return b;
  }

  #view(b: ControlledBroker): BrokerView {
    return { nodeId: b.nodeId, rack: b.rack, running: b.running, bootstrapServers: b.bootstrapServers };
  }
}
