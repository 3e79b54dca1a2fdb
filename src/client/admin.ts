/**
 * Admin calls, as Kafka's Admin client makes them: topic changes go to any broker (a KRaft
 * broker forwards them to the controller), broker configs to that broker, group and offset
 * calls to the group's coordinator, ListGroups and ListTransactions to every broker.
 * Each returns the answer's data and throws a KafkaResponseError for an error code.
 */
import { CreateTopicsApi, defaultCreateTopicsRequest } from '../protocol/messages/create-topics.js';
import { DeleteTopicsApi, defaultDeleteTopicsRequest } from '../protocol/messages/delete-topics.js';
import { CreatePartitionsApi, defaultCreatePartitionsRequest } from '../protocol/messages/create-partitions.js';
import { DescribeConfigsApi, defaultDescribeConfigsRequest } from '../protocol/messages/describe-configs.js';
import type { DescribeConfigsResponseDescribeConfigsResourceResult } from '../protocol/messages/describe-configs.js';
import { IncrementalAlterConfigsApi, defaultIncrementalAlterConfigsRequest } from '../protocol/messages/incremental-alter-configs.js';
import { ListGroupsApi, defaultListGroupsRequest } from '../protocol/messages/list-groups.js';
import { DescribeGroupsApi, defaultDescribeGroupsRequest } from '../protocol/messages/describe-groups.js';
import type { DescribeGroupsResponseDescribedGroup } from '../protocol/messages/describe-groups.js';
import { DeleteGroupsApi, defaultDeleteGroupsRequest } from '../protocol/messages/delete-groups.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../protocol/messages/offset-fetch.js';
import { OffsetCommitApi, defaultOffsetCommitRequest, defaultOffsetCommitRequestPartition } from '../protocol/messages/offset-commit.js';
import { ListTransactionsApi, defaultListTransactionsRequest } from '../protocol/messages/list-transactions.js';
import { DescribeTransactionsApi, defaultDescribeTransactionsRequest } from '../protocol/messages/describe-transactions.js';
import type { DescribeTransactionsResponseTransactionState } from '../protocol/messages/describe-transactions.js';
import { ZERO_UUID } from '../protocol/uuid.js';
import type { KafkaClient } from './client.js';
import { CoordinatorType } from './client.js';
import { check } from './errors.js';

/** DescribeConfigs / IncrementalAlterConfigs resource types. */
export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;
/** IncrementalAlterConfigs operations. */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface NewTopic {
  readonly name: string;
  /** -1: the broker's num.partitions. */
  readonly partitions?: number;
  /** -1: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

export async function createTopics(client: KafkaClient, topics: readonly NewTopic[], validateOnly = false): Promise<{ name: string; partitions: number; replicationFactor: number }[]> {
  const resp = await client.any.request(CreateTopicsApi, {
    ...defaultCreateTopicsRequest(),
    validateOnly,
    topics: topics.map((t) => ({ name: t.name, numPartitions: t.partitions ?? -1, replicationFactor: t.replicationFactor ?? -1, assignments: [], configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })) })),
  });
  for (const r of resp.topics) check(r.errorCode, `CreateTopics ${r.name}`, r.errorMessage);
  return resp.topics.map((r) => ({ name: r.name, partitions: r.numPartitions, replicationFactor: r.replicationFactor }));
}

export async function deleteTopics(client: KafkaClient, names: readonly string[]): Promise<void> {
  const resp = await client.any.request(DeleteTopicsApi, (v) => ({
    ...defaultDeleteTopicsRequest(),
    topicNames: v <= 5 ? [...names] : [],
    topics: v >= 6 ? names.map((name) => ({ name, topicId: ZERO_UUID })) : [],
  }));
  for (const r of resp.responses) check(r.errorCode, `DeleteTopics ${r.name ?? r.topicId}`, r.errorMessage);
}

export async function createPartitions(client: KafkaClient, topic: string, count: number, validateOnly = false): Promise<void> {
  const resp = await client.any.request(CreatePartitionsApi, { ...defaultCreatePartitionsRequest(), validateOnly, topics: [{ name: topic, count, assignments: null }] });
  for (const r of resp.results) check(r.errorCode, `CreatePartitions ${r.name}`, r.errorMessage);
}

export type DescribedConfig = DescribeConfigsResponseDescribeConfigsResourceResult;

export async function describeConfigs(client: KafkaClient, resourceType: number, resourceName: string, keys: readonly string[] | null = null): Promise<DescribedConfig[]> {
  const conn = resourceType === ResourceType.BROKER && resourceName !== '' ? await client.node(Number(resourceName)) : client.any;
  const resp = await conn.request(DescribeConfigsApi, (v) => ({
    ...defaultDescribeConfigsRequest(),
    includeSynonyms: v >= 1,
    includeDocumentation: false,
    resources: [{ resourceType, resourceName, configurationKeys: keys === null ? null : [...keys] }],
  }));
  const r = resp.results[0];
  if (r === undefined) return [];
  check(r.errorCode, `DescribeConfigs ${resourceName}`, r.errorMessage);
  return r.configs;
}

export async function alterConfigs(client: KafkaClient, resourceType: number, resourceName: string, changes: readonly { name: string; op: number; value: string | null }[], validateOnly = false): Promise<void> {
  const conn = resourceType === ResourceType.BROKER && resourceName !== '' ? await client.node(Number(resourceName)) : client.any;
  const resp = await conn.request(IncrementalAlterConfigsApi, {
    ...defaultIncrementalAlterConfigsRequest(),
    validateOnly,
    resources: [{ resourceType, resourceName, configs: changes.map((c) => ({ name: c.name, configOperation: c.op, value: c.value })) }],
  });
  for (const r of resp.responses) check(r.errorCode, `IncrementalAlterConfigs ${r.resourceName}`, r.errorMessage);
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly state: string;
  readonly type: string;
}

export async function listGroups(client: KafkaClient): Promise<ListedGroup[]> {
  return client.retry(async () => {
    const answers = await client.everyBroker(ListGroupsApi, defaultListGroupsRequest());
    const out: ListedGroup[] = [];
    for (const a of answers) {
      check(a.errorCode, 'ListGroups');
      for (const g of a.groups) out.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType });
    }
    return out.sort((a, b) => a.groupId.localeCompare(b.groupId));
  });
}

export type DescribedGroup = DescribeGroupsResponseDescribedGroup;

export async function describeGroup(client: KafkaClient, groupId: string): Promise<DescribedGroup> {
  return client.retry(async () => {
    const conn = await client.coordinator(groupId, CoordinatorType.GROUP);
    const resp = await conn.request(DescribeGroupsApi, { ...defaultDescribeGroupsRequest(), groups: [groupId] });
    const g = resp.groups[0];
    if (g === undefined) throw new Error(`DescribeGroups ${groupId}: empty answer`);
    check(g.errorCode, `DescribeGroups ${groupId}`, g.errorMessage);
    return g;
  });
}

export async function deleteGroups(client: KafkaClient, groupIds: readonly string[]): Promise<void> {
  return client.retry(async () => {
    for (const groupId of groupIds) {
      const conn = await client.coordinator(groupId, CoordinatorType.GROUP);
      const resp = await conn.request(DeleteGroupsApi, { ...defaultDeleteGroupsRequest(), groupsNames: [groupId] });
      for (const r of resp.results) check(r.errorCode, `DeleteGroups ${r.groupId}`);
    }
  });
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

/** A group's committed offsets (all topics when `topics` is null). */
export async function fetchOffsets(client: KafkaClient, groupId: string, topics: readonly { name: string; partitions: number[] }[] | null = null): Promise<CommittedOffset[]> {
  return client.retry(async () => {
    const conn = await client.coordinator(groupId, CoordinatorType.GROUP);
    const wanted = topics === null ? null : topics.map((t) => ({ name: t.name, partitionIndexes: t.partitions }));
    const resp = await conn.request(OffsetFetchApi, (v) => ({
      ...defaultOffsetFetchRequest(),
      groupId: v <= 7 ? groupId : '',
      topics: v <= 7 ? wanted : [],
      groups: v >= 8 ? [{ groupId, memberId: null, memberEpoch: -1, topics: wanted === null ? null : wanted.map((t) => ({ ...t, topicId: ZERO_UUID })) }] : [],
      requireStable: v >= 7,
    }));
    const out: CommittedOffset[] = [];
    if (resp.groups.length > 0) {
      const g = resp.groups[0]!;
      check(g.errorCode, `OffsetFetch ${groupId}`);
      for (const t of g.topics) for (const p of t.partitions) {
        check(p.errorCode, `OffsetFetch ${groupId} ${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0n) out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata });
      }
    } else {
      check(resp.errorCode, `OffsetFetch ${groupId}`);
      for (const t of resp.topics) for (const p of t.partitions) {
        check(p.errorCode, `OffsetFetch ${groupId} ${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0n) out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata });
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  });
}

/**
 * Commits offsets as a consumer outside any generation does (Java's assign() + commitSync():
 * generation -1, no member id); the group must have no active members, as Kafka requires.
 */
export async function commitOffsets(client: KafkaClient, groupId: string, offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
  return client.retry(async () => {
    const conn = await client.coordinator(groupId, CoordinatorType.GROUP);
    const byTopic = new Map<string, { partition: number; offset: number }[]>();
    for (const o of offsets) {
      let l = byTopic.get(o.topic);
      if (l === undefined) byTopic.set(o.topic, (l = []));
      l.push(o);
    }
    const resp = await conn.request(OffsetCommitApi, {
      ...defaultOffsetCommitRequest(),
      groupId,
      topics: [...byTopic].map(([name, ps]) => ({ name, topicId: ZERO_UUID, partitions: ps.map((p) => ({ ...defaultOffsetCommitRequestPartition(), partitionIndex: p.partition, committedOffset: BigInt(p.offset) })) })),
    });
    for (const t of resp.topics) for (const p of t.partitions) check(p.errorCode, `OffsetCommit ${groupId} ${t.name}-${p.partitionIndex}`);
  });
}

export interface ListedTransaction {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly state: string;
}

export async function listTransactions(client: KafkaClient, states: readonly string[] = []): Promise<ListedTransaction[]> {
  return client.retry(async () => {
    const answers = await client.everyBroker(ListTransactionsApi, { ...defaultListTransactionsRequest(), stateFilters: [...states] });
    const out: ListedTransaction[] = [];
    for (const a of answers) {
      check(a.errorCode, 'ListTransactions');
      for (const t of a.transactionStates) out.push({ transactionalId: t.transactionalId, producerId: Number(t.producerId), state: t.transactionState });
    }
    return out.sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
  });
}

export type DescribedTransaction = DescribeTransactionsResponseTransactionState;

export async function describeTransaction(client: KafkaClient, transactionalId: string): Promise<DescribedTransaction> {
  return client.retry(async () => {
    const conn = await client.coordinator(transactionalId, CoordinatorType.TRANSACTION);
    const resp = await conn.request(DescribeTransactionsApi, { ...defaultDescribeTransactionsRequest(), transactionalIds: [transactionalId] });
    const t = resp.transactionStates[0];
    if (t === undefined) throw new Error(`DescribeTransactions ${transactionalId}: empty answer`);
    check(t.errorCode, `DescribeTransactions ${transactionalId}`);
    return t;
  });
}
