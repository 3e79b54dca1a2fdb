/**
 * AlterConfigs and IncrementalAlterConfigs as Kafka 4.x answers them. In Kafka a broker first
 * preprocesses the request (ConfigAdminManager.preprocess: duplicates, nulls, BROKER and
 * BROKER_LOGGER resources) and forwards the rest to the controller
 * (ConfigurationControlManager, ControllerConfigurationValidator), which computes each resource's
 * new configs, validates the whole resulting set and checks that the resource exists, in that
 * order. Both steps happen here, in one synchronous turn; every resource succeeds or fails on its
 * own and a failed resource changes nothing.
 *
 * Codes and messages, as Kafka 4.4 answers (checked against the reference broker):
 * - a resource named twice: INVALID_REQUEST "Each resource must appear at most once." for both
 *   (Kafka 4.4 fails the whole request and closes the connection: a bug we do not copy);
 * - a config named twice: INVALID_REQUEST "Error due to duplicate config keys";
 * - a null value (legacy: any; incremental: other than DELETE): INVALID_REQUEST
 *   "Null value not supported for : a, b";
 * - topics: "" is INVALID_REQUEST "Default topic resources are not allowed.", a bad name
 *   INVALID_TOPIC_EXCEPTION; APPEND/SUBTRACT on a non-list: INVALID_CONFIG "Can't APPEND to key
 *   retention.ms because its type is not LIST."; the resulting set is validated as on creation
 *   (INVALID_CONFIG, topic-config-defs.ts); then an unknown topic is UNKNOWN_TOPIC_OR_PARTITION
 *   "The topic 'x' does not exist.";
 * - brokers: "" is the cluster default, else the name must be this broker's id (INVALID_REQUEST
 *   "Node id must be an integer, but it is: x" / "Unexpected broker id, expected 1, but received
 *   2"); the resulting dynamic set is validated as DynamicBrokerConfig does, every failure
 *   INVALID_REQUEST (KAFKA-13609): read-only configs, listener-only security configs, values that
 *   do not parse (or break a topic config's range, for its log.* synonym), per-broker configs at
 *   cluster level; APPEND/SUBTRACT on a non-list: INVALID_CONFIG "Config value append is not
 *   allowed for config key: x". Unknown names are accepted and stored, as Kafka does. The cluster-wide
 *   min.insync.replicas cannot be removed (INVALID_CONFIG, KIP-966's ELR is on in 4.x);
 * - broker loggers (IncrementalAlterConfigs only): validated as Kafka's RuntimeLoggerManager
 *   does; a valid change is refused with INVALID_REQUEST because minikafka's log level is fixed
 *   at start (validateOnly succeeds).
 * - an unknown operation: INVALID_REQUEST "Unknown operations type N" (Kafka: the same for
 *   brokers, UNKNOWN_SERVER_ERROR for topics); GROUP resources: INVALID_REQUEST (not supported);
 *   other types: INVALID_REQUEST "Unknown resource type N".
 * - CLIENT_METRICS (both APIs): the subscription's configs, checked and stored by
 *   ../client-metrics.ts with Kafka's codes and messages.
 */
import { KafkaError } from '../../../protocol/errors.js';
import type { Cluster } from '../cluster.js';
import { topicNameProblem } from '../topics.js';
import type { Topic, TopicRegistry } from '../topics.js';
import { ConfigValueError, TOPIC_CONFIG_DEFS, checkTopicConfigValue, parseConfigValue, validateTopicConfigs } from './topic-config-defs.js';
import type { TopicConfigDef } from './topic-config-defs.js';
import { BROKER_CONFIG_DEFS } from './broker-config-defs.js';
import type { ConfigStore } from './config-store.js';

/** ConfigResource.Type ids. */
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** AlterConfigOp.OpType ids. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const;

export interface ResourceResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

const OK: ResourceResult = { errorCode: 0, errorMessage: null };

interface ResourceRef {
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface LegacyResource extends ResourceRef {
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface IncrementalResource extends ResourceRef {
  readonly configs: readonly { readonly name: string; readonly configOperation: number; readonly value: string | null }[];
}

/** Kafka's log4j levels (RuntimeLoggerManager). */
export const LOG4J_LEVELS = ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'TRACE', 'WARN'] as const;

/** AlterConfigs (legacy): each resource's configs are replaced by the request's. */
export function alterConfigs(cluster: Cluster, nodeId: number, resources: readonly LegacyResource[], validateOnly: boolean): ResourceResult[] {
  const store = cluster.configs;
  const broker: ChangingBroker = { topics: cluster.topics, nodeId };
  const dup = duplicateResources(resources);
  return resources.map((r) =>
    run(() => {
      checkRequest(dup.has(r), r.configs.map((c) => c.name), r.configs.filter((c) => c.value === null).map((c) => c.name));
      const next = new Map(r.configs.map((c) => [c.name, c.value!]));
      switch (r.resourceType) {
        case ResourceType.TOPIC:
          return alterTopic(store, broker, r.resourceName, () => next, validateOnly);
        case ResourceType.BROKER:
          return alterBroker(store, broker, r.resourceName, () => next, validateOnly);
        case ResourceType.CLIENT_METRICS:
          return cluster.clientMetrics.alter(r.resourceName, { replace: next }, validateOnly);
        case ResourceType.GROUP:
          return cluster.groupConfigs.alter(r.resourceName, { replace: next }, validateOnly);
        default:
          throw unsupportedType(r.resourceType);
      }
    }),
  );
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT applied to each resource's configs. */
export function incrementalAlterConfigs(cluster: Cluster, nodeId: number, resources: readonly IncrementalResource[], validateOnly: boolean): ResourceResult[] {
  const store = cluster.configs;
  const broker: ChangingBroker = { topics: cluster.topics, nodeId };
  const dup = duplicateResources(resources);
  return resources.map((r) =>
    run(() => {
      checkRequest(dup.has(r), r.configs.map((c) => c.name), r.configs.filter((c) => c.configOperation !== AlterConfigOp.DELETE && c.value === null).map((c) => c.name));
      for (const c of r.configs) {
        if (OP_NAMES[c.configOperation] === undefined) throw new KafkaError('INVALID_REQUEST', `Unknown operations type ${c.configOperation}`);
      }
      switch (r.resourceType) {
        case ResourceType.TOPIC:
          return alterTopic(store, broker, r.resourceName, (current) => applyOps(current, r.configs, topicListDefault, (op, name) => `Can't ${op} to key ${name} because its type is not LIST.`), validateOnly);
        case ResourceType.BROKER:
          return alterBroker(store, broker, r.resourceName, (current) => applyOps(current, r.configs, brokerListDefault, (op, name) => `Config value ${op.toLowerCase()} is not allowed for config key: ${name}`), validateOnly);
        case ResourceType.BROKER_LOGGER:
          return alterLoggers(broker, r, validateOnly);
        case ResourceType.CLIENT_METRICS:
          return cluster.clientMetrics.alter(r.resourceName, { ops: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })) }, validateOnly);
        case ResourceType.GROUP:
          return cluster.groupConfigs.alter(r.resourceName, { ops: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })) }, validateOnly);
        default:
          throw unsupportedType(r.resourceType);
      }
    }),
  );
}

function run(fn: () => void): ResourceResult {
  try {
    fn();
    return OK;
  } catch (e) {
    if (e instanceof KafkaError) return { errorCode: e.code, errorMessage: e.message };
    throw e;
  }
}

function duplicateResources<R extends ResourceRef>(resources: readonly R[]): Set<R> {
  const seen = new Map<string, R>();
  const dup = new Set<R>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      dup.add(prev);
      dup.add(r);
    } else seen.set(key, r);
  }
  return dup;
}

/** What both alter APIs refuse before touching a resource, in Kafka's order and words. */
function checkRequest(duplicateResource: boolean, names: readonly string[], nullValued: readonly string[]): void {
  if (duplicateResource) throw new KafkaError('INVALID_REQUEST', 'Each resource must appear at most once.');
  if (new Set(names).size !== names.length) throw new KafkaError('INVALID_REQUEST', 'Error due to duplicate config keys');
  if (nullValued.length > 0) throw new KafkaError('INVALID_REQUEST', `Null value not supported for : ${nullValued.join(', ')}`);
}

function unsupportedType(type: number): KafkaError {
  return new KafkaError('INVALID_REQUEST', `Unknown resource type ${type}`);
}

// ---- incremental operations (ConfigurationControlManager.incrementalAlterConfigResource) ----

type Op = IncrementalResource['configs'][number];

/** The new configs after `ops`; `listDefault` is a list config's default, undefined for non-lists. */
function applyOps(
  current: ReadonlyMap<string, string>,
  ops: readonly Op[],
  listDefault: (name: string) => string | null | undefined,
  notListMessage: (op: string, name: string) => string,
): Map<string, string> {
  const next = new Map(current);
  for (const op of ops) {
    switch (op.configOperation) {
      case AlterConfigOp.SET:
        next.set(op.name, op.value!);
        break;
      case AlterConfigOp.DELETE:
        next.delete(op.name);
        break;
      default: {
        const opName = OP_NAMES[op.configOperation]!;
        const dflt = listDefault(op.name);
        if (dflt === undefined) throw new KafkaError('INVALID_CONFIG', notListMessage(opName, op.name));
        const parts = (next.get(op.name) ?? dflt ?? '').split(',').filter((s) => s !== '');
        for (const v of op.value!.split(',')) {
          if (op.configOperation === AlterConfigOp.APPEND) {
            if (!parts.includes(v)) parts.push(v);
          } else {
            const i = parts.indexOf(v);
            if (i >= 0) parts.splice(i, 1);
          }
        }
        next.set(op.name, parts.join(','));
      }
    }
  }
  return next;
}

function topicListDefault(name: string): string | undefined {
  const d = TOPIC_CONFIG_DEFS.get(name);
  return d?.kind === 'LIST' ? d.defaultValue : undefined;
}

function brokerListDefault(name: string): string | null | undefined {
  const d = BROKER_CONFIG_DEFS.get(name);
  if (d === undefined) throw new KafkaError('INVALID_CONFIG', `Unknown config name: ${name}`);
  return d.kind === 'LIST' ? d.defaultValue : undefined;
}

/** What a change needs of the broker that receives it: the topics, and its own node id. */
interface ChangingBroker {
  readonly topics: TopicRegistry;
  readonly nodeId: number;
}

// ---- topics ----

function alterTopic(store: ConfigStore, broker: ChangingBroker, name: string, compute: (current: ReadonlyMap<string, string>) => Map<string, string>, validateOnly: boolean): void {
  if (name === '') throw new KafkaError('INVALID_REQUEST', 'Default topic resources are not allowed.');
  const problem = topicNameProblem(name);
  if (problem !== null) throw new KafkaError('INVALID_TOPIC_EXCEPTION', problem);
  const topic: Topic | undefined = broker.topics.get(name);
  const next = compute(topic?.configs ?? new Map());
  validateTopicConfigs(next, store.layersFor(broker.nodeId));
  if (topic === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`);
  if (!validateOnly) store.setTopicConfigs(topic, next);
}

// ---- brokers ----

function alterBroker(store: ConfigStore, broker: ChangingBroker, name: string, compute: (current: ReadonlyMap<string, string>) => Map<string, string>, validateOnly: boolean): void {
  const nodeId = name === '' ? null : ownNodeId(broker, name);
  const next = compute(store.dynamicConfigs(nodeId));
  validateBrokerConfigs(next, nodeId !== null);
  if (nodeId === null && store.dynamicConfigs(null).has('min.insync.replicas') && !next.has('min.insync.replicas')) {
    throw new KafkaError('INVALID_CONFIG', 'Cluster-level min.insync.replicas cannot be removed while ELR is enabled.');
  }
  if (!validateOnly) store.setDynamicConfigs(nodeId, next);
}

function ownNodeId(broker: ChangingBroker, name: string): number {
  if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2147483647) throw new KafkaError('INVALID_REQUEST', `Node id must be an integer, but it is: ${name}`);
  const id = Number(name);
  if (id !== broker.nodeId) throw new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${broker.nodeId}, but received ${name}`);
  return id;
}

/** Topic definitions whose broker synonym shares their unit, so the topic's range check applies. */
const TOPIC_DEF_OF_BROKER = new Map<string, TopicConfigDef>();
for (const d of TOPIC_CONFIG_DEFS.values()) {
  for (const s of d.synonyms) if (s.multiplier === undefined && !TOPIC_DEF_OF_BROKER.has(s.name)) TOPIC_DEF_OF_BROKER.set(s.name, d);
}

/** DynamicBrokerConfig.validateConfigs over the complete dynamic set of one resource. */
function validateBrokerConfigs(props: ReadonlyMap<string, string>, perBroker: boolean): void {
  const names = [...props.keys()];
  const list = (xs: string[]) => `[${xs.join(', ')}]`;
  const readOnly = names.filter((n) => BROKER_CONFIG_DEFS.get(n)?.dynamic === null);
  if (readOnly.length > 0) throw new KafkaError('INVALID_REQUEST', `Cannot update these configs dynamically: ${list(readOnly)}`);
  const listenerOnly = names.filter((n) => BROKER_CONFIG_DEFS.get(n)?.dynamic === 'listener');
  if (listenerOnly.length > 0) throw new KafkaError('INVALID_REQUEST', `These security configs can be dynamically updated only per-listener using the listener prefix: ${list(listenerOnly)}`);
  try {
    for (const [name, value] of props) {
      const d = BROKER_CONFIG_DEFS.get(name);
      if (d === undefined) continue;
      const topicDef = TOPIC_DEF_OF_BROKER.get(name);
      if (topicDef !== undefined && topicDef.kind === d.kind) checkTopicConfigValue({ ...topicDef, name }, value);
      else parseConfigValue(name, d.kind, value);
    }
  } catch (e) {
    if (e instanceof ConfigValueError) throw new KafkaError('INVALID_REQUEST', e.message);
    throw e;
  }
  if (!perBroker) {
    const perBrokerOnly = names.filter((n) => BROKER_CONFIG_DEFS.get(n)?.dynamic === 'broker');
    if (perBrokerOnly.length > 0) throw new KafkaError('INVALID_REQUEST', `Cannot update these configs at default cluster level, broker id must be specified: ${list(perBrokerOnly)}`);
  }
}

// ---- broker loggers ----

function alterLoggers(broker: ChangingBroker, r: IncrementalResource, validateOnly: boolean): void {
  if (!/^[+-]?\d+$/.test(r.resourceName)) throw new KafkaError('INVALID_REQUEST', `Node id must be an integer, but it is: ${r.resourceName}`);
  if (Number(r.resourceName) !== broker.nodeId) throw new KafkaError('INVALID_REQUEST', `Unexpected node id. Expected ${broker.nodeId}, but received ${r.resourceName}`);
  for (const op of r.configs) {
    if (op.configOperation === AlterConfigOp.SET) {
      if (!(LOG4J_LEVELS as readonly string[]).includes(op.value!)) {
        throw new KafkaError(
          'INVALID_CONFIG',
          `Cannot set the log level of ${op.name} to ${op.value} as it is not a supported log level. Valid log levels are ${LOG4J_LEVELS.join(', ')}`,
        );
      }
    } else if (op.configOperation === AlterConfigOp.DELETE) {
      if (op.name === 'root') throw new KafkaError('INVALID_REQUEST', 'Removing the log level of the root logger is not allowed');
    } else {
      throw new KafkaError('INVALID_REQUEST', `${OP_NAMES[op.configOperation]} operation is not allowed for the BROKER_LOGGER resource`);
    }
  }
  if (!validateOnly && r.configs.length > 0) {
    throw new KafkaError('INVALID_REQUEST', 'minikafka does not change log levels at run time; start it with the log level wanted (--log-level)');
  }
}
