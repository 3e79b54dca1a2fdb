// `minikafka start` with several --listener flags on several brokers: the ready line lists every
// listener with its bootstrap address (JSON and text), each listener answers Metadata with its
// own endpoints, and a bad spec exits 1 with one sentence before anything is bound.
import t from 'tap';
import type { Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { WireClient } from '../helpers/wire-client.js';
import { MetadataApi } from '../../src/protocol/messages/metadata.js';
import { MiniKafka } from '../../src/index.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

interface ReadyListener {
  name: string;
  securityProtocol: string;
  bootstrapServers: string;
  brokers: { id: number; host: string; port: number }[];
}

/** Starts the CLI and resolves with its first stdout line; the child is killed at teardown. */
async function start(t: Test, args: string[]): Promise<string> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  t.teardown(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(out.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
}

const metadataRequest = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

t.test('--brokers 3 with two --listener flags: the JSON ready line lists both, each answers with its own endpoints', async (t) => {
  const line = await start(t, ['--json', '--brokers', '3', '--listener', 'PLAINTEXT://127.0.0.1:0', '--listener', 'SASL_SSL://127.0.0.1:0', '--sasl-user', 'alice:alice-secret']);
  const ready = JSON.parse(line) as { bootstrapServers: string; securityProtocol: string; caFile?: string; listeners: ReadyListener[] };
  t.same(ready.listeners.map((l) => [l.name, l.securityProtocol, l.brokers.map((b) => b.id)]), [
    ['PLAINTEXT', 'PLAINTEXT', [1, 2, 3]],
    ['SASL_SSL', 'SASL_SSL', [1, 2, 3]],
  ]);
  t.equal(ready.securityProtocol, 'PLAINTEXT', 'the primary listener is the first');
  t.equal(ready.bootstrapServers, ready.listeners[0]!.bootstrapServers);
  for (const l of ready.listeners) t.equal(l.bootstrapServers, l.brokers.map((b) => `${b.host}:${b.port}`).join(','), `${l.name}: bootstrap is every broker`);
  const ports = ready.listeners.flatMap((l) => l.brokers.map((b) => b.port));
  t.equal(new Set(ports).size, 6, 'six distinct ports');
  t.ok(ready.caFile, 'the SASL_SSL listener made a throwaway CA, given in the ready line');

  const plain = ready.listeners[0]!;
  const c = await WireClient.connect(`${plain.brokers[2]!.host}:${plain.brokers[2]!.port}`);
  t.teardown(() => c.close());
  const md = await c.request(MetadataApi, 12, metadataRequest);
  t.same(md.brokers.map((b) => [b.nodeId, b.port]), plain.brokers.map((b) => [b.id, b.port]), 'Metadata on PLAINTEXT: the PLAINTEXT endpoints');
});

t.test('text ready line names every listener; --advertised-listener sets what clients are told', async (t) => {
  const line = await start(t, ['--listener', 'INTERNAL://127.0.0.1:0', '--listener', 'EXTERNAL://127.0.0.1:0', '--config', 'listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT', '--advertised-listener', 'EXTERNAL://broker.example:19092']);
  t.match(line, /^minikafka ready on INTERNAL on 127\.0\.0\.1:\d+, EXTERNAL on broker\.example:19092 \(pid \d+\)/);
  // Without --listener the broker's one PLAINTEXT listener (--host, --port) may be advertised elsewhere.
  const single = await start(t, ['--advertised-listener', 'PLAINTEXT://broker.example:0']);
  t.match(single, /^minikafka ready on broker\.example:\d+ \(pid \d+\)/);
});

t.test('bad listener flags exit 1 with one sentence, before anything is bound', async (t) => {
  // Every case holds a port another broker has: a check after binding would say "in use" instead.
  await using busy = await MiniKafka.start();
  const taken = `PLAINTEXT://127.0.0.1:${busy.port}`;
  const cases: [string[], RegExp][] = [
    [['--listener', taken, '--listener', 'FOO://127.0.0.1:0'], /--listener: No security protocol defined for listener FOO/],
    [['--listener', taken, '--listener', 'SASL_SSL//127.0.0.1:0'], /--listener: Unable to parse SASL_SSL\/\/127\.0\.0\.1:0 to a broker endpoint/],
    [['--listener', taken, '--listener', 'SSL://127.0.0.1:99999'], /Invalid port in SSL:\/\/127\.0\.0\.1:99999/],
    [['--listener', taken, '--listener', 'SSL://127.0.0.1:' + busy.port], /Each listener must have a different port/],
    [['--listener', taken, '--advertised-listener', 'SSL://kafka:9093'], /advertised\.listeners listener names must be equal to or a subset of the ones defined in listeners/],
    [['--advertised-listener', 'SSL://kafka:9093'], /--advertised-listener: advertised\.listeners listener names must be equal to or a subset of the ones defined in listeners\. Found SSL\. The valid options based on the current configuration are PLAINTEXT/],
    [['--listener', taken, '--config', 'listeners=PLAINTEXT://127.0.0.1:0'], /give --listener or --config listeners=\.\.\., not both/],
  ];
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [cli, 'start', ...args], { encoding: 'utf8', timeout: 20_000 });
    t.equal(r.status, 1, `exit 1: ${args.join(' ')}`);
    t.match(r.stderr, message);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.equal(r.stdout, '', 'no ready line');
  }
});

t.test('--oauth-client starts the built-in OAuth issuer: the ready line gives its token endpoint', async (t) => {
  const line = await start(t, ['--json', '--listener', 'SASL_SSL://127.0.0.1:0', '--oauth-client', 'app:app-secret']);
  const ready = JSON.parse(line) as { oauth?: { tokenEndpointUrl: string; jwksUrl: string; issuer: string; audience: string } };
  t.match(ready.oauth, { tokenEndpointUrl: /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/, jwksUrl: /\/oauth2\/jwks$/, issuer: 'minikafka', audience: 'minikafka' });
  const basic = 'Basic ' + Buffer.from('app:app-secret').toString('base64');
  const r = await fetch(ready.oauth!.tokenEndpointUrl, { method: 'POST', headers: { authorization: basic }, body: 'grant_type=client_credentials' });
  t.equal(r.status, 200);
  const token = ((await r.json()) as { access_token: string }).access_token;
  t.match(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()), { sub: 'app', iss: 'minikafka', aud: 'minikafka' });
  const bad = spawnSync(process.execPath, [cli, 'start', '--oauth-client', 'no-secret'], { encoding: 'utf8', timeout: 20_000 });
  t.equal(bad.status, 1);
  t.match(bad.stderr, /--oauth-client takes CLIENT_ID:SECRET/);
});
