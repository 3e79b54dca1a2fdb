#!/usr/bin/env node
// Re-records what Kafka 4.4's command-line tools print against Apache Kafka 4.4 on this machine,
// which test/interop/{share,consumer,streams,acls,transactions}-tools.test.ts compare minikafka's
// with: for each scenario of test/interop/tool-scenarios.ts (share, consumer, streams, acls, txn) a
// fresh single KRaft node (bench/kafka/start-kafka.sh) with the StandardAuthorizer and
// User:ANONYMOUS as super user, as the tests configure minikafka; the Java program ToolScenarios
// sets the scenario up with Kafka's clients and runs the tool commands; the masked output goes to
// test/interop/tools.kafka-4.4/<scenario>.txt.
//
// Usage: npm run record-kafka-tools [-- share streams ...] [-- --check]
//   --check  compares with the committed files instead of writing them (exit 1 when they differ).
// Needs: npm run build (the scenarios run from dist/), a JDK 17+ and Maven.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './recording.mjs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const scenarios = named.length > 0 ? named : ['share', 'consumer', 'streams', 'acls', 'txn'];
const module = join(root, 'dist/test/interop/tool-scenarios.js');
if (!existsSync(module)) {
  console.error('record-kafka-tools: run `npm run build` first (the scenarios run from dist/)');
  process.exit(2);
}
const { AUTHORIZER, SUPER_USER, recordingPath, runToolScenario, setupTools } = await import(module);

const setupError = setupTools();
if (setupError !== null) {
  console.error(setupError);
  process.exit(2);
}
let ok = true;
for (const scenario of scenarios) {
  const work = mkdtempSync(join(tmpdir(), 'record-kafka-tools-'));
  const port = await freePort();
  try {
    console.log(`record-kafka-tools: ${scenario}: starting Apache Kafka 4.4 on 127.0.0.1:${port}`);
    const started = spawnSync('bash', ['bench/kafka/start-kafka.sh', String(port), join(work, 'kafka')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m', KAFKA_EXTRA_PROPS: `authorizer.class.name=${AUTHORIZER}\nsuper.users=${SUPER_USER}` },
    });
    if (started.status !== 0) throw new Error('bench/kafka/start-kafka.sh failed');
    const text = await runToolScenario(scenario, `127.0.0.1:${port}`);
    const path = join(root, recordingPath(scenario));
    if (!check) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      console.log(`record-kafka-tools: wrote ${recordingPath(scenario)}`);
    } else if (existsSync(path) && readFileSync(path, 'utf8') === text) {
      console.log(`record-kafka-tools: ${recordingPath(scenario)} reproduced exactly`);
    } else {
      ok = false;
      writeFileSync(`${path}.new`, text);
      console.log(`record-kafka-tools: ${recordingPath(scenario)} DIFFERS (this run: ${recordingPath(scenario)}.new)`);
    }
  } finally {
    spawnSync('bash', ['bench/kafka/stop-kafka.sh', join(work, 'kafka')], { cwd: root, stdio: 'inherit' });
    rmSync(work, { recursive: true, force: true });
  }
}
process.exit(ok ? 0 : 1);
