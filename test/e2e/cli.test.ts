// The `minikafka` command as a user runs it: the ready line, JSON output, topics created before
// ready, clean stop on signals, and one clear sentence with exit 1 for bad input.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
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
  t.ok(Date.now() - started < 2000, 'stops within 2 s');
});

t.test('bad input exits 1 with one sentence', async (t) => {
  const cases: [string[], RegExp][] = [
    [['start', '--port', 'abc'], /--port must be an integer/],
    [['start', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['start', '--bogus'], /Unknown argument: bogus/],
    [['start', '--topic', 'a:0'], /partitions must be at least 1/],
    [['start', '--topic', 'bad name'], /illegal|topic/i],
    [['start', '--config', 'novalue'], /--config takes KEY=VALUE/],
    [['start', '--config', 'num.partitions=x'], /num.partitions must be an integer/],
    [['start', '--log-level', 'loud'], /Invalid values/],
    [['start', '--flush-interval-ms', '-5'], /--flush-interval-ms must be a non-negative integer/],
    [['start', '--data-dir', ''], /--data-dir needs a directory/],
    [['start', '--data-dir', '/dev/null/not-a-dir'], /\S/],
    [[], /Give a command/],
    [['frobnicate'], /Unknown argument: frobnicate/],
  ];
  for (const [args, re] of cases) {
    const r = run(args);
    t.equal(r.status, 1, `${args.join(' ')}: exit 1`);
    t.match(r.stderr, re, `${args.join(' ')}: ${r.stderr.trim()}`);
    t.notMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
});

t.test('a port in use is one clear sentence', async (t) => {
  await using kafka = await MiniKafka.start();
  const r = run(['start', '--port', String(kafka.port)]);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`port ${kafka.port} on 127.0.0.1 is already in use`));
});

t.test('--help lists the options', async (t) => {
  const r = run(['start', '--help']);
  t.equal(r.status, 0);
  t.match(r.stdout, /--num-partitions/);
});
