/**
 * The inspector's read model of the cluster and its topics: plain JSON-ready objects made from
 * the services the control plane already holds (ControlTarget: the cluster state, the
 * coordinators). Nothing here writes, and nothing reaches into the handlers or the network
 * layer. Groups, transactions and records have modules of their own (group-view.ts,
 * txn-view.ts, record-browser.ts).
 */
import type { ControlTarget } from '../control-target.js';
import type { Topic } from '../../cluster/topics.js';
import type { Partition } from '../../../log/partition.js';
import { ConfigSource } from '../../cluster/configs/topic-config-defs.js';

export interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly logStartOffset: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logEndOffset: number;
  readonly size: number;
  readonly segments: number;
  /** Records between the log start and the high watermark (compaction can make it less). */
  readonly records: number;
  readonly abortedTransactions: number;
  readonly openTransactions: number;
  readonly producers: number;
}

export interface TopicSummary {
  readonly name: string;
  readonly id: string;
  readonly internal: boolean;
  readonly partitions: number;
  readonly records: number;
  readonly size: number;
}

export interface ConfigView {
  readonly name: string;
  readonly value: string | null;
  readonly source: string;
  readonly isDefault: boolean;
}

const SOURCE_NAMES = new Map<number, string>(Object.entries(ConfigSource).map(([k, v]) => [v, k]));

export function partitionView(target: ControlTarget, topic: Topic, p: Partition): PartitionView {
  const log = p.log;
  let open = 0;
  let producers = 0;
  for (const e of p.producerState.activeProducers()) {
    producers++;
    if (e.currentTxnFirstOffset !== null) open++;
  }
  return {
    partition: p.partition,
    leader: target.cluster.leaderFor(topic, p.partition),
    leaderEpoch: p.leaderEpoch,
    logStartOffset: log.logStartOffset,
    highWatermark: log.highWatermark,
    lastStableOffset: log.lastStableOffset,
    logEndOffset: log.logEndOffset,
    size: log.size,
    segments: log.numberOfSegments,
    records: log.highWatermark - log.logStartOffset,
    abortedTransactions: p.txnIndex.size,
    openTransactions: open,
    producers,
  };
}

export function topicSummary(topic: Topic): TopicSummary {
  let records = 0;
  let size = 0;
  for (const p of topic.partitions) {
    records += p.log.highWatermark - p.log.logStartOffset;
    size += p.log.size;
  }
  return { name: topic.name, id: topic.id, internal: topic.internal, partitions: topic.partitions.length, records, size };
}

export function topicSummaries(target: ControlTarget): TopicSummary[] {
  return [...target.cluster.topics.all()].map(topicSummary).sort((a, b) => a.name.localeCompare(b.name));
}

export interface TopicDetail extends TopicSummary {
  readonly partitionList: PartitionView[];
  readonly configs: ConfigView[];
}

export function topicDetail(target: ControlTarget, name: string): TopicDetail | null {
  const topic = target.cluster.topics.get(name);
  if (topic === undefined) return null;
  const configs = target.cluster.configs.describeTopic(topic, { keys: null, includeSynonyms: false, includeDocumentation: false }).map((c) => ({
    name: c.name,
    value: c.value,
    source: SOURCE_NAMES.get(c.configSource) ?? String(c.configSource),
    isDefault: c.configSource === ConfigSource.DEFAULT_CONFIG,
  }));
  return { ...topicSummary(topic), partitionList: topic.partitions.map((p) => partitionView(target, topic, p)), configs };
}

export interface BrokerInfo {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly controllerId: number;
  readonly bootstrapServers: string;
  readonly listeners: readonly string[];
  readonly brokers: readonly { nodeId: number; host: string; port: number; rack: string | null }[];
  readonly durable: boolean;
}

export function brokerInfo(target: ControlTarget, listeners: readonly string[]): BrokerInfo {
  const c = target.cluster;
  return {
    nodeId: target.nodeId,
    clusterId: c.clusterId,
    controllerId: c.controllerId,
    bootstrapServers: target.bootstrapServers,
    listeners,
    brokers: c.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    durable: target.durable,
  };
}
