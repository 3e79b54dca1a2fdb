/**
 * Quota enforcement of one broker (Kafka's ClientQuotaManager, one per quota type: produce bytes,
 * fetch bytes, request time). Quotas are per broker, as in Kafka: each broker measures the load
 * it receives against the full quota.
 *
 * Which quota applies to (user, client-id) is the first entity with this manager's key set, in
 * Kafka's precedence (DefaultQuotaCallback):
 *   1. user + client-id           5. default user + default client-id
 *   2. user + default client-id   6. default user
 *   3. user                       7. client-id
 *   4. default user + client-id   8. default client-id
 * The rate is measured per the matched level's tags: a default quota gives each user/client its
 * own rate (tags are the real names), a user-level quota is one rate for all that user's clients.
 *
 * Every value is recorded, then the rate is checked: above the bound, the throttle time is
 * Kafka's QuotaUtils.throttleTime, (rate - bound) / bound * window size, rounded; request time
 * throttles are capped at one quota window (ClientRequestQuotaManager).
 *
 * Sensors idle for an hour are dropped (Kafka's inactive sensor expiration), so client ids that
 * come and go do not grow memory.
 */
import { SampledRate } from './sampled-rate.js';
import type { RateConfig } from './sampled-rate.js';
import type { ClientQuotaStore } from './client-quotas.js';

export type QuotaKey = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage';

const INACTIVE_SENSOR_MS = 3600_000;

interface Resolved {
  readonly tags: string;
  readonly bound: number;
}

export class ClientQuotaManager {
  readonly #sensors = new Map<string, SampledRate>();
  #resolvedVersion = -1;
  readonly #resolved = new Map<string, Resolved | null>();
  #lastSweepMs = 0;

  constructor(
    readonly key: QuotaKey,
    private readonly store: ClientQuotaStore,
    private readonly config: () => RateConfig,
    /** Upper bound of a throttle time (request quotas: one window), or Infinity. */
    private readonly maxThrottleMs: (c: RateConfig) => number = () => Infinity,
  ) {}

  /** Forgets every client's recorded rate (the control plane's reset): no throttling carried over. */
  clear(): number {
    const n = this.#sensors.size;
    this.#sensors.clear();
    this.#resolved.clear();
    this.#resolvedVersion = -1;
    return n;
  }

  /** The quota that applies to a client, or null when none does (it is then never throttled). */
  quotaFor(user: string, clientId: string): number | null {
    return this.#resolve(user, clientId)?.bound ?? null;
  }

  /**
   * ClientQuotaManager.recordAndGetThrottleTimeMs: records `value` for the client and returns
   * the time to throttle it, 0 within its quota.
   */
  record(user: string, clientId: string, value: number, nowMs: number): number {
    const q = this.#resolve(user, clientId);
    if (q === null) return 0;
    this.#sweep(nowMs);
    const cfg = this.config();
    let rate = this.#sensors.get(q.tags);
    if (rate === undefined) {
      rate = new SampledRate(cfg);
      this.#sensors.set(q.tags, rate);
    }
    rate.record(value, nowMs);
    const measured = rate.measure(nowMs);
    if (measured <= q.bound) return 0;
    const throttle = Math.round(((measured - q.bound) / q.bound) * rate.windowSize(nowMs));
    return Math.min(throttle, this.maxThrottleMs(cfg));
  }

  /** Takes back a recorded value (a throttled fetch answers empty: KafkaApis unrecords its bytes). */
  unrecord(user: string, clientId: string, value: number, nowMs: number): void {
    const q = this.#resolve(user, clientId);
    if (q !== null) this.#sensors.get(q.tags)?.unrecord(value, nowMs);
  }

  /**
   * ClientQuotaManager.getMaxValueInQuotaWindow: what a client may take in one quota window
   * (bound × (samples − 1) × window), used to cap a fetch's size; Infinity without a quota.
   */
  maxValueInQuotaWindow(user: string, clientId: string): number {
    const q = this.#resolve(user, clientId);
    if (q === null) return Infinity;
    const cfg = this.config();
    return (q.bound * (cfg.samples - 1) * cfg.windowMs) / 1000;
  }

  #resolve(user: string, clientId: string): Resolved | null {
    if (this.#resolvedVersion !== this.store.version) {
      this.#resolved.clear();
      this.#resolvedVersion = this.store.version;
    }
    const cacheKey = JSON.stringify([user, clientId]);
    let r = this.#resolved.get(cacheKey);
    if (r === undefined) {
      r = this.#lookup(user, clientId);
      // Bounded like the sensors: a flood of client ids cannot grow the cache without end.
      if (this.#resolved.size >= 10_000) this.#resolved.clear();
      this.#resolved.set(cacheKey, r);
    }
    return r;
  }

  #lookup(user: string, clientId: string): Resolved | null {
    const both = JSON.stringify([user, clientId]);
    const userOnly = JSON.stringify([user, '']);
    const clientOnly = JSON.stringify(['', clientId]);
    // [user entity, client entity] per level: a name, null for the default, undefined for absent.
    const levels: [string | null | undefined, string | null | undefined, string][] = [
      [user, clientId, both],
      [user, null, both],
      [user, undefined, userOnly],
      [null, clientId, both],
      [null, null, both],
      [null, undefined, userOnly],
      [undefined, clientId, clientOnly],
      [undefined, null, clientOnly],
    ];
    for (const [u, c, tags] of levels) {
      const bound = this.store.get(u, c, this.key);
      if (bound !== undefined) return { tags, bound };
    }
    return null;
  }

  #sweep(nowMs: number): void {
    if (nowMs - this.#lastSweepMs < 60_000) return;
    this.#lastSweepMs = nowMs;
    for (const [tags, rate] of this.#sensors) if (nowMs - rate.lastRecordMs >= INACTIVE_SENSOR_MS) this.#sensors.delete(tags);
  }
}

/** The three quota managers of a broker that clients' data requests meet. */
export class BrokerQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;

  constructor(store: ClientQuotaStore, config: () => RateConfig) {
    this.produce = new ClientQuotaManager('producer_byte_rate', store, config);
    this.fetch = new ClientQuotaManager('consumer_byte_rate', store, config);
    this.request = new ClientQuotaManager('request_percentage', store, config, (c) => c.windowMs);
  }

  /** Forgets the recorded rates of every client (the control plane's reset); returns how many there were. */
  clear(): number {
    return this.produce.clear() + this.fetch.clear() + this.request.clear();
  }
}

/**
 * The user a connection's quotas are looked up by: Kafka's principal name. Without SASL every
 * client is User:ANONYMOUS, as in Kafka with PLAINTEXT listeners.
 */
export const ANONYMOUS_USER = 'ANONYMOUS';
