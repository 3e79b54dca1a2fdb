/**
 * The npm package as a user gets it: packed (scripts/pack.mjs), installed from the tarball into
 * scratch projects under a temporary directory, then
 * - a bare project: the install prints no warning and runs no build; the `minikafka` bin starts;
 * - a project with the test runners users have (pinned below, in scratch/package.json): the same
 *   produce/consume test (kafkajs, scratch/round-trip.cjs) under Jest in its default CommonJS mode,
 *   Jest with ES modules, vitest, node:test and tap; and the declarations of both entry points
 *   type-checked by tsc (module nodenext, no skipLibCheck), the README's `await using` form
 *   compiled and run on this Node.
 * The runners come from the npm registry (`--prefer-offline`: from npm's cache after the first run).
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { describeRun, packedTarball, root, run, scratchDir } from './run.js';

// Installs and five runners: about 2 minutes on an idle 2-core machine once npm's cache is warm,
// several times that under load or with a cold cache; tap's 300 s per file is too tight.
t.setTimeout(900_000);

const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

t.test('the tarball holds what runs and nothing else', async (t) => {
  const tgz = await packedTarball();
  const list = await run('tar', ['-tzf', tgz], { cwd: root, timeoutMs: 30_000 });
  t.equal(list.code, 0, 'tar lists the tarball', { output: describeRun(list) });
  const files = list.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  for (const needed of ['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/cli.cjs', 'dist/cli-bundle.cjs']) {
    t.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  t.same(files.filter((f) => f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))), [], 'no source maps, no TypeScript sources');
  t.same(files.filter((f) => /^(src|test|bench|scripts|fixtures)\/|^dist\/(test|bench|src\/cli)\//.test(f)), [], 'no sources, tests, benchmarks, scripts, nor the ES module copy of the bundled CLI');

  const manifest = await run('tar', ['-xzOf', tgz, 'package/package.json'], { cwd: root, timeoutMs: 30_000 });
  const pkg = JSON.parse(manifest.stdout) as Record<string, unknown>;
  t.equal(pkg['scripts'], undefined, 'no scripts: nothing runs on install, no prepare pointing at missing files');
  t.equal(pkg['devDependencies'], undefined, 'no devDependencies');
  t.equal(pkg['license'], 'Apache-2.0', 'licence Apache-2.0 (the LICENSE file)');
  const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  t.same(pkg['exports'], repo['exports'], 'the exports map is the repository one');
  t.same(pkg['dependencies'], repo['dependencies'], 'the dependencies are the repository ones');
});

t.test('a bare project installs it without a warning and runs its bin', async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'bare');
  writeFileSync(join(dir, 'package.json'), '{ "name": "bare", "private": true }\n');
  const install = await run('npm', [...npmInstall, tgz], { cwd: dir, timeoutMs: 120_000 });
  t.equal(install.code, 0, 'npm installs the tarball', { output: describeRun(install) });
  t.same(install.stderr.split('\n').filter((l) => /warn|ERR/i.test(l)), [], 'npm printed no warning');
  t.notOk(readdirSync(join(dir, 'node_modules/minikafka')).includes('src'), 'no sources (no build on install)');

  const start = await run('node', ['-e', LAUNCH], { cwd: dir, timeoutMs: 30_000 });
  t.equal(start.code, 0, 'the bin started and stopped', { output: describeRun(start) });
  const { ready, exit } = JSON.parse(start.stdout) as { ready: { event: string; bootstrapServers: string; port: number }; exit: { code: number | null; signal: string | null } };
  t.equal(ready.event, 'ready', 'the first stdout line is the JSON ready line');
  t.match(ready.bootstrapServers, /^127\.0\.0\.1:\d+$/, 'with the bootstrap servers');
  t.not(ready.port, 0, 'a free port was picked');
  t.same(exit, { code: 0, signal: null }, 'SIGTERM stops the bin cleanly');

  // The client commands live in their own bundle (dist/cli-commands.cjs), loaded only when asked for:
  // a tarball without it starts the broker but fails every admin/data command.
  const topics = await run('node_modules/.bin/minikafka', ['topics', '--help'], { cwd: dir, timeoutMs: 30_000 });
  t.equal(topics.code, 0, 'a client command (topics --help) runs from the installed package', { output: describeRun(topics) });
  t.match(topics.stdout, /minikafka topics/, 'and prints its usage');
});

/** Starts node_modules/.bin/minikafka, reads its ready line, sends SIGTERM; prints both as JSON. */
const LAUNCH = `
const { spawn } = require('node:child_process');
const child = spawn('node_modules/.bin/minikafka', ['start', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.setEncoding('utf8').on('data', (d) => {
  out += d;
  if (!out.includes('\\n')) return;
  const ready = JSON.parse(out.split('\\n')[0]);
  child.stdout.removeAllListeners('data');
  child.once('exit', (code, signal) => console.log(JSON.stringify({ ready, exit: { code, signal } })));
  child.kill('SIGTERM');
});
`;

t.test('each test runner loads it and runs a produce/consume test', async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'runners');
  cpSync(join(root, 'test/package/scratch'), dir, { recursive: true });
  const install = await run('npm', [...npmInstall, tgz], { cwd: dir, timeoutMs: 300_000 });
  t.comment(`npm install of the runners and the tarball: ${install.ms} ms`);
  if (install.code !== 0) return t.fail(`npm install in the scratch project failed: ${describeRun(install)}`);

  const env = { KAFKAJS_NO_PARTITIONER_WARNING: '1', CI: '1', NO_COLOR: '1' };
  // Each through the bin npm linked, as `npx <runner>` would find it.
  const runners: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['Jest, default (CommonJS) mode', ['jest', 'jest-cjs.test.cjs'], {}, /Tests:\s+1 passed, 1 total/],
    ['Jest, ES modules', ['jest', 'jest-esm.test.mjs'], { NODE_OPTIONS: '--experimental-vm-modules' }, /Tests:\s+1 passed, 1 total/],
    ['vitest', ['vitest', 'run', 'vitest.test'], {}, /Tests\s+1 passed \(1\)/],
    ['tap', ['tap', '--disable-coverage', 'tap.test.mjs'], {}, /# \{ total: 2, pass: 2 \}/],
  ];
  for (const [name, [bin, ...args], extraEnv, passed] of runners) {
    const r = await run(join(dir, 'node_modules/.bin', bin!), args, { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
    t.equal(r.code, 0, `${name} exits 0`, { output: describeRun(r) });
    t.match(r.stdout + r.stderr, passed, `${name} ran the test and it passed (${r.ms} ms)`);
  }
  const nodeTest = await run('node', ['--test', 'node-test.test.mjs'], { cwd: dir, env, timeoutMs: 120_000 });
  t.equal(nodeTest.code, 0, 'node:test exits 0', { output: describeRun(nodeTest) });
  t.match(nodeTest.stdout, /# pass 1\n# fail 0/, 'node:test ran the test and it passed');

  // The repository's TypeScript (the same pinned 5.9): one large package fewer to install.
  const tsc = await run('node', [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: dir, timeoutMs: 180_000 });
  t.equal(tsc.code, 0, `tsc type-checks both entry points (${tsc.ms} ms)`, { output: describeRun(tsc) });
  const usingRun = await run('node', ['out/types-esm.mjs'], { cwd: dir, timeoutMs: 30_000 });
  t.equal(usingRun.code, 0, 'the compiled `await using` example runs', { output: describeRun(usingRun) });
  t.match(usingRun.stdout, /"stoppedAtBlockEnd":true/, '`await using`, compiled by TypeScript, stops the broker at the block end on this Node');
});
