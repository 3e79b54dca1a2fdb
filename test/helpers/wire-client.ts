/**
 * A minimal Kafka wire client for tests: sends any request with our generated codecs and reads
 * the response, or sends raw bytes to see how the broker treats bad input.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { apiByKey, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader } from '../../src/protocol/messages/index.js';

interface ApiLike<Req, Resp> {
  readonly apiKey: number;
  readonly writeRequest: (w: Writer, v: number, m: Req) => void;
  readonly readResponse: (r: Reader, v: number) => Resp;
}

/**
 * The decoded message without its `_unknownTaggedFields: undefined` properties: the codecs set the
 * key on every struct whether or not the message carried unknown tagged fields, and a strict
 * comparison with an expected literal would fail on the empty key alone. Unknown tagged fields that
 * did arrive are kept, so a strict comparison still sees them. Buffers (records) are left alone.
 */
export function withoutAbsentTaggedFields<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) withoutAbsentTaggedFields(item);
    return value;
  }
  const record = value as Record<string, unknown>;
  if ('_unknownTaggedFields' in record && record['_unknownTaggedFields'] === undefined) delete record['_unknownTaggedFields'];
  for (const key of Object.keys(record)) withoutAbsentTaggedFields(record[key]);
  return value;
}

export class WireClient {
  private buf = Buffer.alloc(0);
  private waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private nextCorrelation = 1;
  closed = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4) {
        const size = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + size) break;
        const frame = this.buf.subarray(4, 4 + size);
        this.buf = this.buf.subarray(4 + size);
        this.waiting.shift()?.resolve(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
      for (const f of this.closeWaiters.splice(0)) f();
    });
    socket.on('error', () => {});
  }

  static connect(bootstrap: string): Promise<WireClient> {
    const i = bootstrap.lastIndexOf(':');
    const host = bootstrap.slice(0, i);
    const port = Number(bootstrap.slice(i + 1));
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  /** Over TLS (an SSL or SASL_SSL listener), trusting `caPem`; resolves once the handshake is done. */
  static connectTls(bootstrap: string, caPem: string): Promise<WireClient> {
    const i = bootstrap.lastIndexOf(':');
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ host: bootstrap.slice(0, i), port: Number(bootstrap.slice(i + 1)), ca: caPem, servername: 'localhost' }, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  /** Encodes a full request frame (size prefix included). */
  static frame<Req>(api: ApiLike<Req, unknown>, version: number, body: Req, correlationId = 1, clientId: string | null = 'wire-test'): Buffer {
    const desc = apiByKey.get(api.apiKey)!;
    const w = new Writer();
    const setSize = w.reserveInt32();
    writeRequestHeader(w, requestHeaderVersion(desc, version), { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId });
    api.writeRequest(w, version, body);
    setSize(w.length - 4);
    return w.toBuffer();
  }

  async request<Req, Resp>(api: ApiLike<Req, Resp>, version: number, body: Req): Promise<Resp> {
    const correlationId = this.nextCorrelation++;
    const frame = await this.sendFrame(WireClient.frame(api, version, body, correlationId));
    const r = new Reader(frame);
    const header = readResponseHeader(r, responseHeaderVersion(apiByKey.get(api.apiKey)!, version));
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    return withoutAbsentTaggedFields(api.readResponse(r, version));
  }

  /** Sends raw bytes and resolves with the next response frame (without its size prefix). */
  sendFrame(bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      // After the broker went away nothing would ever answer (or reject) the request.
      if (this.closed) return reject(new Error('connection closed'));
      this.waiting.push({ resolve, reject });
      this.socket.write(bytes);
    });
  }

  /** Resolves with the next response frame not yet claimed, for requests sent in pieces with send(). */
  nextFrame(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      this.waiting.push({ resolve, reject });
    });
  }

  /** Sends raw bytes expecting no response. */
  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /**
   * Resolves when the broker closes the connection; rejects after ms. The default, 10 s, only
   * separates "closes" from "never closes": a close takes milliseconds, even on a loaded machine.
   */
  waitClosed(ms = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
      this.closeWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
