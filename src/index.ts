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
import { Broker } from './server/broker.js';
import { applyBrokerConfig, defaultBrokerConfig } from './server/broker-config.js';
import type { BrokerConfig } from './server/broker-config.js';
import { createTopic } from './server/topic-create.js';
import type { Interceptor } from './server/dispatcher.js';
import type { Clock } from './util/clock.js';
import { createLogger } from './util/logger.js';
import type { LogLevel, Logger } from './util/logger.js';

export type { Interceptor, InterceptAction, InterceptedRequest } from './server/dispatcher.js';
export { ManualClock, systemClock } from './util/clock.js';
export type { Clock } from './util/clock.js';
export { Broker } from './server/broker.js';
export { ErrorCode } from './protocol/errors.js';

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
}

export class MiniKafka {
  private constructor(readonly broker: Broker) {}

  static async start(opts: MiniKafkaOptions = {}): Promise<MiniKafka> {
    const config = buildConfig(opts);
    const broker = new Broker({
      config,
      clock: opts.clock,
      logger: opts.logger ?? createLogger(opts.logLevel ?? 'warn'),
    });
    await broker.listen();
    try {
      for (const t of opts.topics ?? []) {
        const spec = typeof t === 'string' ? parseTopicArg(t) : t;
        createTopic(broker.cluster, broker.config, {
          name: spec.name,
          numPartitions: spec.partitions,
          configs: new Map(Object.entries(spec.configs ?? {}).map(([k, v]) => [k, String(v)])),
        });
      }
    } catch (e) {
      await broker.close();
      throw e;
    }
    return new MiniKafka(broker);
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

  /** Sees every request first: observe, delay, fail or drop it. Returns a remover. */
  intercept(fn: Interceptor): () => void {
    return this.broker.intercept(fn);
  }

  stop(): Promise<void> {
    return this.broker.close();
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
  if (opts.autoCreateTopics !== undefined) c.autoCreateTopics = opts.autoCreateTopics;
  if (opts.numPartitions !== undefined) c.numPartitions = opts.numPartitions;
  return c;
}
