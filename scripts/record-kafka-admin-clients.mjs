#!/usr/bin/env node
// Re-records what the admin client programs of test/interop/admin-clients.test.ts print against
// Apache Kafka 4.4 on this machine (bench/kafka/start-kafka.sh, one KRaft node): the Java Admin
// (AdminApis.java) and franz-go's kadm (go/cmd/kadm-apis), one after the other on the same broker,
// each waiting 1.5 s after a change (Kafka applies them through its metadata log). Writes
// test/interop/admin-clients.{java,kadm}.kafka-4.4.jsonl (the topic's name masked as TOPIC).
//
// Usage: npm run record-kafka-admin-clients [-- --check]
//   --check  records into memory and compares with the committed files instead of writing them:
//            exit 1 and the differing lines when Kafka's answers differ from what the test holds.
// Needs: npm run build (the programs are run from dist/), a JDK 17+ and Maven, Go.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root } from './recording.mjs';

const check = process.argv.includes('--check');
const module = join(root, 'dist/test/interop/admin-clients.js');
if (!existsSync(module)) {
  console.error('record-kafka-admin-clients: run `npm run build` first (the programs are run from dist/)');
  process.exit(2);
}
const { ADMIN_CLIENTS, recordingPath, runAdminClient, setupAdminClients } = await import(module);

/** Writes `text` to `file`, or with --check compares: returns whether it matches. */
function emit(file, text) {
  const path = join(root, file);
  if (!check) {
    writeFileSync(path, text);
    console.log(`record-kafka-admin-clients: wrote ${file}`);
    return true;
  }
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (committed === text) {
    console.log(`record-kafka-admin-clients: ${file} reproduced exactly (${text.split('\n').length - 1} steps)`);
    return true;
  }
  const [a, b] = [committed.split('\n'), text.split('\n')];
  const differing = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) differing.push(`  line ${i + 1}\n    committed: ${a[i]}\n    recorded:  ${b[i]}`);
  console.log(`record-kafka-admin-clients: ${file} DIFFERS on ${differing.length} lines\n${differing.slice(0, 20).join('\n')}`);
  return false;
}

const setupError = setupAdminClients();
if (setupError !== null) {
  console.error(setupError);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'record-kafka-admin-clients-'));
const port = await freePort();
let ok = true;
try {
  console.log(`record-kafka-admin-clients: starting Apache Kafka 4.4 on 127.0.0.1:${port}`);
  const started = spawnSync('bash', ['bench/kafka/start-kafka.sh', String(port), join(work, 'kafka')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m' },
  });
  if (started.status !== 0) throw new Error('bench/kafka/start-kafka.sh failed');
  for (const client of ADMIN_CLIENTS) {
    const run = await runAdminClient(client, `127.0.0.1:${port}`, 1500);
    if (run.code !== 0) throw new Error(`${client} against Kafka failed (status ${run.code}):\n${run.stderr.slice(-3000)}`);
    ok = emit(recordingPath(client), run.text) && ok;
  }
} finally {
  spawnSync('bash', ['bench/kafka/stop-kafka.sh', join(work, 'kafka')], { cwd: root, stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
