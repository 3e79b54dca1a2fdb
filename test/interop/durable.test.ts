/**
 * Durable mode with a real client: Kafka's Java idempotent producer (acks=all,
 * test/interop/java IdempotentProduce) sends a million records to `minikafka start --data-dir`
 * while the test kills the broker with SIGKILL at random points ten times, restarting it each time
 * on the same port and directory. The producer retries what was in flight with its producer id
 * and sequences, which only works if the restarted broker recovered its producer state; then the
 * program reads the topic back and checks that every record is there exactly once and in order.
 *
 * Builds the Java interop program first (test/interop/setup.sh java) when it is missing.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { root, setupClients } from './harness.js';

const cli = join(root, 'dist/cli.cjs');
const jar = join(root, 'test/interop/java/target/interop.jar');
const KILLS = Number(process.env.INTEROP_DURABLE_KILLS ?? 10);
const RECORDS = Number(process.env.INTEROP_DURABLE_RECORDS ?? 1_000_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startBroker(dir: string, port: number): Promise<ChildProcess> {
  for (let attempt = 0; ; attempt++) {
    const child = spawn(process.execPath, [cli, 'start', '--port', String(port), '--data-dir', dir, '--topic', 'idem:3', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (ready) return child;
    // The port of the killed broker may take a moment to be free again.
    if (attempt > 20) throw new Error(`broker did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test(`Java idempotent producer, broker killed ${KILLS} times with SIGKILL: every record exactly once, in order`, async (t) => {
  const setupError = setupClients('java');
  if (setupError !== null) {
    t.fail(setupError);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-durable-java-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  let broker = await startBroker(dir, port);
  t.teardown(() => {
    broker.kill('SIGKILL');
  });
  const java = spawn('java', ['-cp', jar, 'dev.minikafka.interop.IdempotentProduce', '--bootstrap', `127.0.0.1:${port}`, '--topic', 'idem', '--records', String(RECORDS)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  java.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  java.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => java.once('close', resolve));
  let producing = true;
  void exited.then(() => (producing = false));

  let killsWhileProducing = 0;
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 500)));
    if (!stdout.includes('produce_idempotent') && producing) killsWhileProducing++;
    await new Promise<void>((resolve) => {
      broker.once('exit', () => resolve());
      broker.kill('SIGKILL');
    });
    broker = await startBroker(dir, port);
  }
  const code = await exited;
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { step: string; ok: boolean; detail?: unknown });
  t.ok(killsWhileProducing >= KILLS / 2, `${killsWhileProducing} of ${KILLS} kills while the producer was sending`);
  for (const step of ['produce_idempotent', 'check_exactly_once_in_order']) {
    const line = lines.find((l) => l.step === step);
    t.ok(line?.ok, step, { detail: line?.detail });
  }
  t.equal(code, 0, 'the Java program exits 0', { stderr: code === 0 ? undefined : stderr.slice(-4000) });
});
