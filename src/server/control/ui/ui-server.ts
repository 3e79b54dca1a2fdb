/**
 * The web inspector (`minikafka start --ui`, the fixture's `ui: true`): a page and its JSON API
 * under /ui/ on the control API's HTTP server. Loaded only when asked for (a dynamic import in
 * the composition root; a separate file in the CLI bundle), so a broker without the inspector
 * neither reads nor runs any of it.
 *
 *   GET /ui/                               the page (dist/inspector/, built by scripts/bundle-ui.mjs)
 *   GET /ui/api/overview                   broker, listeners, topics, request rates, clock, faults
 *   GET /ui/api/topics/NAME                partitions, configs with sources, throughput series
 *   GET /ui/api/topics/NAME/records?mode=offset|time|newest|key&partition=&offset=&timestamp=&key=&limit=
 *   GET /ui/api/groups                     every group, with total lag
 *   GET /ui/api/groups/ID                  members, assignments, offsets and lag, lag series
 *   GET /ui/api/transactions               transactions and producers (hanging ones marked)
 *   GET /ui/api/traffic?after=SEQ&limit=N  the request trace after SEQ; per-topic throughput
 *   GET /ui/api/events                     server-sent events: "tick" each sample, "trace" batches
 *
 * Faults, the clock and reset are the control API's own endpoints on the same server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlTarget } from '../control-target.js';
import type { ControlPlane } from '../control-plane.js';
import { brokerInfo, topicDetail, topicSummaries } from './read-model.js';
import { browse, BrowseError } from './record-browser.js';
import type { BrowseMode } from './record-browser.js';
import { groupDetail, groupSummaries } from './group-view.js';
import { producers, transactions } from './txn-view.js';
import { TrafficRecorder } from './traffic.js';
import type { TraceEntry } from './traffic.js';
import { History } from './history.js';

export interface UiOptions {
  readonly target: ControlTarget;
  readonly plane: ControlPlane;
  /** The broker's listeners as Kafka writes them ("PLAINTEXT://127.0.0.1:9092"). */
  readonly listeners: () => readonly string[];
  /** Sample interval of the charts and of the live "tick" (default 1000 ms). */
  readonly sampleMs?: number;
}

/** Open event streams at most; one more is refused with 503. */
const MAX_STREAMS = 32;
/** A stream whose unsent output passes this is skipped until it drains: a stalled tab costs no memory. */
const MAX_STREAM_BUFFER = 1024 * 1024;
/** Trace entries sent per tick at most; a page that wants all of them asks /traffic. */
const MAX_TRACE_PER_TICK = 200;

const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** dist/inspector/, found from wherever this module was loaded (tsc's output or a bundle). */
function assetDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'inspector', 'index.html'))) return join(dir, 'inspector');
    dir = dirname(dir);
  }
  throw new Error('the inspector page was not built (dist/inspector/index.html): run npm run build');
}

export class UiServer {
  readonly traffic: TrafficRecorder;
  readonly history: History;
  readonly #opts: UiOptions;
  readonly #assets = new Map<string, Buffer>();
  readonly #streams = new Set<ServerResponse>();
  readonly #timer: NodeJS.Timeout;
  readonly #detach: () => void;
  #sentSeq = 0;

  constructor(opts: UiOptions) {
    this.#opts = opts;
    const dir = assetDir();
    for (const name of Object.keys(ASSETS)) this.#assets.set(name, readFileSync(join(dir, name)));
    const target = opts.target;
    this.traffic = new TrafficRecorder((id) => target.cluster.topics.getById(id)?.name ?? null, () => target.cluster.clock.now());
    this.history = new History(target, this.traffic);
    // Every broker's requests, in one trace (a broker started again keeps its interceptor slot).
    const interceptor = this.traffic.interceptor();
    const removers = target.brokers.map((b) => b.intercept(interceptor));
    this.#detach = () => removers.forEach((remove) => remove());
    this.history.sample();
    this.#timer = setInterval(() => this.#tick(), opts.sampleMs ?? 1000);
    this.#timer.unref();
  }

  /** Serves a request under /ui (and "/" as a redirect to it); false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://ui');
    const path = url.pathname;
    if (path === '/' && req.method === 'GET') {
      res.writeHead(302, { location: '/ui/' }).end();
      return true;
    }
    if (path !== '/ui' && !path.startsWith('/ui/')) return false;
    if (!trustedHost(req.headers.host)) {
      json(res, 403, { error: 'FORBIDDEN', message: 'the inspector answers requests addressed to an IP address or localhost only' });
      return true;
    }
    if (req.method !== 'GET') {
      json(res, 405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not served on ${path}` });
      return true;
    }
    try {
      this.#route(path, url.searchParams, req, res);
    } catch (e) {
      if (e instanceof BrowseError) json(res, 400, { error: 'INVALID_REQUEST', message: e.message });
      else json(res, 500, { error: 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
    }
    return true;
  }

  #route(path: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const t = this.#opts.target;
    if (path === '/ui' || path === '/ui/') return this.#asset(res, 'index.html');
    const asset = /^\/ui\/assets\/([a-z.]+)$/.exec(path);
    if (asset !== null) return ASSETS[asset[1]!] === undefined ? notFound(res, path) : this.#asset(res, asset[1]!);
    if (path === '/ui/api/overview') return json(res, 200, this.overview());
    if (path === '/ui/api/groups') return json(res, 200, groupSummaries(t));
    if (path === '/ui/api/transactions') return json(res, 200, { transactions: transactions(t), ...producers(t), now: t.cluster.clock.now() });
    if (path === '/ui/api/traffic') return json(res, 200, this.trafficView(num(q, 'after') ?? 0, num(q, 'limit')));
    if (path === '/ui/api/events') return this.#stream(req, res);
    let m = /^\/ui\/api\/topics\/([^/]+)$/.exec(path);
    if (m !== null) {
      const name = decodeURIComponent(m[1]!);
      const d = topicDetail(t, name);
      if (d === null) return notFound(res, `no topic ${name}`);
      const s = this.history.topics.get(name);
      return json(res, 200, { ...d, series: s === undefined ? null : { times: this.history.times.values, producedBytes: s.producedBytes.values, fetchedBytes: s.fetchedBytes.values, records: s.records.values } });
    }
    m = /^\/ui\/api\/topics\/([^/]+)\/records$/.exec(path);
    if (m !== null) {
      const topic = t.cluster.topics.get(decodeURIComponent(m[1]!));
      if (topic === undefined) return notFound(res, `no topic ${decodeURIComponent(m[1]!)}`);
      const key = q.get('key');
      browse(topic, { mode: (q.get('mode') ?? 'offset') as BrowseMode, partition: num(q, 'partition'), offset: num(q, 'offset'), timestamp: num(q, 'timestamp'), key: key ?? undefined, limit: num(q, 'limit') }).then(
        (r) => json(res, 200, r),
        (e: unknown) => json(res, e instanceof BrowseError ? 400 : 500, { error: e instanceof BrowseError ? 'INVALID_REQUEST' : 'INTERNAL', message: e instanceof Error ? e.message : String(e) }),
      );
      return;
    }
    m = /^\/ui\/api\/groups\/([^/]+)$/.exec(path);
    if (m !== null) {
      const id = decodeURIComponent(m[1]!);
      const d = groupDetail(t, id);
      if (d === null) return notFound(res, `no group ${id}`);
      return json(res, 200, { ...d, series: { times: this.history.times.values, lag: this.history.lag.get(id)?.values ?? [] } });
    }
    notFound(res, `no inspector endpoint ${path}`);
  }

  overview() {
    const t = this.#opts.target;
    const plane = this.#opts.plane.status();
    const topics = topicSummaries(t).map((s) => {
      const h = this.history.topics.get(s.name);
      return { ...s, recordsPerSec: h?.records.last ?? 0, producedBytesPerSec: h?.producedBytes.last ?? 0, fetchedBytesPerSec: h?.fetchedBytes.last ?? 0 };
    });
    const byApi = [...this.traffic.requestsByApi].map(([api, count]) => ({ api, count, perSec: this.history.ratesByApi.get(api) ?? 0 })).sort((a, b) => b.count - a.count);
    return {
      broker: brokerInfo(t, this.#opts.listeners()),
      clock: plane.clock,
      faults: plane.faults,
      chaos: plane.chaos,
      totals: {
        topics: topics.length,
        partitions: topics.reduce((n, x) => n + x.partitions, 0),
        records: topics.reduce((n, x) => n + x.records, 0),
        bytes: topics.reduce((n, x) => n + x.size, 0),
        groups: t.groups.listGroups([], []).length,
        transactions: t.txns.list({ states: [], producerIds: [], durationMs: -1, transactionalIdPattern: null }).transactions.length,
      },
      topics,
      requests: { total: this.traffic.total, perSec: this.history.requestRate.last, byApi, series: { times: this.history.times.values, rate: this.history.requestRate.values } },
    };
  }

  trafficView(after: number, limit?: number) {
    const topics = [...this.history.topics].map(([name, s]) => ({ name, producedBytes: s.producedBytes.values, fetchedBytes: s.fetchedBytes.values, records: s.records.values }));
    return { total: this.traffic.total, entries: this.traffic.since(after, limit), times: this.history.times.values, topics };
  }

  #asset(res: ServerResponse, name: string): void {
    const body = this.#assets.get(name)!;
    res.writeHead(200, { 'content-type': ASSETS[name]!, 'content-length': body.length, 'cache-control': 'no-cache' }).end(body);
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    if (this.#streams.size >= MAX_STREAMS) return json(res, 503, { error: 'TOO_MANY_STREAMS', message: `at most ${MAX_STREAMS} open event streams` });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ total: this.traffic.total })}\n\n`);
    this.#streams.add(res);
    req.on('close', () => this.#streams.delete(res));
  }

  #tick(): void {
    this.history.sample();
    if (this.#streams.size === 0) {
      this.#sentSeq = this.traffic.total;
      return;
    }
    const entries: TraceEntry[] = this.traffic.since(this.#sentSeq, MAX_TRACE_PER_TICK);
    this.#sentSeq = this.traffic.total;
    const tick = `event: tick\ndata: ${JSON.stringify({ time: Date.now(), total: this.traffic.total, clock: this.#opts.target.cluster.clock.now() })}\n\n`;
    const trace = entries.length === 0 ? '' : `event: trace\ndata: ${JSON.stringify(entries)}\n\n`;
    for (const res of this.#streams) {
      if (res.writableLength > MAX_STREAM_BUFFER) continue;
      res.write(tick + trace);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#detach();
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }
}

/**
 * A page of another site that makes its own domain name resolve to 127.0.0.1 (DNS rebinding)
 * could otherwise read the broker's records through the visitor's browser: its requests carry
 * that domain in Host. Addresses and localhost are what the ready line prints.
 */
function trustedHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

function num(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BrowseError(`${key} must be a number, got '${v}'`);
  return n;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' }).end(text);
}

function notFound(res: ServerResponse, message: string): void {
  json(res, 404, { error: 'NOT_FOUND', message });
}
