/**
 * The admin client programs of test/interop/admin-clients.test.ts and of the recorder
 * scripts/record-kafka-admin-clients.mjs, which runs them against Apache Kafka 4.4: the Java Admin
 * (AdminApis.java) and franz-go's kadm (go/cmd/kadm-apis) take the cluster admin APIs through the
 * same steps (quotas, SCRAM credentials, reassignments, elections, quorum, features, client metrics
 * resources) and print one JSON line each. Both share this module so that the test and the
 * recording run each program the same way and mask the same things.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { javaProgram, root, runProgram, setupClients } from './harness.js';

export type AdminClient = 'java' | 'kadm';

export const ADMIN_CLIENTS: readonly AdminClient[] = ['java', 'kadm'];

const PROGRAMS: Record<AdminClient, string[]> = {
  java: javaProgram('AdminApis'),
  kadm: ['test/interop/go/bin/kadm-apis'],
};

/** Where Kafka 4.4's answers to a client's steps are committed (relative to the repository root). */
export function recordingPath(client: AdminClient): string {
  return `test/interop/admin-clients.${client}.kafka-4.4.jsonl`;
}

export function recordingFile(client: AdminClient): string {
  return join(root, recordingPath(client));
}

/** Builds the Java and Go programs (test/interop/setup.sh); an error text when that failed. */
export function setupAdminClients(): string | null {
  return setupClients('java', 'go');
}

export interface AdminRun {
  readonly code: number | null;
  readonly stderr: string;
  /** One JSON line per step, the topic's name masked as TOPIC, ending with a newline. */
  readonly text: string;
  readonly ms: number;
}

/**
 * Runs one program against `bootstrap` on a topic of its own. settleMs > 0 makes it wait after each
 * change (Apache Kafka applies them through its metadata log; minikafka at once).
 */
export async function runAdminClient(client: AdminClient, bootstrap: string, settleMs: number): Promise<AdminRun> {
  const topic = `admin-apis-${randomBytes(4).toString('hex')}`;
  const args = ['--bootstrap', bootstrap, '--topic', topic, '--settle-ms', String(settleMs)];
  const out = await runProgram(PROGRAMS[client], args, 240_000);
  const text = out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => `${l.replaceAll(topic, 'TOPIC')}\n`)
    .join('');
  return { code: out.code, stderr: out.stderr, text, ms: out.ms };
}

export interface StepLine {
  readonly step: string;
  readonly [field: string]: unknown;
}

export function parseSteps(text: string): StepLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StepLine);
}
