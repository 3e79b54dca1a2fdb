/**
 * One listening socket of a broker (one entry of Kafka's `listeners`): plain TCP, or TLS with the
 * given server options. It binds, hands every accepted socket (a TLS one once its handshake is
 * done) to `onSocket`, and closes. A failed TLS handshake (a plaintext client, an untrusted
 * certificate, garbage) ends that connection with a log line; the listener stays up.
 *
 * It knows nothing of security or handlers: the composition root (../broker.ts) says what a
 * socket becomes.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsOptions } from 'node:tls';
import type { Logger } from '../../util/logger.js';
import { directReadSocket } from './direct-reads.js';

export interface ListenerServerOptions {
  /** The listener's name, for log lines. */
  readonly name: string;
  /** TLS server options, or null for plain TCP. */
  readonly tls: TlsOptions | null;
  readonly onSocket: (socket: Socket) => void;
  readonly logger: Logger;
}

export class ListenerServer {
  #server: Server | null = null;
  #port = 0;

  constructor(private readonly opts: ListenerServerOptions) {}

  /** The bound port (0 before the first listen; kept while stopped, so a restart binds it again). */
  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#server !== null;
  }

  /** Binds host:port (port 0: a free one, or the one bound before, after a stop). */
  async listen(host: string, port: number): Promise<number> {
    if (this.#server !== null) throw new Error(`listener ${this.opts.name} is already listening`);
    const { tls, onSocket, logger, name } = this.opts;
    // Plain sockets read into the connection's own buffers (direct-reads.ts): paused until then.
    const server: Server = tls ? createTlsServer(tls, onSocket) : createServer({ noDelay: true, pauseOnConnect: true }, (s) => onSocket(directReadSocket(s)));
    if (tls) {
      server.on('tlsClientError', (e, socket) => {
        logger.info(`listener ${name}: TLS handshake with ${socket.remoteAddress ?? 'unknown'} failed: ${e.message}`);
        socket.destroy();
      });
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        server.removeListener('listening', onListening);
        reject(e);
      };
      const onListening = () => {
        server.removeListener('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port: this.#port !== 0 ? this.#port : port });
    });
    server.on('error', (e) => logger.error(`listener ${name}: ${e.message}`));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return this.#port;
  }

  /** Stops accepting; resolves when the server has closed (open connections are the caller's). */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
