/**
 * Turns one request frame into response bytes: reads the header, checks the version against the
 * handler registry, offers the request to interceptors (the fault-injection point for tests),
 * runs the handler and encodes the response with the right header version.
 *
 * What Kafka does with bad requests, and so what we do:
 * - unknown API key, or a version the broker does not serve: the connection is closed, except
 *   ApiVersions, which answers UNSUPPORTED_VERSION with a v0 body listing what is served, so a
 *   newer client can retry with a version we speak;
 * - a body that does not parse: the connection is closed (Kafka's InvalidRequestException).
 */
import { Reader, MalformedError } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { apiInfoByKey, ApiKey, requestHeaderVersion, responseHeaderVersion } from '../../protocol/messages/api-table.js';
import { readRequestHeader } from '../../protocol/messages/request-header.js';
import { writeResponseHeader } from '../../protocol/messages/response-header.js';
import { writeApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { CloseConnection, NO_RESPONSE } from '../handlers/handler.js';
import type { RequestTracer, TraceEntry } from './trace.js';
import type { BrokerServices, Handler, RequestContext, ConnectionInfo } from '../handlers/handler.js';

/** What an interceptor may do with a request. Returning undefined lets it through. */
export type InterceptAction =
  | { readonly action: 'respond'; readonly response: unknown }
  | { readonly action: 'error'; readonly errorCode: number }
  | { readonly action: 'close' }
  | { readonly action: 'drop' }
  | { readonly action: 'delay'; readonly ms: number }
  /**
   * Run the handler, on `body` in place of the request if given, then hand its response to
   * `after`, which returns the response to send or 'close' to drop it and close the connection.
   */
  | { readonly action: 'pass'; readonly body?: unknown; readonly after?: (response: unknown) => unknown };

export interface InterceptedRequest {
  readonly apiKey: number;
  readonly apiName: string;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly body: unknown;
  readonly connection: ConnectionInfo;
}

export type Interceptor = (req: InterceptedRequest) => InterceptAction | undefined | Promise<InterceptAction | undefined>;

/** The outcome the connection acts on. */
export type DispatchResult = readonly Buffer[] | null | 'close';

export class Dispatcher {
  private readonly interceptors: Interceptor[] = [];
  /** The request trace; null (the default) costs one test per request. */
  tracer: RequestTracer | null = null;
  /**
   * Served API ranges narrowed to an older Kafka release (`--as-version`): an API absent here is
   * not served; null serves every handler's own range.
   */
  apiRanges: ReadonlyMap<number, { readonly min: number; readonly max: number }> | null = null;

  constructor(
    private readonly services: BrokerServices,
    private readonly handlers: ReadonlyMap<number, Handler>,
  ) {}

  /** Adds an interceptor; returns a function that removes it. */
  intercept(fn: Interceptor): () => void {
    this.interceptors.push(fn);
    return () => {
      const i = this.interceptors.indexOf(fn);
      if (i >= 0) this.interceptors.splice(i, 1);
    };
  }

  dispatch(frame: Buffer, conn: ConnectionInfo): DispatchResult | Promise<DispatchResult> {
    const log = this.services.logger;
    if (frame.length < 8) {
      log.warn(`connection ${conn.id} from ${conn.remoteAddress}: request of ${frame.length} bytes is too short for a header; closing`);
      return 'close';
    }
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const handler = this.handlers.get(apiKey);
    const api = apiInfoByKey.get(apiKey);
    if (!handler || !api) {
      log.warn(`connection ${conn.id} from ${conn.remoteAddress}: unknown API key ${apiKey}; closing`);
      return 'close';
    }
    let min = handler.minVersion ?? handler.api.minVersion;
    let max = handler.maxVersion ?? handler.api.maxVersion;
    if (this.apiRanges !== null) {
      const r = this.apiRanges.get(apiKey);
      if (r === undefined && apiKey !== ApiKey.ApiVersions) {
        log.warn(`connection ${conn.id} from ${conn.remoteAddress}: ${api.name} is not served by the emulated Kafka release; closing`);
        return 'close';
      }
      if (r !== undefined) {
        min = Math.max(min, r.min);
        max = Math.min(max, r.max);
      }
    }
    if (apiVersion < min || apiVersion > max) {
      if (apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(correlationId);
      log.warn(`connection ${conn.id} from ${conn.remoteAddress}: ${api.name} v${apiVersion} is not served (${min}-${max}); closing`);
      return 'close';
    }
    let body: unknown;
    let clientId: string | null;
    try {
      const r = new Reader(frame);
      const header = readRequestHeader(r, requestHeaderVersion(api, apiVersion));
      clientId = header.clientId;
      body = handler.api.readRequest(r, apiVersion);
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      // ApiVersions from a newer client may carry fields we cannot parse: Kafka answers it anyway.
      if (apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(correlationId);
      log.warn(`connection ${conn.id} from ${conn.remoteAddress}: malformed ${api.name} v${apiVersion}: ${e.message}; closing`);
      return 'close';
    }
    const ctx = new Context(this.services, apiKey, apiVersion, correlationId, clientId, conn, frame.length);
    if (this.tracer !== null) {
      const entry = this.tracer.begin(apiKey, api.name, apiVersion, correlationId, clientId, conn, body);
      if (entry !== null) return this.traced(this.tracer, entry, handler, ctx, body);
    }
    if (this.interceptors.length > 0) return this.intercepted(handler, ctx, body);
    return this.run(handler, ctx, body);
  }

  /** Runs a request whose exchange is traced: the response is caught where it is encoded. */
  private traced(tracer: RequestTracer, entry: TraceEntry, handler: Handler, ctx: Context, body: unknown): DispatchResult | Promise<DispatchResult> {
    ctx.trace = entry;
    const done = (r: DispatchResult): DispatchResult => {
      tracer.end(entry, r === 'close' ? 'closed' : r === null ? 'no-response' : 'response');
      return r;
    };
    const failed = (e: unknown): never => {
      tracer.end(entry, 'closed');
      throw e;
    };
    let out: DispatchResult | Promise<DispatchResult>;
    try {
      out = this.interceptors.length > 0 ? this.intercepted(handler, ctx, body) : this.run(handler, ctx, body);
    } catch (e) {
      return failed(e);
    }
    return out instanceof Promise ? out.then(done, failed) : done(out);
  }

  private async intercepted(handler: Handler, ctx: RequestContext, body: unknown): Promise<DispatchResult> {
    const afters: ((response: unknown) => unknown)[] = [];
    for (const fn of [...this.interceptors]) {
      const req: InterceptedRequest = { apiKey: ctx.apiKey, apiName: handler.api.name, apiVersion: ctx.apiVersion, clientId: ctx.clientId, body, connection: ctx.connection };
      const act = await fn(req);
      if (act === undefined) continue;
      switch (act.action) {
        case 'close':
          return 'close';
        case 'drop':
          return null;
        case 'respond':
          return this.encode(ctx, handler, act.response);
        case 'error':
          return this.encode(ctx, handler, errorResponseFor(handler, ctx, body, act.errorCode));
        case 'delay':
          await new Promise<void>((resolve) => this.services.clock.setTimeout(resolve, act.ms));
          break;
        case 'pass':
          if (act.body !== undefined) body = act.body;
          if (act.after) afters.unshift(act.after);
          break;
      }
    }
    return this.run(handler, ctx, body, afters);
  }

  private run(handler: Handler, ctx: RequestContext, body: unknown, afters: readonly ((response: unknown) => unknown)[] = []): DispatchResult | Promise<DispatchResult> {
    let out: ReturnType<Handler['handle']>;
    try {
      out = handler.handle(ctx, body);
    } catch (e) {
      return this.closeOn(e, ctx);
    }
    if (out instanceof Promise) {
      return out.then(
        (resp) => this.finish(handler, ctx, resp, afters),
        (e: unknown) => this.closeOn(e, ctx),
      );
    }
    return this.finish(handler, ctx, out, afters);
  }

  /** A handler ends the connection on purpose by throwing CloseConnection (Kafka's acks=0 errors). */
  private closeOn(e: unknown, ctx: RequestContext): 'close' {
    if (!(e instanceof CloseConnection)) throw e;
    this.services.logger.info(`connection ${ctx.connection.id} from ${ctx.connection.remoteAddress}: ${e.message}; closing`);
    return 'close';
  }

  private finish(handler: Handler, ctx: RequestContext, resp: unknown, afters: readonly ((response: unknown) => unknown)[]): DispatchResult {
    if (resp === NO_RESPONSE) return null;
    // Interceptors' after-hooks, the last registered first (they wrap the handler like layers).
    for (const after of afters) {
      resp = after(resp);
      if (resp === 'close') return 'close';
    }
    return this.encode(ctx, handler, resp);
  }

  private encode(ctx: RequestContext, handler: Handler, resp: unknown): readonly Buffer[] {
    if (ctx instanceof Context && ctx.trace !== null) ctx.trace.response = resp;
    const api = apiInfoByKey.get(ctx.apiKey)!;
    const w = new Writer();
    const setSize = w.reserveInt32();
    writeResponseHeader(w, responseHeaderVersion(api, ctx.apiVersion), { correlationId: ctx.correlationId });
    handler.api.writeResponse(w, ctx.apiVersion, resp);
    setSize(w.length - 4);
    return w.toChunks();
  }

  /** UNSUPPORTED_VERSION in a v0 body listing the served ranges (KIP-511). */
  private unsupportedApiVersions(correlationId: number): readonly Buffer[] {
    const w = new Writer();
    const setSize = w.reserveInt32();
    writeResponseHeader(w, 0, { correlationId });
    writeApiVersionsResponse(w, 0, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: this.services.broker.advertisedApis(),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    setSize(w.length - 4);
    return w.toChunks();
  }
}

/** A request's context as the dispatcher makes it, for calling a handler directly (tests, tools). */
export function requestContext(services: BrokerServices, header: RequestHeaderFacts, connection: ConnectionInfo): RequestContext {
  return new Context(services, header.apiKey, header.apiVersion, header.correlationId, header.clientId, connection, header.requestSize ?? 0);
}

export interface RequestHeaderFacts {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly requestSize?: number;
}

/**
 * A request's context: the header and connection facts, and the broker's services read through
 * on use, so that a coordinator the request never touches is not made for it.
 */
class Context implements RequestContext {
  /** The trace entry of a traced request, which gets the response when it is encoded. */
  trace: TraceEntry | null = null;

  constructor(
    readonly services: BrokerServices,
    readonly apiKey: number,
    readonly apiVersion: number,
    readonly correlationId: number,
    readonly clientId: string | null,
    readonly connection: ConnectionInfo,
    readonly requestSize: number,
  ) {}

  get cluster() {
    return this.services.cluster;
  }
  get groups() {
    return this.services.groups;
  }
  get txns() {
    return this.services.txns;
  }
  get shares() {
    return this.services.shares;
  }
  get fetchSessions() {
    return this.services.fetchSessions;
  }
  get quotas() {
    return this.services.quotas;
  }
  get broker() {
    return this.services.broker;
  }
  get clock() {
    return this.services.clock;
  }
  get logger() {
    return this.services.logger;
  }
  get authorizer() {
    return this.services.authorizer;
  }
  get scramCredentials() {
    return this.services.scramCredentials;
  }
}

function errorResponseFor(handler: Handler, ctx: RequestContext, body: unknown, code: number): unknown {
  if (!handler.errorResponse) throw new Error(`${handler.api.name} has no error response for interceptors; use 'respond' instead`);
  return handler.errorResponse(ctx, body, code);
}
