/**
 * One TCP connection to one broker: size-prefixed frames, correlation ids matched to their
 * requests (Kafka answers in order on a connection, but matching by id catches a confused peer),
 * and the version of each API chosen from the broker's ApiVersions answer: the highest version
 * both sides speak, capped where a later version identifies topics by id only (this client
 * names topics). Works against minikafka and any Kafka from 2.4 (ApiVersions v3) on; older
 * brokers get ApiVersions v0.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { apiInfoByKey, requestHeaderVersion, responseHeaderVersion } from '../protocol/messages/api-table.js';
import { writeRequestHeader } from '../protocol/messages/request-header.js';
import { readResponseHeader } from '../protocol/messages/response-header.js';
import { ApiVersionsApi } from '../protocol/messages/api-versions.js';
import { ConnectionError, KafkaResponseError } from './errors.js';

export interface Api<Req, Resp> {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly writeRequest: (w: Writer, v: number, m: Req) => void;
  readonly readResponse: (r: Reader, v: number) => Resp;
}

/**
 * Highest version used per API key, where a later one needs topic ids (Produce 13, Fetch 13,
 * OffsetCommit/OffsetFetch 10) or is for brokers only (AddPartitionsToTxn 4).
 */
const VERSION_CAP: ReadonlyMap<number, number> = new Map([
  [0, 12],
  [1, 12],
  [8, 9],
  [9, 9],
  [24, 3],
]);

export interface ConnectionOptions {
  readonly clientId: string;
  /** A request without an answer after this long fails the connection. */
  readonly requestTimeoutMs: number;
}

interface Pending {
  readonly correlationId: number;
  readonly resolve: (frame: Buffer) => void;
  readonly reject: (e: Error) => void;
}

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closedWith: Error | null = null;
  /** Broker's [min, max] per API key, from ApiVersions. */
  private versions = new Map<number, readonly [number, number]>();

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly opts: ConnectionOptions,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(new ConnectionError(`${address}: ${e.message}`)));
    socket.on('close', () => this.fail(new ConnectionError(`${address}: connection closed`)));
  }

  static async open(host: string, port: number, opts: ConnectionOptions): Promise<Connection> {
    const address = `${host}:${port}`;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => s.destroy(new Error(`no connection within ${opts.requestTimeoutMs} ms`)), opts.requestTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to ${address}: ${e.message}`));
      });
    });
    socket.setNoDelay(true);
    const c = new Connection(socket, address, opts);
    await c.negotiate();
    return c;
  }

  /** ApiVersions v3 (KIP-511); a broker too old for it answers UNSUPPORTED_VERSION, then v0. */
  private async negotiate(): Promise<void> {
    const body = { clientSoftwareName: 'minikafka-cli', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 };
    let resp = await this.send(ApiVersionsApi, 3, body);
    if (resp.errorCode === 35) resp = await this.send(ApiVersionsApi, 0, body);
    if (resp.errorCode !== 0) throw new KafkaResponseError(resp.errorCode, `ApiVersions ${this.address}`);
    this.versions = new Map(resp.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion] as const]));
  }

  /** The version this connection uses for `api`; throws when the broker serves none we speak. */
  versionFor(api: { readonly apiKey: number; readonly name: string; readonly minVersion: number; readonly maxVersion: number }): number {
    const theirs = this.versions.get(api.apiKey);
    const cap = Math.min(api.maxVersion, VERSION_CAP.get(api.apiKey) ?? Infinity);
    if (theirs === undefined || theirs[1] < api.minVersion || theirs[0] > cap) throw new KafkaResponseError(35, `${api.name} is not served by ${this.address}`);
    return Math.min(cap, theirs[1]);
  }

  /** Whether the broker serves `api` at `version` or later. */
  serves(api: { readonly apiKey: number }, version = 0): boolean {
    const theirs = this.versions.get(api.apiKey);
    return theirs !== undefined && theirs[1] >= version;
  }

  /**
   * Sends a request at the negotiated version and reads its answer. Give the body as a function
   * of the version where fields differ by version (a field a version lacks must keep its default).
   */
  request<Req, Resp>(api: Api<Req, Resp>, body: Req | ((version: number) => Req)): Promise<Resp> {
    const version = this.versionFor(api);
    return this.send(api, version, typeof body === 'function' ? (body as (v: number) => Req)(version) : body);
  }

  /** Sends a request no answer comes for (Produce with acks=0). */
  fireAndForget<Req>(api: Api<Req, unknown>, body: Req): void {
    if (this.closedWith !== null) throw this.closedWith;
    this.socket.write(this.frame(api, this.versionFor(api), body, this.nextCorrelationId++));
  }

  private frame<Req>(api: Api<Req, unknown>, version: number, body: Req, correlationId: number): Buffer {
    const info = apiInfoByKey.get(api.apiKey)!;
    const w = new Writer();
    const setSize = w.reserveInt32();
    writeRequestHeader(w, requestHeaderVersion(info, version), { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId: this.opts.clientId });
    api.writeRequest(w, version, body);
    setSize(w.length - 4);
    return w.toBuffer();
  }

  private async send<Req, Resp>(api: Api<Req, Resp>, version: number, body: Req): Promise<Resp> {
    if (this.closedWith !== null) throw this.closedWith;
    const correlationId = this.nextCorrelationId++;
    const frame = this.frame(api, version, body, correlationId);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new ConnectionError(`${api.name} to ${this.address}: no answer within ${this.opts.requestTimeoutMs} ms`));
      }, this.opts.requestTimeoutMs);
      this.pending.set(correlationId, {
        correlationId,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(frame);
    });
    const r = new Reader(answer);
    readResponseHeader(r, responseHeaderVersion(apiInfoByKey.get(api.apiKey)!, version));
    return api.readResponse(r, version);
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    if (this.buffered < 4) return;
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    while (buf.length >= 4) {
      const size = buf.readInt32BE(0);
      if (buf.length < 4 + size) break;
      const frame = buf.subarray(4, 4 + size);
      buf = buf.subarray(4 + size);
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      if (p === undefined) {
        this.fail(new ConnectionError(`${this.address} answered correlation id ${id}, which no request has`));
        return;
      }
      this.pending.delete(id);
      p.resolve(frame);
    }
    this.chunks = buf.length === 0 ? [] : [buf];
    this.buffered = buf.length;
  }

  private fail(e: Error): void {
    if (this.closedWith !== null) return;
    this.closedWith = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.socket.destroy();
  }

  close(): void {
    this.fail(new ConnectionError(`${this.address}: closed`));
  }
}
