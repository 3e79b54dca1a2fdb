/**
 * Faults as data: a rule is a scope (which requests), an action (what happens to them) and
 * limits (for how many requests, for how long), as librdkafka's mock cluster
 * (rd_kafka_mock_push_request_errors, rd_kafka_mock_broker_set_rtt) and franz-go kfake's
 * ControlKey express them. The same JSON object is taken by the fixture API, the HTTP API and
 * `minikafka ctl fault add`:
 *
 *   { "api": "Produce", "topic": "orders", "action": "error", "error": "NOT_LEADER_OR_FOLLOWER", "count": 3 }
 *
 * Scope (every field optional; a missing one matches anything):
 *   broker    node id of the broker that receives the request
 *   api       API name as Kafka spells it ("Produce", "Fetch"; case and "_" ignored) or API key
 *   topic     a request naming this topic (by name or topic id)
 *   partition with `topic`: a request naming this partition of it
 *   clientId  the request header's client.id
 *
 * Actions:
 *   error       answer with this error code (name or number): per matching partition for
 *               Produce (the other partitions are handled normally), otherwise for the whole
 *               request through the handler's error response
 *   latency     hold the request `ms` on the broker's clock before handling it
 *   disconnect  close the connection, `when` "before" handling (default) or "after" it (the
 *               request takes effect, its response is lost)
 *   hang        no answer until the rule is removed or expires (the request is then handled)
 *               or the connection closes
 *   throttle    answer normally with throttle_time_ms = `ms` (the client backs off, KIP-219)
 *
 * Limits: `count` requests (the rule is removed after the last), `durationMs` on the broker's
 * clock from when the rule is added (a frozen clock keeps it active until advanced).
 */
import { ErrorCode, errorInfo, isKnownErrorCode } from '../../protocol/errors.js';
import type { ErrorName } from '../../protocol/errors.js';
import { apiInfoByKey, apiInfos } from '../../protocol/messages/api-table.js';
import { badRequest } from './control-error.js';
import type { RequestTopic } from './request-topics.js';

export type FaultActionSpec =
  | { readonly action: 'error'; readonly error: string | number }
  | { readonly action: 'latency'; readonly ms: number }
  | { readonly action: 'disconnect'; readonly when?: 'before' | 'after' }
  | { readonly action: 'hang' }
  | { readonly action: 'throttle'; readonly ms: number };

export interface FaultScopeSpec {
  readonly broker?: number;
  readonly api?: string | number;
  readonly topic?: string;
  readonly partition?: number;
  readonly clientId?: string;
}

export interface FaultLimitSpec {
  readonly count?: number;
  readonly durationMs?: number;
}

/** A fault as given by a test: scope, action and limits in one flat object. */
export type FaultSpec = FaultScopeSpec & FaultActionSpec & FaultLimitSpec;

export type FaultAction =
  | { readonly kind: 'error'; readonly code: number }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'disconnect'; readonly after: boolean }
  | { readonly kind: 'hang' }
  | { readonly kind: 'throttle'; readonly ms: number };

export interface FaultScope {
  readonly broker: number | null;
  readonly apiKey: number | null;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly clientId: string | null;
}

/** A validated rule as the injector keeps it. */
export interface FaultRule {
  readonly id: number;
  readonly scope: FaultScope;
  readonly action: FaultAction;
  /** Requests left before the rule is removed; null: no count limit. */
  remaining: number | null;
  /** Broker-clock time after which the rule no longer applies; null: none. */
  readonly expiresAt: number | null;
  /** Requests it has acted on. */
  hits: number;
}

/** A rule as listed: its spec in canonical form plus its counters. */
export interface FaultRuleView {
  readonly id: number;
  readonly broker?: number;
  readonly api?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly clientId?: string;
  readonly action: FaultAction['kind'];
  readonly error?: string;
  readonly ms?: number;
  readonly when?: 'before' | 'after';
  readonly remaining: number | null;
  readonly expiresAt: number | null;
  readonly hits: number;
}

/** What the matcher needs to know about one request. */
export interface RequestFacts {
  readonly broker: number;
  readonly apiKey: number;
  readonly clientId: string | null;
  /** null when the API names no topics. */
  readonly topics: readonly RequestTopic[] | null;
}

const SCOPE_KEYS = ['broker', 'api', 'topic', 'partition', 'clientId'] as const;
const LIMIT_KEYS = ['count', 'durationMs'] as const;
const ACTION_KEYS: Readonly<Record<FaultAction['kind'], readonly string[]>> = {
  error: ['error'],
  latency: ['ms'],
  disconnect: ['when'],
  hang: [],
  throttle: ['ms'],
};

const API_BY_NAME: ReadonlyMap<string, number> = new Map(apiInfos.map((a) => [normalizeApiName(a.name), a.apiKey]));

function normalizeApiName(name: string): string {
  return name.replace(/[_\-\s]/g, '').toLowerCase();
}

/** Resolves an API name (any case, with or without "_") or key; throws a BAD_REQUEST ControlError. */
export function apiKeyOf(api: string | number): number {
  if (typeof api === 'number') {
    if (!apiInfoByKey.has(api)) throw badRequest(`unknown API key ${api}`);
    return api;
  }
  const key = /^\d+$/.test(api) ? Number(api) : API_BY_NAME.get(normalizeApiName(api));
  if (key === undefined || !apiInfoByKey.has(key)) throw badRequest(`unknown API '${api}' (give Kafka's name, e.g. Produce, or its key)`);
  return key;
}

/** Resolves an error name (e.g. NOT_LEADER_OR_FOLLOWER) or code. */
export function errorCodeOf(error: string | number): number {
  if (typeof error === 'number' || /^-?\d+$/.test(error)) {
    const code = Number(error);
    if (!isKnownErrorCode(code) || code === ErrorCode.NONE) throw badRequest(`unknown error code ${error}`);
    return code;
  }
  const name = error.toUpperCase() as ErrorName;
  if (!(name in ErrorCode) || name === 'NONE') throw badRequest(`unknown error '${error}' (give Kafka's name, e.g. NOT_LEADER_OR_FOLLOWER, or its code)`);
  return ErrorCode[name];
}

/** Validates a spec from any door (JSON included); throws BAD_REQUEST with one clear sentence. */
export function parseFaultSpec(input: unknown): { scope: FaultScope; action: FaultAction; count: number | null; durationMs: number | null } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw badRequest('a fault is a JSON object, e.g. {"api":"Produce","action":"error","error":"NOT_LEADER_OR_FOLLOWER","count":3}');
  const o = input as Record<string, unknown>;
  const kind = o.action;
  if (typeof kind !== 'string' || !(kind in ACTION_KEYS)) throw badRequest(`"action" must be one of ${Object.keys(ACTION_KEYS).join(', ')}`);
  const allowed = new Set<string>(['action', ...SCOPE_KEYS, ...LIMIT_KEYS, ...ACTION_KEYS[kind as FaultAction['kind']]]);
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw badRequest(`unknown field "${k}" for a ${kind} fault`);

  const scope: FaultScope = {
    broker: optInt(o, 'broker', -1),
    apiKey: o.api === undefined ? null : typeof o.api === 'string' || typeof o.api === 'number' ? apiKeyOf(o.api) : fail('"api" must be a name or a key'),
    topic: optString(o, 'topic'),
    partition: optInt(o, 'partition', 0),
    clientId: optString(o, 'clientId'),
  };
  if (scope.partition !== null && scope.topic === null) throw badRequest('"partition" needs "topic"');
  let action: FaultAction;
  switch (kind as FaultAction['kind']) {
    case 'error':
      if (typeof o.error !== 'string' && typeof o.error !== 'number') throw badRequest('an error fault needs "error": a Kafka error name or code');
      action = { kind: 'error', code: errorCodeOf(o.error) };
      break;
    case 'latency':
    case 'throttle': {
      const ms = optInt(o, 'ms', 0);
      if (ms === null) throw badRequest(`a ${kind} fault needs "ms"`);
      action = kind === 'latency' ? { kind, ms } : { kind: 'throttle', ms: Math.min(ms, 2 ** 31 - 1) };
      break;
    }
    case 'disconnect':
      if (o.when !== undefined && o.when !== 'before' && o.when !== 'after') throw badRequest('"when" must be "before" or "after"');
      action = { kind: 'disconnect', after: o.when === 'after' };
      break;
    case 'hang':
      action = { kind: 'hang' };
      break;
  }
  const count = optInt(o, 'count', 1);
  const durationMs = optInt(o, 'durationMs', 0);
  return { scope, action, count, durationMs };
}

function optInt(o: Record<string, unknown>, key: string, min: number): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw badRequest(`"${key}" must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function optString(o: Record<string, unknown>, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`"${key}" must be a string`);
  return v;
}

function fail(message: string): never {
  throw badRequest(message);
}

/** Whether the rule's scope covers the request (topic and partition: any named one). */
export function scopeMatches(scope: FaultScope, req: RequestFacts): boolean {
  if (scope.broker !== null && scope.broker !== req.broker) return false;
  if (scope.apiKey !== null && scope.apiKey !== req.apiKey) return false;
  if (scope.clientId !== null && scope.clientId !== req.clientId) return false;
  if (scope.topic === null) return true;
  return req.topics !== null && req.topics.some((t) => topicMatches(scope, t.name) && (scope.partition === null || t.partitions === null || t.partitions.includes(scope.partition)));
}

export function topicMatches(scope: FaultScope, topic: string): boolean {
  return scope.topic === null || scope.topic === topic;
}

/** Whether partition `p` of `topic` is one the rule targets. */
export function partitionMatches(scope: FaultScope, topic: string, p: number): boolean {
  return topicMatches(scope, topic) && (scope.partition === null || scope.partition === p);
}

export function viewOf(rule: FaultRule): FaultRuleView {
  const s = rule.scope;
  const a = rule.action;
  return {
    id: rule.id,
    ...(s.broker !== null && { broker: s.broker }),
    ...(s.apiKey !== null && { api: apiInfoByKey.get(s.apiKey)!.name }),
    ...(s.topic !== null && { topic: s.topic }),
    ...(s.partition !== null && { partition: s.partition }),
    ...(s.clientId !== null && { clientId: s.clientId }),
    action: a.kind,
    ...(a.kind === 'error' && { error: errorInfo(a.code).name }),
    ...((a.kind === 'latency' || a.kind === 'throttle') && { ms: a.ms }),
    ...(a.kind === 'disconnect' && { when: a.after ? ('after' as const) : ('before' as const) }),
    remaining: rule.remaining,
    expiresAt: rule.expiresAt,
    hits: rule.hits,
  };
}
