/** `minikafka start`: validates flags, starts the broker, prints the ready line, stops on signals. */
import { MiniKafka, parseTopicArg } from '../index.js';
import type { TopicOptions } from '../index.js';
import { createLogger, isLogLevel } from '../util/logger.js';
import { ConfigError } from '../server/cluster/broker-config.js';

export interface StartArgs {
  port: number;
  host: string;
  advertisedHost?: string;
  autoCreateTopics: boolean;
  numPartitions: number;
  topic: string[];
  logLevel: string;
  config: string[];
  json: boolean;
  dataDir?: string;
  flushIntervalMs: number;
  listener?: string;
  saslUser: string[];
  superUser: string[];
  authorizer: boolean;
}

class UsageError extends Error {}

function parseConfigs(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--config takes KEY=VALUE, got '${kv}'`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function checkArgs(a: StartArgs): { topics: TopicOptions[]; configs: Record<string, string>; users: Record<string, string> } {
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${a.port}`);
  if (!Number.isInteger(a.numPartitions) || a.numPartitions < 1) throw new UsageError(`--num-partitions must be a positive integer, got ${a.numPartitions}`);
  const topics = a.topic.map((t) => {
    try {
      return parseTopicArg(t);
    } catch (e) {
      throw new UsageError(`--topic ${(e as Error).message}`);
    }
  });
  for (const t of topics) if (t.partitions !== undefined && t.partitions < 1) throw new UsageError(`--topic ${t.name}: partitions must be at least 1`);
  if (a.dataDir !== undefined && a.dataDir.trim() === '') throw new UsageError('--data-dir needs a directory');
  if (!Number.isInteger(a.flushIntervalMs) || a.flushIntervalMs < 0) throw new UsageError(`--flush-interval-ms must be a non-negative integer, got ${a.flushIntervalMs}`);
  const users: Record<string, string> = {};
  for (const u of a.saslUser) {
    const i = u.indexOf(':');
    if (i <= 0) throw new UsageError(`--sasl-user takes USER:PASSWORD, got '${u.slice(0, Math.max(0, i))}...'`);
    users[u.slice(0, i)] = u.slice(i + 1);
  }
  const configs = parseConfigs(a.config);
  if (a.authorizer && configs['authorizer.class.name'] === undefined) configs['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
  return { topics, configs, users };
}

export async function startCommand(a: StartArgs): Promise<void> {
  let kafka: MiniKafka;
  try {
    const { topics, configs, users } = checkArgs(a);
    const level = isLogLevel(a.logLevel) ? a.logLevel : 'info';
    kafka = await MiniKafka.start({
      port: a.port,
      host: a.host,
      advertisedHost: a.advertisedHost,
      autoCreateTopics: a.autoCreateTopics,
      numPartitions: a.numPartitions,
      topics,
      config: configs,
      logger: createLogger(level),
      dataDir: a.dataDir,
      flushIntervalMs: a.flushIntervalMs,
      ...(a.listener !== undefined ? { listener: a.listener } : {}),
      users,
      ...(a.superUser.length > 0 ? { superUsers: a.superUser } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`port ${a.port} on ${a.host} is already in use; pick another with --port, or --port 0 for a free one`);
    if (err.code === 'EADDRNOTAVAIL') throw new Error(`cannot bind to ${a.host}: no such local address`);
    if (e instanceof UsageError || e instanceof ConfigError) throw new Error(err.message);
    throw e;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    kafka.broker.logger.info(`${signal}: stopping`);
    kafka.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`minikafka: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  // Before the ready line: a script may send a signal the moment it reads it.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const tls = kafka.tls;
  const ready = {
    event: 'ready',
    bootstrapServers: kafka.bootstrapServers,
    port: kafka.port,
    pid: process.pid,
    securityProtocol: kafka.broker.security.protocol,
    // The throwaway CA for clients to trust: PEM, and a PKCS12 truststore for Java clients.
    ...(tls ? { caFile: tls.caFile, truststore: tls.truststore, truststoreType: 'PKCS12', truststorePassword: tls.truststorePassword } : {}),
  };
  process.stdout.write(a.json ? JSON.stringify(ready) + '\n' : `minikafka ready on ${kafka.bootstrapServers} (pid ${process.pid})\n`);
}
