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
 * without a value (internal.segment.bytes) are not listed, as Kafka does not list them. The
 * synonyms are checked against DescribeConfigs v4 with includeSynonyms of the same broker.
 *
 * These definitions are the one source of truth for topic configs: CreateTopics, DescribeConfigs,
 * AlterConfigs and the data path (src/server/configs/) all read them.
 */
import { KafkaError } from '../../../protocol/errors.js';

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
/** Every ConfigDef type; broker configs use the last three too. */
export type ConfigKind = TopicConfigKind | 'SHORT' | 'CLASS' | 'PASSWORD';
export type Parsed = boolean | string | bigint | number | JavaDouble | string[];

/** A parsed DOUBLE, kept apart from INT values because Java prints it differently ("2.0"). */
export class JavaDouble {
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

/** A ConfigException in Kafka: INVALID_CONFIG for topics, INVALID_REQUEST for broker configs. */
export class ConfigValueError extends Error {
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
  def('max.decompressed.message.bytes', 'INT', '2147483639', ['max.decompressed.message.bytes'], between(1, 2147483639)),
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

/** ConfigDef.parseType: the value of config `name` of type `kind`, or a ConfigValueError. */
export function parseConfigValue(name: string, kind: ConfigKind, raw: string): Parsed {
  const t = raw.trim();
  switch (kind) {
    case 'BOOLEAN':
      if (t.toLowerCase() === 'true') return true;
      if (t.toLowerCase() === 'false') return false;
      throw new ConfigValueError(name, raw, 'Expected value to be either true or false');
    case 'STRING':
    case 'CLASS':
      return t;
    // Passwords are taken verbatim (not trimmed), as ConfigDef does.
    case 'PASSWORD':
      return raw;
    case 'SHORT':
    case 'INT': {
      const [min, max] = kind === 'INT' ? [INT_MIN, INT_MAX] : [-32768, 32767];
      const n = /^[+-]?\d+$/.test(t) ? Number(t) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) throw new ConfigValueError(name, raw, `Not a number of type ${kind}`);
      return n;
    }
    case 'LONG': {
      const n = /^[+-]?\d+$/.test(t) ? BigInt(t) : null;
      if (n === null || n < LONG_MIN_BIG || n > LONG_MAX_BIG) throw new ConfigValueError(name, raw, 'Not a number of type LONG');
      return n;
    }
    case 'DOUBLE': {
      if (!JAVA_DOUBLE.test(t)) throw new ConfigValueError(name, raw, 'Not a number of type DOUBLE');
      return new JavaDouble(Number(t.replace(/[fFdD]$/, '')));
    }
    case 'LIST':
      return t === '' ? [] : t.split(/\s*,\s*/);
  }
}

function parseValue(def: TopicConfigDef, raw: string): Parsed {
  return parseConfigValue(def.name, def.kind, raw);
}

/** ConfigDef.convertToString: how Kafka prints a parsed value (lists joined by ",", doubles as Java). */
export function configValueString(v: Parsed): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** Parses and validates one topic config value; throws ConfigValueError with Kafka's message. */
export function checkTopicConfigValue(def: TopicConfigDef, raw: string): Parsed {
  const v = parseValue(def, raw);
  def.validate?.(def.name, v);
  return v;
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

// ---- broker layers: where a topic config's default comes from ----

/**
 * The broker configs a topic config may fall back to, by Kafka source: dynamic per-broker
 * (DYNAMIC_BROKER_CONFIG), dynamic cluster-wide (DYNAMIC_DEFAULT_BROKER_CONFIG) and static
 * (STATIC_BROKER_CONFIG: the broker's --config settings). Kafka's built-in defaults are the
 * last resort and live in the definitions.
 */
export interface BrokerLayers {
  readonly dynamicBroker: ReadonlyMap<string, string>;
  readonly dynamicDefault: ReadonlyMap<string, string>;
  readonly static: ReadonlyMap<string, string>;
}

/**
 * The cluster-wide dynamic defaults a freshly formatted KRaft cluster holds (min.insync.replicas,
 * KIP-966), less those the static configs set: setting one with --config is how a minikafka user
 * would change it, so the static value then stands alone.
 */
export function formattedClusterDefaults(staticConfigs: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of DEFS) {
    if (d.clusterDefault !== undefined && !d.synonyms.some((s) => staticConfigs.has(s.name))) out.set(d.synonyms[0]!.name, d.clusterDefault);
  }
  return out;
}

/** Layers from static configs alone (a broker nobody altered); see formattedClusterDefaults. */
export function staticLayers(staticConfigs: ReadonlyMap<string, string>): BrokerLayers {
  return { dynamicBroker: new Map(), dynamicDefault: formattedClusterDefaults(staticConfigs), static: staticConfigs };
}

function asLayers(b: ReadonlyMap<string, string> | BrokerLayers): BrokerLayers {
  return b instanceof Map ? staticLayers(b) : (b as BrokerLayers);
}

/** A broker value converted to the topic config's unit (log.retention.hours -> ms). */
function convertSynonym(s: ConfigSynonym, v: string): string {
  if (s.multiplier === undefined) return v;
  const t = v.trim();
  return /^[+-]?\d+$/.test(t) ? String(BigInt(t) * BigInt(s.multiplier)) : v;
}

/**
 * The controller's resolution (KafkaConfigSchema.resolveEffectiveTopicConfig), which CreateTopics
 * reports: source first (dynamic broker, dynamic cluster, static), then synonyms in order.
 */
function resolveDefault(d: TopicConfigDef, layers: BrokerLayers): { value: string; source: number } {
  const bySource: [ReadonlyMap<string, string>, number][] = [
    [layers.dynamicBroker, ConfigSource.DYNAMIC_BROKER_CONFIG],
    [layers.dynamicDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [layers.static, ConfigSource.STATIC_BROKER_CONFIG],
  ];
  for (const [layer, source] of bySource) {
    for (const s of d.synonyms) {
      const v = layer.get(s.name);
      if (v !== undefined) return { value: convertSynonym(s, v), source };
    }
  }
  return { value: d.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
}

/**
 * The value a broker runs a topic with when the topic does not override it (LogConfig.fromProps
 * over KafkaConfig.extractLogConfigMap): the layers are merged first (dynamic broker over dynamic
 * cluster over static), then the synonyms are tried in order, so log.retention.ms in any layer
 * beats log.retention.hours in any other, as KafkaConfig's getters decide.
 */
export function brokerDefaultFor(d: TopicConfigDef, layers: BrokerLayers): string {
  for (const s of d.synonyms) {
    const v = layers.dynamicBroker.get(s.name) ?? layers.dynamicDefault.get(s.name) ?? layers.static.get(s.name);
    if (v !== undefined) return convertSynonym(s, v);
  }
  return d.defaultValue;
}

// ---- validation and effective values ----

/**
 * Validates a topic's complete set of overrides as Kafka does on CreateTopics and AlterConfigs
 * (LogConfig.validate); throws KafkaError INVALID_CONFIG with Kafka's message. `brokerConfigs`
 * (the broker's layers, or just its static configs) take part in the cross-field checks as Kafka's
 * configured defaults do.
 */
export function validateTopicConfigs(configs: ReadonlyMap<string, string | null>, brokerConfigs: ReadonlyMap<string, string> | BrokerLayers = new Map()): void {
  const layers = asLayers(brokerConfigs);
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
      parsed.set(d.name, checkTopicConfigValue(d, raw));
    }
  } catch (e) {
    if (e instanceof ConfigValueError) throw new KafkaError('INVALID_CONFIG', e.message);
    throw e;
  }
  const effective = (name: string): Parsed => {
    const own = parsed.get(name);
    if (own !== undefined) return own;
    const d = TOPIC_CONFIG_DEFS.get(name)!;
    try {
      return parseValue(d, brokerDefaultFor(d, layers));
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

/** One config's effective value, as KafkaConfigSchema.resolveEffectiveTopicConfig resolves it. */
export function effectiveTopicConfig(name: string, overrides: ReadonlyMap<string, string>, brokerConfigs: ReadonlyMap<string, string> | BrokerLayers): EffectiveTopicConfig | undefined {
  const d = TOPIC_CONFIG_DEFS.get(name);
  if (!d) return undefined;
  const own = overrides.get(name);
  const { value, source } = own !== undefined ? { value: own, source: ConfigSource.TOPIC_CONFIG } : resolveDefault(d, asLayers(brokerConfigs));
  // Kafka's topic configs are never read-only or sensitive.
  return { name, value, source, configType: configTypeOf(d), readOnly: false, isSensitive: false };
}

/** Every topic config with its effective value and source, sorted by name (CreateTopics v5+). */
export function effectiveTopicConfigs(overrides: ReadonlyMap<string, string>, brokerConfigs: ReadonlyMap<string, string> | BrokerLayers): EffectiveTopicConfig[] {
  const layers = asLayers(brokerConfigs);
  return TOPIC_CONFIG_NAMES.map((n) => effectiveTopicConfig(n, overrides, layers)!);
}
