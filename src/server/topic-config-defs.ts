/**
 * The topic-level configs of Kafka 4.x: names, types, defaults as DescribeConfigs shows them, the
 * broker configs that supply a topic's default (Kafka's "synonyms"), and validation with Kafka's
 * error messages, so that a bad `--config` fails here exactly as it fails against Kafka.
 *
 * What Kafka does, and so what we do (ReplicationControlManager.computeConfigChanges, then
 * LogConfig.validate through ControllerConfigurationValidator):
 * 1. a null value fails the topic: "Null value not supported for topic configs: a,b";
 * 2. an unknown name fails it: "Unknown topic config name: x";
 * 3. every value is parsed and checked in definition order (ConfigDef.parse), the first failure
 *    wins: "Invalid value x for configuration retention.ms: Not a number of type LONG";
 * 4. cross-field checks on the effective values: min.compaction.lag.ms <= max.compaction.lag.ms,
 *    and remote.storage.enable=true is refused because tiered storage is not enabled.
 * All of them are INVALID_CONFIG.
 *
 * The list, the defaults and the sources are those a real Apache Kafka 4.4.0 answers in CreateTopics
 * v7 (fixtures/captures/java/0004-CreateTopics-v7-response.bin): message.format.version,
 * message.timestamp.difference.max.ms and message.downconversion.enable are gone (4.0 to 4.4), and
 * min.insync.replicas reports DYNAMIC_DEFAULT_BROKER_CONFIG because a KRaft cluster is formatted
 * with a cluster-wide min.insync.replicas=1 (KIP-966). Configs Kafka defines as internal and leaves
 * without a value (internal.segment.bytes) are not listed, as Kafka does not list them.
 */
import { KafkaError } from '../protocol/errors.js';

/** DescribeConfigs' ConfigType codes (DescribeConfigsResponse.ConfigType). */
export const ConfigType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** DescribeConfigs' and CreateTopics' ConfigSource codes (DescribeConfigsResponse.ConfigSource). */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;

export type TopicConfigKind = 'BOOLEAN' | 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'LIST';
type Parsed = boolean | string | bigint | number | JavaDouble | string[];

/** A parsed DOUBLE, kept apart from INT values because Java prints it differently ("2.0"). */
class JavaDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return javaDouble(this.value);
  }
}

/** A broker config that supplies a topic config's default, with a unit multiplier (hours -> ms). */
export interface ConfigSynonym {
  readonly name: string;
  readonly multiplier?: number;
}

export interface TopicConfigDef {
  readonly name: string;
  readonly kind: TopicConfigKind;
  /** The default as Kafka prints it (ConfigDef.convertToString). */
  readonly defaultValue: string;
  /** Broker configs consulted, in order, before the default (ServerTopicConfigSynonyms). */
  readonly synonyms: readonly ConfigSynonym[];
  /** Throws a ConfigValueError for a parsed value Kafka's validator would refuse. */
  readonly validate?: (name: string, value: Parsed) => void;
  /** A cluster-wide dynamic default Kafka 4.x writes when the cluster is formatted. */
  readonly clusterDefault?: string;
}

/** A ConfigException in Kafka: always reported as INVALID_CONFIG with its message. */
class ConfigValueError extends Error {
  constructor(name: string, value: unknown, detail: string | null) {
    super(`Invalid value ${javaString(value)} for configuration ${name}${detail === null ? '' : `: ${detail}`}`);
  }
}

const LONG_MAX = '9223372036854775807';
const HOUR_MS = 3_600_000;

// ---- validators, as ConfigDef's Range, ValidString and ValidList word their failures ----

function atLeast(min: number): (name: string, v: Parsed) => void {
  return (name, v) => {
    if (toNumber(v) < min) throw new ConfigValueError(name, v, `Value must be at least ${min}`);
  };
}

function between(min: number, max: number): (name: string, v: Parsed) => void {
  return (name, v) => {
    const n = toNumber(v);
    if (n < min) throw new ConfigValueError(name, v, `Value must be at least ${min}`);
    if (n > max) throw new ConfigValueError(name, v, `Value must be no more than ${max}`);
  };
}

function oneOf(...valid: string[]): (name: string, v: Parsed) => void {
  return (name, v) => {
    if (!valid.includes(v as string)) throw new ConfigValueError(name, v, `String must be one of: ${valid.join(', ')}`);
  };
}

function listOf(...valid: string[]): (name: string, v: Parsed) => void {
  const one = oneOf(...valid);
  return (name, v) => {
    for (const s of v as string[]) one(name, s);
  };
}

// Kafka's gzip level check is its own: 1-9, or -1 for zlib's default.
function gzipLevel(name: string, v: Parsed): void {
  const n = v as number;
  if (n > 9 || (n < 1 && n !== -1)) throw new ConfigValueError(name, v, 'Value must be between 1 and 9 or equal to -1');
}

function throttledReplicas(name: string, v: Parsed): void {
  const items = (v as string[]).map((s) => s.trim());
  if (items.every((s) => /^(\d+:\d+)?$/.test(s)) || items.join('') === '*') return;
  throw new ConfigValueError(
    name,
    v,
    `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`,
  );
}

function def(name: string, kind: TopicConfigKind, defaultValue: string, synonyms: readonly (string | ConfigSynonym)[], validate?: TopicConfigDef['validate']): TopicConfigDef {
  return {
    name,
    kind,
    defaultValue,
    synonyms: synonyms.map((s) => (typeof s === 'string' ? { name: s } : s)),
    ...(validate ? { validate } : {}),
  };
}

/** In LogConfig's definition order, which is the order Kafka parses and so reports errors in. */
const DEFS: readonly TopicConfigDef[] = [
  def('segment.bytes', 'INT', '1073741824', ['log.segment.bytes'], atLeast(1024 * 1024)),
  def('segment.ms', 'LONG', '604800000', ['log.roll.ms', { name: 'log.roll.hours', multiplier: HOUR_MS }], atLeast(1)),
  def('segment.jitter.ms', 'LONG', '0', ['log.roll.jitter.ms', { name: 'log.roll.jitter.hours', multiplier: HOUR_MS }], atLeast(0)),
  def('segment.index.bytes', 'INT', '10485760', ['log.index.size.max.bytes'], atLeast(4)),
  def('flush.messages', 'LONG', LONG_MAX, ['log.flush.interval.messages'], atLeast(1)),
  def('flush.ms', 'LONG', LONG_MAX, ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], atLeast(0)),
  def('retention.bytes', 'LONG', '-1', ['log.retention.bytes']),
  def('retention.ms', 'LONG', '604800000', ['log.retention.ms', { name: 'log.retention.minutes', multiplier: 60_000 }, { name: 'log.retention.hours', multiplier: HOUR_MS }], atLeast(-1)),
  def('max.message.bytes', 'INT', '1048588', ['message.max.bytes'], atLeast(0)),
  // Records.SOFT_MAX_ARRAY_LENGTH: Integer.MAX_VALUE - 8.
  def('max.decompressed.message.bytes', 'INT', '2147483639', [], between(1, 2147483639)),
  def('index.interval.bytes', 'INT', '4096', ['log.index.interval.bytes'], atLeast(0)),
  def('delete.retention.ms', 'LONG', '86400000', ['log.cleaner.delete.retention.ms'], atLeast(0)),
  def('min.compaction.lag.ms', 'LONG', '0', ['log.cleaner.min.compaction.lag.ms'], atLeast(0)),
  def('max.compaction.lag.ms', 'LONG', LONG_MAX, ['log.cleaner.max.compaction.lag.ms'], atLeast(1)),
  def('file.delete.delay.ms', 'LONG', '60000', ['log.segment.delete.delay.ms'], atLeast(0)),
  def('min.cleanable.dirty.ratio', 'DOUBLE', '0.5', ['log.cleaner.min.cleanable.ratio'], between(0, 1)),
  def('cleanup.policy', 'LIST', 'delete', ['log.cleanup.policy'], listOf('compact', 'delete')),
  def('unclean.leader.election.enable', 'BOOLEAN', 'false', ['unclean.leader.election.enable']),
  { ...def('min.insync.replicas', 'INT', '1', ['min.insync.replicas'], atLeast(1)), clusterDefault: '1' },
  def('compression.type', 'STRING', 'producer', ['compression.type'], oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  def('compression.gzip.level', 'INT', '-1', ['compression.gzip.level'], gzipLevel),
  def('compression.lz4.level', 'INT', '9', ['compression.lz4.level'], between(1, 17)),
  def('compression.zstd.level', 'INT', '3', ['compression.zstd.level'], between(-131072, 22)),
  def('preallocate', 'BOOLEAN', 'false', ['log.preallocate']),
  def('message.timestamp.type', 'STRING', 'CreateTime', ['log.message.timestamp.type'], oneOf('CreateTime', 'LogAppendTime')),
  def('message.timestamp.before.max.ms', 'LONG', LONG_MAX, ['log.message.timestamp.before.max.ms'], atLeast(0)),
  // 4.0 lowered the default from Long.MAX_VALUE to one hour.
  def('message.timestamp.after.max.ms', 'LONG', '3600000', ['log.message.timestamp.after.max.ms'], atLeast(0)),
  def('leader.replication.throttled.replicas', 'LIST', '', [], throttledReplicas),
  def('follower.replication.throttled.replicas', 'LIST', '', [], throttledReplicas),
  def('remote.storage.enable', 'BOOLEAN', 'false', []),
  def('local.retention.ms', 'LONG', '-2', ['log.local.retention.ms'], atLeast(-2)),
  def('local.retention.bytes', 'LONG', '-2', ['log.local.retention.bytes'], atLeast(-2)),
  def('remote.log.copy.disable', 'BOOLEAN', 'false', []),
  def('remote.copy.lag.ms', 'LONG', '0', ['log.remote.copy.lag.ms'], atLeast(-1)),
  def('remote.copy.lag.bytes', 'LONG', '-1', ['log.remote.copy.lag.bytes'], atLeast(-1)),
  def('remote.log.delete.on.disable', 'BOOLEAN', 'false', []),
  def('errors.deadletterqueue.group.enable', 'BOOLEAN', 'false', []),
];

export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map(DEFS.map((d) => [d.name, d]));

/** The names, sorted as Kafka returns them in CreateTopics responses. */
export const TOPIC_CONFIG_NAMES: readonly string[] = DEFS.map((d) => d.name).sort();

export function configTypeOf(def: TopicConfigDef): number {
  return ConfigType[def.kind];
}

// ---- parsing, as ConfigDef.parseType ----

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN_BIG = -(2n ** 63n);
const LONG_MAX_BIG = 2n ** 63n - 1n;
// Java's Double.parseDouble accepts a trailing type suffix and the NaN/Infinity words.
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

function parseValue(def: TopicConfigDef, raw: string): Parsed {
  const t = raw.trim();
  switch (def.kind) {
    case 'BOOLEAN':
      if (t.toLowerCase() === 'true') return true;
      if (t.toLowerCase() === 'false') return false;
      throw new ConfigValueError(def.name, raw, 'Expected value to be either true or false');
    case 'STRING':
      return t;
    case 'INT': {
      const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
      if (!Number.isInteger(n) || n < INT_MIN || n > INT_MAX) throw new ConfigValueError(def.name, raw, 'Not a number of type INT');
      return n;
    }
    case 'LONG': {
      const n = /^[+-]?\d+$/.test(t) ? BigInt(t) : null;
      if (n === null || n < LONG_MIN_BIG || n > LONG_MAX_BIG) throw new ConfigValueError(def.name, raw, 'Not a number of type LONG');
      return n;
    }
    case 'DOUBLE': {
      if (!JAVA_DOUBLE.test(t)) throw new ConfigValueError(def.name, raw, 'Not a number of type DOUBLE');
      return new JavaDouble(Number(t.replace(/[fFdD]$/, '')));
    }
    case 'LIST':
      return t === '' ? [] : t.split(/\s*,\s*/);
  }
}

function toNumber(v: Parsed): number {
  if (v instanceof JavaDouble) return v.value;
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** How Java's toString prints a parsed value in ConfigException messages. */
function javaString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}

function javaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(x);
  if (a === 0 || (a >= 1e-3 && a < 1e7)) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [m, e] = x.toExponential().split('e') as [string, string];
  return `${m.includes('.') ? m : `${m}.0`}E${e.replace('+', '')}`;
}

// ---- validation and effective values ----

/**
 * Validates topic config overrides as Kafka does on CreateTopics (and later AlterConfigs); throws
 * KafkaError INVALID_CONFIG with Kafka's message. `brokerConfigs` are the broker's static configs
 * by Kafka name, which take part in the cross-field checks as Kafka's configured defaults do.
 */
export function validateTopicConfigs(configs: ReadonlyMap<string, string | null>, brokerConfigs: ReadonlyMap<string, string> = new Map()): void {
  const nulls = [...configs].filter(([, v]) => v === null).map(([k]) => k);
  if (nulls.length > 0) throw new KafkaError('INVALID_CONFIG', `Null value not supported for topic configs: ${nulls.join(',')}`);
  for (const name of configs.keys()) {
    if (!TOPIC_CONFIG_DEFS.has(name)) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
  }
  const parsed = new Map<string, Parsed>();
  try {
    for (const d of DEFS) {
      const raw = configs.get(d.name);
      if (raw === undefined || raw === null) continue;
      const v = parseValue(d, raw);
      d.validate?.(d.name, v);
      parsed.set(d.name, v);
    }
  } catch (e) {
    if (e instanceof ConfigValueError) throw new KafkaError('INVALID_CONFIG', e.message);
    throw e;
  }
  const effective = (name: string): Parsed => {
    const own = parsed.get(name);
    if (own !== undefined) return own;
    const d = TOPIC_CONFIG_DEFS.get(name)!;
    const { value } = resolveDefault(d, brokerConfigs);
    try {
      return parseValue(d, value ?? d.defaultValue);
    } catch {
      return parseValue(d, d.defaultValue);
    }
  };
  const minLag = effective('min.compaction.lag.ms') as bigint;
  const maxLag = effective('max.compaction.lag.ms') as bigint;
  if (minLag > maxLag) {
    throw new KafkaError('INVALID_CONFIG', `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`);
  }
  // LogConfig.validateRemoteStorageOnlyIfSystemEnabled: minikafka has no tiered storage.
  if (effective('remote.storage.enable') === true) {
    throw new KafkaError('INVALID_CONFIG', 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.');
  }
}

export interface EffectiveTopicConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
  readonly configType: number;
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
}

function resolveDefault(d: TopicConfigDef, brokerConfigs: ReadonlyMap<string, string>): { value: string; source: number } {
  // Kafka's order: dynamic per-broker, dynamic cluster-wide, static, default. The broker's
  // --config settings stand for the static ones; they also replace the formatted cluster default,
  // since setting it is how a minikafka user would change it.
  for (const s of d.synonyms) {
    const v = brokerConfigs.get(s.name);
    if (v === undefined) continue;
    if (s.multiplier === undefined) return { value: v, source: ConfigSource.STATIC_BROKER_CONFIG };
    const t = v.trim();
    const converted = /^[+-]?\d+$/.test(t) ? String(BigInt(t) * BigInt(s.multiplier)) : v;
    return { value: converted, source: ConfigSource.STATIC_BROKER_CONFIG };
  }
  if (d.clusterDefault !== undefined) return { value: d.clusterDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
  return { value: d.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
}

/** One config's effective value, as KafkaConfigSchema.resolveEffectiveTopicConfig resolves it. */
export function effectiveTopicConfig(name: string, overrides: ReadonlyMap<string, string>, brokerConfigs: ReadonlyMap<string, string>): EffectiveTopicConfig | undefined {
  const d = TOPIC_CONFIG_DEFS.get(name);
  if (!d) return undefined;
  const own = overrides.get(name);
  const { value, source } = own !== undefined ? { value: own, source: ConfigSource.TOPIC_CONFIG } : resolveDefault(d, brokerConfigs);
  // Kafka's topic configs are never read-only or sensitive.
  return { name, value, source, configType: configTypeOf(d), readOnly: false, isSensitive: false };
}

/** Every topic config with its effective value and source, sorted by name (CreateTopics v5+). */
export function effectiveTopicConfigs(overrides: ReadonlyMap<string, string>, brokerConfigs: ReadonlyMap<string, string>): EffectiveTopicConfig[] {
  return TOPIC_CONFIG_NAMES.map((n) => effectiveTopicConfig(n, overrides, brokerConfigs)!);
}
