/**
 * The two brokers under test, started as a user starts them, and what the harness reads from them:
 *
 * - minikafka: its CLI from dist/cli.cjs (`start --port 0 --json`), in memory, one Node process;
 * - Apache Kafka: bench/kafka/start-kafka.sh (single KRaft broker+controller, storage formatted,
 *   dev settings), one JVM whose pid the script reports.
 *
 * Memory is read from /proc/<pid>/status (VmRSS now, VmHWM the peak), connections from
 * /proc/net/tcp{,6}. Topic admin goes over the wire with the repository's test WireClient, the same
 * requests for both brokers.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WireClient } from '../test/helpers/wire-client.js';
import { CreateTopicsApi, DeleteTopicsApi, MetadataApi } from '../src/protocol/messages/index.js';
import type { MetadataResponse } from '../src/protocol/messages/index.js';
import { errorInfo } from '../src/protocol/errors.js';
import { ZERO_UUID } from '../src/protocol/uuid.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/bench/ where this runs. */
export const repoRoot = join(here, '../..');
const cli = join(repoRoot, 'dist/cli.cjs');
const kafkaDir = join(repoRoot, 'bench/kafka');

export type BrokerKind = 'minikafka' | 'kafka';

export interface RunningBroker {
  readonly kind: BrokerKind;
  readonly bootstrap: string;
  readonly port: number;
  /** The broker process itself: node for minikafka, the JVM for Kafka. */
  readonly pid: number;
  /** Throws when the broker died, with what it said on the way out. */
  assertAlive(): void;
  /**
   * Aborted, with the reason, when the broker dies before stop(): client runs take it, so a dead
   * broker ends them at once instead of after their own timeouts (minutes, for ProducerPerformance).
   */
  readonly signal: AbortSignal;
  stop(): Promise<void>;
}

/** Brokers still running, stopped on exit or on a signal so no JVM outlives a failed run. */
const running = new Set<RunningBroker>();

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((b) => b.stop()));
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`bench: ${sig}, stopping brokers\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ProcMemory {
  /** Resident set now, MiB. */
  readonly rssMiB: number;
  /** Peak resident set since start or since resetPeakRss, MiB. */
  readonly hwmMiB: number;
}

export async function procMemory(pid: number): Promise<ProcMemory> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]);
  };
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

let clockTicks: number | undefined;

/** CPU time (user + system, all threads) the process has used, seconds: /proc/<pid>/stat. */
export async function procCpuSeconds(pid: number): Promise<number> {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

/** Resets VmHWM to the current RSS (Linux: "5" to clear_refs), so a peak covers one scenario only. */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** Established TCP connections whose local end is 127.0.0.1:port (the broker's side of each). */
export async function establishedConnections(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port, f[3] state; 01 is ESTABLISHED.
      if (f.length > 3 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '01') n++;
    }
  }
  return n;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function metadata(c: WireClient, topics: string[] | null): Promise<MetadataResponse> {
  return c.request(MetadataApi, 12, {
    topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
}

/**
 * Polls until a Metadata request is answered with at least one broker; resolves with
 * performance.now() at that answer. Each attempt is a new connection, as a starting client's is.
 */
export async function waitForMetadata(bootstrap: string, timeoutMs: number, isDead: () => string | null): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const dead = isDead();
    if (dead !== null) throw new Error(dead);
    try {
      const c = await withTimeout(WireClient.connect(bootstrap), 2000, 'connect');
      try {
        const md = await withTimeout(metadata(c, []), 2000, 'Metadata');
        if (md.brokers.length > 0) return performance.now();
      } finally {
        c.close();
      }
    } catch {
      // not listening yet, or not ready: try again
    }
    if (performance.now() > deadline) throw new Error(`no Metadata answer from ${bootstrap} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Default 1. */
  readonly replicationFactor?: number;
}

/** Creates topics (replication factor 1 unless given) and waits until every partition has a leader. */
export async function createTopics(bootstrap: string, topics: readonly TopicSpec[]): Promise<void> {
  const c = await WireClient.connect(bootstrap);
  try {
    for (let i = 0; i < topics.length; i += 100) {
      const chunk = topics.slice(i, i + 100);
      const res = await c.request(CreateTopicsApi, 5, {
        topics: chunk.map((t) => ({ name: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor ?? 1, assignments: [], configs: [] })),
        timeoutMs: 60_000,
        validateOnly: false,
      });
      for (const t of res.topics) {
        if (t.errorCode !== 0) throw new Error(`CreateTopics ${t.name}: ${errorInfo(t.errorCode).name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`);
      }
    }
    // Kafka answers CreateTopics when the controller has the topic; leaders follow shortly after.
    const deadline = performance.now() + 60_000;
    const names = topics.map((t) => t.name);
    const want = new Map(topics.map((t) => [t.name, t.partitions]));
    for (;;) {
      const md = await metadata(c, names);
      const ready = md.topics.every((t) => t.errorCode === 0 && t.partitions.length === want.get(t.name!) && t.partitions.every((p) => p.errorCode === 0 && p.leaderId >= 0));
      if (ready && md.topics.length === names.length) return;
      if (performance.now() > deadline) throw new Error(`topics ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''} have no leaders after 60 s`);
      await sleep(50);
    }
  } finally {
    c.close();
  }
}

export async function deleteTopics(bootstrap: string, names: readonly string[]): Promise<void> {
  const c = await WireClient.connect(bootstrap);
  try {
    const res = await c.request(DeleteTopicsApi, 4, { topics: [], topicNames: [...names], timeoutMs: 60_000 });
    for (const r of res.responses) {
      if (r.errorCode !== 0) throw new Error(`DeleteTopics ${r.name}: ${errorInfo(r.errorCode).name}`);
    }
  } finally {
    c.close();
  }
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Records how a child process went, for errors that say why. */
function watch(child: ChildProcess): { output: () => string; exit: () => string | null } {
  let out = '';
  let exit: string | null = null;
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? `code ${code}`}`;
  });
  return { output: () => out, exit: () => exit };
}

export interface MiniKafkaStart {
  readonly broker: RunningBroker;
  /** Spawn to the ready line on stdout, ms. */
  readonly readyMs: number;
  /** Spawn to the first answered Metadata request, ms (the ready line's for TLS listeners). */
  readonly firstMetadataMs: number;
  /** The ready line (truststore fields with a TLS listener). */
  readonly ready: { readonly bootstrapServers: string; readonly port: number; readonly pid: number; readonly truststore?: string; readonly truststorePassword?: string };
}

/**
 * Starts the minikafka CLI in memory on a free port; extraArgs are more CLI flags (e.g. ['--brokers',
 * '3'], or an SSL --listener, whose ready line then names the truststore: see `ready`).
 */
export async function startMiniKafka(extraArgs: readonly string[] = []): Promise<MiniKafkaStart> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--log-level', 'warn', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = watch(child);
  let stopped = false;
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) {
        child.stdout!.off('data', onData);
        resolve(out.slice(0, i));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', () => reject(new Error(`minikafka ${w.exit()} before its ready line:\n${tail(w.output())}`)));
    child.once('error', reject);
  });
  const readyMs = performance.now() - t0;
  const ready = JSON.parse(line) as MiniKafkaStart['ready'];
  const died = new AbortController();
  child.once('exit', () => {
    if (!stopped) died.abort(new Error(`minikafka ${w.exit()}:\n${tail(w.output())}`));
  });
  const broker: RunningBroker = {
    kind: 'minikafka',
    bootstrap: ready.bootstrapServers,
    port: ready.port,
    pid: child.pid!,
    signal: died.signal,
    assertAlive() {
      const e = w.exit();
      if (e !== null && !stopped) throw new Error(`minikafka ${e}:\n${tail(w.output())}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      running.delete(broker);
      if (w.exit() !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await withTimeout(exited, 10_000, 'minikafka stop').catch(() => child.kill('SIGKILL'));
    },
  };
  running.add(broker);
  try {
    // With several brokers the bootstrap lists them all; the first answers for the cluster.
    // A TLS listener does not answer a plaintext Metadata request: its ready line is the mark.
    const firstMetadataMs = ready.truststore !== undefined ? readyMs : (await waitForMetadata(broker.bootstrap.split(',')[0]!, 10_000, () => w.exit())) - t0;
    return { broker, readyMs, firstMetadataMs, ready };
  } catch (e) {
    await broker.stop();
    throw e;
  }
}

export interface KafkaStart {
  readonly broker: RunningBroker;
  /** Broker JVM launch (after the storage format) to the first answered Metadata request, ms. */
  readonly launchToMetadataMs: number;
  /** start-kafka.sh started (classpath check, storage format, launch) to the first Metadata answer, ms. */
  readonly scriptToMetadataMs: number;
}

/**
 * Starts Apache Kafka with bench/kafka/start-kafka.sh in `dir` (wiped) on a free port; `env` adds
 * the script's settings (KAFKA_SSL_PORT, KAFKA_EXTRA_PROPS, ...).
 */
export async function startKafka(dir: string, env: Readonly<Record<string, string>> = {}): Promise<KafkaStart> {
  const port = await freePort();
  const bootstrap = `127.0.0.1:${port}`;
  const t0Wall = Date.now();
  const t0 = performance.now();
  const script = spawn('bash', [join(kafkaDir, 'start-kafka.sh'), String(port), dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const w = watch(script);
  const scriptDone = new Promise<void>((resolve, reject) => {
    script.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench/kafka/start-kafka.sh ${w.exit()}:\n${tail(w.output())}`))));
  });
  scriptDone.catch(() => {}); // observed below
  const dead = () => {
    const e = w.exit();
    return e !== null && !e.endsWith('code 0') ? `bench/kafka/start-kafka.sh ${e}:\n${tail(w.output())}` : null;
  };
  let pid = 0;
  const died = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const stop = async () => {
    clearInterval(watchdog);
    running.delete(broker);
    await runScript('stop-kafka.sh', [dir], { KAFKA_STOP_TIMEOUT: '15' });
  };
  const broker: RunningBroker = {
    kind: 'kafka',
    bootstrap,
    port,
    get pid() {
      return pid;
    },
    signal: died.signal,
    assertAlive() {
      try {
        process.kill(pid, 0);
      } catch {
        throw new Error(`Kafka (pid ${pid}) is no longer running; see ${dir}/kafka.out and ${dir}/logs/server.log`);
      }
    },
    stop,
  };
  running.add(broker);
  try {
    const answeredAt = await waitForMetadata(bootstrap, 120_000, dead);
    await scriptDone;
    pid = Number((await readFile(join(dir, 'kafka.pid'), 'utf8')).trim());
    // The JVM is not our child (start-kafka.sh detaches it), so its death is polled for.
    watchdog = setInterval(() => {
      try {
        broker.assertAlive();
      } catch (e) {
        clearInterval(watchdog);
        died.abort(e);
      }
    }, 250).unref();
    const launchedAtWall = Number((await readFile(join(dir, 'launched-at'), 'utf8')).trim().replace(',', '.')) * 1000;
    const scriptToMetadataMs = answeredAt - t0;
    return { broker, launchToMetadataMs: scriptToMetadataMs - (launchedAtWall - t0Wall), scriptToMetadataMs };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

function runScript(name: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(kafkaDir, name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const w = watch(child);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(w.output()) : reject(new Error(`bench/kafka/${name} ${w.exit()}:\n${tail(w.output())}`))));
  });
}

/** Resolves Kafka's classpath (bench/kafka/setup.sh, cached) and returns it. */
export async function kafkaClasspath(): Promise<string> {
  await runScript('setup.sh', []);
  return (await readFile(join(kafkaDir, 'target/classpath.txt'), 'utf8')).trim();
}

export const kafkaVersion = async (): Promise<string> => {
  const pom = await readFile(join(kafkaDir, 'pom.xml'), 'utf8');
  return /<kafka\.version>([^<]+)</.exec(pom)?.[1] ?? '4.x';
};
