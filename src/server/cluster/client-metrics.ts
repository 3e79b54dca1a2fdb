/**
 * Client metrics subscriptions (KIP-714): the CLIENT_METRICS config resources that say which
 * clients should push which metrics how often. Kafka keeps them as configs in the metadata log and
 * ClientMetricsManager turns them into subscriptions; here one map of name -> set configs.
 *
 * Configs (ClientMetricsConfigs): `metrics` (LIST of metric name prefixes, "*" for all),
 * `interval.ms` (INT, 100..3600000, default 300000), `match` (LIST of `attribute=regex` with
 * attributes client_instance_id, client_id, client_software_name, client_software_version,
 * client_source_address, client_source_port; empty matches every client).
 *
 * Codes and messages, as Kafka 4.4 answers (checked against the reference broker):
 * - APPEND/SUBTRACT on any of them: INVALID_CONFIG "Can't APPEND to key metrics because its type is
 *   not LIST." (Kafka treats client metrics configs as untyped there, LISTs included);
 * - an empty name: INVALID_REQUEST "Subscription name can't be empty" (altering) and "Client
 *   metrics subscription name must not be empty" (describing);
 * - an unknown name: INVALID_REQUEST "Unknown client metrics configuration: foo";
 * - interval.ms not an int: INVALID_CONFIG "Invalid value abc for configuration interval.ms: Not a
 *   number of type INT"; out of range: INVALID_REQUEST "Invalid value 10 for interval.ms, interval
 *   must be between 100 and 3600000 (1 hour)";
 * - a bad match entry: INVALID_CONFIG "Illegal client matching pattern: foo=bar".
 * A subscription whose configs are all deleted no longer exists (ListConfigResources drops it);
 * describing a subscription that does not exist answers the defaults, as Kafka does.
 *
 * Deviation: match patterns are RE2/J (Java) regular expressions in Kafka, JavaScript ones here
 * (anchored, as Java's matches() is); the common syntax is the same.
 */
import { KafkaError } from '../../protocol/errors.js';
import { ConfigSource, ConfigType } from './configs/topic-config-defs.js';
import type { DescribedConfig, DescribeOptions } from './configs/config-store.js';

export const METRICS_CONFIG = 'metrics';
export const INTERVAL_MS_CONFIG = 'interval.ms';
export const MATCH_CONFIG = 'match';
export const INTERVAL_MS_DEFAULT = 5 * 60 * 1000;
export const ALL_METRICS = '*';

const DEFS = [
  { name: INTERVAL_MS_CONFIG, type: ConfigType.INT, default: String(INTERVAL_MS_DEFAULT), doc: 'Metrics push interval in milliseconds' },
  { name: MATCH_CONFIG, type: ConfigType.LIST, default: '', doc: 'Client match criteria' },
  { name: METRICS_CONFIG, type: ConfigType.LIST, default: '', doc: 'Telemetry metric name prefix list' },
] as const;

export const MATCH_ATTRIBUTES = ['client_instance_id', 'client_id', 'client_software_name', 'client_software_version', 'client_source_address', 'client_source_port'] as const;
export type MatchAttribute = (typeof MATCH_ATTRIBUTES)[number];

/** A subscription as ClientMetricsManager.SubscriptionInfo holds it. */
export interface Subscription {
  readonly name: string;
  readonly metrics: readonly string[];
  readonly intervalMs: number;
  readonly match: ReadonlyMap<MatchAttribute, RegExp>;
}

export interface ConfigOp {
  readonly name: string;
  /** AlterConfigOp.OpType: SET 0, DELETE 1, APPEND 2, SUBTRACT 3. */
  readonly op: number;
  readonly value: string | null;
}

const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

/** ConfigDef's LIST parsing: comma-separated, trimmed, "" is the empty list. */
function parseList(value: string): string[] {
  return value.trim() === '' ? [] : value.split(',').map((s) => s.trim());
}

/** ClientMetricsConfigs.parseMatchingPatterns. */
export function parseMatchPatterns(patterns: readonly string[]): Map<MatchAttribute, RegExp> {
  const out = new Map<MatchAttribute, RegExp>();
  for (const p of patterns) {
    const illegal = () => new KafkaError('INVALID_CONFIG', `Illegal client matching pattern: ${p}`);
    // Java's split("=") drops trailing empty strings: "a=" is one part, "a=b=c" three.
    const parts = p.split('=');
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length !== 2) throw illegal();
    const attribute = parts[0]!.trim() as MatchAttribute;
    if (!MATCH_ATTRIBUTES.includes(attribute)) throw illegal();
    try {
      out.set(attribute, new RegExp(`^(?:${parts[1]!.trim()})$`));
    } catch {
      throw illegal();
    }
  }
  return out;
}

function parseInterval(value: string): number {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v) || Math.abs(Number(v)) > 2147483647) throw new KafkaError('INVALID_CONFIG', `Invalid value ${value} for configuration ${INTERVAL_MS_CONFIG}: Not a number of type INT`);
  return Number(v);
}

/** ClientMetricsConfigs.validate, on the configs a subscription would have after the change. */
function validate(name: string, configs: ReadonlyMap<string, string>): Subscription {
  if (name === '') throw new KafkaError('INVALID_REQUEST', "Subscription name can't be empty");
  for (const key of configs.keys()) {
    if (!DEFS.some((d) => d.name === key)) throw new KafkaError('INVALID_REQUEST', `Unknown client metrics configuration: ${key}`);
  }
  const interval = configs.has(INTERVAL_MS_CONFIG) ? parseInterval(configs.get(INTERVAL_MS_CONFIG)!) : INTERVAL_MS_DEFAULT;
  if (interval < 100 || interval > 3600000) {
    throw new KafkaError('INVALID_REQUEST', `Invalid value ${interval} for ${INTERVAL_MS_CONFIG}, interval must be between 100 and 3600000 (1 hour)`);
  }
  const match = parseMatchPatterns(parseList(configs.get(MATCH_CONFIG) ?? ''));
  return { name, metrics: parseList(configs.get(METRICS_CONFIG) ?? ''), intervalMs: interval, match };
}

export class ClientMetrics {
  private readonly configs = new Map<string, Map<string, string>>();
  private readonly subscriptionMap = new Map<string, Subscription>();
  /** Bumped on every change, so that client instances re-evaluate their subscription (as Kafka). */
  #version = 0;

  get version(): number {
    return this.#version;
  }

  /** The subscription names (ListConfigResources), in creation order. */
  names(): string[] {
    return [...this.configs.keys()];
  }

  /** One subscription's configs as set (a snapshot of the control plane takes them). */
  configsOf(name: string): ReadonlyMap<string, string> {
    return new Map(this.configs.get(name));
  }

  subscriptions(): Iterable<Subscription> {
    return this.subscriptionMap.values();
  }

  /** IncrementalAlterConfigs (ops) or AlterConfigs (replace: the whole new set) on one subscription. */
  alter(name: string, change: { readonly ops: readonly ConfigOp[] } | { readonly replace: ReadonlyMap<string, string> }, validateOnly: boolean): void {
    let next: Map<string, string>;
    if ('replace' in change) next = new Map(change.replace);
    else {
      next = new Map(this.configs.get(name));
      for (const c of change.ops) {
        if (c.op === 2 || c.op === 3) throw new KafkaError('INVALID_CONFIG', `Can't ${OP_NAMES[c.op]} to key ${c.name} because its type is not LIST.`);
        if (c.op === 1) next.delete(c.name);
        else next.set(c.name, c.value!);
      }
    }
    const subscription = validate(name, next);
    if (validateOnly) return;
    if (next.size === 0) {
      if (!this.configs.delete(name)) return;
      this.subscriptionMap.delete(name);
    } else {
      this.configs.set(name, next);
      this.subscriptionMap.set(name, subscription);
    }
    this.#version++;
  }

  /** DescribeConfigs of one CLIENT_METRICS resource: its configs, the defaults where unset. */
  describe(name: string, opts: DescribeOptions): DescribedConfig[] {
    if (name === '') throw new KafkaError('INVALID_REQUEST', 'Client metrics subscription name must not be empty');
    const set = this.configs.get(name);
    const wanted = opts.keys === null || opts.keys.length === 0 ? null : new Set(opts.keys);
    const out: DescribedConfig[] = [];
    for (const d of DEFS) {
      if (wanted !== null && !wanted.has(d.name)) continue;
      const value = set?.get(d.name);
      const source = value === undefined ? ConfigSource.DEFAULT_CONFIG : ConfigSource.CLIENT_METRICS_CONFIG;
      out.push({
        name: d.name,
        value: value ?? d.default,
        readOnly: false,
        configSource: source,
        isSensitive: false,
        synonyms: opts.includeSynonyms && value !== undefined ? [{ name: d.name, value, source }] : [],
        configType: d.type,
        documentation: opts.includeDocumentation ? d.doc : null,
      });
    }
    return out;
  }
}
