/**
 * The Java library (packages/java, Maven) as a JVM project uses it: the project copied into a
 * scratch folder where the npm tarball is installed (so Launcher finds node_modules/.bin/minikafka
 * from Maven's working directory upwards), then `mvn test`: kafka-clients produce and consume
 * through MiniKafkaExtension, the launcher's errors, and the time to a ready broker.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { describeRun, packedTarball, root, run, scratchDir } from './run.js';

// Maven resolves JUnit and kafka-clients (cached in ~/.m2 after the first run) and compiles: minutes under load.
t.setTimeout(600_000);

t.test('MiniKafkaExtension serves a kafka-clients test', async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'java');
  cpSync(join(root, 'packages/java'), join(dir, 'java'), { recursive: true, filter: (src) => !src.includes('/target') });
  writeFileSync(join(dir, 'package.json'), '{ "name": "java-project", "private": true }\n');
  const npm = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], { cwd: dir, timeoutMs: 120_000 });
  t.equal(npm.code, 0, 'npm installs the tarball', { output: describeRun(npm) });

  const mvn = await run('mvn', ['-B', '--no-transfer-progress', 'test'], { cwd: join(dir, 'java'), env: { MINIKAFKA_COMMAND: '' }, timeoutMs: 480_000 });
  t.equal(mvn.code, 0, 'mvn test passes', { output: describeRun(mvn) });
  t.match(mvn.stdout, /Tests run: 10, Failures: 0, Errors: 0, Skipped: 0/, 'all ten tests ran, none skipped');
  const timing = /minikafka start to ready \(ms\): \[([\d, ]+)\]/.exec(mvn.stdout);
  t.ok(timing, 'the timing test reported its starts');
  t.comment(`MiniKafka.start() to ready, 5 starts (ms): ${timing?.[1]}`);
});
