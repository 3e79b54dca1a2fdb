/**
 * The Go helper (packages/go/minikafka) as a Go project uses it: the package copied into a
 * scratch project where the npm tarball is installed (so the helper finds
 * node_modules/.bin/minikafka by its own lookup, from the test's directory upwards), and its
 * tests run by `go test`: a franz-go produce/consume test through minikafka.Start(t), the
 * launcher's errors, and the time to a ready broker.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { describeRun, packedTarball, root, run, scratchDir } from './run.js';

// go test compiles franz-go on a cold build cache: minutes under load.
t.setTimeout(600_000);

t.test('minikafka.Start(t) serves a franz-go test', async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'go');
  cpSync(join(root, 'packages/go/minikafka'), join(dir, 'minikafka'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "go-project", "private": true }\n');
  const npm = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tgz], { cwd: dir, timeoutMs: 120_000 });
  t.equal(npm.code, 0, 'npm installs the tarball', { output: describeRun(npm) });

  const test = await run('go', ['test', '-count=1', '-v', './...'], { cwd: join(dir, 'minikafka'), env: { MINIKAFKA_COMMAND: '' }, timeoutMs: 480_000 });
  t.equal(test.code, 0, 'go test passes', { output: describeRun(test) });
  for (const name of ['TestFranzGoProduceConsume', 'TestStopIsCleanAndIdempotent', 'TestTheProjectInstallIsFound', 'TestAMissingNodeIsNamed', 'TestABrokerThatExitsEarlyIsReported', 'TestStartTiming', 'TestResetFaultsAndClock', 'TestResetFaultsAndClock/a_snapshot_restores_the_records_it_saved']) {
    t.match(test.stdout, new RegExp(`--- PASS: ${name} `), `${name} ran and passed`);
  }
  const timing = /start to ready \(ms\): ([\d ]+)/.exec(test.stdout);
  t.ok(timing, 'the timing test reported its starts');
  t.comment(`minikafka.Launch to ready, 5 starts (ms): ${timing?.[1]}`);
});
