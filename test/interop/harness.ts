/**
 * What the interop suites share: where the repository is, the automatic client setup, and running a
 * client program that reports JSON lines on stdout (optionally killed with SIGKILL at a set time,
 * for the crash-and-restart scenarios).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';

/** The repository root: the nearest folder above this file whose package.json names minikafka. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'minikafka') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('interop test: cannot find the minikafka repository root');
    dir = up;
  }
}

export const root = repoRoot();

/** The Java interop programs: `java -cp interop.jar dev.minikafka.interop.<cls>`. */
export function javaProgram(cls: string): string[] {
  return ['java', '-cp', 'test/interop/java/target/interop.jar', `dev.minikafka.interop.${cls}`];
}

/**
 * Builds what is missing of the client programs (test/interop/setup.sh; a no-op when all is built),
 * all of them or the named parts (java, python, go, node). Returns an error text when the setup
 * failed, for the suite to fail with.
 */
export function setupClients(...parts: string[]): string | null {
  const r = spawnSync('bash', [join(root, 'test/interop/setup.sh'), ...parts], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return r.status === 0 ? null : `test/interop/setup.sh failed (status ${r.status}): the interop clients are not built\n${(r.stderr ?? '').slice(-4000)}`;
}

/**
 * Broker configs for the in-process broker from INTEROP_BROKER_CONFIG ("k=v,k=v"), e.g.
 * `INTEROP_BROKER_CONFIG=transaction.version=1` runs a suite on transactions V1; merged under the
 * suite's own.
 */
function withEnvConfig(options: MiniKafkaOptions): MiniKafkaOptions {
  const raw = process.env['INTEROP_BROKER_CONFIG'];
  if (!raw) return options;
  const fromEnv = Object.fromEntries(raw.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { ...options, config: { ...fromEnv, ...options.config } };
}

/**
 * The broker a suite runs against: INTEROP_BOOTSTRAP when set (e.g. the reference Apache Kafka of
 * bench/kafka/start-kafka.sh), else a MiniKafka started in this process and stopped at `t`'s end.
 */
export async function brokerUnderTest(t: { teardown(fn: () => unknown): void }, options: MiniKafkaOptions = {}): Promise<string> {
  const given = process.env['INTEROP_BOOTSTRAP'];
  if (given) return given;
  const kafka = await MiniKafka.start(withEnvConfig(options));
  t.teardown(() => kafka.stop());
  return kafka.bootstrapServers;
}

/** The broker a whole suite shares (as brokerUnderTest), started before its first test, stopped after its last. */
export class SuiteBroker {
  #bootstrap = process.env['INTEROP_BOOTSTRAP'];
  #kafka: MiniKafka | undefined;

  constructor(t: { before(fn: () => Promise<void>): void; teardown(fn: () => unknown): void }) {
    t.before(async () => {
      if (this.#bootstrap) return;
      this.#kafka = await MiniKafka.start(withEnvConfig({}));
      this.#bootstrap = this.#kafka.bootstrapServers;
    });
    t.teardown(() => this.#kafka?.stop());
  }

  get bootstrap(): string {
    if (this.#bootstrap === undefined) throw new Error('interop test: the suite broker has not started');
    return this.#bootstrap;
  }

  /** The in-process broker; undefined when the suite runs against INTEROP_BOOTSTRAP. */
  get kafka(): MiniKafka | undefined {
    return this.#kafka;
  }
}

/**
 * `minikafka start --port 0 --json ARGS` through the built CLI (dist/cli.cjs), as a user runs it:
 * resolves with its JSON ready line; the broker is stopped (SIGTERM, its exit awaited) at `t`'s end.
 * Rejects with the broker's stderr when it exits before it is ready.
 */
export async function startCli<R>(t: { teardown(fn: () => unknown): void }, args: readonly string[]): Promise<R> {
  const broker = spawn(process.execPath, [join(root, 'dist/cli.cjs'), 'start', '--port', '0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  broker.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  t.teardown(async () => {
    if (broker.exitCode !== null || broker.signalCode !== null) return;
    const exited = new Promise((r) => broker.once('exit', r));
    broker.kill('SIGTERM');
    await exited;
  });
  return new Promise<R>((resolve, reject) => {
    let out = '';
    broker.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line !== undefined) resolve(JSON.parse(line) as R);
    });
    broker.once('exit', (code) => reject(new Error(`broker exited (${code}): ${stderr}`)));
  });
}

export interface ProgramRun<L> {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The JSON lines of stdout. */
  readonly lines: L[];
  /** Lines of stdout that are not JSON. */
  readonly junk: string[];
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Wall-clock time (Date.now()) at which the program was spawned. */
  readonly startedAt: number;
  /** Killed (SIGKILL) by `killAfterMs` or by `killOn` before it ended. */
  readonly killed: boolean;
  /** The JSON lines the program had printed when the kill was sent (all of them when not killed). */
  readonly linesBeforeKill: L[];
}

export interface RunOptions<L> {
  /**
   * Called with each JSON line of stdout as it arrives (before `killAfterMs`): a number schedules a
   * SIGKILL that many ms later (once; later answers are ignored), undefined does nothing. This kills
   * a program at a point of its work it announced itself, instead of after a guessed delay.
   */
  readonly killOn?: (line: L, index: number) => number | undefined;
}

/**
 * Runs a program from the repository root: "node" is this Node, a command with a slash is relative
 * to the root, anything else is looked up on PATH. After `killAfterMs` it is killed with SIGKILL,
 * or earlier when `options.killOn` asks for it.
 */
export function runProgram<L = Record<string, unknown>>(command: readonly string[], args: readonly string[], killAfterMs: number, options: RunOptions<L> = {}): Promise<ProgramRun<L>> {
  const [cmd, ...baseArgs] = command as [string, ...string[]];
  const exe = cmd === 'node' ? process.execPath : cmd.includes('/') ? join(root, cmd) : cmd;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(exe, [...baseArgs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const lines: L[] = [];
    const junk: string[] = [];
    let linesBeforeKill: L[] | undefined;
    let pending = '';
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => {
      if (killed) return;
      killed = true;
      linesBeforeKill = [...lines];
      child.kill('SIGKILL');
    };
    const take = (line: string) => {
      if (!line.trim()) return;
      let parsed: L;
      try {
        parsed = JSON.parse(line) as L;
      } catch {
        junk.push(line);
        return;
      }
      lines.push(parsed);
      if (killed || killTimer !== undefined || options.killOn === undefined) return;
      const delay = options.killOn(parsed, lines.length - 1);
      if (delay !== undefined) killTimer = setTimeout(kill, delay);
    };
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      pending += s;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) take(part);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(kill, killAfterMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      take(pending);
      resolve({ code, signal, lines, junk, stdout, stderr, ms: Date.now() - started, startedAt: started, killed, linesBeforeKill: linesBeforeKill ?? lines });
    });
  });
}

/**
 * Runs one class of the reference Apache Kafka's tools (bench/kafka/setup.sh builds the classpath);
 * resolves with its output, log lines left out, then "rc=<exit code>".
 */
export function kafkaTool(classpath: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xmx200m', '-cp', classpath, `-Dlog4j2.configurationFile=${join(root, 'bench/kafka/log4j2.properties')}`, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => !/^SLF4J|^\s+at |^\[20/.test(l));
      resolve(`${lines.join('\n').replace(/\n*$/, '\n')}rc=${code}\n`.replace(/^\n(rc=)/, '$1'));
    });
  });
}
