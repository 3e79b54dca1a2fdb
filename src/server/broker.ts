/**
 * The composition root of the server: the one module that knows every part and wires them.
 *
 * - `ClusterServices`: one cluster's state (cluster/: brokers, topics, configs, producer ids, log
 *   maintenance) and its coordinators (coordinators/group, coordinators/txn). One per cluster,
 *   shared by every broker of it, so several brokers in one process see the same groups and
 *   transactions.
 * - `Broker`: one broker of a cluster: a TCP listener (net/), its connections, the handler
 *   registry (handlers/), its fetch sessions, and the narrow context its handlers get.
 *
 * Arrows run one way: net/ knows only the handler contract; handlers/ know the cluster state and
 * the coordinators, never the listener or this module; coordinators know the cluster state;
 * cluster/ knows neither (test/unit/server/architecture.test.ts checks it).
 */
import { createServer } from 'node:net';
import type { Server, Socket, AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { BrokerSecurity } from './security/broker-security.js';
import type { SecurityOptions } from './security/broker-security.js';
import { securityStateSections } from './security/persisted-state.js';
import type { StateSection } from './security/persisted-state.js';
import { Connection } from './net/connection.js';
import { Dispatcher, requestContext } from './net/dispatcher.js';
import type { Interceptor, RequestHeaderFacts } from './net/dispatcher.js';
import { RequestTracer } from './net/trace.js';
import type { TraceOptions } from './net/trace.js';
import type { KafkaRelease } from './cluster/kafka-releases.js';
import { defaultBrokerConfig } from './cluster/broker-config.js';
import type { BrokerConfig } from './cluster/broker-config.js';
import { Cluster } from './cluster/cluster.js';
import type { ConfigStore } from './cluster/configs/config-store.js';
import type { LogMaintenance } from './cluster/log-maintenance.js';
import { FetchSessionCache } from './cluster/fetch-sessions.js';
import { BrokerQuotas } from './cluster/quotas/client-quota-manager.js';
import { GroupCoordinator } from './coordinators/group/group-coordinator.js';
import { TransactionCoordinator } from './coordinators/txn/transaction-coordinator.js';
import { ShareCoordinator } from './coordinators/share/share-coordinator.js';
import { ShareStateLog } from './coordinators/share/share-state-log.js';
import { advertisedApis, handlerRegistry } from './handlers/index.js';
import type { BrokerServices, ConnectionInfo, Handler, RequestContext, ServingBroker } from './handlers/handler.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { createLogger } from '../util/logger.js';
import type { Logger } from '../util/logger.js';
import type { ApiVersionsResponseApiVersion } from '../protocol/messages/api-versions.js';

/**
 * One cluster's state and coordinators. The coordinators are made on first use (a broker that
 * never sees a group or transaction starts no coordinator timers), here and nowhere else, and
 * stop when the cluster closes (its last broker closes).
 */
export class ClusterServices {
  readonly cluster: Cluster;
  #groups: GroupCoordinator | null = null;
  #txns: TransactionCoordinator | null = null;
  #shares: ShareCoordinator | null = null;

  constructor(
    /** The static config of the cluster's first broker: the coordinators' settings come from it. */
    readonly config: BrokerConfig,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {
    this.cluster = new Cluster(config.clusterId, clock, logger, config);
    this.cluster.onClose(() => {
      this.#groups?.close();
      this.#txns?.close();
      this.#shares?.close();
    });
  }

  get groups(): GroupCoordinator {
    if (this.#groups === null) {
      this.#groups = new GroupCoordinator(this.cluster, this.config, this.clock, this.logger);
      // Share groups share the group id space and the group admin APIs (GroupKindHook).
      this.#groups.otherGroups = {
        has: (id) => this.#shares?.group(id) !== undefined,
        list: (states, types) => this.#shares?.list(states, types) ?? [],
        delete: (id) => this.#shares?.deleteGroup(id) ?? null,
      };
    }
    return this.#groups;
  }

  /** Share groups (KIP-932): made on first use, as the other coordinators. */
  get shares(): ShareCoordinator {
    if (this.#shares === null) {
      const cluster = this.cluster;
      this.#shares = new ShareCoordinator(cluster, { brokerValue: (n) => cluster.configs.brokerValue(n), groupValue: (g, n) => cluster.groupConfigs.get(g, n) }, this.clock, this.logger);
      this.#shares.otherGroupExists = (id) => this.groups.group(id) !== undefined;
      this.#shares.persister = new ShareStateLog(cluster, this.config, this.clock);
    }
    return this.#shares;
  }

  /**
   * Closes both coordinators (parked requests answer COORDINATOR_NOT_AVAILABLE, timers stop);
   * the next use makes fresh ones with no groups, offsets or transactions: the control plane's reset.
   */
  resetCoordinators(): void {
    this.#groups?.close();
    this.#txns?.close();
    this.#shares?.close();
    this.#groups = null;
    this.#txns = null;
    this.#shares = null;
  }

  get txns(): TransactionCoordinator {
    // Markers for __consumer_offsets partitions are the group coordinator's to write (TxnOffsetCommit).
    return (this.#txns ??= new TransactionCoordinator(this.cluster, this.config, this.clock, this.logger, {
      offsetsMarkers: (partition, marker) => this.groups.completeTransaction(partition, marker),
    }));
  }
}

export interface BrokerOptions {
  readonly config?: Partial<BrokerConfig>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Share a cluster with other brokers in this process; a new one otherwise. */
  readonly cluster?: ClusterServices;
  /** Users, ACLs and TLS options beyond the Kafka configs (see security/broker-security.ts). */
  readonly security?: SecurityOptions;
  /** Trace every request and response (see net/trace.ts); off when absent. */
  readonly trace?: TraceOptions;
  /**
   * Answer ApiVersions and refuse requests as this older Apache Kafka release would (see
   * cluster/kafka-releases.ts, `kafkaRelease("3.6")`); the newest behaviour when absent.
   */
  readonly release?: KafkaRelease;
}

export class Broker implements ServingBroker {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly services: ClusterServices;
  readonly handlers: ReadonlyMap<number, Handler>;
  readonly fetchSessions: FetchSessionCache;
  /** The listener's security protocol, TLS, SASL users and the authorizer. */
  readonly security: BrokerSecurity;
  /** What durable mode saves of this broker's security (ACLs, SCRAM credentials): see persistence/. */
  readonly stateSections: readonly StateSection[];
  readonly quotas: BrokerQuotas;
  private readonly dispatcher: Dispatcher;
  readonly #services: BrokerServices;
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private boundPort = 0;
  private closing: Promise<void> | null = null;

  constructor(opts: BrokerOptions = {}) {
    this.config = { ...defaultBrokerConfig(), ...opts.config };
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? createLogger('warn');
    this.services = opts.cluster ?? new ClusterServices(this.config, this.clock, this.logger);
    this.handlers = handlerRegistry();
    const configs = this.services.cluster.configs;
    this.fetchSessions = new FetchSessionCache(this.clock, () => configs.brokerNumber('max.incremental.fetch.session.cache.slots', 1000));
    this.security = new BrokerSecurity(this.config.extra, opts.security ?? {}, () => this.clock.now());
    this.stateSections = securityStateSections(this.security.scramCredentials, this.security.authorizer);
    this.quotas = new BrokerQuotas(this.services.cluster.quotas, () => ({
      samples: configs.brokerNumber('quota.window.num', 11),
      windowMs: configs.brokerNumber('quota.window.size.seconds', 1) * 1000,
    }));
    this.#services = this.requestServices(opts);
    this.dispatcher = new Dispatcher(this.#services, this.handlers);
    if (opts.release !== undefined) this.dispatcher.apiRanges = opts.release.apiRanges;
    if (opts.trace !== undefined) this.setTrace(opts.trace);
  }

  /** Starts tracing requests with these options, or stops with null. */
  setTrace(opts: TraceOptions | null): void {
    if (opts === null) {
      this.dispatcher.tracer = null;
      return;
    }
    const tracer = new RequestTracer(opts);
    const topics = this.services.cluster.topics;
    tracer.topicName = (id) => topics.getById(id)?.name;
    this.dispatcher.tracer = tracer;
  }

  /** What the dispatcher hands every request's context: nothing of the listener itself. */
  private requestServices(opts: BrokerOptions): BrokerServices {
    const services = this.services;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const broker = this;
    const identity: ServingBroker = {
      nodeId: this.config.nodeId,
      config: this.config,
      get advertisedHost() {
        return broker.advertisedHost;
      },
      get port() {
        return broker.port;
      },
      advertisedApis: () => this.advertisedApis(),
      releaseFeatures: opts.release?.features ?? null,
    };
    return {
      cluster: services.cluster,
      get groups() {
        return services.groups;
      },
      get txns() {
        return services.txns;
      },
      get shares() {
        return services.shares;
      },
      fetchSessions: this.fetchSessions,
      quotas: this.quotas,
      broker: identity,
      clock: this.clock,
      logger: this.logger,
      authorizer: this.security.authorizer,
      scramCredentials: this.security.scramCredentials,
    };
  }

  /** The context the dispatcher would give a request: for calling a handler directly (tests, tools). */
  requestContext(header: RequestHeaderFacts, connection: ConnectionInfo): RequestContext {
    return requestContext(this.#services, header, connection);
  }

  get cluster(): Cluster {
    return this.services.cluster;
  }

  get groups(): GroupCoordinator {
    return this.services.groups;
  }

  get txns(): TransactionCoordinator {
    return this.services.txns;
  }

  get shares(): ShareCoordinator {
    return this.services.shares;
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get port(): number {
    return this.boundPort;
  }

  get advertisedHost(): string {
    if (this.config.advertisedHost) return this.config.advertisedHost;
    const listener = this.security.listener;
    const h = listener?.advertisedHost || this.config.host;
    return h === '0.0.0.0' || h === '::' || h === '' ? '127.0.0.1' : h;
  }

  get bootstrapServers(): string {
    const h = this.advertisedHost;
    return `${h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  /** The ApiVersions list: derived from the handlers, so it is exactly what is served. */
  advertisedApis(): ApiVersionsResponseApiVersion[] {
    return advertisedApis(this.handlers, this.dispatcher.apiRanges);
  }

  /** Registers an interceptor on every request (fault injection); returns its remover. */
  intercept(fn: Interceptor): () => void {
    return this.dispatcher.intercept(fn);
  }

  async listen(): Promise<void> {
    if (this.server) throw new Error('broker is already listening');
    const tls = this.security.tls;
    const server: Server = tls
      ? createTlsServer({ ...tls.context, requestCert: tls.requestCert, rejectUnauthorized: tls.rejectUnauthorized }, (socket) => this.acceptTls(socket))
      : createServer({ noDelay: true }, (socket) => this.accept(socket));
    if (tls) {
      // A bad handshake (plaintext client, untrusted certificate) ends that connection only.
      server.on('tlsClientError', (e, socket) => {
        this.logger.info(`TLS handshake with ${socket.remoteAddress ?? 'unknown'} failed: ${e.message}`);
        socket.destroy();
      });
    }
    const listener = this.security.listener;
    // A broker started again listens where it listened before, so clients find it at the same address.
    const port = this.boundPort !== 0 ? this.boundPort : listener ? listener.port : this.config.port;
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
      server.listen({ host: listener?.host || this.config.host, port });
    });
    server.on('error', (e) => this.logger.error(`listener: ${e.message}`));
    this.boundPort = (server.address() as AddressInfo).port;
    this.cluster.registerBroker({ nodeId: this.nodeId, host: this.advertisedHost, port: this.boundPort, rack: this.rack });
    // Retention and compaction run once per cluster, from its first broker, until the cluster closes.
    this.cluster.startLogMaintenance();
    this.logger.info(`broker ${this.nodeId} listening on ${this.bootstrapServers}`);
  }

  private acceptTls(socket: TLSSocket): void {
    const { refusal, principal } = this.security.tlsPrincipal(socket);
    if (refusal !== null) {
      this.logger.info(`TLS connection from ${socket.remoteAddress ?? 'unknown'} refused: ${refusal}`);
      socket.destroy();
      return;
    }
    this.accept(socket, principal);
  }

  private accept(socket: Socket, principal?: string): void {
    const gate = this.security.newAuthenticator() ?? undefined;
    const opts = { maxRequestSize: this.config.socketRequestMaxBytes, maxQueuedResponses: 1000, clock: this.clock, ...(gate ? { gate } : {}), ...(principal ? { principal } : {}) };
    const conn = new Connection(this.nextConnectionId++, socket, this.dispatcher, opts, this.logger);
    this.connections.add(conn);
    conn.onClose(() => this.connections.delete(conn));
  }

  /** broker.rack, or null. */
  get rack(): string | null {
    return this.config.extra.get('broker.rack') ?? null;
  }

  /** Whether the listener is open (false before listen, while stopped and after close). */
  get listening(): boolean {
    return this.server !== null;
  }

  /**
   * Stops the broker as a controlled shutdown does: every connection drops, the listener closes
   * (new connections are refused), and the cluster moves its leaderships and coordinators to other
   * in-sync replicas. The broker stays registered; listen() starts it again on the same port.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    // Leadership moves first, so that a client reconnecting elsewhere already finds the new leader.
    this.cluster.stopBroker(this.nodeId);
    for (const c of [...this.connections]) c.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.logger.info(`broker ${this.nodeId} stopped`);
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

// Lookups kept for tests and tools written against the per-cluster registries that preceded the
// composition root; they read what the root made.

/** The group coordinator of a broker's cluster. */
export function groupCoordinatorOf(broker: Broker): GroupCoordinator {
  return broker.groups;
}

/** The transaction coordinator of a broker's cluster. */
export function transactionCoordinatorOf(broker: Broker): TransactionCoordinator {
  return broker.txns;
}

/** The config store of a cluster (`config` is ignored: the cluster was made with its home config). */
export function configStoreOf(cluster: Cluster, _config?: BrokerConfig): ConfigStore {
  return cluster.configs;
}

/** The log maintenance of a cluster. */
export function logMaintenanceOf(cluster: Cluster): LogMaintenance {
  return cluster.logMaintenance;
}
