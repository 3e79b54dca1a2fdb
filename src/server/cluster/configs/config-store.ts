/**
 * The configuration of one cluster, as Kafka keeps it: topic overrides (DYNAMIC_TOPIC_CONFIG, on
 * each Topic), dynamic broker configs per node id (DYNAMIC_BROKER_CONFIG) and cluster-wide
 * (DYNAMIC_DEFAULT_BROKER_CONFIG), the brokers' static configs (STATIC_BROKER_CONFIG: --config and
 * the fixture's `config`) and Kafka's defaults (DEFAULT_CONFIG, topic-config-defs.ts and
 * broker-config-defs.ts). Everything that needs an effective value reads it here: the data path
 * (produce settings, log configs), the log cleaner and retention, and DescribeConfigs.
 *
 * Resolution follows the broker, not the controller (which CreateTopics reports; see
 * topic-config-defs.ts): a topic's override, else its broker synonyms over the merged layers
 * (dynamic broker over dynamic cluster over static) in synonym order, else Kafka's default.
 *
 * A minikafka broker presents itself as a single-node KRaft broker started with the settings a
 * dev Kafka is given (bench/kafka/start-kafka.sh): those are its implicit static configs, and
 * --config settings override them. The data path uses the static configs of the broker that
 * created the store (the cluster's first), since partitions are shared by the brokers of a
 * cluster.
 *
 * Changes are applied at once, synchronously: the logs of affected partitions get their new
 * segment and retention settings (PartitionLog.updateConfig), and `version` moves so that cached
 * per-topic settings are recomputed. Kafka applies them asynchronously through its metadata log,
 * so a DescribeConfigs right after an alter may still show the old value there; here it never does.
 */
import { logDirOf } from '../broker-config.js';
import type { BrokerConfig, BrokerIdentity } from '../broker-config.js';
import type { Topic, TopicRegistry } from '../topics.js';
import type { LogConfig } from '../../../log/partition-log.js';
import type { DescribeConfigsResponseDescribeConfigsResourceResult, DescribeConfigsResponseDescribeConfigsSynonym } from '../../../protocol/messages/describe-configs.js';
import {
  ConfigSource,
  ConfigType,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIG_NAMES,
  brokerDefaultFor,
  configValueString,
  formattedClusterDefaults,
  parseConfigValue,
} from './topic-config-defs.js';
import type { BrokerLayers, TopicConfigDef } from './topic-config-defs.js';
import { BROKER_CONFIG_DEFS, BROKER_CONFIG_NAMES, brokerConfigSynonyms } from './broker-config-defs.js';
import { brokerConfigDoc, topicConfigDoc } from './config-docs.js';

/**
 * What a dev Kafka is started with (bench/kafka/start-kafka.sh writes the same): one node that is
 * both broker and controller, replication factors and ISR minimums of one, no initial rebalance
 * delay. Reported as STATIC_BROKER_CONFIG, as Kafka reports its server.properties.
 */
const DEV_STATIC: ReadonlyMap<string, string> = new Map([
  ['default.replication.factor', '1'],
  ['group.initial.rebalance.delay.ms', '0'],
  ['min.insync.replicas', '1'],
  ['num.partitions', '1'],
  ['offsets.topic.replication.factor', '1'],
  ['process.roles', 'broker,controller'],
  ['share.coordinator.state.topic.min.isr', '1'],
  ['share.coordinator.state.topic.replication.factor', '1'],
  ['transaction.state.log.min.isr', '1'],
  ['transaction.state.log.replication.factor', '1'],
]);

/** The static configs the data path and the topic configs see (no listener addresses needed). */
function staticConfigsOf(config: BrokerConfig): Map<string, string> {
  const out = new Map(DEV_STATIC);
  out.set('node.id', String(config.nodeId));
  out.set('broker.id', String(config.nodeId));
  // The directory DescribeLogDirs reports, so the two APIs agree.
  out.set('log.dirs', logDirOf(config));
  for (const [k, v] of config.extra) out.set(k, v);
  // Typed settings given without --config (MiniKafka options, CLI flags) are static settings too.
  const typed: [string, number | boolean, number | boolean][] = [
    ['num.partitions', config.numPartitions, 1],
    ['auto.create.topics.enable', config.autoCreateTopics, true],
    ['message.max.bytes', config.messageMaxBytes, 1048588],
    ['socket.request.max.bytes', config.socketRequestMaxBytes, 104857600],
    ['group.initial.rebalance.delay.ms', config.groupInitialRebalanceDelayMs, 3000],
  ];
  for (const [k, v, kafkaDefault] of typed) if (out.has(k) || v !== kafkaDefault) out.set(k, String(v));
  return out;
}

/** A config as DescribeConfigs reports it. */
export type DescribedConfig = DescribeConfigsResponseDescribeConfigsResourceResult;

export interface DescribeOptions {
  /** configurationKeys: null or empty for all. */
  readonly keys: readonly string[] | null;
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

export class ConfigStore {
  readonly #topics: TopicRegistry;
  readonly #home: BrokerConfig;
  readonly #homeStatic: Map<string, string>;
  readonly #perBroker = new Map<number, Map<string, string>>();
  readonly #clusterDefault: Map<string, string>;
  readonly #changeListeners = new Set<() => void>();
  #version = 0;

  constructor(topics: TopicRegistry, home: BrokerConfig) {
    this.#topics = topics;
    this.#home = home;
    this.#homeStatic = staticConfigsOf(home);
    // A KRaft cluster is formatted with cluster-wide min.insync.replicas (KIP-966).
    this.#clusterDefault = formattedClusterDefaults(home.extra);
    // New partitions start with the topic's effective log settings, not just its overrides.
    topics.logConfigResolver = (topic) => this.logConfigFor(topic);
  }

  /** Moves on every change: per-topic caches compare it. */
  get version(): number {
    return this.#version;
  }

  /** The layers the data path runs with (the home broker's). */
  get dataLayers(): BrokerLayers {
    return this.layersFor(this.#home.nodeId, this.#homeStatic);
  }

  layersFor(nodeId: number, staticConfigs: ReadonlyMap<string, string> = this.#homeStatic): BrokerLayers {
    return { dynamicBroker: this.#perBroker.get(nodeId) ?? EMPTY, dynamicDefault: this.#clusterDefault, static: staticConfigs };
  }

  /** The static configs of a broker, including what DescribeConfigs shows about its listener. */
  staticConfigsOf(broker: BrokerIdentity): Map<string, string> {
    const out = broker.config === this.#home ? new Map(this.#homeStatic) : staticConfigsOf(broker.config);
    const listener = `PLAINTEXT://${broker.config.host}:${broker.port}`;
    if (!out.has('listeners')) out.set('listeners', listener);
    if (!out.has('advertised.listeners')) out.set('advertised.listeners', `PLAINTEXT://${broker.advertisedHost}:${broker.port}`);
    return out;
  }

  /** Dynamic configs of one broker (nodeId) or cluster-wide (null), as stored. */
  dynamicConfigs(nodeId: number | null): ReadonlyMap<string, string> {
    return nodeId === null ? this.#clusterDefault : (this.#perBroker.get(nodeId) ?? EMPTY);
  }

  // ---- effective values for the data path ----

  /** A broker config's effective value on the home broker: dynamic, static, else Kafka's default. */
  brokerValue(name: string): string | null {
    const l = this.dataLayers;
    return l.dynamicBroker.get(name) ?? l.dynamicDefault.get(name) ?? l.static.get(name) ?? BROKER_CONFIG_DEFS.get(name)?.defaultValue ?? null;
  }

  /**
   * ConfigHelper.configSynonyms of one broker config on the home broker: where its value comes
   * from, layer by layer (what a GROUP config that defaults to it lists as synonyms).
   */
  homeBrokerSynonyms(name: string): DescribeConfigsResponseDescribeConfigsSynonym[] {
    return brokerSynonyms(brokerConfigSynonyms(name), name, this.dataLayers, false);
  }

  /** A numeric broker config; `fallback` when unset or not a number. */
  brokerNumber(name: string, fallback: number): number {
    const v = this.brokerValue(name);
    const n = v === null ? NaN : Number(v.trim());
    return Number.isFinite(n) ? n : fallback;
  }

  /** A topic config's effective value as the broker runs it: override, broker synonyms, default. */
  topicValue(topic: Topic, name: string): string {
    const own = topic.configs.get(name);
    if (own !== undefined) return own;
    const d = TOPIC_CONFIG_DEFS.get(name);
    if (d === undefined) throw new RangeError(`unknown topic config ${name}`);
    return brokerDefaultFor(d, this.dataLayers);
  }

  /** A numeric topic config; a value that does not parse (it was validated when set) is the default. */
  topicNumber(topic: Topic, name: string): number {
    const n = Number(this.topicValue(topic, name).trim());
    return Number.isFinite(n) ? n : Number(TOPIC_CONFIG_DEFS.get(name)!.defaultValue);
  }

  /** cleanup.policy as its two flags. */
  cleanupPolicy(topic: Topic): { readonly delete: boolean; readonly compact: boolean } {
    const items = this.topicValue(topic, 'cleanup.policy').split(',').map((s) => s.trim());
    return { delete: items.includes('delete'), compact: items.includes('compact') };
  }

  /** The segment and retention settings a topic's partition logs run with. */
  logConfigFor(topic: Topic): Partial<LogConfig> {
    const out: { segmentBytes?: number; segmentMs?: number; retentionMs?: number; retentionBytes?: number } = {};
    const segmentBytes = this.topicNumber(topic, 'segment.bytes');
    if (segmentBytes > 0) out.segmentBytes = segmentBytes;
    // LogConfig.maxSegmentMs: a compacted topic rolls by max.compaction.lag.ms too, so that the
    // active segment's records become cleanable in time.
    let segmentMs = this.topicNumber(topic, 'segment.ms');
    if (this.cleanupPolicy(topic).compact) segmentMs = Math.min(segmentMs, this.topicNumber(topic, 'max.compaction.lag.ms'));
    if (segmentMs > 0) out.segmentMs = segmentMs;
    out.retentionMs = this.topicNumber(topic, 'retention.ms');
    out.retentionBytes = this.topicNumber(topic, 'retention.bytes');
    return out;
  }

  // ---- changes ----

  /** Replaces a topic's overrides (validated by the caller) and applies them to its logs. */
  setTopicConfigs(topic: Topic, configs: ReadonlyMap<string, string>): void {
    topic.configs.clear();
    for (const [k, v] of configs) topic.configs.set(k, v);
    this.#changed([topic]);
  }

  /** Replaces the dynamic configs of one broker (nodeId) or the cluster default (null). */
  setDynamicConfigs(nodeId: number | null, configs: ReadonlyMap<string, string>): void {
    let target: Map<string, string>;
    if (nodeId === null) target = this.#clusterDefault;
    else {
      target = this.#perBroker.get(nodeId) ?? new Map();
      this.#perBroker.set(nodeId, target);
    }
    target.clear();
    for (const [k, v] of configs) target.set(k, v);
    if (nodeId !== null && target.size === 0) this.#perBroker.delete(nodeId);
    // Broker-level log settings are the default of every topic: an admin operation may touch all
    // partitions, a produce never does.
    this.#changed(this.#topics.all());
  }

  #changed(topics: Iterable<Topic>): void {
    this.#version++;
    for (const topic of topics) {
      const config = this.logConfigFor(topic);
      for (const p of topic.partitions) p.log.updateConfig(config);
    }
    for (const fn of [...this.#changeListeners]) fn();
  }

  /** Calls `fn` synchronously after every config change (durable mode records them); returns its remover. */
  onChanged(fn: () => void): () => void {
    this.#changeListeners.add(fn);
    return () => this.#changeListeners.delete(fn);
  }

  // ---- DescribeConfigs ----

  /** ConfigHelper.createTopicConfigEntry for every (or every asked) topic config, sorted by name. */
  describeTopic(topic: Topic, opts: DescribeOptions): DescribedConfig[] {
    const layers = this.dataLayers;
    const out: DescribedConfig[] = [];
    for (const name of selected(TOPIC_CONFIG_NAMES, opts.keys)) {
      const d = TOPIC_CONFIG_DEFS.get(name)!;
      const own = topic.configs.get(name);
      const raw = own ?? brokerDefaultFor(d, layers);
      const value = canonical(d, raw);
      const synonyms = topicSynonyms(d, own === undefined ? undefined : value, layers);
      out.push({
        name,
        value,
        readOnly: false,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
        synonyms: opts.includeSynonyms ? synonyms : [],
        configType: ConfigType[d.kind],
        documentation: opts.includeDocumentation ? topicConfigDoc(name) : null,
      });
    }
    return out;
  }

  /**
   * ConfigHelper.createBrokerConfigEntry: every broker config of this broker (Kafka's list plus
   * any unknown name it was given), or, for the cluster default resource (nodeId null), the
   * cluster-wide dynamic configs only.
   */
  describeBroker(broker: BrokerIdentity, nodeId: number | null, opts: DescribeOptions): DescribedConfig[] {
    const staticConfigs = this.staticConfigsOf(broker);
    const layers = this.layersFor(broker.nodeId, staticConfigs);
    let names: string[];
    if (nodeId === null) names = [...this.#clusterDefault.keys()].sort();
    else {
      const extra = [...layers.static.keys(), ...layers.dynamicBroker.keys(), ...layers.dynamicDefault.keys()].filter((n) => !BROKER_CONFIG_DEFS.has(n));
      names = [...new Set([...BROKER_CONFIG_NAMES, ...extra])].sort();
    }
    const out: DescribedConfig[] = [];
    for (const name of selected(names, opts.keys)) {
      const d = BROKER_CONFIG_DEFS.get(name);
      // Kafka treats a config it has no definition for as possibly sensitive and hides it.
      const sensitive = d === undefined || d.kind === 'PASSWORD';
      let synonyms = brokerSynonyms(brokerConfigSynonyms(name), name, layers, sensitive);
      if (nodeId === null) synonyms = synonyms.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
      const raw = nodeId === null ? this.#clusterDefault.get(name)! : (layers.dynamicBroker.get(name) ?? layers.dynamicDefault.get(name) ?? layers.static.get(name) ?? d?.defaultValue ?? null);
      out.push({
        name,
        value: sensitive ? null : raw,
        readOnly: d?.dynamic === null || d === undefined,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: sensitive,
        synonyms: opts.includeSynonyms ? synonyms : [],
        configType: d === undefined ? ConfigType.UNKNOWN : ConfigType[d.kind],
        documentation: opts.includeDocumentation ? brokerConfigDoc(name) : null,
      });
    }
    return out;
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();

function selected(names: readonly string[], keys: readonly string[] | null): readonly string[] {
  if (keys === null || keys.length === 0) return names;
  const wanted = new Set(keys);
  return names.filter((n) => wanted.has(n));
}

/** ConfigDef.convertToString of the parsed value ("compact, delete" is shown "compact,delete"). */
function canonical(d: TopicConfigDef, raw: string): string {
  try {
    return configValueString(parseConfigValue(d.name, d.kind, raw));
  } catch {
    return raw;
  }
}

/**
 * ConfigHelper.configSynonyms: the synonyms found in each layer, layer by layer (dynamic broker,
 * dynamic cluster, static, Kafka's defaults), then everything before the first entry named `name`
 * dropped. That last step is Kafka's, and why retention.ms lists no synonyms unless
 * log.retention.ms itself is set somewhere: log.retention.hours' default comes after it.
 */
function brokerSynonyms(names: readonly string[], name: string, layers: BrokerLayers, sensitive: boolean): DescribeConfigsResponseDescribeConfigsSynonym[] {
  const found: DescribeConfigsResponseDescribeConfigsSynonym[] = [];
  const add = (layer: (n: string) => string | null | undefined, source: number) => {
    for (const n of names) {
      const v = layer(n);
      if (v !== undefined && v !== null) found.push({ name: n, value: sensitive ? null : v, source });
    }
  };
  add((n) => layers.dynamicBroker.get(n), ConfigSource.DYNAMIC_BROKER_CONFIG);
  add((n) => layers.dynamicDefault.get(n), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  add((n) => layers.static.get(n), ConfigSource.STATIC_BROKER_CONFIG);
  add((n) => BROKER_CONFIG_DEFS.get(n)?.defaultValue, ConfigSource.DEFAULT_CONFIG);
  const first = found.findIndex((s) => s.name === name);
  return first < 0 ? [] : found.slice(first);
}

/** ConfigHelper.createTopicConfigEntry's synonyms: the override, then the broker synonyms. */
function topicSynonyms(d: TopicConfigDef, override: string | undefined, layers: BrokerLayers): DescribeConfigsResponseDescribeConfigsSynonym[] {
  const names = d.synonyms.map((s) => s.name);
  const list = names.length === 0 ? [] : brokerSynonyms(names, names[0]!, layers, false);
  if (override !== undefined) list.unshift({ name: d.name, value: override, source: ConfigSource.TOPIC_CONFIG });
  return list;
}
