/**
 * `minikafka start`: checks every flag before the port is bound (numbers, topic names, config
 * keys and values), starts the broker, applies `--seed`, prints the ready line, and stops on
 * SIGINT/SIGTERM, on its parent's exit (see lifetime.ts) or on stdin's end.
 */
import { MiniKafka, parseTopicArg } from '../index.js';
import type { TopicOptions } from '../index.js';
import { createLogger, isLogLevel } from '../util/logger.js';
import { ConfigError } from '../server/cluster/broker-config.js';
import { topicNameProblem } from '../server/cluster/topics.js';
import { UsageError, didYouMean, intFlag } from './args.js';
import { startedByNpmExec, watchParent, watchStdin, writePidFiles } from './lifetime.js';
import { watchShellInterrupt } from './shell-interrupt.js';
import { parseChaos } from '../server/control/chaos.js';
import { maxMemoryBytes } from '../server/persistence/memory-limit.js';
import { formatByteSize } from '../util/byte-size.js';
import { openTrace } from './trace-option.js';
import { kafkaRelease } from '../server/cluster/kafka-releases.js';
import { ListenerConfigError, hostPort, parseListeners } from '../server/security/listeners.js';

export interface StartArgs {
  port: string;
  host: string;
  advertisedHost?: string;
  autoCreateTopics: boolean;
  numPartitions: string;
  topic: string[];
  logLevel: string;
  config: string[];
  json: boolean;
  dataDir?: string;
  flushIntervalMs: string;
  exitWithParent: boolean;
  pidFile?: string;
  seed?: string;
  controlPort?: string;
  controlHost?: string;
  ui: boolean;
  chaos?: string;
  listener: string[];
  advertisedListener: string[];
  saslUser: string[];
  superUser: string[];
  authorizer: boolean;
  brokers: string;
  rack: string[];
  maxMemory?: string;
  spill: boolean;
  trace: boolean;
  traceFile?: string;
  traceApi: string[];
  traceClientId: string[];
  traceTopic: string[];
  asVersion?: string;
}

interface Checked {
  port: number;
  numPartitions: number;
  flushIntervalMs: number;
  topics: TopicOptions[];
  configs: Record<string, string>;
  users: Record<string, string>;
  maxMemory: number | undefined;
}

function parseConfigs(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--config takes KEY=VALUE, got '${kv}'`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/**
 * Kafka starts with an unknown config and logs "The configuration 'x' was supplied but isn't a
 * known config" (AbstractConfig.logUnused); so does minikafka, with the closest known names.
 * Loaded only when --config is given: the table is ~400 rows.
 */
async function warnUnknownConfigs(configs: Record<string, string>, warn: (msg: string) => void): Promise<void> {
  const keys = Object.keys(configs);
  if (keys.length === 0) return;
  const { BROKER_CONFIG_DEFS } = await import('../server/cluster/configs/broker-config-defs.js');
  for (const k of keys) {
    if (!BROKER_CONFIG_DEFS.has(k)) warn(`--config ${k}: the configuration '${k}' was supplied but isn't a known config${didYouMean(k, BROKER_CONFIG_DEFS.keys())}`);
  }
}

function checkArgs(a: StartArgs): Checked {
  const port = intFlag('port', a.port, 0, 65535);
  const numPartitions = intFlag('num-partitions', a.numPartitions, 1, 2147483647);
  const flushIntervalMs = intFlag('flush-interval-ms', a.flushIntervalMs, 0);
  const topics = a.topic.map((t) => {
    let spec: TopicOptions;
    try {
      spec = parseTopicArg(t);
    } catch (e) {
      throw new UsageError(`--topic ${(e as Error).message}`);
    }
    const problem = topicNameProblem(spec.name);
    if (problem !== null) throw new UsageError(`--topic ${t}: ${problem}`);
    if (spec.partitions !== undefined && spec.partitions < 1) throw new UsageError(`--topic ${spec.name}: partitions must be at least 1`);
    return spec;
  });
  if (a.dataDir !== undefined && a.dataDir.trim() === '') throw new UsageError('--data-dir needs a directory');
  const users: Record<string, string> = {};
  for (const u of a.saslUser) {
    const i = u.indexOf(':');
    if (i <= 0) throw new UsageError(`--sasl-user takes USER:PASSWORD, got '${u.slice(0, Math.max(0, i))}...'`);
    users[u.slice(0, i)] = u.slice(i + 1);
  }
  const configs = parseConfigs(a.config);
  checkListeners(a, configs);
  if (a.authorizer && configs['authorizer.class.name'] === undefined) configs['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
  return { port, numPartitions, flushIntervalMs, topics, configs, users, maxMemory: checkMaxMemory(a.maxMemory) };
}

/**
 * --listener and --advertised-listener into `listeners` / `advertised.listeners`, checked as
 * Kafka checks them, before anything binds: a bad spec is one sentence naming it.
 */
function checkListeners(a: StartArgs, configs: Record<string, string>): void {
  const listeners = a.listener.flatMap((l) => l.split(',')).map((l) => l.trim()).filter((l) => l.length > 0);
  const advertised = a.advertisedListener.flatMap((l) => l.split(',')).map((l) => l.trim()).filter((l) => l.length > 0);
  if (listeners.length > 0 && configs['listeners'] !== undefined) throw new UsageError('give --listener or --config listeners=..., not both');
  if (advertised.length > 0 && configs['advertised.listeners'] !== undefined) throw new UsageError('give --advertised-listener or --config advertised.listeners=..., not both');
  if (listeners.length > 0) configs['listeners'] = listeners.join(',');
  if (advertised.length > 0) configs['advertised.listeners'] = advertised.join(',');
  try {
    // Without listeners the broker has one, PLAINTEXT on --host and --port, which advertised listeners may name.
    parseListeners(new Map(Object.entries(configs)), `PLAINTEXT://${hostPort(a.host, 0)}`);
  } catch (e) {
    if (e instanceof ListenerConfigError) throw new UsageError(`${listeners.length > 0 ? '--listener' : advertised.length > 0 ? '--advertised-listener' : 'listeners'}: ${e.message}`);
    throw e;
  }
}

function checkMaxMemory(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  try {
    return maxMemoryBytes(arg);
  } catch (e) {
    throw new UsageError(`--max-memory ${(e as Error).message}`);
  }
}

function parseChaosArg(arg: string) {
  try {
    return parseChaos(arg);
  } catch (e) {
    throw new UsageError(`--chaos ${(e as Error).message}`);
  }
}

export async function startCommand(a: StartArgs): Promise<void> {
  let kafka: MiniKafka;
  let c: Checked | undefined;
  let trace: Awaited<ReturnType<typeof openTrace>> = null;
  const level = isLogLevel(a.logLevel) ? a.logLevel : 'info';
  const logger = createLogger(level);
  try {
    c = checkArgs(a);
    await warnUnknownConfigs(c.configs, (m) => logger.warn(m));
    // Read before the port is bound: a bad seed file is a usage error, not a half-started broker.
    const seeding = a.seed === undefined ? null : await import('./commands.js');
    const seed = seeding === null ? null : await seeding.readSeedFile(a.seed!);
    if (a.asVersion !== undefined) {
      try {
        kafkaRelease(a.asVersion);
      } catch (e) {
        throw new UsageError(`--as-version ${(e as Error).message}`);
      }
    }
    trace = await openTrace(a);
    kafka = await MiniKafka.start({
      port: c.port,
      host: a.host,
      advertisedHost: a.advertisedHost,
      autoCreateTopics: a.autoCreateTopics,
      numPartitions: c.numPartitions,
      topics: c.topics,
      config: c.configs,
      logger,
      dataDir: a.dataDir,
      flushIntervalMs: c.flushIntervalMs,
      ...(c.maxMemory === undefined ? {} : { maxMemory: c.maxMemory }),
      spill: a.spill,
      controlPort: a.controlPort === undefined ? undefined : intFlag('control-port', a.controlPort, 0, 65535),
      controlHost: a.controlHost,
      ...(a.ui ? { ui: true } : {}),
      chaos: a.chaos === undefined ? undefined : parseChaosArg(a.chaos),
      users: c.users,
      brokers: intFlag('brokers', a.brokers, 1, 64),
      ...(a.rack.length > 0 ? { racks: a.rack.length === 1 ? a.rack[0]!.split(',') : a.rack } : {}),
      ...(a.superUser.length > 0 ? { superUsers: a.superUser } : {}),
      ...(trace !== null ? { trace: trace.options } : {}),
      ...(a.asVersion !== undefined ? { asVersion: a.asVersion } : {}),
    });
    if (seeding !== null && seed !== null) {
      try {
        // The seeding client does not authenticate: a PLAINTEXT listener when there is one.
        const plain = kafka.listeners.find((l) => l.securityProtocol === 'PLAINTEXT') ?? kafka.listeners[0]!;
        const n = await seeding.applySeed(plain.bootstrapServers, seed, c.numPartitions);
        logger.info(`--seed ${a.seed}: ${n} records in ${seed.size} topics`);
      } catch (e) {
        await kafka.stop();
        throw e;
      }
    }
  } catch (e) {
    await trace?.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' && a.listener.length > 0) throw new Error(`a --listener port is already in use (${err.message}); use port 0 for a free one`);
    if (err.code === 'EADDRINUSE') throw new Error(`port ${c?.port ?? a.port} on ${a.host} is already in use; pick another with --port, or --port 0 for a free one`);
    if (err.code === 'EADDRNOTAVAIL') throw new Error(`cannot bind to ${a.host}: no such local address`);
    if (e instanceof UsageError || e instanceof ConfigError) throw new Error(err.message);
    throw e;
  }
  let removePidFiles = (): void => {};
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    kafka.broker.logger.info(`${reason}: stopping`);
    kafka.stop().then(
      async () => {
        removePidFiles();
        await trace?.close();
        process.exit(0);
      },
      (e: unknown) => {
        removePidFiles();
        process.stderr.write(`minikafka: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // Before the ready line: a script may send a signal the moment it reads it.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (a.exitWithParent || startedByNpmExec()) watchParent(stop);
  // npx's INT stops at a dash parent, which never passes it on: see shell-interrupt.ts.
  if (startedByNpmExec() && watchShellInterrupt(() => stop('SIGINT to npx, held by its shell'))) kafka.broker.logger.debug('watching the parent shell for a SIGINT it holds');
  if (a.exitWithParent) watchStdin(stop);
  try {
    removePidFiles = writePidFiles(a.pidFile, kafka.port);
  } catch (e) {
    await kafka.stop();
    throw new Error(`--pid-file ${a.pidFile}: ${(e as Error).message}`);
  }
  const control = kafka.controlUrl === null ? {} : { controlPort: kafka.controlPort, controlUrl: kafka.controlUrl, ...(kafka.uiUrl === null ? {} : { uiUrl: kafka.uiUrl }) };
  const tls = kafka.tls;
  const ready = {
    event: 'ready',
    bootstrapServers: kafka.bootstrapServers,
    port: kafka.port,
    pid: process.pid,
    securityProtocol: kafka.broker.security.protocol,
    maxMemoryBytes: kafka.maxMemoryBytes,
    // The throwaway CA for clients to trust: PEM, and a PKCS12 truststore for Java clients.
    ...(tls ? { caFile: tls.caFile, truststore: tls.truststore, truststoreType: 'PKCS12', truststorePassword: tls.truststorePassword } : {}),
    // Every broker: a client needs only bootstrapServers, a test that stops one needs its id.
    brokers: kafka.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    // Every listener, the primary one (bootstrapServers above) first, with its own bootstrap address.
    listeners: kafka.listeners.map((l) => ({ name: l.name, securityProtocol: l.securityProtocol, bootstrapServers: l.bootstrapServers, brokers: l.brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port })) })),
    ...control,
  };
  const others = kafka.listeners.slice(1).map((l) => `${l.name} on ${l.bootstrapServers}`);
  const on = others.length === 0 ? kafka.bootstrapServers : `${kafka.listeners[0]!.name} on ${kafka.bootstrapServers}, ${others.join(', ')}`;
  process.stdout.write(a.json ? JSON.stringify(ready) + '\n' : `minikafka ready on ${on} (pid ${process.pid}), max memory ${formatByteSize(kafka.maxMemoryBytes)}${kafka.dataDir === null && !a.spill ? ' (no spilling)' : ''}${kafka.controlUrl === null ? '' : `, control API on ${kafka.controlUrl}`}${kafka.uiUrl === null ? '' : `, inspector on ${kafka.uiUrl}`}\n`);
}
