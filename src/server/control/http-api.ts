/**
 * The control plane over HTTP/JSON on its own port (`--control-port`), so that tests in any
 * language drive faults, time, reset and waits with nothing but an HTTP client. Loopback by
 * default: the API can fail every request and wipe the broker.
 *
 *   GET    /status                         broker, clock, faults, chaos at a glance
 *   GET    /faults                         the rules, in id order
 *   POST   /faults                         add a rule (a JSON object, or an array of them) -> 201 + rule(s)
 *   GET    /faults/ID                      one rule (404 when gone: expired or used up)
 *   DELETE /faults/ID                      remove one rule -> 204 (404 when gone)
 *   DELETE /faults                         remove every rule and stop chaos -> { removed }
 *   GET    /chaos                          chaos status and the faults it injected, or null
 *   PUT    /chaos                          { rate, seed }: start chaos (a fresh sequence)
 *   DELETE /chaos                          stop chaos -> 204
 *   GET    /clock                          { frozen, now, offsetMs, pendingTimers }
 *   POST   /clock/freeze | /clock/resume   -> the clock
 *   POST   /clock/advance                  { ms } or { duration: "7d" } -> the clock
 *   POST   /reset                          back to the declared topics, no groups, no faults -> report
 *   GET    /snapshots                      the named snapshots: [{ name, savedAt, topics, partitions, batches, bytes }]
 *   POST   /snapshots/NAME                 save the cluster as it is now under NAME -> 201 + snapshot
 *   GET    /snapshots/NAME                 one snapshot (404 when there is none of that name)
 *   POST   /snapshots/NAME/restore         put the cluster back as saved -> report (404 when none)
 *   DELETE /snapshots/NAME                 -> 204 (404 when none)
 *   GET    /brokers                        [{ nodeId, rack, running, bootstrapServers }]
 *   POST   /brokers/ID/stop | /start       controlled shutdown (leaders and coordinators move) / restart
 *   GET    /partitions/TOPIC/P             { leader, leaderEpoch, replicas, isr, offlineReplicas }
 *   POST   /partitions/TOPIC/P/leader      { broker }: move the leader to that live replica
 *   GET    /wait/group/G?members=N&state=Stable&timeoutMs=T
 *   GET    /wait/offset/TOPIC/PARTITION?offset=X&timeoutMs=T   (high watermark >= X)
 *   GET    /wait/transaction/ID?timeoutMs=T                    (not open any more)
 *   GET    /ui/...                         the web inspector, when started with it (control/ui/ui-server.ts)
 *
 * Errors answer `{ "error": CODE, "message": ... }` with 400 (bad input), 403 (a request from a
 * web page of another site: its Origin is not this server), 404, 408 (a wait timed out) or 409
 * (the clock cannot do that). Waits are long polls bounded by timeoutMs (default
 * 30 s, at most 300 s).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlPlane } from './control-plane.js';
import { ControlError, ControlErrorCode, badRequest } from './control-error.js';
import { parseDuration } from './clock-control.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface ControlServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** Sees each request first and returns true when it answered it (the inspector's /ui pages). */
  readonly extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface ControlHttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

type Params = readonly string[];
type Route = (plane: ControlPlane, params: Params, query: URLSearchParams, body: () => Promise<unknown>) => unknown;
/** A reply with a status other than 200; anything else a route returns is a 200 JSON body. */
class Answer {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

const NO_CONTENT = new Answer(204);

const ROUTES: readonly (readonly [string, RegExp, Route])[] = [
  ['GET', /^\/status$/, (p) => p.status()],
  ['GET', /^\/faults$/, (p) => p.faults.list()],
  [
    'POST',
    /^\/faults$/,
    async (p, _, __, body) => {
      const b = await body();
      return new Answer(201, Array.isArray(b) ? p.faults.addAll(b) : p.faults.add(b as never));
    },
  ],
  ['DELETE', /^\/faults$/, (p) => ({ removed: p.faults.clear() })],
  ['GET', /^\/faults\/(\d+)$/, (p, [id]) => p.faults.get(Number(id)) ?? notFound(`no fault ${id}`)],
  ['DELETE', /^\/faults\/(\d+)$/, (p, [id]) => (p.faults.remove(Number(id)) ? NO_CONTENT : notFound(`no fault ${id}`))],
  ['GET', /^\/chaos$/, (p) => p.faults.chaosStatus()],
  [
    'PUT',
    /^\/chaos$/,
    async (p, _, __, body) => {
      const b = (await body()) as { rate?: unknown; seed?: unknown } | null;
      if (b === null || typeof b !== 'object' || typeof b.rate !== 'number') throw badRequest('chaos takes { "rate": 0..1, "seed": integer }');
      p.faults.chaos({ rate: b.rate, seed: b.seed === undefined ? 1 : (b.seed as number) });
      return p.faults.chaosStatus();
    },
  ],
  ['DELETE', /^\/chaos$/, (p) => (p.faults.chaos(null), NO_CONTENT)],
  ['GET', /^\/clock$/, (p) => p.clock.state()],
  ['POST', /^\/clock\/freeze$/, (p) => p.clock.freeze()],
  ['POST', /^\/clock\/resume$/, (p) => p.clock.resume()],
  [
    'POST',
    /^\/clock\/advance$/,
    async (p, _, q, body) => {
      const b = ((await body()) ?? {}) as { ms?: unknown; duration?: unknown };
      const ms = b.ms ?? (typeof b.duration === 'string' ? parseDuration(b.duration) : q.has('ms') ? Number(q.get('ms')) : undefined);
      if (ms === undefined) throw badRequest('advance takes { "ms": N } or { "duration": "7d" }');
      return p.clock.advance(ms as number);
    },
  ],
  ['POST', /^\/reset$/, (p) => p.reset()],
  ['GET', /^\/snapshots$/, (p) => p.snapshots.list()],
  ['POST', /^\/snapshots\/([^/]+)$/, (p, [name]) => new Answer(201, p.snapshots.save(name!))],
  ['GET', /^\/snapshots\/([^/]+)$/, (p, [name]) => p.snapshots.get(name!)],
  ['DELETE', /^\/snapshots\/([^/]+)$/, (p, [name]) => (p.snapshots.delete(name!) ? NO_CONTENT : notFound(`no snapshot '${name}'`))],
  ['POST', /^\/snapshots\/([^/]+)\/restore$/, (p, [name]) => p.snapshots.restore(name!)],
  ['GET', /^\/brokers$/, (p) => p.brokers.list()],
  ['POST', /^\/brokers\/(\d+)\/stop$/, (p, [id]) => p.brokers.stop(Number(id))],
  ['POST', /^\/brokers\/(\d+)\/start$/, (p, [id]) => p.brokers.start(Number(id))],
  ['GET', /^\/partitions\/([^/]+)\/(\d+)$/, (p, [topic, partition]) => p.brokers.partition(topic!, Number(partition))],
  [
    'POST',
    /^\/partitions\/([^/]+)\/(\d+)\/leader$/,
    async (p, [topic, partition], _, body) => {
      const b = (await body()) as { broker?: unknown } | null;
      if (b === null || typeof b !== 'object' || typeof b.broker !== 'number') throw badRequest('leader takes { "broker": NODE_ID }');
      return p.brokers.moveLeader(topic!, Number(partition), b.broker);
    },
  ],
  ['GET', /^\/wait\/group\/([^/]+)$/, (p, [group], q) => p.waitFor.group(group!, { state: q.get('state') ?? undefined, members: optNumber(q, 'members'), timeoutMs: optNumber(q, 'timeoutMs') })],
  ['GET', /^\/wait\/offset\/([^/]+)\/(\d+)$/, (p, [topic, partition], q) => p.waitFor.offset(topic!, Number(partition), needNumber(q, 'offset'), optNumber(q, 'timeoutMs'))],
  ['GET', /^\/wait\/transaction\/([^/]+)$/, (p, [id], q) => p.waitFor.transaction(id!, optNumber(q, 'timeoutMs'))],
];

function notFound(message: string): never {
  throw new ControlError(ControlErrorCode.NOT_FOUND, message);
}

function optNumber(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw badRequest(`${key} must be a number, got '${v}'`);
  return n;
}

function needNumber(q: URLSearchParams, key: string): number {
  return optNumber(q, key) ?? (() => { throw badRequest(`${key} is required`); })();
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Answered at once; the rest is read and thrown away so the client sees the answer.
        req.removeListener('data', onData);
        req.resume();
        reject(badRequest(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(null);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(badRequest('the body is not valid JSON'));
      }
    });
  });
}

/**
 * A page open in the developer's browser can send simple cross-site requests (a form POST to
 * /reset) to a loopback port; browsers mark them with an Origin naming the page's site. HTTP
 * clients in tests send no Origin, and the inspector's own page sends its own host.
 */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

async function route(plane: ControlPlane, req: IncomingMessage): Promise<Answer> {
  if (crossSite(req)) return new Answer(403, { error: 'FORBIDDEN', message: `the control API does not answer requests from another site (Origin ${req.headers.origin})` });
  const url = new URL(req.url ?? '/', 'http://control');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  let pathMatched = false;
  for (const [method, pattern, fn] of ROUTES) {
    const m = pattern.exec(path);
    if (m === null) continue;
    pathMatched = true;
    if (method !== req.method) continue;
    const params = m.slice(1).map((s) => decodeURIComponent(s));
    const out = await fn(plane, params, url.searchParams, () => readBody(req));
    return out instanceof Answer ? out : new Answer(200, out ?? null);
  }
  if (pathMatched) return new Answer(405, { error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not served on ${path}` });
  throw new ControlError(ControlErrorCode.NOT_FOUND, `no control endpoint ${req.method} ${path} (see GET /status, /faults, /clock)`);
}

function send(res: ServerResponse, a: Answer): void {
  if (a.body === undefined) {
    res.writeHead(a.status).end();
    return;
  }
  const text = JSON.stringify(a.body, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

export async function startControlServer(plane: ControlPlane, opts: ControlServerOptions = {}): Promise<ControlHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    if (opts.extra?.(req, res) === true) return;
    route(plane, req).then(
      (a) => send(res, a),
      (e: unknown) => {
        if (e instanceof ControlError) send(res, new Answer(e.status, { error: e.code, message: e.message }));
        else send(res, new Answer(500, { error: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0 }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    close() {
      // Long polls in flight are cut: closeAllConnections ends them with the server.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
