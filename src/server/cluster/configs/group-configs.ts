/**
 * GROUP config resources (KIP-848, KIP-932; resource type 32): per-group overrides of the group
 * coordinator's settings, as Kafka's GroupConfig and GroupConfigManager. `kafka-configs.sh
 * --entity-type groups` and Admin.incrementalAlterConfigs on a ConfigResource.Type.GROUP set them;
 * DescribeConfigs shows every key, the group's own value (source GROUP_CONFIG) or else the value
 * of its broker synonym group.<key> (with that broker config's source), as ConfigHelper's
 * createGroupConfigEntry: the synonyms are the group's own value, then the broker config's layers
 * (dynamic, static, default); a key without a broker config lists its GroupConfig default.
 *
 * The keys are Kafka 4.4's GroupConfig keys whose broker synonyms the 4.4 broker has (the
 * consumer.*, share.*, streams.* and dead-letter-queue keys); validation is Kafka's:
 * - an unknown key: INVALID_CONFIG "Unknown group config name: K";
 * - a value not of the key's type, or under its ConfigDef minimum: INVALID_CONFIG "Invalid value V
 *   for configuration K: ..." ;
 * - a value outside the broker's min/max for it: INVALID_CONFIG "K must be in the range MIN to MAX
 *   inclusive.";
 * - a session timeout not above the heartbeat interval (the group's or the broker's):
 *   INVALID_CONFIG "K must be greater than H";
 * - an empty group id: INVALID_REQUEST.
 * A group's configs may be set before the group exists (Kafka too); deleting the last override
 * drops the resource. In durable mode the overrides are kept in the data directory's metadata
 * file (persistence/data-dir.ts), as Kafka keeps them in its metadata log.
 */
import { KafkaError } from '../../../protocol/errors.js';
import { ConfigSource, ConfigType } from './topic-config-defs.js';
import type { DescribedConfig, DescribeOptions } from './config-store.js';
import type { DescribeConfigsResponseDescribeConfigsSynonym } from '../../../protocol/messages/describe-configs.js';

type Kind = 'INT' | 'LONG' | 'BOOLEAN' | 'STRING';

interface GroupConfigDef {
  readonly name: string;
  readonly kind: Kind;
  /** The broker config it overrides (its value is the default), or null. */
  readonly synonym: string | null;
  readonly fallback: string;
  /** ConfigDef's atLeast, for numbers. */
  readonly atLeast?: number;
  /** Broker configs bounding the value: [min key, max key] (min or max may be null). */
  readonly bounds?: readonly [string | null, string | null];
  /** ValidString.in, lower-case. */
  readonly oneOf?: readonly string[];
  readonly doc: string;
}

const DEFS: readonly GroupConfigDef[] = [
  { name: 'consumer.session.timeout.ms', kind: 'INT', synonym: 'group.consumer.session.timeout.ms', fallback: '45000', atLeast: 1, bounds: ['group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms'], doc: 'The timeout to detect client failures when using the consumer group protocol.' },
  { name: 'consumer.heartbeat.interval.ms', kind: 'INT', synonym: 'group.consumer.heartbeat.interval.ms', fallback: '5000', atLeast: 1, bounds: ['group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms'], doc: 'The heartbeat interval given to the members of a consumer group.' },
  { name: 'consumer.assignment.interval.ms', kind: 'INT', synonym: 'group.consumer.assignment.interval.ms', fallback: '1000', atLeast: 0, bounds: ['group.consumer.min.assignment.interval.ms', 'group.consumer.max.assignment.interval.ms'], doc: 'The minimum interval between assignment computations of a consumer group.' },
  { name: 'share.session.timeout.ms', kind: 'INT', synonym: 'group.share.session.timeout.ms', fallback: '45000', atLeast: 1, bounds: ['group.share.min.session.timeout.ms', 'group.share.max.session.timeout.ms'], doc: 'The timeout to detect client failures when using the share group protocol.' },
  { name: 'share.heartbeat.interval.ms', kind: 'INT', synonym: 'group.share.heartbeat.interval.ms', fallback: '5000', atLeast: 1, bounds: ['group.share.min.heartbeat.interval.ms', 'group.share.max.heartbeat.interval.ms'], doc: 'The heartbeat interval given to the members of a share group.' },
  { name: 'share.record.lock.duration.ms', kind: 'INT', synonym: 'group.share.record.lock.duration.ms', fallback: '30000', atLeast: 1000, bounds: ['group.share.min.record.lock.duration.ms', 'group.share.max.record.lock.duration.ms'], doc: 'The record acquisition lock duration in milliseconds for share groups.' },
  { name: 'share.delivery.count.limit', kind: 'INT', synonym: 'group.share.delivery.count.limit', fallback: '5', atLeast: 2, bounds: ['group.share.min.delivery.count.limit', 'group.share.max.delivery.count.limit'], doc: 'The maximum number of delivery attempts for a record delivered to a share group.' },
  { name: 'share.partition.max.record.locks', kind: 'INT', synonym: 'group.share.partition.max.record.locks', fallback: '2000', atLeast: 100, bounds: ['group.share.min.partition.max.record.locks', 'group.share.max.partition.max.record.locks'], doc: 'Share-group record lock limit per share-partition.' },
  { name: 'share.auto.offset.reset', kind: 'STRING', synonym: null, fallback: 'latest', doc: 'The strategy to initialize the share-partition start offset.' },
  { name: 'share.isolation.level', kind: 'STRING', synonym: null, fallback: 'read_uncommitted', oneOf: ['read_committed', 'read_uncommitted'], doc: 'Controls how to read records written transactionally.' },
  { name: 'share.renew.acknowledge.enable', kind: 'BOOLEAN', synonym: null, fallback: 'true', doc: 'Whether the renew acknowledge type is enabled for the share group.' },
  { name: 'share.assignment.interval.ms', kind: 'INT', synonym: 'group.share.assignment.interval.ms', fallback: '1000', atLeast: 0, bounds: ['group.share.min.assignment.interval.ms', 'group.share.max.assignment.interval.ms'], doc: 'The minimum interval between assignment computations of a share group.' },
  { name: 'streams.session.timeout.ms', kind: 'INT', synonym: 'group.streams.session.timeout.ms', fallback: '45000', atLeast: 1, bounds: ['group.streams.min.session.timeout.ms', 'group.streams.max.session.timeout.ms'], doc: 'The timeout to detect client failures when using the streams group protocol.' },
  { name: 'streams.heartbeat.interval.ms', kind: 'INT', synonym: 'group.streams.heartbeat.interval.ms', fallback: '5000', atLeast: 1, bounds: ['group.streams.min.heartbeat.interval.ms', 'group.streams.max.heartbeat.interval.ms'], doc: 'The heartbeat interval given to the members of a streams group.' },
  { name: 'streams.num.standby.replicas', kind: 'INT', synonym: 'group.streams.num.standby.replicas', fallback: '0', atLeast: 0, bounds: [null, 'group.streams.max.standby.replicas'], doc: 'The number of standby replicas for each task.' },
  { name: 'streams.initial.rebalance.delay.ms', kind: 'INT', synonym: 'group.streams.initial.rebalance.delay.ms', fallback: '3000', atLeast: 0, doc: 'The amount of time the group coordinator waits for more streams clients to join a new group before the first rebalance.' },
  { name: 'streams.assignment.interval.ms', kind: 'INT', synonym: 'group.streams.assignment.interval.ms', fallback: '1000', atLeast: 0, bounds: ['group.streams.min.assignment.interval.ms', 'group.streams.max.assignment.interval.ms'], doc: 'The minimum interval between assignment computations of a streams group.' },
  { name: 'errors.deadletterqueue.topic.name', kind: 'STRING', synonym: null, fallback: '', doc: 'The name of the topic to be used as the dead-letter queue (DLQ) topic for this share group.' },
  { name: 'errors.deadletterqueue.copy.record.enable', kind: 'BOOLEAN', synonym: null, fallback: 'false', doc: 'When writing onto the dead-letter queue topic, whether to copy the original record.' },
];

const BY_NAME = new Map(DEFS.map((d) => [d.name, d]));

/** Session timeout / heartbeat interval pairs that must keep session > heartbeat. */
const SESSION_PAIRS: readonly (readonly [string, string])[] = [
  ['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms'],
  ['share.session.timeout.ms', 'share.heartbeat.interval.ms'],
  ['streams.session.timeout.ms', 'streams.heartbeat.interval.ms'],
];

const CONFIG_TYPES: Record<Kind, number> = { INT: ConfigType.INT, LONG: ConfigType.LONG, BOOLEAN: ConfigType.BOOLEAN, STRING: ConfigType.STRING };

export interface GroupConfigOp {
  readonly name: string;
  /** AlterConfigOp: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. */
  readonly op: number;
  readonly value: string | null;
}

/** The broker's current value of a config (for defaults and bounds). */
export type BrokerValue = (name: string) => string | null;

/** Where a broker config's value comes from, layer by layer (ConfigHelper.configSynonyms). */
export type BrokerSynonyms = (name: string) => DescribeConfigsResponseDescribeConfigsSynonym[];

export class GroupConfigs {
  readonly #configs = new Map<string, Map<string, string>>();
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly brokerValue: BrokerValue,
    private readonly brokerSynonyms: BrokerSynonyms = () => [],
  ) {}

  /** The group's own value of a key, undefined when not set. */
  get(groupId: string, name: string): string | undefined {
    return this.#configs.get(groupId)?.get(name);
  }

  /** Groups with overrides (ListConfigResources). */
  names(): string[] {
    return [...this.#configs.keys()];
  }

  /** Overrides of one group (persistence). */
  overrides(groupId: string): ReadonlyMap<string, string> {
    return this.#configs.get(groupId) ?? new Map();
  }

  /** IncrementalAlterConfigs (ops) or AlterConfigs (replace) on one GROUP resource. */
  alter(groupId: string, change: { readonly ops: readonly GroupConfigOp[] } | { readonly replace: ReadonlyMap<string, string> }, validateOnly: boolean): void {
    if (groupId === '') throw new KafkaError('INVALID_REQUEST', 'Group name must not be empty');
    let next: Map<string, string>;
    if ('replace' in change) next = new Map(change.replace);
    else {
      next = new Map(this.#configs.get(groupId));
      for (const c of change.ops) {
        if (c.op === 2 || c.op === 3) throw new KafkaError('INVALID_CONFIG', `Can't ${c.op === 2 ? 'APPEND' : 'SUBTRACT'} to key ${c.name} because its type is not LIST.`);
        if (c.op === 1) next.delete(c.name);
        else next.set(c.name, c.value ?? '');
      }
    }
    this.#validate(next);
    if (validateOnly) return;
    if (next.size === 0) this.#configs.delete(groupId);
    else this.#configs.set(groupId, next);
    for (const fn of this.#listeners) fn();
  }

  /** Called after every change (durable mode keeps the overrides in its metadata file). */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Restores a group's overrides as read back from disk (durable mode). */
  restore(groupId: string, configs: ReadonlyMap<string, string>): void {
    if (configs.size === 0) this.#configs.delete(groupId);
    else this.#configs.set(groupId, new Map(configs));
  }

  describe(groupId: string, opts: DescribeOptions): DescribedConfig[] {
    if (groupId === '') throw new KafkaError('INVALID_REQUEST', 'Group name must not be empty');
    const set = this.#configs.get(groupId);
    const wanted = opts.keys === null || opts.keys.length === 0 ? null : new Set(opts.keys);
    const out: DescribedConfig[] = [];
    for (const d of DEFS) {
      if (wanted !== null && !wanted.has(d.name)) continue;
      const own = set?.get(d.name);
      const value = own ?? this.#default(d);
      const inherited = d.synonym !== null ? this.brokerSynonyms(d.synonym) : [{ name: d.name, value: d.fallback, source: ConfigSource.DEFAULT_CONFIG }];
      const synonyms = own === undefined ? inherited : [{ name: d.name, value: own, source: ConfigSource.GROUP_CONFIG }, ...inherited];
      out.push({
        name: d.name,
        value,
        readOnly: false,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
        synonyms: opts.includeSynonyms ? synonyms : [],
        configType: CONFIG_TYPES[d.kind],
        documentation: opts.includeDocumentation ? d.doc : null,
      });
    }
    return out;
  }

  #default(d: GroupConfigDef): string {
    return (d.synonym !== null ? this.brokerValue(d.synonym) : null) ?? d.fallback;
  }

  #brokerInt(name: string | null): number | null {
    if (name === null) return null;
    const v = this.brokerValue(name);
    return v === null || !Number.isFinite(Number(v)) ? null : Number(v);
  }

  /** GroupConfig.validate: names, types, ConfigDef ranges, broker bounds, session > heartbeat. */
  #validate(configs: ReadonlyMap<string, string>): void {
    const invalid = (message: string) => new KafkaError('INVALID_CONFIG', message);
    for (const [name, raw] of configs) {
      const d = BY_NAME.get(name);
      if (d === undefined) throw invalid(`Unknown group config name: ${name}`);
      const value = raw.trim();
      if (d.kind === 'INT' || d.kind === 'LONG') {
        const intLimit = d.kind === 'INT' ? 2147483647 : Number.MAX_SAFE_INTEGER;
        if (!/^[+-]?\d+$/.test(value) || Math.abs(Number(value)) > intLimit) throw invalid(`Invalid value ${raw} for configuration ${name}: Not a number of type ${d.kind}`);
        const n = Number(value);
        if (d.atLeast !== undefined && n < d.atLeast) throw invalid(`Invalid value ${n} for configuration ${name}: Value must be at least ${d.atLeast}`);
        const [minKey, maxKey] = d.bounds ?? [null, null];
        const min = this.#brokerInt(minKey);
        const max = this.#brokerInt(maxKey);
        if (min !== null && max !== null && (n < min || n > max)) throw invalid(`${name} must be in the range ${min} to ${max} inclusive.`);
        if (min === null && max !== null && n > max) throw invalid(`${name} must be less than or equal to ${max}`);
      } else if (d.kind === 'BOOLEAN') {
        if (!/^(true|false)$/i.test(value)) throw invalid(`Invalid value ${raw} for configuration ${name}: Expected value to be either true or false`);
      } else if (d.oneOf !== undefined && !d.oneOf.includes(value.toLowerCase())) {
        throw invalid(`Invalid value ${raw} for configuration ${name}: String must be one of: ${d.oneOf.join(', ')}`);
      } else if (name === 'share.auto.offset.reset' && !validReset(value)) {
        throw invalid(`Invalid value ${raw} for configuration ${name}: Invalid value \`${raw}\` for configuration ${name}. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS.>'.`);
      } else if (name === 'errors.deadletterqueue.topic.name' && value.startsWith('__')) {
        throw invalid(`${name}: DLQ topic name must not start with '__'`);
      }
    }
    for (const [session, heartbeat] of SESSION_PAIRS) {
      if (!configs.has(session) && !configs.has(heartbeat)) continue;
      const s = Number(configs.get(session) ?? this.#default(BY_NAME.get(session)!));
      const h = Number(configs.get(heartbeat) ?? this.#default(BY_NAME.get(heartbeat)!));
      if (s <= h) throw invalid(`${session} must be greater than ${heartbeat}`);
    }
  }
}

function validReset(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'earliest' || v === 'latest') return true;
  if (!v.startsWith('by_duration:')) return false;
  return /^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/i.test(value.slice('by_duration:'.length)) && !/^PT?$/i.test(value.slice('by_duration:'.length));
}
