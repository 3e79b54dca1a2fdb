// The `minikafka` command as a user runs it: the ready line, JSON output, topics created before
// ready, clean stop on signals, and one clear sentence with exit 1 for bad input. No case binds
// Kafka's 9092: every start gets --port, and bad input is given a port another broker holds, so
// a check that ran after binding would answer "already in use" instead of naming the bad flag.
// One case leaves the port at its default with 9092 held, by this test or by whatever already
// holds it: the file passes whether or not something else listens on 9092.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { WireClient } from '../helpers/wire-client.js';
import { MetadataApi } from '../../src/protocol/messages/metadata.js';
import { MiniKafka } from '../../src/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

t.test('start --json prints a ready line; topics exist; SIGTERM stops it cleanly', async (t) => {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--topic', 'orders:3', '--topic', 'audit', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(out.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const ready = JSON.parse(line) as { event: string; bootstrapServers: string; port: number; pid: number };
  t.equal(ready.event, 'ready');
  t.equal(ready.pid, child.pid);
  t.equal(ready.bootstrapServers, `127.0.0.1:${ready.port}`);
  const c = await WireClient.connect(ready.bootstrapServers);
  const md = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  c.close();
  const byName = new Map(md.topics.map((x) => [x.name, x.partitions.length]));
  t.equal(byName.get('orders'), 3, 'orders has 3 partitions');
  t.equal(byName.get('audit'), 1, 'audit has the default 1');
  const started = Date.now();
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', r));
  t.equal(code, 0, 'exit 0 on SIGTERM');
  // Stopping takes milliseconds; the bound is generous for a loaded 2-core machine, where a process
  // can wait seconds for a CPU, and still tells a prompt stop from one that waits out a timeout.
  t.ok(Date.now() - started < 10_000, `stops promptly (${Date.now() - started} ms)`);
});

t.test('bad input exits 1 with one sentence, checked before the port is bound', async (t) => {
  await using busy = await MiniKafka.start();
  const port = ['--port', String(busy.port)];
  const cases: [string[], RegExp][] = [
    [['start', '--port', 'abc'], /--port must be an integer from 0 to 65535, got 'abc'/],
    [['start', '--port', '70000'], /--port must be an integer from 0 to 65535, got '70000'/],
    [['start', ...port, '--num-partitions', 'many'], /--num-partitions must be an integer from 1 to 2147483647, got 'many'/],
    [['start', ...port, '--bogus'], /unknown flag --bogus/],
    [['start', ...port, '--prot', '1'], /unknown flag --prot; did you mean '--port'\?/],
    [['start', ...port, '--num-partition', '3'], /did you mean '--num-partitions'/],
    [['start', ...port, 'extra'], /unexpected argument 'extra'/],
    [['start', ...port, '--topic', 'a:0'], /partitions must be at least 1/],
    [['start', ...port, '--topic', 'bad name'], /--topic bad name: Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics/],
    [['start', ...port, '--topic', 'x'.repeat(250)], /longer than the max allowed length 249/],
    [['start', ...port, '--topic', '..'], /'\.\.' is not allowed/],
    [['start', ...port, '--config', 'novalue'], /--config takes KEY=VALUE/],
    [['start', ...port, '--config', 'num.partitions=x'], /num.partitions must be an integer/],
    [['start', ...port, '--log-level', 'loud'], /Invalid values/],
    [['start', ...port, '--flush-interval-ms', '-5'], /--flush-interval-ms must be a non-negative integer, got '-5'/],
    [['start', ...port, '--data-dir', ''], /--data-dir needs a directory/],
    [['start', ...port, '--data-dir', '/dev/null/not-a-dir'], /\S/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['strat'], /unknown command 'strat'; did you mean 'start'\?/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    t.equal(r.status, 1, `${args.join(' ').slice(0, 60)}: exit 1`);
    t.match(r.stderr, re, `${args.join(' ').slice(0, 60)}: ${r.stderr.trim().slice(0, 200)}`);
    t.notMatch(r.stderr, /already in use/, 'checked before binding');
    t.notMatch(r.stderr, /\n\s+at /, `${args.join(' ').slice(0, 60)}: no stack trace`);
  }
});

t.test('bad input with the default port is named while 9092 is taken', async (t) => {
  const holder = createServer();
  const bound = await new Promise<string>((resolve) => {
    holder.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e)));
    holder.listen(9092, () => resolve('bound'));
  });
  t.teardown(() => void holder.close());
  t.ok(bound === 'bound' || bound === 'EADDRINUSE', `9092 is taken (${bound === 'bound' ? 'by this test' : 'already'})`);
  const r = run(['start', '--topic', 'bad name']);
  t.equal(r.status, 1);
  t.match(r.stderr, /--topic bad name: Topic name is invalid/);
  t.notMatch(r.stderr, /already in use/, 'checked before binding 9092');
});

t.test('an unknown --config key is a warning with suggestions, as Kafka only warns', async (t) => {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--config', 'num.partition=3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  child.kill('SIGTERM');
  t.equal(await new Promise((r) => child.once('exit', r)), 0);
  t.match(stderr, /WARN --config num.partition: the configuration 'num.partition' was supplied but isn't a known config; did you mean 'num.partitions'\?/);
});

t.test('no command lists the commands; help per command has examples', async (t) => {
  for (const args of [[], ['--help']]) {
    const r = run(args);
    t.equal(r.status, 0, `${args.join(' ')}: exit 0`);
    for (const c of ['start', 'stop', 'topics', 'produce', 'consume', 'groups', 'txns', 'configs', 'dump']) t.match(r.stdout, new RegExp(`\\n  ${c} +\\S`), `lists ${c}`);
  }
  const start = run(['start', '--help']);
  t.equal(start.status, 0);
  t.match(start.stdout, /--num-partitions/);
  t.match(start.stdout, /Examples:[\s\S]*minikafka start --port 0 --json/);
});

t.test('a port in use is one clear sentence', async (t) => {
  await using kafka = await MiniKafka.start();
  const r = run(['start', '--port', String(kafka.port)]);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`port ${kafka.port} on 127.0.0.1 is already in use`));
});

