// State a test can leave behind on a shared broker, kind by kind: how a test changes it (over the
// Kafka protocol, as a client would) and how the next test sees whether it leaked (also over the
// protocol). Used by the reset tests (test/e2e/control-reset*.test.ts). The broker they run against
// is started with START_USERS, START_ACLS, an authorizer that lets everyone in without a matching
// ACL, and 2 brokers.
import { randomUUID } from 'node:crypto';
import { WireClient } from './wire-client.js';
import { fetch } from './data-path.js';
import {
  AlterClientQuotasApi,
  AlterUserScramCredentialsApi,
  ApiVersionsApi,
  CreateAclsApi,
  DescribeAclsApi,
  DescribeClientQuotasApi,
  DescribeConfigsApi,
  DescribeUserScramCredentialsApi,
  FindCoordinatorApi,
  IncrementalAlterConfigsApi,
  ListConfigResourcesApi,
  ListGroupsApi,
  MetadataApi,
  ShareGroupHeartbeatApi,
  UpdateFeaturesApi,
} from '../../src/protocol/messages/index.js';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import type { AclBinding, MiniKafka, MiniKafkaOptions } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const BROKER = 4;
const CLIENT_METRICS = 16;
const GROUP = 32;
const SCRAM_SHA_256 = 1;

export const START_USERS = { admin: 'admin-secret' };
export const START_ACLS: readonly AclBinding[] = [
  { pattern: { resourceType: ResourceType.TOPIC, name: 'audit', patternType: PatternType.LITERAL }, entry: { principal: 'User:admin', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW } },
];

/** The broker options the kinds expect. */
export const LEAK_BROKER: MiniKafkaOptions = {
  brokers: 2,
  users: START_USERS,
  acls: START_ACLS,
  config: { 'allow.everyone.if.no.acl.found': true },
};

/** What the kinds get from the test beyond a connection to broker 1. */
export interface LeakEnv {
  /** Stops broker 2. */
  stopBroker(): Promise<void>;
  /** A connection to the group's coordinator. */
  coordinatorOf(group: string): Promise<WireClient>;
  /** A connection to every broker. */
  all(): Promise<WireClient[]>;
}

export interface LeakKind {
  readonly name: string;
  /** Changes the state as test number `i` would; `c` is connected to broker 1. */
  change(c: WireClient, i: number, env: LeakEnv): Promise<void>;
  /** What is left of it: null when the broker is as it started, else what leaked. */
  leftover(c: WireClient, env: LeakEnv): Promise<string | null>;
}

function describeBrokerConfig(c: WireClient, name: string) {
  return c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: [name] }], includeSynonyms: false, includeDocumentation: false });
}

function alterConfig(c: WireClient, resourceType: number, resourceName: string, name: string, value: string) {
  return c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType, resourceName, configs: [{ name, configOperation: 0, value }] }], validateOnly: false });
}

async function ok(what: string, p: Promise<{ errorCode?: number; responses?: { errorCode: number; errorMessage: string | null }[] }>): Promise<void> {
  const r = await p;
  const bad = r.errorCode !== undefined && r.errorCode !== 0 ? r.errorCode : (r.responses ?? []).find((x) => x.errorCode !== 0)?.errorCode;
  if (bad !== undefined) throw new Error(`${what}: error ${bad}`);
}

/**
 * One connection per broker of `kafka` (made again after that broker was stopped), and the
 * LeakEnv over them; `close` closes them all.
 */
export function leakClients(kafka: MiniKafka): { clientOf(nodeId: number): Promise<WireClient>; env: LeakEnv; close(): void } {
  const clients = new Map<number, WireClient>();
  const clientOf = async (nodeId: number): Promise<WireClient> => {
    const open = clients.get(nodeId);
    if (open !== undefined && !open.closed) return open;
    const fresh = await WireClient.connect(kafka.brokerById(nodeId)!.bootstrapServers);
    clients.set(nodeId, fresh);
    return fresh;
  };
  const env: LeakEnv = {
    stopBroker: () => kafka.brokers[1]!.stop(),
    coordinatorOf: async (group) => {
      const f = await (await clientOf(1)).request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: [group] });
      return clientOf(f.coordinators[0]!.nodeId);
    },
    all: () => Promise.all(kafka.brokers.map((b) => clientOf(b.nodeId))),
  };
  return { clientOf, env, close: () => clients.forEach((c) => c.close()) };
}

/** A declared topic the broker starts with: fetch sessions are opened on it. */
export const SESSION_TOPIC = 'shared';

/** The fetch session a test opened (the next test's incremental fetch must not find it). */
let openSession: { id: number; topic: string } | null = null;

export const LEAK_KINDS: readonly LeakKind[] = [
  {
    name: 'dynamic broker config',
    async change(c, i) {
      // Per broker on even tests, cluster-wide default on odd ones.
      await ok('alter broker config', alterConfig(c, BROKER, i % 2 === 0 ? '1' : '', 'message.max.bytes', String(2_000_000 + i)));
    },
    async leftover(c) {
      const d = (await describeBrokerConfig(c, 'message.max.bytes')).results[0]!.configs[0]!;
      return d.value === '1048588' ? null : `message.max.bytes=${d.value}`;
    },
  },
  {
    name: 'client metrics subscription and group config',
    async change(c, i) {
      await ok('alter client metrics', alterConfig(c, CLIENT_METRICS, `sub-${i}`, 'metrics', '*'));
      await ok('alter group config', alterConfig(c, GROUP, 'group', 'consumer.session.timeout.ms', '50000'));
    },
    async leftover(c) {
      const r = await c.request(ListConfigResourcesApi, 1, { resourceTypes: [CLIENT_METRICS, GROUP] });
      return r.configResources.length === 0 ? null : r.configResources.map((x) => `${x.resourceType}:${x.resourceName}`).join(',');
    },
  },
  {
    name: 'client quota',
    async change(c, i) {
      const r = await c.request(AlterClientQuotasApi, 1, { entries: [{ entity: [{ entityType: 'client-id', entityName: `client-${i}` }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }] }], validateOnly: false });
      if (r.entries[0]!.errorCode !== 0) throw new Error(`alter quota: ${r.entries[0]!.errorMessage}`);
    },
    async leftover(c) {
      const r = await c.request(DescribeClientQuotasApi, 1, { components: [], strict: false });
      return (r.entries ?? []).length === 0 ? null : `${r.entries!.length} quota entities`;
    },
  },
  {
    name: 'ACL',
    async change(c, i) {
      // One added, and the one the broker started with deleted.
      const r = await c.request(CreateAclsApi, 3, { creations: [{ resourceType: ResourceType.TOPIC, resourceName: `t-${i}`, resourcePatternType: PatternType.LITERAL, principal: 'User:bob', host: '*', operation: AclOperation.WRITE, permissionType: AclPermissionType.DENY }] });
      if (r.results[0]!.errorCode !== 0) throw new Error(`create ACL: ${r.results[0]!.errorMessage}`);
      const { DeleteAclsApi } = await import('../../src/protocol/messages/index.js');
      await c.request(DeleteAclsApi, 3, { filters: [{ resourceTypeFilter: ResourceType.TOPIC, resourceNameFilter: 'audit', patternTypeFilter: PatternType.LITERAL, principalFilter: null, hostFilter: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY }] });
    },
    async leftover(c) {
      const r = await c.request(DescribeAclsApi, 3, { resourceTypeFilter: ResourceType.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY });
      const seen = r.resources.flatMap((x) => x.acls.map((a) => `${x.resourceName}:${a.principal}:${a.operation}:${a.permissionType}`));
      const start = `audit:User:admin:${AclOperation.READ}:${AclPermissionType.ALLOW}`;
      return seen.length === 1 && seen[0] === start ? null : `ACLs [${seen.join(', ')}]`;
    },
  },
  {
    name: 'SCRAM credential',
    async change(c, i) {
      const r = await c.request(AlterUserScramCredentialsApi, 0, {
        deletions: [{ name: 'admin', mechanism: SCRAM_SHA_256 }],
        upsertions: [{ name: `user-${i}`, mechanism: SCRAM_SHA_256, iterations: 4096, salt: Buffer.from(`salt-${i}`), saltedPassword: Buffer.alloc(32, i % 256) }],
      });
      const bad = r.results.find((x) => x.errorCode !== 0);
      if (bad) throw new Error(`alter SCRAM: ${bad.errorMessage}`);
    },
    async leftover(c) {
      const r = await c.request(DescribeUserScramCredentialsApi, 0, { users: null });
      const seen = r.results.map((x) => `${x.user}:${x.credentialInfos.map((ci) => ci.mechanism).sort().join('+')}`).sort();
      return seen.join() === 'admin:1+2' ? null : `SCRAM users [${seen.join(', ')}]`;
    },
  },
  {
    name: 'feature level',
    async change(c) {
      const r = await c.request(UpdateFeaturesApi, 1, { timeoutMs: 1000, featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 1, allowDowngrade: false, upgradeType: 2 }], validateOnly: false });
      if (r.errorCode !== 0 || r.results.some((x) => x.errorCode !== 0)) throw new Error(`update features: ${r.errorMessage ?? r.results.map((x) => x.errorMessage).join()}`);
    },
    async leftover(c) {
      const r = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'leak-check', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
      const level = r.finalizedFeatures.find((f) => f.name === 'transaction.version')?.maxVersionLevel;
      return level === 2 ? null : `transaction.version ${level}`;
    },
  },
  {
    name: 'fetch session',
    async change(c) {
      const topic = SESSION_TOPIC;
      const r = await fetch(c, [{ topic }], { sessionId: 0, sessionEpoch: 0 });
      if (r.sessionId === 0) throw new Error('the broker opened no fetch session');
      openSession = { id: r.sessionId, topic };
    },
    async leftover(c) {
      if (openSession === null) return null;
      const { id, topic } = openSession;
      openSession = null;
      const r = await fetch(c, [{ topic }], { sessionId: id, sessionEpoch: 1 });
      return r.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ? null : `fetch session ${id} still open (error ${r.errorCode})`;
    },
  },
  {
    name: 'share group',
    async change(_c, i, env) {
      const group = `share-${i}`;
      const r = await (await env.coordinatorOf(group)).request(ShareGroupHeartbeatApi, 1, { groupId: group, memberId: randomUUID(), memberEpoch: 0, rackId: null, subscribedTopicNames: [SESSION_TOPIC] });
      if (r.errorCode !== 0) throw new Error(`share group heartbeat: ${r.errorCode} ${r.errorMessage}`);
    },
    async leftover(_c, env) {
      // Each broker lists the groups it coordinates, as Kafka's do.
      const groups: string[] = [];
      for (const b of await env.all()) groups.push(...(await b.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })).groups.map((g) => `${g.groupType}:${g.groupId}`));
      return groups.length === 0 ? null : `groups [${groups.join(', ')}]`;
    },
  },
  {
    name: 'stopped broker',
    async change(_c, _i, env) {
      await env.stopBroker();
    },
    async leftover(c) {
      const m = await c.request(MetadataApi, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false });
      return m.brokers.length === 2 ? null : `${m.brokers.length} brokers running`;
    },
  },
];
