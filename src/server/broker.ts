/**
 * One broker: a TCP listener, its connections, and the cluster state its handlers act on.
 *
 * The cluster state (topics, and later groups and transactions) is a separate object so that
 * several brokers in one process can share one cluster; handlers reach everything through the
 * request context and never assume they are the only broker.
 */
import { createServer } from 'node:net';
import type { Server, Socket, AddressInfo } from 'node:net';
import { Connection } from './net/connection.js';
import { Dispatcher } from './net/dispatcher.js';
import type { Interceptor } from './net/dispatcher.js';
import { defaultBrokerConfig } from './cluster/broker-config.js';
import type { BrokerConfig } from './cluster/broker-config.js';
import { Cluster } from './cluster/cluster.js';
import { handlerRegistry } from './handlers/index.js';
import { startLogMaintenance } from './cluster/log-maintenance.js';
import type { Handler } from './handlers/handler.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { createLogger } from '../util/logger.js';
import type { Logger } from '../util/logger.js';
import type { ApiVersionsResponseApiVersion } from '../protocol/messages/api-versions.js';

export interface BrokerOptions {
  readonly config?: Partial<BrokerConfig>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Share a cluster with other brokers in this process; a new one otherwise. */
  readonly cluster?: Cluster;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cluster: Cluster;
  readonly handlers: ReadonlyMap<number, Handler>;
  private readonly dispatcher: Dispatcher;
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private boundPort = 0;
  private closing: Promise<void> | null = null;

  constructor(opts: BrokerOptions = {}) {
    this.config = { ...defaultBrokerConfig(), ...opts.config };
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? createLogger('warn');
    this.cluster = opts.cluster ?? new Cluster(this.config.clusterId, this.clock, this.logger);
    this.handlers = handlerRegistry();
    this.dispatcher = new Dispatcher(this, this.handlers);
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get port(): number {
    return this.boundPort;
  }

  get advertisedHost(): string {
    if (this.config.advertisedHost) return this.config.advertisedHost;
    const h = this.config.host;
    return h === '0.0.0.0' || h === '::' || h === '' ? '127.0.0.1' : h;
  }

  get bootstrapServers(): string {
    const h = this.advertisedHost;
    return `${h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  /** The ApiVersions list: derived from the handlers, so it is exactly what is served. */
  advertisedApis(): ApiVersionsResponseApiVersion[] {
    const out: ApiVersionsResponseApiVersion[] = [];
    for (const h of [...this.handlers.values()].sort((a, b) => a.api.apiKey - b.api.apiKey)) {
      out.push({
        apiKey: h.api.apiKey,
        minVersion: h.advertisedMinVersion ?? h.minVersion ?? h.api.minVersion,
        maxVersion: h.maxVersion ?? h.api.maxVersion,
      });
    }
    return out;
  }

  /** Registers an interceptor on every request (fault injection); returns its remover. */
  intercept(fn: Interceptor): () => void {
    return this.dispatcher.intercept(fn);
  }

  async listen(): Promise<void> {
    if (this.server) throw new Error('broker is already listening');
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        server.removeListener('listening', onListening);
        this.server = null;
        reject(e);
      };
      const onListening = () => {
        server.removeListener('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: this.config.host, port: this.config.port });
    });
    server.on('error', (e) => this.logger.error(`listener: ${e.message}`));
    this.boundPort = (server.address() as AddressInfo).port;
    this.cluster.registerBroker({ nodeId: this.nodeId, host: this.advertisedHost, port: this.boundPort, rack: null });
    // Retention and compaction run once per cluster, from its first broker, until the cluster closes.
    startLogMaintenance(this);
    this.logger.info(`broker ${this.nodeId} listening on ${this.bootstrapServers}`);
  }

  private accept(socket: Socket): void {
    const conn = new Connection(this.nextConnectionId++, socket, this.dispatcher, { maxRequestSize: this.config.socketRequestMaxBytes, maxQueuedResponses: 1000 }, this.logger);
    this.connections.add(conn);
    conn.onClose(() => this.connections.delete(conn));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and closes every connection; idempotent, and quick: nothing waits for clients. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      for (const c of [...this.connections]) c.close();
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      this.cluster.unregisterBroker(this.nodeId);
      this.cluster.closeIfUnused();
    })();
    return this.closing;
  }
}
