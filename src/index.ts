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
import type { Clock } from './util/clock.js';
import { createLogger } from './util/logger.js';
import type { PushedTelemetry } from './server/cluster/telemetry.js';
import type { LogLevel, Logger } from './util/logger.js';

export type { Interceptor, InterceptAction, InterceptedRequest } from './server/net/dispatcher.js';
export { ManualClock, systemClock } from './util/clock.js';
export type { Clock } from './util/clock.js';
export { Broker } from './server/broker.js';
export { ErrorCode } from './protocol/errors.js';
export type { DataDir, DataDirError, RecoverySummary } from './server/persistence/data-dir.js';
export type { FileSystem } from './log/disk/file-system.js';
export type { PushedTelemetry } from './server/cluster/telemetry.js';

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
  /** An injected clock (ManualClock in tests) for every timeout and timestamp. */
  readonly clock?: Clock;
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
}

export class MiniKafka {
  private constructor(
    readonly broker: Broker,
    /** Durable mode only: the data directory, as recovered. */
    readonly dataDir: DataDir | null = null,
  ) {}

  static async start(opts: MiniKafkaOptions = {}): Promise<MiniKafka> {
    const config = buildConfig(opts);
    const broker = new Broker({
      config,
      clock: opts.clock,
      logger: opts.logger ?? createLogger(opts.logLevel ?? 'warn'),
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
    return new MiniKafka(broker, dataDir);
  }

  /** "host:port", ready for any client's bootstrap.servers. */
  get bootstrapServers(): string {
    return this.broker.bootstrapServers;
  }

  get port(): number {
    return this.broker.port;
  }

  createTopic(name: string, partitions?: number, configs: Readonly<Record<string, string | number | boolean>> = {}): void {
    createTopic(this.broker.cluster, this.broker.config, {
      name,
      numPartitions: partitions,
      configs: new Map(Object.entries(configs).map(([k, v]) => [k, String(v)])),
    });
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
    await this.broker.close();
    await this.dataDir?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
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
  return c;
}
