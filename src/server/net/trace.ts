/**
 * The request trace (`minikafka start --trace`, fixture option `trace`): one line per request
 * with its response, decoded: time, client address, connection, client id, API and version,
 * correlation id, latency, the key fields of the request and the error codes of the response.
 *
 * Cost: with no tracer the dispatcher tests one field per request and does nothing else. With a
 * tracer, the filter (API, client id, topic) runs first; only matching requests are summarized
 * (trace-summary.ts) and formatted.
 *
 * Bounded: lines go to a sink; a stream sink drops lines while the stream has more than
 * `maxBufferedBytes` unwritten (a slow disk or a stalled pipe never grows the broker's memory or
 * blocks it), and says how many it dropped once it can write again.
 */
import type { Writable } from 'node:stream';
import { summarizeRequest, summarizeResponse } from './trace-summary.js';
import type { TopicNameOf, TraceSummary } from './trace-summary.js';

export type { TraceSummary } from './trace-summary.js';

/** One traced exchange, as the NDJSON form prints it. */
export interface TraceRecord {
  readonly time: string;
  readonly client: string;
  readonly connection: number;
  readonly clientId: string | null;
  readonly api: string;
  readonly apiKey: number;
  readonly version: number;
  readonly correlationId: number;
  readonly latencyMs: number;
  readonly request: TraceSummary;
  /** The response's summary; absent when there was none (acks=0, a dropped or closed request). */
  readonly response?: TraceSummary;
  /** 'response' normally; 'no-response' (acks=0, dropped) or 'closed' (the connection was closed). */
  readonly outcome: 'response' | 'no-response' | 'closed';
}

export interface TraceFilter {
  /** API names (case-insensitive, e.g. "Produce") or keys; all when absent or empty. */
  readonly apis?: readonly (string | number)[];
  /** Client ids; all when absent or empty. */
  readonly clientIds?: readonly string[];
  /** Topics: a request is traced when it names one of them; all when absent or empty. */
  readonly topics?: readonly string[];
}

export interface TraceOptions extends TraceFilter {
  /** Where each record goes (already filtered). */
  readonly sink: (record: TraceRecord) => void;
}

/** What the dispatcher keeps of a request between its arrival and its response. */
export interface TraceEntry {
  readonly startedAt: number;
  readonly apiName: string;
  readonly apiKey: number;
  readonly version: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connectionId: number;
  readonly client: string;
  readonly request: TraceSummary;
  response?: unknown;
}

export class RequestTracer {
  private readonly apiNames: Set<string> | null;
  private readonly apiKeys: Set<number> | null;
  private readonly clientIds: Set<string> | null;
  private readonly topics: Set<string> | null;
  /** Resolves topic ids (Fetch v13+, Metadata) to names; set by the broker. */
  topicName: TopicNameOf = () => undefined;

  constructor(private readonly opts: TraceOptions) {
    const apis = opts.apis ?? [];
    this.apiNames = apis.length === 0 ? null : new Set(apis.filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase()));
    this.apiKeys = apis.length === 0 ? null : new Set(apis.filter((a): a is number => typeof a === 'number'));
    this.clientIds = opts.clientIds && opts.clientIds.length > 0 ? new Set(opts.clientIds) : null;
    this.topics = opts.topics && opts.topics.length > 0 ? new Set(opts.topics) : null;
  }

  /** Starts an entry for a decoded request, or null when the filter leaves it out. */
  begin(apiKey: number, apiName: string, version: number, correlationId: number, clientId: string | null, conn: { id: number; remoteAddress: string; remotePort: number }, body: unknown): TraceEntry | null {
    if (this.apiNames !== null && !this.apiNames.has(apiName.toLowerCase()) && !this.apiKeys!.has(apiKey)) return null;
    if (this.clientIds !== null && (clientId === null || !this.clientIds.has(clientId))) return null;
    const request = summarizeRequest(body, this.topicName);
    if (this.topics !== null && !Object.keys(request.topics ?? {}).some((t) => this.topics!.has(t))) return null;
    return {
      startedAt: performance.now(),
      apiName,
      apiKey,
      version,
      correlationId,
      clientId,
      connectionId: conn.id,
      client: `${conn.remoteAddress}:${conn.remotePort}`,
      request,
    };
  }

  end(entry: TraceEntry, outcome: TraceRecord['outcome']): void {
    const latencyMs = Math.round((performance.now() - entry.startedAt) * 1000) / 1000;
    const record: TraceRecord = {
      time: new Date().toISOString(),
      client: entry.client,
      connection: entry.connectionId,
      clientId: entry.clientId,
      api: entry.apiName,
      apiKey: entry.apiKey,
      version: entry.version,
      correlationId: entry.correlationId,
      latencyMs,
      request: entry.request,
      ...(outcome === 'response' && entry.response !== undefined ? { response: summarizeResponse(entry.response, this.topicName) } : {}),
      outcome,
    };
    this.opts.sink(record);
  }
}

function fields(s: TraceSummary): string {
  const parts: string[] = [];
  if (s.topics) parts.push(`topics=${Object.entries(s.topics).map(([t, p]) => (p.length === 0 ? t : `${t}[${[...new Set(p)].join(',')}]`)).join(',')}`);
  for (const [k, v] of Object.entries(s.fields ?? {})) parts.push(`${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  if (s.recordBytes !== undefined) parts.push(`recordBytes=${s.recordBytes}`);
  if (s.truncated !== undefined) parts.push(`truncated=${s.truncated}`);
  return parts.join(' ');
}

/** The readable one-line form. */
export function formatTraceLine(r: TraceRecord): string {
  const req = fields(r.request);
  let res: string;
  if (r.outcome !== 'response') res = r.outcome;
  else {
    const errs = Object.entries(r.response?.errors ?? {});
    res = errs.length === 0 ? 'ok' : errs.map(([e, n]) => (n === 1 ? e : `${e}x${n}`)).join(',');
    if (r.response?.recordBytes !== undefined) res += ` recordBytes=${r.response.recordBytes}`;
    if (r.response?.throttleTimeMs !== undefined) res += ` throttleTimeMs=${r.response.throttleTimeMs}`;
  }
  const client = r.clientId === null ? '-' : JSON.stringify(r.clientId);
  return `${r.time} ${r.client}#${r.connection} ${client} ${r.api} v${r.version} corr=${r.correlationId} ${r.latencyMs}ms${req === '' ? '' : ` ${req}`} -> ${res}`;
}

export interface StreamSinkOptions {
  readonly json: boolean;
  /** Unwritten bytes beyond which lines are dropped (default 4 MiB). */
  readonly maxBufferedBytes?: number;
}

/**
 * A sink writing lines to a stream (a file, stderr), dropping lines rather than buffering without
 * bound when the stream cannot keep up.
 */
export function streamSink(out: Writable, opts: StreamSinkOptions): { sink: (r: TraceRecord) => void; dropped: () => number } {
  const max = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  let dropped = 0;
  let droppedTotal = 0;
  const sink = (r: TraceRecord) => {
    if (out.writableLength > max) {
      dropped++;
      droppedTotal++;
      return;
    }
    if (dropped > 0) {
      const note = opts.json ? JSON.stringify({ event: 'trace-dropped', count: dropped }) : `${new Date().toISOString()} trace: ${dropped} lines dropped (the output could not keep up)`;
      out.write(note + '\n');
      dropped = 0;
    }
    out.write((opts.json ? JSON.stringify(r) : formatTraceLine(r)) + '\n');
  };
  return { sink, dropped: () => droppedTotal };
}
