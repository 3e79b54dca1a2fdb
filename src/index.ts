/**
 * The public fixture API:
 *
 *   const kafka = await MiniKafka.start({ topics: ['orders'] });
 *   // ... point any Kafka client at kafka.bootstrapServers ...
 *   await kafka.stop();
 *
 * or `await using kafka = await MiniKafka.start()`. Each call starts a broker of its own on a free
 * port, so tests can run many in one process.
 */
import { resolve } from 'node:path';
import { Broker } from './server/broker.js';
import type { BrokerListenerEndpoint } from './server/broker.js';
import { offsetListenerPorts } from './server/security/listeners.js';
import { listenerConfigsOf, listenerViews } from './fixture-listeners.js';
import type { ListenerOptions, ListenerView } from './fixture-listeners.js';
import { applyBrokerConfig, defaultBrokerConfig } from './server/cluster/broker-config.js';
import type { BrokerConfig } from './server/cluster/broker-config.js';
import { createTopic } from './server/cluster/topic-create.js';
import type { DataDir } from './server/persistence/data-dir.js';
import { applyMemoryLimit, batchBudgetBytes, defaultMaxMemory, maxMemoryBytes } from './server/persistence/memory-limit.js';
import type { SpillDirectory } from './log/spill/spill-directory.js';
import type { FileSystem } from './log/disk/file-system.js';
import type { Interceptor } from './server/net/dispatcher.js';
import { ControllableClock } from './util/clock.js';
import type { AclBinding } from './server/security/authorizer/acl-types.js';
import type { TokenValidator } from './server/security/oauth/jws.js';
import type { Clock } from './util/clock.js';
import { ControlPlane } from './server/control/control-plane.js';
import { reloadCoordinators } from './server/coordinator-reload.js';
import type { ControlTarget } from './server/control/control-target.js';
import { brokerStateOf } from './fixture-state.js';
import { issueClientCertificate, OAuthService } from './fixture-security.js';
import type { ClientCertificate, OAuthOptions, OAuthView } from './fixture-security.js';
import type { FaultControl, SnapshotControl, WaitControl } from './server/control/control-plane.js';
import type { SnapshotInfo } from './server/control/snapshots.js';
import type { ClockControl } from './server/control/clock-control.js';
import type { ResetReport } from './server/control/reset.js';
import type { ChaosSettings } from './server/control/chaos.js';
import type { ControlHttpServer } from './server/control/http-api.js';
import type { UiServer } from './server/control/ui/ui-server.js';
import { createLogger } from './util/logger.js';
import type { TraceOptions } from './server/net/trace.js';
import type { RecordToProduce, ProduceHelperOptions, ConsumeOptions, ConsumedRecord, PartitionResult } from './fixture-data.js';
import type { PushedTelemetry } from './server/cluster/telemetry.js';
import type { PartitionView } from './server/control/broker-control.js';
import type { LogLevel, Logger } from './util/logger.js';

export type { Interceptor, InterceptAction, InterceptedRequest } from './server/net/dispatcher.js';
export { ManualClock, ControllableClock, systemClock } from './util/clock.js';
export type { Clock, ClockState } from './util/clock.js';
export type { FaultSpec, FaultRuleView } from './server/control/fault-rules.js';
export type { FaultControl, WaitControl, ChaosStatus, SnapshotControl } from './server/control/control-plane.js';
export type { ClockControl } from './server/control/clock-control.js';
export type { ChaosSettings, ChaosEvent } from './server/control/chaos.js';
export type { GroupSnapshot, GroupWait, TransactionSnapshot } from './server/control/waiters.js';
export type { ResetReport } from './server/control/reset.js';
export type { SnapshotInfo, SnapshotRestoreReport } from './server/control/snapshots.js';
export { ControlError, ControlErrorCode } from './server/control/control-error.js';
export { Broker } from './server/broker.js';
export { ErrorCode } from './protocol/errors.js';
export type { DataDir, DataDirError, RecoverySummary } from './server/persistence/data-dir.js';
export type { FileSystem } from './log/disk/file-system.js';
export type { AclBinding } from './server/security/authorizer/acl-types.js';
export { AclOperation, AclPermissionType, PatternType, ResourceType } from './server/security/authorizer/acl-types.js';
export { TokenIssuer, mintUnsecuredToken } from './server/security/oauth/token-issuer.js';
export { JwksTokenValidator } from './server/security/oauth/jwks-validator.js';
export { createAuditLogger } from './server/security/authorizer/audit-log.js';
export type { PushedTelemetry } from './server/cluster/telemetry.js';
export type { PartitionView, BrokerView } from './server/control/broker-control.js';
export type { TraceOptions, TraceRecord, TraceFilter, TraceSummary } from './server/net/trace.js';
export { formatTraceLine } from './server/net/trace.js';
export type { RecordToProduce, ProduceHelperOptions, ConsumeOptions, ConsumedRecord, PartitionResult } from './fixture-data.js';
export type { ClientCertificate, OAuthOptions, OAuthView } from './fixture-security.js';
export type { ListenerOptions, ListenerView } from './fixture-listeners.js';
export type { BrokerListenerEndpoint } from './server/broker.js';

export interface TopicOptions {
  readonly name: string;
  readonly partitions?: number;
  /** Replicas per partition (default.replication.factor, 1), clamped to the brokers. */
  readonly replicationFactor?: number;
  readonly configs?: Readonly<Record<string, string | number | boolean>>;
}

export interface MiniKafkaOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly advertisedHost?: string;
  /** Topics created before start() resolves: names, or "name:partitions", or full specs. */
  readonly topics?: readonly (string | TopicOptions)[];
  readonly autoCreateTopics?: boolean;
  readonly numPartitions?: number;
  /** Broker configs by Kafka name, e.g. { 'group.initial.rebalance.delay.ms': 0 }. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  readonly logLevel?: LogLevel;
  readonly logger?: Logger;
  /**
   * An injected clock for every timeout and timestamp. Default: a ControllableClock, real time
   * until `kafka.clock.freeze()`; a ManualClock only moves when advanced.
   */
  readonly clock?: Clock;
  /** Serve the HTTP control API on this port (0 picks a free one); off when absent. */
  readonly controlPort?: number;
  /** Address of the control API (default 127.0.0.1: it can fail and wipe the broker, keep it local). */
  readonly controlHost?: string;
  /**
   * Serve the web inspector (topics, records, groups, transactions, live traffic) at
   * `kafka.uiUrl`, on the control API's port (a free one when controlPort is not given).
   * `sampleMs` sets how often its charts and live view update (default 1000).
   */
  readonly ui?: boolean | { readonly sampleMs?: number };
  /** Seeded chaos from the start: `rate` of requests get a fault a correct client survives. */
  readonly chaos?: ChaosSettings;
  /**
   * Durable mode: keep topics, configs, logs, committed offsets and transactions in this
   * directory, and recover them from it on start (see README, "Data directory"). Without it
   * everything lives in memory and is gone when the broker stops.
   */
  readonly dataDir?: string;
  /** Durable mode: fsync unflushed data in the background within this many ms (default 1000; 0: leave it to the OS). */
  readonly flushIntervalMs?: number;
  /** Durable mode: the filesystem to use (default: the real one; tests pass a MemoryFileSystem). */
  readonly fileSystem?: FileSystem;
  /**
   * Bytes of record batches held in memory, e.g. 536870912 or "512m" (default: a quarter of the
   * machine's memory, at least 256 MiB). In memory, batches past it spill to a temporary directory
   * removed at stop (or produce fails with KAFKA_STORAGE_ERROR when `spill` is false); with
   * `dataDir`, it sizes the cache of recent batches kept beside the files (default there 64 MiB).
   */
  readonly maxMemory?: number | string;
  /** In memory: spill batches past `maxMemory` to disk (default true). */
  readonly spill?: boolean;
  /** In memory: where to spill (default: a new directory under the OS temp directory). */
  readonly spillDir?: string;
  /**
   * The listener in Kafka's form, e.g. "SASL_SSL://127.0.0.1:0" (sets `listeners`). SSL and
   * SASL_SSL without ssl.keystore.* configs get a throwaway CA: see `tls`.
   */
  readonly listener?: string;
  /**
   * Several listeners, each on every broker: Kafka's form ("PLAINTEXT://127.0.0.1:0",
   * "SASL_SSL://127.0.0.1:0"; names other than protocols need listener.security.protocol.map in
   * `config`) or objects ({ name: 'EXTERNAL', securityProtocol: 'SASL_SSL', advertisedHost: 'kafka' }).
   * The first is the primary one (`bootstrapServers`); `kafka.listeners` gives each one's address.
   */
  readonly listeners?: readonly (string | ListenerOptions)[];
  /** SASL users (PLAIN passwords, and SCRAM-SHA-256/512 credentials made from them). */
  readonly users?: Readonly<Record<string, string>>;
  /** Turns on the StandardAuthorizer (authorizer.class.name) with these ACLs. */
  readonly acls?: readonly AclBinding[];
  /** super.users, e.g. ["User:admin"]; implies an authorizer. */
  readonly superUsers?: readonly string[];
  /** Where the throwaway CA's files are written (default: a temporary directory). */
  readonly tlsDir?: string;
  /** OAUTHBEARER token validation (default: Kafka's unsecured validator). */
  readonly tokenValidator?: TokenValidator;
  /**
   * The built-in OAuth issuer: a token endpoint (client-credentials grant) for these clients, and
   * OAUTHBEARER validated against its keys, issuer and audience (instead of `tokenValidator`). See `oauth`.
   */
  readonly oauth?: OAuthOptions;
  /**
   * Brokers in this one process (default 1), node ids node.id (1) .. node.id + N - 1, each on its
   * own port (with `port` 0, each a free one; otherwise port, port + 1, ...), one cluster state.
   */
  readonly brokers?: number;
  /** broker.rack of each broker in turn (null: none), e.g. ['a', 'b', 'c']. */
  readonly racks?: readonly (string | null)[];
  /** Authorizer audit lines (kafka.authorizer.logger format), e.g. createAuditLogger('debug', line => ...). */
  readonly audit?: import('./server/security/authorizer/audit-log.js').AuditLogger;
  /**
   * Trace every request and its response, decoded (see README, "Request trace"):
   * `{ sink: (r) => lines.push(r), apis: ['Produce'], clientIds: [...], topics: [...] }`.
   */
  readonly trace?: TraceOptions;
  /**
   * Answer ApiVersions, features and requests as this older Apache Kafka release would, e.g.
   * "3.6" (2.8 and 3.0 to 4.4; see README, "Emulating an older Kafka").
   */
  readonly asVersion?: string;
}

export class MiniKafka {
  /** Faults as data: `kafka.faults.add({ api: 'Produce', action: 'error', error: 'NOT_LEADER_OR_FOLLOWER', count: 3 })`. */
  readonly faults: FaultControl;
  /** Virtual time: freeze, advance(ms), resume. */
  readonly clock: ClockControl;
  /** Promises for events a test would otherwise sleep for. */
  readonly waitFor: WaitControl;

  private constructor(
    /** The first broker (node.id); with several, see `brokers`. */
    readonly broker: Broker,
    private readonly allBrokers: readonly Broker[],
    /** The brokers of the cluster, in node id order: each can be stopped and started again. */
    readonly brokers: readonly BrokerHandle[],
    /** Durable mode only: the data directory, as recovered. */
    readonly dataDir: DataDir | null,
    readonly control: ControlPlane,
    private readonly controlServer: ControlHttpServer | null,
    private readonly ui: UiServer | null,
    /** In memory: where batches past the memory budget go. */
    private readonly spill: SpillDirectory | null,
    /** The memory budget in bytes (`maxMemory`). */
    readonly maxMemoryBytes: number,
    private readonly oauthService: OAuthService | null,
  ) {
    this.faults = control.faults;
    this.clock = control.clock;
    this.waitFor = control.waitFor;
  }

  static async start(opts: MiniKafkaOptions = {}): Promise<MiniKafka> {
    const config = buildConfig(opts);
    const clock = opts.clock ?? new ControllableClock();
    const release = opts.asVersion === undefined ? undefined : (await import('./server/cluster/kafka-releases.js')).kafkaRelease(opts.asVersion);
    const count = opts.brokers ?? 1;
    if (!Number.isSafeInteger(count) || count < 1 || count > 64) throw new Error(`brokers must be an integer from 1 to 64, got ${count}`);
    const logger = opts.logger ?? createLogger(opts.logLevel ?? 'warn');
    if (opts.oauth !== undefined && opts.tokenValidator !== undefined) throw new Error('give oauth or tokenValidator, not both');
    const oauth = opts.oauth === undefined ? null : new OAuthService(opts.oauth, () => clock.now());
    const security = {
      ...(opts.users ? { users: opts.users } : {}),
      ...(opts.acls ? { acls: opts.acls } : {}),
      ...(opts.tlsDir ? { tlsDir: opts.tlsDir } : {}),
      ...(opts.tokenValidator ? { tokenValidator: opts.tokenValidator } : {}),
      ...(oauth ? { tokenValidator: oauth.validator } : {}),
      ...(opts.audit ? { audit: opts.audit } : {}),
    };
    // Every broker answers as the same release and traces into the same sink. Produced frames stay
    // in memory unless durable (let go once flushed) or the log is past half its budget (spilled
    // soon): BrokerOptions.framesKept.
    let spill: SpillDirectory | null = null;
    const framesKept = opts.dataDir !== undefined ? () => false : () => spill === null || spill.budget.bytes < spill.budget.budget / 2;
    const common = { clock, logger, security, framesKept, ...(release ? { release } : {}), ...(opts.trace ? { trace: opts.trace } : {}) };
    const broker = new Broker({ ...common, config: brokerConfig(config, 0, opts) });
    const brokers = [broker];
    for (let i = 1; i < count; i++) brokers.push(new Broker({ ...common, config: brokerConfig(config, i, opts), cluster: broker.services }));
    // Recovered before the broker listens: clients never see a half-loaded cluster.
    // Loaded only in durable mode, so that an in-memory broker starts as fast as before.
    const memory = opts.maxMemory === undefined ? null : maxMemoryBytes(opts.maxMemory);
    const dataDir = opts.dataDir === undefined ? null : (await import('./server/persistence/data-dir.js')).DataDir.open(broker, { path: opts.dataDir, fs: opts.fileSystem, flushIntervalMs: opts.flushIntervalMs, ...(memory === null ? {} : { cacheBytes: batchBudgetBytes(memory) }) });
    const budget = memory ?? (dataDir === null ? defaultMaxMemory() : 64 * 1024 * 1024);
    spill = dataDir !== null ? null : applyMemoryLimit(broker.cluster.topics, { budgetBytes: batchBudgetBytes(budget), spill: opts.spill ?? true, logger: broker.logger, ...(opts.spillDir === undefined ? {} : { dir: opts.spillDir }) });
    const closeAll = async () => {
      for (const b of brokers) await b.close();
      spill?.close();
      await dataDir?.close();
      await oauth?.close();
    };
    try {
      for (const b of brokers) await b.listen();
      await oauth?.start();
    } catch (e) {
      await closeAll();
      throw e;
    }
    try {
      for (const t of opts.topics ?? []) {
        const spec = typeof t === 'string' ? parseTopicArg(t) : t;
        // A restart on a data directory finds its topics there already.
        if (dataDir !== null && broker.cluster.topics.get(spec.name) !== undefined) continue;
        createTopic(broker.cluster, broker.config, {
          name: spec.name,
          numPartitions: spec.partitions,
          ...(spec.replicationFactor !== undefined ? { replicationFactor: spec.replicationFactor } : {}),
          configs: new Map(Object.entries(spec.configs ?? {}).map(([k, v]) => [k, String(v)])),
        });
      }
    } catch (e) {
      await closeAll();
      throw e;
    }
    const declaredTopics = (opts.topics ?? []).map((t) => (typeof t === 'string' ? parseTopicArg(t) : t));
    const handles = brokers.map((b) => brokerHandle(b));
    const target = controlTargetOf(broker, brokers, handles, dataDir !== null);
    const control = new ControlPlane({ broker: target, clock, chaos: opts.chaos, declaredTopics });
    let server: ControlHttpServer | null = null;
    let ui: UiServer | null = null;
    if (opts.controlPort !== undefined || (opts.ui !== undefined && opts.ui !== false)) {
      try {
        // The inspector is imported only when asked for: without it, start reads none of it.
        if (opts.ui !== undefined && opts.ui !== false) {
          const { UiServer } = await import('./server/control/ui/ui-server.js');
          const sampleMs = typeof opts.ui === 'object' ? opts.ui.sampleMs : undefined;
          ui = new UiServer({ target, plane: control, listeners: () => brokers.flatMap((b) => b.endpoints.map((e) => `${e.listenerName}://${e.bootstrapServers}`)), ...(sampleMs !== undefined ? { sampleMs } : {}) });
        }
        const extra = ui === null ? undefined : ui.handle.bind(ui);
        server = await (await import('./server/control/http-api.js')).startControlServer(control, { port: opts.controlPort ?? 0, host: opts.controlHost, ...(extra ? { extra } : {}) });
      } catch (e) {
        ui?.close();
        control.close();
        await closeAll();
        throw e;
      }
    }
    return new MiniKafka(broker, brokers, handles, dataDir, control, server, ui, spill, budget, oauth);
  }

  /**
   * Back to the broker as it started, between tests on one shared broker: every broker running,
   * only the declared topics, empty; no groups, committed offsets, transactions or faults;
   * configs, quotas, ACLs and credentials as at start (see control/reset.ts).
   */
  reset(): Promise<ResetReport> {
    return this.control.reset();
  }

  /**
   * Saves the cluster as the test prepared it under `name`: topics with their records, committed
   * offsets, configs, quotas, ACLs, credentials (see control/snapshots.ts). Cheap: the records
   * are shared with the logs, not copied. `kafka.snapshots` lists and deletes them.
   */
  async snapshot(name: string): Promise<SnapshotInfo> {
    return this.control.snapshots.save(name);
  }

  /** Puts the cluster back exactly as saved under `name` (any number of times); NOT_FOUND if none. */
  restore(name: string): ReturnType<SnapshotControl['restore']> {
    return this.control.snapshots.restore(name);
  }

  /** Named snapshots: save, restore, list, get, delete. */
  get snapshots(): SnapshotControl {
    return this.control.snapshots;
  }

  /** The HTTP control API's base URL ("http://127.0.0.1:PORT"), or null when not served. */
  get controlUrl(): string | null {
    return this.controlServer?.url ?? null;
  }

  /** The web inspector's address ("http://127.0.0.1:PORT/ui/"), or null when started without `ui`. */
  get uiUrl(): string | null {
    return this.ui === null || this.controlServer === null ? null : `${this.controlServer.url}/ui/`;
  }

  get controlPort(): number | null {
    return this.controlServer?.port ?? null;
  }

  /**
   * "host:port" of the primary listener (comma-separated, one per running broker), ready for any
   * client's bootstrap.servers; see `listeners` for the others.
   */
  get bootstrapServers(): string {
    return this.listeners[0]!.bootstrapServers;
  }

  /** Every listener (the primary one first) with its bootstrap address over the running brokers. */
  get listeners(): readonly ListenerView[] {
    return listenerViews(this.allBrokers);
  }

  /** One listener's bootstrap address, by name (e.g. "SASL_SSL"); throws for an unknown name. */
  bootstrapServersFor(listenerName: string): string {
    const l = this.listeners.find((x) => x.name === listenerName.toUpperCase());
    if (l === undefined) throw new Error(`no listener ${listenerName}; the listeners are ${this.listeners.map((x) => x.name).join(', ')}`);
    return l.bootstrapServers;
  }

  /** Where the produce/consume helpers connect: a PLAINTEXT listener if there is one (they do not authenticate). */
  private get helperBootstrap(): string {
    return (this.listeners.find((l) => l.securityProtocol === 'PLAINTEXT') ?? this.listeners[0]!).bootstrapServers;
  }

  get port(): number {
    return this.broker.port;
  }

  /** The throwaway CA of an SSL / SASL_SSL listener: PEM, PKCS12 truststore and its password; null otherwise. */
  get tls(): { readonly caPem: string; readonly caFile: string; readonly truststore: string; readonly truststorePassword: string; readonly caKeyPem: string } | null {
    const t = this.broker.security.throwawayTls;
    return t === null ? null : { caPem: t.ca.certPem, caFile: t.files.caPem, truststore: t.files.truststore, truststorePassword: t.truststorePassword, caKeyPem: t.ca.keyPem };
  }

  /** A client certificate for mTLS from the throwaway CA, for a subject ("CN=alice,OU=eng" or "alice"); PEM keystore written next to the CA's files. */
  issueClientCertificate(subject: string): ClientCertificate {
    const t = this.broker.security.throwawayTls;
    if (t === null) throw new Error('no throwaway CA: start with an SSL or SASL_SSL listener and no ssl.keystore.* configs');
    return issueClientCertificate(t, subject, this.broker.clock.now());
  }

  /** The built-in OAuth issuer (option `oauth`): token endpoint, JWKS, issuer, audience; null when not started. */
  get oauth(): OAuthView | null {
    return this.oauthService?.view ?? null;
  }

  createTopic(name: string, partitions?: number, configs: Readonly<Record<string, string | number | boolean>> = {}, replicationFactor?: number): void {
    createTopic(this.broker.cluster, this.broker.config, {
      name,
      numPartitions: partitions,
      ...(replicationFactor !== undefined ? { replicationFactor } : {}),
      configs: new Map(Object.entries(configs).map(([k, v]) => [k, String(v)])),
    });
  }

  /**
   * Writes records over the Kafka protocol, as a producer would (partition by key's murmur2):
   * `await kafka.produce('orders', [{ key: 'k', value: 'v', headers: { h: 'x' } }])`.
   */
  async produce(topic: string, records: readonly RecordToProduce[], opts: ProduceHelperOptions = {}): Promise<PartitionResult[]> {
    return (await import('./fixture-data.js')).produce(this.helperBootstrap, topic, records, opts);
  }

  /**
   * Reads records from the beginning (or `from: 'end'`) until `count` records or the first one
   * `until(record)` accepts; rejects after `timeoutMs` (default 30 s) with how many it got.
   */
  async consume(topic: string, opts: ConsumeOptions): Promise<ConsumedRecord[]> {
    return (await import('./fixture-data.js')).consume(this.helperBootstrap, topic, opts);
  }

  /**
   * What clients pushed with PushTelemetry (KIP-714), oldest first: the newest 1000 pushes, 16 MiB
   * at most. Clients push only what a client metrics subscription asks for, e.g.
   * `kafka-client-metrics.sh --alter --name all --metrics '*' --interval 1000`.
   */
  telemetry(): PushedTelemetry[] {
    return this.broker.cluster.telemetry.received();
  }

  /** Sees every request first, on every broker: observe, delay, fail or drop it. Returns a remover. */
  intercept(fn: Interceptor): () => void {
    const removers = this.allBrokers.map((b) => b.intercept(fn));
    return () => removers.forEach((r) => r());
  }

  /** The broker with this node id (see `brokers`). */
  brokerById(nodeId: number): BrokerHandle | undefined {
    return this.brokers.find((b) => b.nodeId === nodeId);
  }

  /** A partition's leader, replicas, ISR and leader epoch as the cluster holds them now. */
  partition(topic: string, partition: number): PartitionView {
    return this.control.brokers.partition(topic, partition);
  }

  /** Makes `nodeId` (a live replica) the partition's leader, with a new leader epoch. */
  moveLeader(topic: string, partition: number, nodeId: number): PartitionView {
    return this.control.brokers.moveLeader(topic, partition, nodeId);
  }

  /** Stops every broker; in durable mode then shuts the data directory down cleanly. */
  async stop(): Promise<void> {
    this.ui?.close();
    await this.controlServer?.close();
    // Connections close first, so requests a fault holds are dropped rather than handled.
    for (const b of this.allBrokers) await b.close();
    this.control.close();
    this.spill?.close();
    await this.dataDir?.close();
    await this.oauthService?.close();
  }

  /**
   * Record batch bytes in memory against their budget (`maxMemory` less the runtime's reserve:
   * batchBudgetBytes), bytes spilled to disk so far and the spill directory (null until the first
   * spill). In durable mode, the budget of the tail cache only.
   */
  get memory(): { readonly budgetBytes: number; readonly heldBytes: number; readonly peakBytes: number; readonly spilledBytes: number; readonly spillDir: string | null } {
    const b = this.spill?.budget;
    return { budgetBytes: batchBudgetBytes(this.maxMemoryBytes), heldBytes: b?.bytes ?? 0, peakBytes: b?.peakBytes ?? 0, spilledBytes: b?.spilledBytes ?? 0, spillDir: this.spill?.path ?? null };
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** One broker of a MiniKafka: who it is, and stop/start as a controlled shutdown and restart. */
export interface BrokerHandle {
  readonly nodeId: number;
  readonly rack: string | null;
  readonly host: string;
  /** Its port: the same after a restart. */
  readonly port: number;
  readonly bootstrapServers: string;
  /** Each listener's advertised endpoint on this broker, the primary one first. */
  readonly endpoints: readonly BrokerListenerEndpoint[];
  readonly running: boolean;
  /** Drops its connections, refuses new ones, moves its leaderships and coordinators elsewhere. */
  stop(): Promise<void>;
  /** Listens again on the same port and rejoins the ISRs. */
  start(): Promise<void>;
  /** Sees every request to this broker first; returns the remover. */
  intercept(fn: Interceptor): () => void;
}

function brokerHandle(b: Broker): BrokerHandle {
  return {
    nodeId: b.nodeId,
    rack: b.rack,
    get host() {
      return b.advertisedHost;
    },
    get port() {
      return b.port;
    },
    get bootstrapServers() {
      return b.bootstrapServers;
    },
    get endpoints() {
      return b.endpoints;
    },
    get running() {
      return b.listening;
    },
    stop: () => b.stop(),
    start: () => (b.listening ? Promise.resolve() : b.listen()),
    intercept: (fn) => b.intercept(fn),
  };
}

/** The config of the i-th broker: its node id, port and rack over the shared config. */
function brokerConfig(base: BrokerConfig, i: number, opts: MiniKafkaOptions): BrokerConfig {
  const rack = opts.racks?.[i] ?? base.extra.get('broker.rack') ?? null;
  if (i === 0 && rack === (base.extra.get('broker.rack') ?? null)) return base;
  const c: BrokerConfig = { ...base, extra: new Map(base.extra), nodeId: base.nodeId + i, port: base.port === 0 ? 0 : base.port + i };
  c.extra.set('node.id', String(c.nodeId));
  // Each broker binds every listener: fixed ports move up by i as `port` does, 0 stays a free one.
  for (const key of ['listeners', 'advertised.listeners']) {
    const v = base.extra.get(key);
    if (v !== undefined) c.extra.set(key, offsetListenerPorts(v, i));
  }
  if (rack === null) c.extra.delete('broker.rack');
  else c.extra.set('broker.rack', rack);
  return c;
}

/** The brokers as the control plane sees them: the cluster state and an interceptor slot on each. */
function controlTargetOf(broker: Broker, all: readonly Broker[], handles: readonly BrokerHandle[], durable: boolean): ControlTarget {
  return {
    brokers: handles,
    brokerState: all.flatMap(brokerStateOf),
    config: broker.config,
    durable,
    resetCoordinators: () => broker.services.resetCoordinators(),
    reloadCoordinators: () => reloadCoordinators(broker.services),
    nodeId: broker.nodeId,
    get bootstrapServers() {
      return broker.bootstrapServers;
    },
    cluster: broker.cluster,
    get groups() {
      return broker.groups;
    },
    get txns() {
      return broker.txns;
    },
    canAnswerError: (apiKey) => broker.handlers.get(apiKey)?.errorResponse !== undefined,
  };
}

/** "orders" or "orders:3". */
export function parseTopicArg(arg: string): TopicOptions {
  const m = /^([^:]+)(?::(\d+))?$/.exec(arg);
  if (!m) throw new Error(`topic must be NAME or NAME:PARTITIONS, got '${arg}'`);
  return m[2] === undefined ? { name: m[1]! } : { name: m[1]!, partitions: Number(m[2]) };
}

function buildConfig(opts: MiniKafkaOptions): BrokerConfig {
  const c = defaultBrokerConfig();
  c.port = opts.port ?? 0;
  if (opts.host !== undefined) c.host = opts.host;
  if (opts.advertisedHost !== undefined) c.advertisedHost = opts.advertisedHost;
  for (const [k, v] of Object.entries(opts.config ?? {})) applyBrokerConfig(c, k, String(v));
  // DescribeLogDirs and DescribeConfigs report where the logs really are.
  if (opts.dataDir !== undefined && !c.extra.has('log.dirs') && !c.extra.has('log.dir')) applyBrokerConfig(c, 'log.dirs', opts.fileSystem === undefined ? resolve(opts.dataDir) : opts.dataDir);
  if (opts.autoCreateTopics !== undefined) c.autoCreateTopics = opts.autoCreateTopics;
  if (opts.numPartitions !== undefined) c.numPartitions = opts.numPartitions;
  if (opts.listener !== undefined && opts.listeners !== undefined) throw new Error('give listener or listeners, not both');
  if (opts.listener !== undefined) applyBrokerConfig(c, 'listeners', opts.listener);
  if (opts.listeners !== undefined) {
    for (const [k, v] of Object.entries(listenerConfigsOf(opts.listeners, c.host))) {
      // The fixture's protocol map adds to one given in `config`.
      const given = k === 'listener.security.protocol.map' ? c.extra.get(k) : undefined;
      applyBrokerConfig(c, k, given === undefined ? v : `${given},${v}`);
    }
  }
  if ((opts.acls !== undefined || opts.superUsers !== undefined) && !c.extra.has('authorizer.class.name')) {
    applyBrokerConfig(c, 'authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  }
  if (opts.superUsers !== undefined) applyBrokerConfig(c, 'super.users', opts.superUsers.join(';'));
  return c;
}
