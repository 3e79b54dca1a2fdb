/**
 * Applies fault rules (fault-rules.ts) and seeded chaos (chaos.ts) to requests, through the
 * dispatcher's interceptor hook: one interceptor per broker, bound to its node id.
 *
 * For one request, every matching rule counts it (hits, and `count` limits); their actions
 * combine in this order: hang, then latency (summed), then the first matching error or
 * disconnect, then throttle. Chaos only acts on a request no rule failed.
 */
import type { Clock, TimerHandle } from '../../util/clock.js';
import { ApiKey } from '../../protocol/messages/api-table.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import type { ControlAction as InterceptAction, ControlledRequest as InterceptedRequest, ControlInterceptor as Interceptor } from './control-target.js';
import { parseFaultSpec, partitionMatches, scopeMatches, viewOf } from './fault-rules.js';
import type { FaultAction, FaultRule, FaultRuleView, FaultSpec, RequestFacts } from './fault-rules.js';
import { requestTopics } from './request-topics.js';
import type { TopicNameOf } from './request-topics.js';
import { splitProduce } from './produce-split.js';
import { Chaos } from './chaos.js';
import type { ChaosSettings } from './chaos.js';
import { badRequest } from './control-error.js';

export interface FaultInjectorEnv {
  readonly clock: Clock;
  readonly topicNameOf: TopicNameOf;
  /** Whether an API's handler can answer a whole-request error code. */
  readonly canAnswerError: (apiKey: number) => boolean;
}

interface LiveRule extends FaultRule {
  readonly expiry: TimerHandle | null;
  /** Releases of the requests this rule holds (hang). */
  readonly hung: Set<() => void>;
}

type Terminal = Extract<FaultAction, { kind: 'error' | 'disconnect' }>;

export class FaultInjector {
  readonly #env: FaultInjectorEnv;
  readonly #rules = new Map<number, LiveRule>();
  #nextId = 1;
  #chaos: Chaos | null = null;

  constructor(env: FaultInjectorEnv) {
    this.#env = env;
  }

  /** Adds a rule (validated; throws a BAD_REQUEST ControlError) and returns it as listed. */
  add(spec: FaultSpec | Record<string, unknown>): FaultRuleView {
    const { scope, action, count, durationMs } = parseFaultSpec(spec);
    if (action.kind === 'error' && scope.apiKey !== null && !this.#env.canAnswerError(scope.apiKey)) {
      throw badRequest(`the broker cannot answer ${String(spec.api)} with an error code (it does not serve it, or has no error response for it); use disconnect`);
    }
    const id = this.#nextId++;
    const expiresAt = durationMs === null ? null : this.#env.clock.now() + durationMs;
    const expiry = durationMs === null ? null : this.#env.clock.setTimeout(() => this.remove(id), durationMs);
    const rule: LiveRule = { id, scope, action, remaining: count, expiresAt, hits: 0, expiry, hung: new Set() };
    this.#rules.set(id, rule);
    return viewOf(rule);
  }

  list(): FaultRuleView[] {
    return [...this.#rules.values()].map(viewOf);
  }

  get(id: number): FaultRuleView | undefined {
    const r = this.#rules.get(id);
    return r === undefined ? undefined : viewOf(r);
  }

  /** Removes a rule; requests it holds (hang) go on to be handled. False if there was none. */
  remove(id: number): boolean {
    const rule = this.#rules.get(id);
    if (rule === undefined) return false;
    this.#rules.delete(id);
    if (rule.expiry !== null) this.#env.clock.clearTimeout(rule.expiry);
    for (const release of [...rule.hung]) release();
    return true;
  }

  /** Removes every rule and stops chaos; returns how many rules there were. */
  clear(): number {
    const n = this.#rules.size;
    for (const id of [...this.#rules.keys()]) this.remove(id);
    this.#chaos = null;
    return n;
  }

  setChaos(settings: ChaosSettings | null): void {
    if (settings !== null && !(settings.rate >= 0 && settings.rate <= 1 && Number.isSafeInteger(settings.seed))) throw badRequest('chaos needs a rate from 0 to 1 and an integer seed');
    this.#chaos = settings === null ? null : new Chaos(settings);
  }

  /** Whether any rule or chaos may act: the interceptor need not be installed otherwise. */
  get active(): boolean {
    return this.#rules.size > 0 || this.#chaos !== null;
  }

  get chaos(): Chaos | null {
    return this.#chaos;
  }

  /** The interceptor for one broker. */
  interceptorFor(brokerId: number): Interceptor {
    return (req) => (this.#rules.size === 0 && this.#chaos === null ? undefined : this.#apply(brokerId, req));
  }

  #apply(broker: number, req: InterceptedRequest): InterceptAction | undefined | Promise<InterceptAction | undefined> {
    const envTopicNameOf = this.#env.topicNameOf;
    let topics: RequestFacts['topics'] | undefined;
    const facts: RequestFacts = {
      broker,
      apiKey: req.apiKey,
      clientId: req.clientId,
      // Decoded only when a rule is scoped to a topic.
      get topics() {
        return (topics ??= requestTopics(req.apiKey, req.body, envTopicNameOf));
      },
    };
    const canAnswerError = this.#env.canAnswerError(req.apiKey);
    let hang: LiveRule | null = null;
    let latencyMs = 0;
    let throttleMs = 0;
    let terminal: { action: Terminal; rule: LiveRule | null } | null = null;
    for (const rule of [...this.#rules.values()]) {
      if (rule.remaining === 0 || !scopeMatches(rule.scope, facts)) continue;
      const a = rule.action;
      // A rule-wide error on an API that has no error answer does not apply to it.
      if (a.kind === 'error' && !canAnswerError) continue;
      rule.hits++;
      if (rule.remaining !== null) rule.remaining--;
      if (a.kind === 'hang') hang ??= rule;
      else if (a.kind === 'latency') latencyMs += a.ms;
      else if (a.kind === 'throttle') throttleMs = Math.max(throttleMs, a.ms);
      else terminal ??= { action: a, rule };
      // An exhausted rule goes, unless it still holds hung requests (removing it releases them).
      if (rule.remaining === 0 && rule.hung.size === 0 && rule !== hang) this.remove(rule.id);
    }
    if (terminal === null && this.#chaos !== null) {
      const f = this.#chaos.decide(broker, req.apiKey, canAnswerError);
      if (f !== null) terminal = { action: f.kind === 'error' ? { kind: 'error', code: f.code } : { kind: 'disconnect', after: false }, rule: null };
    }
    if (hang === null && latencyMs === 0 && terminal === null && throttleMs === 0) return undefined;
    const finish = (): InterceptAction | undefined => this.#act(req, terminal, throttleMs);
    if (hang === null && latencyMs === 0) return finish();
    return this.#wait(req, hang, latencyMs).then((closed) => (closed ? { action: 'drop' } : finish()));
  }

  /** Holds the request (hang, then latency); resolves true if its connection closed meanwhile. */
  async #wait(req: InterceptedRequest, hang: LiveRule | null, latencyMs: number): Promise<boolean> {
    if (hang !== null) {
      const closed = await new Promise<boolean>((resolve) => {
        const release = (closed: boolean) => {
          hang.hung.delete(onRelease);
          // An exhausted rule is gone once its last hung request is let go.
          if (hang.remaining === 0 && hang.hung.size === 0) this.remove(hang.id);
          resolve(closed);
        };
        const onRelease = () => release(false);
        hang.hung.add(onRelease);
        if (!this.#rules.has(hang.id)) release(false);
        req.connection.onClose(() => release(true));
      });
      if (closed) return true;
    }
    if (latencyMs > 0) await new Promise<void>((resolve) => this.#env.clock.setTimeout(resolve, latencyMs));
    return req.connection.closed;
  }

  #act(req: InterceptedRequest, terminal: { action: Terminal; rule: LiveRule | null } | null, throttleMs: number): InterceptAction | undefined {
    const throttle = throttleMs > 0 ? (resp: unknown) => withThrottle(resp, throttleMs) : undefined;
    if (terminal === null) return throttle === undefined ? undefined : { action: 'pass', after: throttle };
    const a = terminal.action;
    if (a.kind === 'disconnect') return a.after ? { action: 'pass', after: () => 'close' } : { action: 'close' };
    if (req.apiKey === ApiKey.Produce) return this.#produceError(req, a.code, terminal.rule, throttle);
    return { action: 'error', errorCode: a.code };
  }

  /**
   * Produce: only the partitions the failing rules name get the error. acks=0 has no answer to
   * carry it, so its connection is closed, as Kafka does when an acks=0 produce fails.
   */
  #produceError(req: InterceptedRequest, code: number, rule: LiveRule | null, throttle: ((resp: unknown) => unknown) | undefined): InterceptAction {
    const body = req.body as ProduceRequest;
    if (body.acks === 0) return { action: 'close' };
    // A rule without topic scope (or chaos) fails every partition.
    const split = rule === null || rule.scope.topic === null ? null : splitProduce(body, this.#env.topicNameOf, (t, p) => partitionMatches(rule.scope, t, p), code);
    if (split === null || split.rest === null) return { action: 'error', errorCode: code };
    const merge = split.merge;
    return { action: 'pass', body: split.rest, after: (resp) => (throttle ? throttle(merge(resp as ProduceResponse)) : merge(resp as ProduceResponse)) };
  }
}

function withThrottle(resp: unknown, ms: number): unknown {
  if (resp === null || typeof resp !== 'object' || !('throttleTimeMs' in resp)) return resp;
  return { ...resp, throttleTimeMs: ms };
}
