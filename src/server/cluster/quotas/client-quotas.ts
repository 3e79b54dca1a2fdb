/**
 * The client quotas of the cluster (Kafka's ClientQuotaControlManager and ClientQuotasImage): a
 * map from quota entity (user, client-id or ip, each with a name or null for the default) to
 * quota values, changed by AlterClientQuotas and read by DescribeClientQuotas and by the quota
 * managers that enforce them.
 *
 * Entity combinations Kafka allows: user, client-id, user + client-id (keys producer_byte_rate,
 * consumer_byte_rate, request_percentage, controller_mutation_rate) and ip alone
 * (connection_creation_rate). Validation and its messages are Kafka 4.4's
 * (ClientQuotaControlManager.alterClientQuotas, ClientQuotasImage.describe).
 *
 * Deviations: entities are described in the order they were first set (Kafka: hash-map order);
 * an entity in a message lists its parts in request order (Kafka: hash-map order).
 */
import { ErrorCode, KafkaError } from '../../../protocol/errors.js';

export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** One part of an entity; name null is the default entity of that type. */
export interface QuotaEntityPart {
  readonly entityType: string;
  readonly entityName: string | null;
}

export interface QuotaOp {
  readonly key: string;
  /** null removes the key. */
  readonly value: number | null;
}

export interface QuotaAlteration {
  readonly entity: readonly QuotaEntityPart[];
  readonly ops: readonly QuotaOp[];
}

export interface QuotaAlterResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DescribedQuota {
  readonly entity: QuotaEntityPart[];
  readonly values: { key: string; value: number }[];
}

/** DescribeClientQuotas match types. */
export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface QuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

const INVALID_REQUEST = ErrorCode.INVALID_REQUEST;

type KeyType = 'LONG' | 'DOUBLE' | 'INT';

/** QuotaConfig.userAndClientQuotaConfigs. */
const USER_CLIENT_KEYS: ReadonlyMap<string, KeyType> = new Map([
  ['producer_byte_rate', 'LONG'],
  ['consumer_byte_rate', 'LONG'],
  ['request_percentage', 'DOUBLE'],
  ['controller_mutation_rate', 'DOUBLE'],
]);
/** QuotaConfig.ipConfigs. */
const IP_KEYS: ReadonlyMap<string, KeyType> = new Map([['connection_creation_rate', 'INT']]);

const ALL_TYPES: readonly string[] = [QuotaEntityType.USER, QuotaEntityType.CLIENT_ID, QuotaEntityType.IP];

interface Stored {
  readonly entity: QuotaEntityPart[];
  readonly values: Map<string, number>;
}

/** Canonical key of an entity: its parts sorted by type, so part order does not matter. */
function entityKey(parts: ReadonlyMap<string, string | null>): string {
  return JSON.stringify([...parts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** ClientQuotaEntity.toString, as Kafka's messages print an entity. */
function entityText(parts: ReadonlyMap<string, string | null>): string {
  return `ClientQuotaEntity(entries={${[...parts.entries()].map(([t, n]) => `${t}=${n}`).join(', ')}})`;
}

export class ClientQuotaStore {
  readonly #entities = new Map<string, Stored>();
  readonly #listeners: (() => void)[] = [];
  /** Bumped on every change, so quota managers can cache their lookups. */
  #version = 0;

  get version(): number {
    return this.#version;
  }

  /** Called after every change that was applied (not on validateOnly); returns an unsubscribe. */
  onChange(fn: () => void): () => void {
    this.#listeners.push(fn);
    return () => {
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** The value of one quota key of one exact entity (null name = default), if set. */
  get(user: string | null | undefined, clientId: string | null | undefined, key: string): number | undefined {
    const parts = new Map<string, string | null>();
    if (user !== undefined) parts.set(QuotaEntityType.USER, user);
    if (clientId !== undefined) parts.set(QuotaEntityType.CLIENT_ID, clientId);
    return this.#entities.get(entityKey(parts))?.values.get(key);
  }

  /** Everything stored, for persistence. */
  all(): DescribedQuota[] {
    return [...this.#entities.values()].map((s) => ({ entity: s.entity.map((p) => ({ ...p })), values: [...s.values].map(([key, value]) => ({ key, value })) }));
  }

  /**
   * ClientQuotaControlManager.alterClientQuotas: one result per alteration, all validated first
   * and applied together unless validateOnly. `resolvable` says whether an ip entity name is an
   * address or a host name that resolves (InetAddress.getByName), decided by the caller.
   */
  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean, resolvable: (host: string) => boolean): QuotaAlterResult[] {
    const results: QuotaAlterResult[] = [];
    const changes: { key: string; entity: QuotaEntityPart[]; values: Map<string, number | null> }[] = [];
    const seen = new Map<string, number>();
    for (const alt of alterations) {
      // The request's entity becomes a map: a repeated type keeps its last name (AlterClientQuotasRequest).
      const parts = new Map<string, string | null>();
      for (const p of alt.entity) parts.set(p.entityType, p.entityName);
      const key = entityKey(parts);
      const ops = new Map<string, number | null>();
      let duplicate = false;
      for (const op of alt.ops) {
        if (ops.has(op.key)) duplicate = true;
        else ops.set(op.key, op.value);
      }
      // Kafka keys its results by entity: a repeated key, or an entity already answered, ends as
      // "Ignoring duplicate entity" (the repeated key's own message is overwritten by it), and
      // the earlier answer for the same entity is replaced while its changes still apply.
      const earlier = seen.get(key);
      if (duplicate || earlier !== undefined) {
        const dup = { errorCode: INVALID_REQUEST, errorMessage: `Ignoring duplicate entity ${entityText(parts)}` };
        if (earlier !== undefined) results[earlier] = dup;
        seen.set(key, results.length);
        results.push(dup);
        continue;
      }
      seen.set(key, results.length);
      const error = this.#validate(parts, ops, resolvable);
      if (error !== null) {
        results.push({ errorCode: INVALID_REQUEST, errorMessage: error });
        continue;
      }
      results.push({ errorCode: 0, errorMessage: null });
      changes.push({ key, entity: [...parts].map(([entityType, entityName]) => ({ entityType, entityName })), values: ops });
    }
    if (!validateOnly && changes.length > 0) {
      for (const c of changes) this.#apply(c.key, c.entity, c.values);
      this.#version++;
      for (const fn of this.#listeners) fn();
    }
    return results;
  }

  /** Restores stored quotas (persistence), without validation or listeners. */
  load(quotas: readonly DescribedQuota[]): void {
    for (const q of quotas) {
      const parts = new Map(q.entity.map((p) => [p.entityType, p.entityName] as const));
      this.#apply(entityKey(parts), [...q.entity], new Map(q.values.map((v) => [v.key, v.value])));
    }
    this.#version++;
  }

  #apply(key: string, entity: QuotaEntityPart[], values: ReadonlyMap<string, number | null>): void {
    let stored = this.#entities.get(key);
    for (const [k, v] of values) {
      if (v === null) {
        stored?.values.delete(k);
        continue;
      }
      if (stored === undefined) {
        stored = { entity, values: new Map() };
        this.#entities.set(key, stored);
      }
      stored.values.set(k, v);
    }
    if (stored !== undefined && stored.values.size === 0) this.#entities.delete(key);
  }

  #validate(parts: ReadonlyMap<string, string | null>, ops: ReadonlyMap<string, number | null>, resolvable: (host: string) => boolean): string | null {
    if (parts.size === 0) return 'Invalid empty client quota entity';
    for (const [type, name] of parts) {
      if (!ALL_TYPES.includes(type)) return `Unhandled client quota entity type: ${type}`;
      if (name !== null && name === '') return `Empty ${type} not supported`;
    }
    let keys: ReadonlyMap<string, KeyType>;
    if (parts.has(QuotaEntityType.IP)) {
      if (parts.size > 1) return 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId';
      const ip = parts.get(QuotaEntityType.IP)!;
      if (ip !== null && !resolvable(ip)) return `${ip} is not a valid IP or resolvable host.`;
      keys = IP_KEYS;
    } else {
      keys = USER_CLIENT_KEYS;
    }
    for (const [key, value] of ops) {
      if (value === null) continue;
      const problem = valueProblem(keys, key, value);
      if (problem !== null) return problem;
    }
    return null;
  }

  /** ClientQuotasImage.describe: throws KafkaError for a bad filter, as Kafka fails the request. */
  describe(components: readonly QuotaFilterComponent[], strict: boolean): DescribedQuota[] {
    const exact = new Map<string, string | null>();
    const typed = new Set<string>();
    for (const c of components) {
      if (c.entityType === '') throw new KafkaError('INVALID_REQUEST', 'Invalid empty entity type.');
      if (exact.has(c.entityType) || typed.has(c.entityType)) {
        throw new KafkaError('INVALID_REQUEST', `Entity type ${c.entityType} cannot appear more than once in the filter.`);
      }
      if (!ALL_TYPES.includes(c.entityType)) throw new KafkaError('UNSUPPORTED_VERSION', `Unsupported entity type ${c.entityType}`);
      switch (c.matchType) {
        case MatchType.EXACT:
          if (c.match === null) throw new KafkaError('INVALID_REQUEST', 'Request specified MATCH_TYPE_EXACT, but set match string to null.');
          exact.set(c.entityType, c.match);
          break;
        case MatchType.DEFAULT:
          if (c.match !== null) throw new KafkaError('INVALID_REQUEST', 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
          exact.set(c.entityType, null);
          break;
        case MatchType.SPECIFIED:
          if (c.match !== null) throw new KafkaError('INVALID_REQUEST', 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
          typed.add(c.entityType);
          break;
        default:
          throw new KafkaError('INVALID_REQUEST', `Unknown match type ${c.matchType}`);
      }
    }
    const hasIp = exact.has(QuotaEntityType.IP) || typed.has(QuotaEntityType.IP);
    const hasOther = [QuotaEntityType.USER, QuotaEntityType.CLIENT_ID].some((t) => exact.has(t) || typed.has(t));
    if (hasIp && hasOther) {
      throw new KafkaError('INVALID_REQUEST', 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
    }
    const out: DescribedQuota[] = [];
    for (const s of this.#entities.values()) {
      const parts = new Map(s.entity.map((p) => [p.entityType, p.entityName] as const));
      if (strict && parts.size !== exact.size + typed.size) continue;
      if ([...exact].some(([t, n]) => !parts.has(t) || parts.get(t) !== n)) continue;
      if ([...typed].some((t) => !parts.has(t))) continue;
      out.push({ entity: s.entity.map((p) => ({ ...p })), values: [...s.values].map(([key, value]) => ({ key, value })) });
    }
    return out;
  }
}

/** ClientQuotaControlManager.validateQuotaKeyValue. */
function valueProblem(keys: ReadonlyMap<string, KeyType>, key: string, value: number): string | null {
  const type = keys.get(key);
  if (type === undefined) return `Invalid configuration key ${key}`;
  if (!(value > 0)) return `Quota ${key} must be greater than 0`;
  if (type === 'DOUBLE') return null;
  if (type === 'INT' && value > 2147483647) return `Proposed value for ${key} is too large for an INT.`;
  if (type === 'LONG' && value > 9223372036854775807) return `Proposed value for ${key} is too large for a LONG.`;
  if (Math.abs(value % 1) > 1e-6) return `${key} cannot be a fractional value.`;
  return null;
}
