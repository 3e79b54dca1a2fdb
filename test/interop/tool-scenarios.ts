/**
 * Kafka 4.4's command-line tools (kafka-share-groups, kafka-consumer-groups, kafka-streams-groups,
 * kafka-acls, kafka-transactions) run by the Java program ToolScenarios (test/interop/java): it
 * sets up a share group, a consumer group, a Streams application, ACLs or transactions with
 * Kafka's own clients and runs the tool commands in its one JVM. What it prints is masked here, so that the output of a run against
 * minikafka can be compared strictly with the one recorded against Apache Kafka 4.4
 * (scripts/record-kafka-tools.mjs writes test/interop/tools.kafka-4.4/<scenario>.txt).
 *
 * Masked, and nothing else: member and process ids, client ids of share- and consumer-group
 * members (which member gets which partition depends on the random member ids; their rows are
 * then sorted),
 * producer ids, timestamps and durations, ports. Tab-separated tables (kafka-transactions) are
 * compared cell by cell, trimmed, since their padding follows the masked values' widths. Stack
 * frames and SLF4J lines are left out.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, setupClients } from './harness.js';

export type ToolScenario = 'share' | 'consumer' | 'streams' | 'acls' | 'txn';

/** The prefix of every topic, group and transactional id: fixed, since the tools' row order follows the names' hashes. */
export const PREFIX = 'tools';

/**
 * Broker configs of both the recording and the test: the StandardAuthorizer with the PLAINTEXT
 * principal (User:ANONYMOUS) as super user, so that kafka-acls has an authorizer to talk to and
 * every other scenario runs authorized.
 */
export const AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
export const SUPER_USER = 'User:ANONYMOUS';

/** Where the recording of `scenario` against Apache Kafka 4.4 lives (relative to the repository root). */
export function recordingPath(scenario: ToolScenario): string {
  return `test/interop/tools.kafka-4.4/${scenario}.txt`;
}

export function readRecording(scenario: ToolScenario): string {
  return readFileSync(join(root, recordingPath(scenario)), 'utf8');
}

/** Builds the Java programs and resolves Kafka's tools; an error text, or null when ready. */
export function setupTools(): string | null {
  const clients = setupClients('java');
  if (clients !== null) return clients;
  const kafka = spawnSync('bash', [join(root, 'bench/kafka/setup.sh')], { cwd: root, encoding: 'utf8' });
  return kafka.status === 0 ? null : `bench/kafka/setup.sh failed: the Kafka tools are not available\n${kafka.stderr}`;
}

/** Runs `scenario` against `bootstrap`; resolves with its masked output, rejects when the program fails. */
export function runToolScenario(scenario: ToolScenario, bootstrap: string, timeoutMs = 240_000): Promise<string> {
  const classpath = `${join(root, 'test/interop/java/target/interop.jar')}:${readFileSync(join(root, 'bench/kafka/target/classpath.txt'), 'utf8').trim()}`;
  // cacheOutputStream: the clients' log lines go to the real stderr, not into a tool's captured output.
  const args = ['-Xmx300m', '-Dorg.slf4j.simpleLogger.cacheOutputStream=true', '-cp', classpath, 'dev.minikafka.interop.ToolScenarios', scenario, '--bootstrap', bootstrap, '--prefix', PREFIX];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(maskToolOutput(out));
      else reject(new Error(`ToolScenarios ${scenario} failed (${code ?? signal}):\n${err.slice(-4000)}\noutput so far:\n${out.slice(-4000)}`));
    });
  });
}

/** Table cells (kafka-transactions) that hold producer ids, wall-clock times or durations. */
const TIMED = new Set(['ProducerId', 'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'LastTimestamp']);
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/** `row` with the cell that starts at column `at` replaced by `mask`, padded to the cell's width (the alignment stays). */
function maskCell(row: string, at: number, mask: string): string {
  const end = row.indexOf(' ', at);
  const cell = row.slice(at, end < 0 ? undefined : end);
  return `${row.slice(0, at)}${mask.padEnd(cell.length)}${row.slice(at + cell.length)}`;
}

/** Where `word` starts in a space-aligned header, as a whole word; -1 if absent. */
function column(header: string, word: string): number {
  const m = new RegExp(`(^| )${word}( |$)`).exec(header);
  return m === null ? -1 : m.index + m[1]!.length;
}

export function maskToolOutput(text: string): string {
  const lines = text
    .split('\n')
    .filter((l) => !/^\s+at |^\s*\.\.\. \d+ more$|^SLF4J/.test(l))
    .map((l) => l.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(UUID, (u) => 'UUID'.padEnd(u.length)));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const rowsFollow = () => i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !lines[i + 1]!.startsWith('rc=');
    if (line.includes('\t') && !line.startsWith('\t') && !line.startsWith(' ')) {
      // A tab-separated table (kafka-transactions): header, then its rows.
      const header = line.split('\t').map((c) => c.trim());
      out.push(header.join('|'));
      while (rowsFollow() && lines[i + 1]!.includes('\t')) {
        const cells = lines[++i]!.split('\t').map((c, k) => (TIMED.has(header[k]!) && /^\d+$/.test(c.trim()) ? 'N' : c.trim()));
        out.push(cells.join('|'));
      }
    } else if (line.startsWith('GROUP ') && (column(line, 'CONSUMER-ID') >= 0 || column(line, 'MEMBER') >= 0)) {
      // Members: their ids are random. In a share or consumer group, which client got which
      // partition is up to those ids, so the client ids are masked and the rows sorted.
      const share = column(line, 'CONSUMER-ID') >= 0;
      const member = share ? column(line, 'CONSUMER-ID') : column(line, 'MEMBER');
      const client = column(line, 'CLIENT-ID');
      out.push(line);
      const rows: string[] = [];
      while (rowsFollow()) {
        const row = maskCell(lines[++i]!, member, 'MEMBER');
        rows.push(share ? maskCell(row, client, 'CLIENT') : row);
      }
      out.push(...(share ? rows.sort() : rows));
    } else out.push(line);
  }
  return sortAclBlocks(out).join('\n');
}

/**
 * kafka-acls prints the bindings in the order the broker sends them. Kafka's StandardAuthorizer
 * keeps them by random ACL ids, so its order changes from run to run: the entries of each
 * "ACLs for resource" block are sorted, and consecutive blocks too.
 */
function sortAclBlocks(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!/^(Current|Adding) ACLs for resource /.test(lines[i]!)) {
      out.push(lines[i++]!);
      continue;
    }
    const blocks: string[][] = [];
    while (i < lines.length && /^(Current|Adding) ACLs for resource /.test(lines[i]!)) {
      const header = lines[i++]!;
      const entries: string[] = [];
      while (i < lines.length && /^ ?\t/.test(lines[i]!)) entries.push(lines[i++]!.replace(/^ /, ''));
      entries.sort();
      // The tool starts an "Adding" block's first entry with a space.
      if (header.startsWith('Adding') && entries.length > 0) entries[0] = ` ${entries[0]}`;
      const block = [header, ...entries];
      if (i < lines.length && lines[i] === '') block.push(lines[i++]!);
      blocks.push(block);
    }
    out.push(...blocks.sort((a, b) => (a.join('\n') < b.join('\n') ? -1 : 1)).flat());
  }
  return out;
}
