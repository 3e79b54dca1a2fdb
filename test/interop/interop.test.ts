/**
 * Interop: real Kafka clients in several languages run one scenario (test/interop/SCENARIO.md)
 * against the broker — create a 3-partition topic through the client's admin API, produce keyed
 * records with headers under every codec, read them back from assigned partitions, check content,
 * order and key stickiness, list earliest/latest/by-timestamp offsets, delete the topic.
 *
 * The broker is minikafka started in-process, or whatever INTEROP_BOOTSTRAP points at (e.g. the
 * reference Apache Kafka from bench/kafka/start-kafka.sh). The client programs are built by
 * test/interop/setup.sh, which this test runs first (a no-op when everything is built).
 *
 * Env: INTEROP_BOOTSTRAP=host:port  use that broker instead of an in-process minikafka
 *      INTEROP_CLIENTS=java,kafkajs  run only these clients (names in clients.json)
 *      INTEROP_RECORDS=N             records per client run (default 10000, split over the codecs)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { SuiteBroker, root, runProgram, setupClients } from './harness.js';
import type { ProgramRun } from './harness.js';

interface ClientSpec {
  readonly name: string;
  readonly command: readonly string[];
}

interface StepLine {
  readonly client: string;
  readonly step: string;
  readonly ok: boolean;
  readonly unsupported?: boolean;
  readonly reason?: string;
  readonly detail?: unknown;
}

/**
 * Steps a client may report as unsupported without failing the test: limits of the client library,
 * not of the broker. Anything else reported unsupported fails.
 */
const ALLOWED_UNSUPPORTED: readonly { client: string; step: string; why: string; when?: () => boolean }[] = [
  {
    client: 'kafkajs',
    step: 'consume_assigned',
    why: 'kafkajs has no consumer without a group; it reads with a group consumer (consume_group) instead',
  },
  {
    client: 'platformatic-kafka',
    step: 'produce_zstd',
    why: '@platformatic/kafka uses node:zlib for zstd, which Node has only from 22.15',
    when: () => !nodeAtLeast(22, 15),
  },
];

/** Every client must report each of these, as ok or as allowed-unsupported. */
const REQUIRED_STEPS = [
  'client_info',
  'create_topic',
  'produce_none',
  'produce_gzip',
  'produce_snappy',
  'produce_lz4',
  'produce_zstd',
  'consume_assigned',
  'check_content',
  'check_order',
  'check_key_partition',
  'list_offsets_earliest',
  'list_offsets_latest',
  'list_offsets_timestamp',
  'delete_topic',
] as const;

const CLIENT_TIMEOUT_MS = 180_000;

function nodeAtLeast(major: number, minor: number): boolean {
  const [ma, mi] = process.versions.node.split('.').map(Number) as [number, number];
  return ma > major || (ma === major && mi >= minor);
}


function runClient(spec: ClientSpec, bootstrap: string, records: number): Promise<ProgramRun<StepLine>> {
  const topic = `interop-${spec.name}-${randomBytes(4).toString('hex')}`;
  return runProgram<StepLine>(spec.command, ['--bootstrap', bootstrap, '--topic', topic, '--records', String(records)], CLIENT_TIMEOUT_MS);
}

const clients = (JSON.parse(readFileSync(join(root, 'test/interop/clients.json'), 'utf8')) as { clients: ClientSpec[] }).clients;
const only = process.env['INTEROP_CLIENTS']?.split(',').filter(Boolean);
const selected = only ? clients.filter((c) => only.includes(c.name)) : clients;
const records = Number(process.env['INTEROP_RECORDS'] ?? 10_000);

// A cold setup (Maven, pip, Go, npm) takes minutes; CI should run test/interop/setup.sh before tap.
t.setTimeout(30 * 60_000);

if (only && selected.length !== only.length) {
  t.fail(`INTEROP_CLIENTS names unknown clients: ${only.filter((n) => !clients.some((c) => c.name === n)).join(', ')}`);
}

const setupError = setupClients();
if (setupError !== null) {
  t.fail(setupError);
} else {
  const suite = new SuiteBroker(t);
  t.before(() => t.comment(`interop against ${suite.kafka ? `in-process minikafka at ${suite.bootstrap}` : `INTEROP_BOOTSTRAP=${suite.bootstrap}`}`));

  for (const spec of selected) {
    t.test(spec.name, async (t) => {
      const res = await runClient(spec, suite.bootstrap, records);
      t.comment(`${spec.name}: ${res.ms} ms, exit ${res.code ?? res.signal}`);
      const failedSteps: string[] = [];
      for (const line of res.lines) {
        if (line.client !== spec.name) t.fail(`line from client "${line.client}", expected "${spec.name}"`);
        if (line.unsupported) {
          const allowed = ALLOWED_UNSUPPORTED.find((a) => a.client === spec.name && a.step === line.step && (a.when?.() ?? true));
          if (allowed) {
            t.pass(`${line.step}: unsupported by the client (allowed: ${allowed.why})`);
          } else {
            failedSteps.push(line.step);
            t.fail(`${line.step}: reported unsupported: ${line.reason ?? '(no reason given)'}`);
          }
        } else {
          if (!line.ok) failedSteps.push(line.step);
          t.ok(line.ok, line.step, { detail: line.detail });
        }
      }
      const seen = new Set(res.lines.map((l) => l.step));
      for (const step of REQUIRED_STEPS) {
        if (!seen.has(step)) t.fail(`step ${step} was not reported`);
      }
      t.strictSame(res.junk, [], 'stdout has only JSON step lines');
      t.equal(res.code, 0, 'exit code 0', {
        signal: res.signal,
        failedSteps,
        stderr: res.code === 0 ? undefined : res.stderr.slice(-4000),
      });
    });
  }
}
