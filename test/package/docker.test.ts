/**
 * The container image (docker/). No Docker daemon runs here, so the image is not built: the
 * Dockerfile is checked by hadolint (from the interop virtualenv, test/interop/setup.sh python),
 * and what the image runs is run without Docker: the tarball installed as its RUN step installs
 * it, then its ENTRYPOINT + CMD (the port 9092 swapped for 0: tests use no fixed port), its
 * HEALTHCHECK command against that broker, its stop signal, and compose.yaml's command for the
 * address other containers are given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { setupClients } from '../interop/harness.js';
import { describeRun, packedTarball, root, run, scratchDir, userEnv } from './run.js';

t.setTimeout(600_000);

const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
/** A JSON-array instruction of the Dockerfile (continuation lines joined). */
function instruction(name: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, '');
  const m = new RegExp(`^${name}\\s+(?:--\\S+\\s+)*(?:CMD\\s+)?(\\[.*\\])\\s*$`, 'm').exec(joined);
  if (m === null) throw new Error(`docker/Dockerfile has no exec-form ${name}`);
  return JSON.parse(m[1]!) as string[];
}

t.test('hadolint finds nothing in docker/Dockerfile', async (t) => {
  const setupError = setupClients('python');
  if (setupError !== null) return t.fail(setupError);
  const lint = await run(join(root, 'test/interop/python/.venv/bin/hadolint'), ['--no-color', 'docker/Dockerfile'], { cwd: root, timeoutMs: 60_000 });
  t.equal(lint.code, 0, 'hadolint passes', { output: describeRun(lint) });
});

t.test("the image's command starts the broker, passes the health check and stops on SIGTERM", async (t) => {
  const tgz = await packedTarball();
  const dir = scratchDir(t, 'image');
  const install = await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: dir, timeoutMs: 120_000 });
  t.equal(install.code, 0, 'the RUN step installs the tarball', { output: describeRun(install) });
  const image = (args: string[]) => args.map((a) => a.replace('/opt/minikafka', dir)).map((a) => (a === '9092' ? '0' : a));

  // --json added: the test reads the ready line as JSON (the image prints it as text in its log).
  const [cmd, ...args] = [...image(instruction('ENTRYPOINT')), ...image(instruction('CMD')), '--json'];
  const broker = await startBroker(cmd!, args);
  t.match(broker.ready.bootstrapServers, /^localhost:\d+$/, 'it advertises localhost, for clients on the host');

  const [hcCmd, ...hcArgs] = instruction('HEALTHCHECK').map((a) => a.replace('9092', String(broker.ready.port)));
  const health = await run(hcCmd!, hcArgs, { cwd: dir, timeoutMs: 30_000 });
  t.equal(health.code, 0, 'the health check passes', { output: describeRun(health) });
  t.same(await broker.stop('SIGTERM'), { code: 0, signal: null }, 'SIGTERM (docker stop) is a clean exit');

  const health2 = await run(hcCmd!, hcArgs, { cwd: dir, timeoutMs: 30_000 });
  t.equal(health2.code, 1, 'the health check fails once the broker is gone');

  // compose.yaml's command: other containers are given kafka:<port>.
  const compose = readFileSync(join(root, 'docker/compose.yaml'), 'utf8');
  const composeCommand = JSON.parse(/^\s+command: (\[.*"--advertised-host".*\])$/m.exec(compose)![1]!) as string[];
  const [c2, ...a2] = [...image(instruction('ENTRYPOINT')), ...image(composeCommand), '--json'];
  const inNetwork = await startBroker(c2!, a2);
  t.match(inNetwork.ready.bootstrapServers, /^kafka:\d+$/, 'the compose service advertises its service name');
  t.same(await inNetwork.stop('SIGTERM'), { code: 0, signal: null });
});

interface Ready {
  event: string;
  bootstrapServers: string;
  port: number;
}

/** Starts the command, waits for its JSON ready line; stop() signals it and resolves with how it exited. */
function startBroker(cmd: string, args: string[]): Promise<{ ready: Ready; stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd === 'node' ? process.execPath : cmd, args, { env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        ready: JSON.parse(out.slice(0, nl)) as Ready,
        stop: (signal) => {
          child.kill(signal);
          return exited;
        },
      });
    });
    child.once('error', reject);
    void exited.then(({ code, signal }) => reject(new Error(`${cmd} ${args.join(' ')} exited (${code ?? signal}) before its ready line: ${err.slice(-2000)}`)));
  });
}
