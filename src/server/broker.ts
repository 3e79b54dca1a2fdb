/**
 * The composition root of the server: the one module that knows every part and wires them.
 *
 * - `ClusterServices`: one cluster's state (cluster/: brokers, topics, configs, producer ids, log
 *   maintenance) and its coordinators (coordinators/group, coordinators/txn). One per cluster,
 *   shared by every broker of it, so several brokers in one process see the same groups and
 *   transactions.
 * - `Broker`: one broker of a cluster: its listeners (net/, one socket each), its connections, the handler
 *   registry (handlers/), its fetch sessions, and the narrow context its handlers get.
 *
 * Arrows run one way: net/ knows only the handler contract; handlers/ know the cluster state and
 * the coordinators, never the listener or this module; coordinators know the cluster state;
 * cluster/ knows neither (test/unit/server/architecture.test.ts checks it).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { BrokerSecurity, ClusterSecurity, advertisedHostOf } from './security/broker-security.js';
import type { ListenerDefaults, ListenerSecurity, SecurityOptions } from './security/broker-security.js';
import { hostPort } from './security/listeners.js';
import type { SecurityProtocolName } from './security/listeners.js';
import type { StateSection } from './security/persisted-state.js';
import { Connection } from './net/connection.js';
import { frameMemory } from './net/frame-memory.js';
import { ListenerServer } from './net/listener-server.js';
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
  /** Users, SCRAM credentials, ACLs and the throwaway CA: one set for every broker of the cluster. */
  readonly security: ClusterSecurity;
  #groups: GroupCoordinator | null = null;
  #txns: TransactionCoordinator | null = null;
  #shares: ShareCoordinator | null = null;

  constructor(
    /** The static config of the cluster's first broker: the coordinators' settings come from it. */
    readonly config: BrokerConfig,
    readonly clock: Clock,
    readonly logger: Logger,
    security: SecurityOptions = {},
  ) {
    this.cluster = new Cluster(config.clusterId, clock, logger, config);
    this.security = new ClusterSecurity(config.extra, security, () => clock.now());
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
  /**
   * Users, ACLs and TLS options beyond the Kafka configs (see security/cluster-security.ts): for
   * a new cluster; a broker joining `cluster` shares that cluster's.
   */
  readonly security?: SecurityOptions;
  /** Trace every request and response (see net/trace.ts); off when absent. */
  readonly trace?: TraceOptions;
  /**
   * Answer ApiVersions and refuse requests as this older Apache Kafka release would (see
   * cluster/kafka-releases.ts, `kafkaRelease("3.6")`); the newest behaviour when absent.
   */
  readonly release?: KafkaRelease;
  /**
   * Whether produced bytes will stay in memory as the frames they came in, asked for each large
   * frame (default: always, the in-memory log). When it says yes, the frame comes from
   * net/frame-memory.ts, whose memory V8 does not count and whose collections double with what
   * is kept; otherwise from an ordinary Buffer, which V8's own accounting (a collection each
   * 64 MB) frees sooner once the frame is let go: in durable mode (let go once flushed), and once
   * the in-memory log nears its --max-memory budget (let go when spilled).
   */
  readonly framesKept?: () => boolean;
}

/** One listener of a broker as clients are told of it. */
export interface BrokerListenerEndpoint {
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocolName;
  /** Advertised host and port (advertised.listeners, else the bound ones). */
  readonly host: string;
  readonly port: number;
  /** The port bound (differs from `port` when advertised.listeners gives one). */
  readonly boundPort: number;
  /** "host:port" of this listener, for a client's bootstrap.servers. */
  readonly bootstrapServers: string;
}

export class Broker implements ServingBroker {
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly services: ClusterServices;
  readonly handlers: ReadonlyMap<number, Handler>;
  readonly fetchSessions: FetchSessionCache;
  /** The listeners' security protocols, TLS and SASL settings, over the cluster's users and ACLs. */
  readonly security: BrokerSecurity;
  /** What durable mode saves of the cluster's security (ACLs, SCRAM credentials): see persistence/. */
  readonly stateSections: readonly StateSection[];
  readonly quotas: BrokerQuotas;
  readonly #framesKept: () => boolean;
  /** Where a connection reads a large frame (BrokerOptions.framesKept). */
  readonly #allocateFrame = (size: number): Buffer => (this.#framesKept() ? frameMemory.allocate(size) : Buffer.allocUnsafe(size));
  private readonly dispatcher: Dispatcher;
  readonly #services: BrokerServices;
  /** One socket per listener, the primary one first. */
  private readonly servers: readonly { readonly security: ListenerSecurity; readonly server: ListenerServer }[];
  #listening = false;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private closing: Promise<void> | null = null;

  constructor(opts: BrokerOptions = {}) {
    this.config = { ...defaultBrokerConfig(), ...opts.config };
    this.#framesKept = opts.framesKept ?? (() => true);
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? createLogger('warn');
    this.services = opts.cluster ?? new ClusterServices(this.config, this.clock, this.logger, opts.security);
    this.handlers = handlerRegistry();
    const configs = this.services.cluster.configs;
    this.fetchSessions = new FetchSessionCache(this.clock, () => configs.brokerNumber('max.incremental.fetch.session.cache.slots', 1000));
    this.security = new BrokerSecurity(this.config.extra, this.services.security, this.listenerDefaults);
    this.stateSections = this.services.security.stateSections;
    this.servers = this.security.listeners.map((security) => {
      const tls = security.tls;
      const server = new ListenerServer({
        name: security.spec.name,
        tls: tls ? { ...tls.context, requestCert: tls.requestCert, rejectUnauthorized: tls.rejectUnauthorized } : null,
        onSocket: (socket) => (tls ? this.acceptTls(security, socket as TLSSocket) : this.accept(security, socket)),
        logger: this.logger,
      });
      return { security, server };
    });
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

  /** The primary listener's bound port (0 before listen; kept while stopped). */
  get port(): number {
    return this.servers[0]!.server.port;
  }

  private get listenerDefaults(): ListenerDefaults {
    return { host: this.config.host, port: this.config.port, advertisedHost: this.config.advertisedHost };
  }

  /** The primary listener's advertised host. */
  get advertisedHost(): string {
    return advertisedHostOf(this.security.listener, this.listenerDefaults);
  }

  /** The primary listener's advertised host:port. */
  get bootstrapServers(): string {
    return this.endpoints[0]!.bootstrapServers;
  }

  /** Every listener as clients are told of it (advertised host and port), the primary one first. */
  get endpoints(): readonly BrokerListenerEndpoint[] {
    return this.servers.map(({ security: { spec }, server }) => {
      const host = advertisedHostOf(spec, this.listenerDefaults);
      const port = spec.advertisedPort ?? server.port;
      return { listenerName: spec.name, securityProtocol: spec.securityProtocol, host, port, boundPort: server.port, bootstrapServers: hostPort(host, port) };
    });
  }

  /** The ApiVersions list: derived from the handlers, so it is exactly what is served. */
  advertisedApis(): ApiVersionsResponseApiVersion[] {
    return advertisedApis(this.handlers, this.dispatcher.apiRanges);
  }

  /** Registers an interceptor on every request (fault injection); returns its remover. */
  intercept(fn: Interceptor): () => void {
    return this.dispatcher.intercept(fn);
  }

  /** Binds every listener (a restart: the ports bound before), then registers the broker with their endpoints. */
  async listen(): Promise<void> {
    if (this.#listening) throw new Error('broker is already listening');
    try {
      for (const { security, server } of this.servers) await server.listen(security.spec.host || this.config.host, security.spec.port);
    } catch (e) {
      // All or nothing: a listener that cannot bind leaves none of the others open.
      for (const { server } of this.servers) await server.close();
      throw e;
    }
    this.#listening = true;
    const endpoints = this.endpoints;
    const primary = endpoints[0]!;
    this.cluster.registerBroker({ nodeId: this.nodeId, host: primary.host, port: primary.port, rack: this.rack, endpoints: endpoints.map(({ listenerName, host, port }) => ({ listenerName, host, port })) });
    // Retention and compaction run once per cluster, from its first broker, until the cluster closes.
    this.cluster.startLogMaintenance();
    this.logger.info(`broker ${this.nodeId} listening on ${endpoints.map((e) => `${e.listenerName}://${e.bootstrapServers}`).join(', ')}`);
  }

  private acceptTls(listener: ListenerSecurity, socket: TLSSocket): void {
    const { refusal, principal } = listener.tlsPrincipal(socket);
    if (refusal !== null) {
      this.logger.info(`TLS connection from ${socket.remoteAddress ?? 'unknown'} on ${listener.spec.name} refused: ${refusal}`);
      socket.destroy();
      return;
    }
    this.accept(listener, socket, principal);
  }

  private accept(listener: ListenerSecurity, socket: Socket, principal?: string): void {
    const gate = listener.newAuthenticator() ?? undefined;
    const opts = {
      maxRequestSize: this.config.socketRequestMaxBytes,
      maxQueuedResponses: 1000,
      clock: this.clock,
      allocateFrame: this.#allocateFrame,
      listenerName: listener.spec.name,
      failedAuthenticationDelayMs: listener.failedAuthenticationDelayMs,
      ...(gate ? { gate } : {}),
      ...(principal ? { principal } : {}),
    };
    const conn = new Connection(this.nextConnectionId++, socket, this.dispatcher, opts, this.logger);
    this.connections.add(conn);
    conn.onClose(() => this.connections.delete(conn));
  }

  /** broker.rack, or null. */
  get rack(): string | null {
    return this.config.extra.get('broker.rack') ?? null;
  }

  /** Whether the listeners are open (false before listen, while stopped and after close). */
  get listening(): boolean {
    return this.#listening;
  }

  /**
   * Stops the broker as a controlled shutdown does: every connection drops, the listener closes
   * (new connections are refused), and the cluster moves its leaderships and coordinators to other
   * in-sync replicas. The broker stays registered; listen() starts it again on the same port.
   */
  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    // Leadership moves first, so that a client reconnecting elsewhere already finds the new leader.
    this.cluster.stopBroker(this.nodeId);
    for (const c of [...this.connections]) c.close();
    for (const { server } of this.servers) await server.close();
    this.logger.info(`broker ${this.nodeId} stopped`);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and closes every connection; idempotent, and quick: nothing waits for clients. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.#listening = false;
      for (const c of [...this.connections]) c.close();
      for (const { server } of this.servers) await server.close();
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
