/**
 * The inspector's live traffic: every request the broker handles, decoded and summarised into a
 * bounded ring buffer (the newest TRACE_CAPACITY), with per-API counters and per-topic produced
 * and fetched bytes for the charts. It sees requests through the control plane's interceptor slot
 * (ControlTarget.intercept), installed only while the inspector runs: a broker without `--ui`
 * pays nothing.
 */
import type { ControlledRequest, ControlInterceptor } from '../control-target.js';

/** How many requests the trace keeps: ~1 KiB each at most, so ~2 MiB in all. */
export const TRACE_CAPACITY = 2000;
/** A request body is summarised to at most this many characters of JSON. */
const SUMMARY_CHARS = 800;

export interface TraceEntry {
  /** Increasing from 1: the client asks for "entries after seq N". */
  readonly seq: number;
  readonly time: number;
  readonly api: string;
  readonly apiKey: number;
  readonly version: number;
  readonly clientId: string | null;
  readonly connection: string;
  /** Topics the request names (resolved from ids where it uses them). */
  readonly topics: readonly string[];
  /** The decoded body as short JSON: byte arrays as "<N bytes>", long arrays cut. */
  readonly summary: string;
  /** Top-level error code of the response, when it has one; null until answered or without one. */
  errorCode: number | null;
  /** Milliseconds from interception to the response; null until answered. */
  ms: number | null;
}

export interface TopicBytes {
  produced: number;
  fetched: number;
}

export class TrafficRecorder {
  readonly #ring: (TraceEntry | undefined)[] = new Array<TraceEntry | undefined>(TRACE_CAPACITY);
  #seq = 0;
  /** Requests per API name since start. */
  readonly requestsByApi = new Map<string, number>();
  /** Bytes produced and fetched per topic since start (record batch bytes). */
  readonly bytesByTopic = new Map<string, TopicBytes>();
  readonly #listeners = new Set<(e: TraceEntry) => void>();

  constructor(
    private readonly topicNameOf: (topicId: string) => string | null,
    private readonly now: () => number,
  ) {}

  get total(): number {
    return this.#seq;
  }

  /** The interceptor to install; it passes every request on untouched. */
  interceptor(): ControlInterceptor {
    return (req) => {
      const entry = this.#record(req);
      const started = performance.now();
      return {
        action: 'pass',
        after: (response) => {
          entry.ms = performance.now() - started;
          entry.errorCode = topLevelError(response);
          if (entry.api === 'Fetch') this.#countFetched(response);
          return response;
        },
      };
    };
  }

  /** Entries after `afterSeq`, oldest first, at most `limit` of the newest. */
  since(afterSeq: number, limit = TRACE_CAPACITY): TraceEntry[] {
    const from = Math.max(afterSeq + 1, this.#seq - Math.min(limit, TRACE_CAPACITY) + 1, 1);
    const out: TraceEntry[] = [];
    for (let s = from; s <= this.#seq; s++) out.push(this.#ring[s % TRACE_CAPACITY]!);
    return out;
  }

  onEntry(fn: (e: TraceEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #record(req: ControlledRequest): TraceEntry {
    const api = req.apiName ?? `api${req.apiKey}`;
    const topics = this.#topicsOf(req.body);
    const entry: TraceEntry = {
      seq: ++this.#seq,
      time: this.now(),
      api,
      apiKey: req.apiKey,
      version: req.apiVersion ?? -1,
      clientId: req.clientId,
      connection: req.connection.remoteAddress === undefined ? '' : `${req.connection.remoteAddress}:${req.connection.remotePort ?? ''}`,
      topics,
      summary: summarize(req.body),
      errorCode: null,
      ms: null,
    };
    this.#ring[entry.seq % TRACE_CAPACITY] = entry;
    this.requestsByApi.set(api, (this.requestsByApi.get(api) ?? 0) + 1);
    if (api === 'Produce') this.#countProduced(req.body);
    for (const fn of this.#listeners) fn(entry);
    return entry;
  }

  #bytes(topic: string): TopicBytes {
    let b = this.bytesByTopic.get(topic);
    if (b === undefined) this.bytesByTopic.set(topic, (b = { produced: 0, fetched: 0 }));
    return b;
  }

  #name(t: { name?: unknown; topic?: unknown; topicId?: unknown }): string | null {
    if (typeof t.name === 'string' && t.name !== '') return t.name;
    if (typeof t.topic === 'string' && t.topic !== '') return t.topic;
    if (typeof t.topicId === 'string') return this.topicNameOf(t.topicId);
    return null;
  }

  #topicsOf(body: unknown): string[] {
    if (body === null || typeof body !== 'object') return [];
    const b = body as Record<string, unknown>;
    const list = b.topicData ?? b.topics ?? b.topicNames;
    if (!Array.isArray(list)) return [];
    const out = new Set<string>();
    for (const t of list.slice(0, 50)) {
      const n = typeof t === 'string' ? t : t !== null && typeof t === 'object' ? this.#name(t as Record<string, unknown>) : null;
      if (n !== null) out.add(n);
    }
    return [...out];
  }

  #countProduced(body: unknown): void {
    const topics = (body as { topicData?: { name?: string; topicId?: string; partitionData?: { records?: unknown }[] }[] }).topicData;
    if (!Array.isArray(topics)) return;
    for (const t of topics) {
      const n = this.#name(t);
      if (n === null) continue;
      let sum = 0;
      for (const p of t.partitionData ?? []) if (Buffer.isBuffer(p.records)) sum += p.records.length;
      this.#bytes(n).produced += sum;
    }
  }

  #countFetched(response: unknown): void {
    const topics = (response as { responses?: { topic?: string; topicId?: string; partitions?: { records?: unknown }[] }[] } | null)?.responses;
    if (!Array.isArray(topics)) return;
    for (const t of topics) {
      const n = this.#name(t);
      if (n === null) continue;
      let sum = 0;
      for (const p of t.partitions ?? []) sum += recordsLength(p.records);
      if (sum > 0) this.#bytes(n).fetched += sum;
    }
  }
}

/** A Fetch response's records: a Buffer, or a list of batch buffers (the zero-copy path). */
function recordsLength(r: unknown): number {
  if (Buffer.isBuffer(r)) return r.length;
  if (Array.isArray(r)) return r.reduce((n: number, b: unknown) => n + (Buffer.isBuffer(b) ? b.length : 0), 0);
  if (r !== null && typeof r === 'object' && typeof (r as { length?: unknown }).length === 'number') return (r as { length: number }).length;
  return 0;
}

/**
 * The response's error code: its top-level one, else (Produce, Fetch, ... answer per partition)
 * the first non-zero code of a partition, else 0; null for a response without error codes.
 */
function topLevelError(response: unknown): number | null {
  if (response === null || typeof response !== 'object') return null;
  const r = response as { errorCode?: unknown; responses?: unknown; topics?: unknown };
  if (typeof r.errorCode === 'number') return r.errorCode;
  const topics = Array.isArray(r.responses) ? r.responses : Array.isArray(r.topics) ? r.topics : null;
  if (topics === null) return null;
  let seen = false;
  for (const t of topics as { partitionResponses?: unknown; partitions?: unknown }[]) {
    const parts = Array.isArray(t.partitionResponses) ? t.partitionResponses : Array.isArray(t.partitions) ? t.partitions : [];
    for (const p of parts as { errorCode?: unknown }[]) {
      if (typeof p.errorCode !== 'number') continue;
      if (p.errorCode !== 0) return p.errorCode;
      seen = true;
    }
  }
  return seen ? 0 : null;
}

/** Short JSON of a decoded request: buffers as their size, arrays past 10 elements cut. */
export function summarize(body: unknown): string {
  const out = JSON.stringify(plain(body, 0)) ?? '';
  return out.length > SUMMARY_CHARS ? `${out.slice(0, SUMMARY_CHARS)}…` : out;
}

/**
 * A JSON-safe copy, bounded in depth and breadth. Walked by hand rather than with a replacer:
 * JSON.stringify calls Buffer's toJSON (an array of every byte) before a replacer sees it.
 */
function plain(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (depth > 6) return '…';
  if (Array.isArray(v)) {
    const head = v.slice(0, 10).map((x) => plain(x, depth + 1));
    return v.length > 10 ? [...head, `… ${v.length - 10} more`] : head;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '_unknownTaggedFields') out[k] = plain(x, depth + 1);
  return out;
}
