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
import { applyBrokerConfig, defaultBrokerConfig } from './server/cluster/broker-config.js';
import type { BrokerConfig } from './server/cluster/broker-config.js';
import { createTopic } from './server/cluster/topic-create.js';
import type { DataDir } from './server/persistence/data-dir.js';
import type { FileSystem } from './log/disk/file-system.js';
import type { Interceptor } from './server/net/dispatcher.js';
import { ControllableClock } from './util/clock.js';
import type { AclBinding } from './server/security/authorizer/acl-types.js';
import type { TokenValidator } from './server/security/oauth/jws.js';
import type { Clock } from './util/clock.js';
import { ControlPlane } from './server/control/control-plane.js';
import type { ControlTarget } from './server/control/control-target.js';
import type { FaultControl, WaitControl } from './server/control/control-plane.js';
import type { ClockControl } from './server/control/clock-control.js';
import type { ResetReport } from './server/control/reset.js';
import type { ChaosSettings } from './server/control/chaos.js';
import type { ControlHttpServer } from './server/control/http-api.js';
import { createLogger } from './util/logger.js';
import type { TraceOptions } from './server/net/trace.js';
import type { RecordToProduce, ProduceHelperOptions, ConsumeOptions, ConsumedRecord, PartitionResult } from './fixture-data.js';
import type { PushedTelemetry } from './server/cluster/telemetry.js';
import type { LogLevel, Logger } from './util/logger.js';

export type { Interceptor, InterceptAction, InterceptedRequest } from './server/net/dispatcher.js';
export { ManualClock, ControllableClock, systemClock } from './util/clock.js';
export type { Clock, ClockState } from './util/clock.js';
export type { FaultSpec, FaultRuleView } from './server/control/fault-rules.js';
export type { FaultControl, WaitControl, ChaosStatus } from './server/control/control-plane.js';
export type { ClockControl } from './server/control/clock-control.js';
export type { ChaosSettings, ChaosEvent } from './server/control/chaos.js';
export type { GroupSnapshot, GroupWait, TransactionSnapshot } from './server/control/waiters.js';
export type { ResetReport } from './server/control/reset.js';
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
export type { TraceOptions, TraceRecord, TraceFilter, TraceSummary } from './server/net/trace.js';
export { formatTraceLine } from './server/net/trace.js';
export type { RecordToProduce, ProduceHelperOptions, ConsumeOptions, ConsumedRecord, PartitionResult } from './fixture-data.js';

export interface TopicOptions {
  readonly name: string;
  readonly partitions?: number;
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
   * The listener in Kafka's form, e.g. "SASL_SSL://127.0.0.1:0" (sets `listeners`). SSL and
   * SASL_SSL without ssl.keystore.* configs get a throwaway CA: see `tls`.
   */
  readonly listener?: string;
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
    readonly broker: Broker,
    /** Durable mode only: the data directory, as recovered. */
    readonly dataDir: DataDir | null,
    readonly control: ControlPlane,
    private readonly controlServer: ControlHttpServer | null,
  ) {
    this.faults = control.faults;
    this.clock = control.clock;
    this.waitFor = control.waitFor;
  }

  static async start(opts: MiniKafkaOptions = {}): Promise<MiniKafka> {
    const config = buildConfig(opts);
    const clock = opts.clock ?? new ControllableClock();
    const release = opts.asVersion === undefined ? undefined : (await import('./server/cluster/kafka-releases.js')).kafkaRelease(opts.asVersion);
    const broker = new Broker({
      ...(release ? { release } : {}),
      ...(opts.trace ? { trace: opts.trace } : {}),
      config,
      clock,
      logger: opts.logger ?? createLogger(opts.logLevel ?? 'warn'),
      security: {
        ...(opts.users ? { users: opts.users } : {}),
        ...(opts.acls ? { acls: opts.acls } : {}),
        ...(opts.tlsDir ? { tlsDir: opts.tlsDir } : {}),
        ...(opts.tokenValidator ? { tokenValidator: opts.tokenValidator } : {}),
        ...(opts.audit ? { audit: opts.audit } : {}),
      },
    });
    // Recovered before the broker listens: clients never see a half-loaded cluster.
    // Loaded only in durable mode, so that an in-memory broker starts as fast as before.
    const dataDir = opts.dataDir === undefined ? null : (await import('./server/persistence/data-dir.js')).DataDir.open(broker, { path: opts.dataDir, fs: opts.fileSystem, flushIntervalMs: opts.flushIntervalMs });
    try {
      await broker.listen();
    } catch (e) {
      await dataDir?.close();
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
          configs: new Map(Object.entries(spec.configs ?? {}).map(([k, v]) => [k, String(v)])),
        });
      }
    } catch (e) {
      await broker.close();
      await dataDir?.close();
      throw e;
    }
    const declaredTopics = (opts.topics ?? []).map((t) => (typeof t === 'string' ? parseTopicArg(t) : t));
    const control = new ControlPlane({ broker: controlTargetOf(broker, dataDir !== null), clock, chaos: opts.chaos, declaredTopics });
    let server: ControlHttpServer | null = null;
    if (opts.controlPort !== undefined) {
      try {
        server = await (await import('./server/control/http-api.js')).startControlServer(control, { port: opts.controlPort, host: opts.controlHost });
      } catch (e) {
        control.close();
        await broker.close();
        await dataDir?.close();
        throw e;
      }
    }
    return new MiniKafka(broker, dataDir, control, server);
  }

  /**
   * Back to the broker as it started, between tests on one shared broker: only the declared
   * topics, empty; no groups, committed offsets, transactions or faults (see control/reset.ts).
   */
  reset(): ResetReport {
    return this.control.reset();
  }

  /** The HTTP control API's base URL ("http://127.0.0.1:PORT"), or null when not served. */
  get controlUrl(): string | null {
    return this.controlServer?.url ?? null;
  }

  get controlPort(): number | null {
    return this.controlServer?.port ?? null;
  }

  /** "host:port", ready for any client's bootstrap.servers. */
  get bootstrapServers(): string {
    return this.broker.bootstrapServers;
  }

  get port(): number {
    return this.broker.port;
  }

  /** The throwaway CA of an SSL / SASL_SSL listener: PEM, PKCS12 truststore and its password; null otherwise. */
  get tls(): { readonly caPem: string; readonly caFile: string; readonly truststore: string; readonly truststorePassword: string; readonly caKeyPem: string } | null {
    const t = this.broker.security.throwawayTls;
    return t === null ? null : { caPem: t.ca.certPem, caFile: t.files.caPem, truststore: t.files.truststore, truststorePassword: t.truststorePassword, caKeyPem: t.ca.keyPem };
  }

  createTopic(name: string, partitions?: number, configs: Readonly<Record<string, string | number | boolean>> = {}): void {
    createTopic(this.broker.cluster, this.broker.config, {
      name,
      numPartitions: partitions,
      configs: new Map(Object.entries(configs).map(([k, v]) => [k, String(v)])),
    });
  }

  /**
   * Writes records over the Kafka protocol, as a producer would (partition by key's murmur2):
   * `await kafka.produce('orders', [{ key: 'k', value: 'v', headers: { h: 'x' } }])`.
   */
  async produce(topic: string, records: readonly RecordToProduce[], opts: ProduceHelperOptions = {}): Promise<PartitionResult[]> {
    return (await import('./fixture-data.js')).produce(this.bootstrapServers, topic, records, opts);
  }

  /**
   * Reads records from the beginning (or `from: 'end'`) until `count` records or the first one
   * `until(record)` accepts; rejects after `timeoutMs` (default 30 s) with how many it got.
   */
  async consume(topic: string, opts: ConsumeOptions): Promise<ConsumedRecord[]> {
    return (await import('./fixture-data.js')).consume(this.bootstrapServers, topic, opts);
  }

  /**
   * What clients pushed with PushTelemetry (KIP-714), oldest first: the newest 1000 pushes, 16 MiB
   * at most. Clients push only what a client metrics subscription asks for, e.g.
   * `kafka-client-metrics.sh --alter --name all --metrics '*' --interval 1000`.
   */
  telemetry(): PushedTelemetry[] {
    return this.broker.cluster.telemetry.received();
  }

  /** Sees every request first: observe, delay, fail or drop it. Returns a remover. */
  intercept(fn: Interceptor): () => void {
    return this.broker.intercept(fn);
  }

  /** Stops the broker; in durable mode then shuts the data directory down cleanly. */
  async stop(): Promise<void> {
    await this.controlServer?.close();
    // Connections close first, so requests a fault holds are dropped rather than handled.
    await this.broker.close();
    this.control.close();
    await this.dataDir?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** The broker as the control plane sees it: its cluster state and an interceptor slot. */
function controlTargetOf(broker: Broker, durable: boolean): ControlTarget {
  return {
    config: broker.config,
    durable,
    resetCoordinators: () => broker.services.resetCoordinators(),
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
    intercept: (fn) => broker.intercept(fn),
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
  if (opts.listener !== undefined) applyBrokerConfig(c, 'listeners', opts.listener);
  if ((opts.acls !== undefined || opts.superUsers !== undefined) && !c.extra.has('authorizer.class.name')) {
    applyBrokerConfig(c, 'authorizer.class.name', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  }
  if (opts.superUsers !== undefined) applyBrokerConfig(c, 'super.users', opts.superUsers.join(';'));
  return c;
}
