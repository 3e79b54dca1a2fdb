/**
 * Static broker configuration: Kafka's names and Kafka 4.x defaults, except where a dev broker
 * is better served otherwise (each such default says why).
 */
import type { Logger } from '../../util/logger.js';

export interface BrokerConfig {
  /** node.id */
  nodeId: number;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Host advertised in Metadata; defaults to host, or 127.0.0.1 when host is a wildcard. */
  advertisedHost?: string;
  clusterId: string;
  /** auto.create.topics.enable */
  autoCreateTopics: boolean;
  /** num.partitions */
  numPartitions: number;
  /** socket.request.max.bytes */
  socketRequestMaxBytes: number;
  /** message.max.bytes (default for topics' max.message.bytes) */
  messageMaxBytes: number;
  /** group.initial.rebalance.delay.ms: Kafka's 3000 makes every test wait; 0 here. */
  groupInitialRebalanceDelayMs: number;
  /** Everything given as key=value, kept verbatim for DescribeConfigs. */
  extra: Map<string, string>;
}

/**
 * Who a broker is, as the cluster state and the handlers see it: its id, where clients reach it,
 * and its static config. The listener is the composition root's; this is its read-only face.
 */
export interface BrokerIdentity {
  readonly nodeId: number;
  readonly advertisedHost: string;
  /** The bound port (0 before the broker listens). */
  readonly port: number;
  readonly config: BrokerConfig;
}

export const DEFAULT_CLUSTER_ID = 'minikafka-cluster-01';

/** The directory DescribeLogDirs reports without log.dirs (the logs live in memory; the path only names them). */
export const DEFAULT_LOG_DIR = '/minikafka/data';

/** log.dirs wins over log.dir, as in Kafka; the first directory when several are listed. */
export function logDirOf(config: BrokerConfig): string {
  const dirs = config.extra.get('log.dirs') ?? config.extra.get('log.dir');
  const first = dirs?.split(',')[0]?.trim();
  return first ? first : DEFAULT_LOG_DIR;
}

export function defaultBrokerConfig(): BrokerConfig {
  return {
    nodeId: 1,
    host: '127.0.0.1',
    port: 9092,
    clusterId: DEFAULT_CLUSTER_ID,
    autoCreateTopics: true,
    numPartitions: 1,
    socketRequestMaxBytes: 104857600,
    messageMaxBytes: 1048588,
    groupInitialRebalanceDelayMs: 0,
    extra: new Map(),
  };
}

/** Kafka config keys that map onto typed fields; the rest stay in `extra`. */
const TYPED: Record<string, (c: BrokerConfig, v: string) => void> = {
  'node.id': (c, v) => (c.nodeId = intValue('node.id', v, 0)),
  'broker.id': (c, v) => (c.nodeId = intValue('broker.id', v, 0)),
  'auto.create.topics.enable': (c, v) => (c.autoCreateTopics = boolValue('auto.create.topics.enable', v)),
  'num.partitions': (c, v) => (c.numPartitions = intValue('num.partitions', v, 1)),
  'socket.request.max.bytes': (c, v) => (c.socketRequestMaxBytes = intValue('socket.request.max.bytes', v, 1)),
  'message.max.bytes': (c, v) => (c.messageMaxBytes = intValue('message.max.bytes', v, 0)),
  'group.initial.rebalance.delay.ms': (c, v) => (c.groupInitialRebalanceDelayMs = intValue('group.initial.rebalance.delay.ms', v, 0)),
  'cluster.id': (c, v) => (c.clusterId = v),
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function intValue(key: string, v: string, min: number): number {
  if (!/^-?\d+$/.test(v)) throw new ConfigError(`${key} must be an integer, got '${v}'`);
  const n = Number(v);
  if (n < min || n > 2147483647) throw new ConfigError(`${key} must be between ${min} and 2147483647, got ${v}`);
  return n;
}

function boolValue(key: string, v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${key} must be true or false, got '${v}'`);
}

/** Applies a broker config given as key and value (from --config key=value or the fixture). */
export function applyBrokerConfig(c: BrokerConfig, key: string, value: string): void {
  const set = TYPED[key];
  if (set) set(c, value);
  c.extra.set(key, value);
}

/**
 * A coordinator's integer setting from the broker's configs: `fallback` (Kafka's default) when
 * unset, and, with a warning, when not an integer of at least `min`, since a coordinator must run.
 */
export function intSetting(config: BrokerConfig, key: string, fallback: number, min: number, logger: Logger): number {
  const raw = config.extra.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    logger.warn(`${key}=${raw} is not an integer >= ${min}; using ${fallback}`);
    return fallback;
  }
  return n;
}
