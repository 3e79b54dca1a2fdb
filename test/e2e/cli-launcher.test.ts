// The launcher (dist/cli.cjs) runs the CLI bundle through V8's code cache: it writes the cache when
// there is none, keeps one V8 accepts, and replaces one V8 rejects, starting the broker each time.
// Run on a copy of the two files so the repository's own cache is left alone.
import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the copied CLI, waits for its ready line, stops it with SIGTERM; returns its exit code. */
function startAndStop(dir: string): Promise<{ code: number | null; ready: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'cli.cjs'), 'start', '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ready: out.split('\n')[0] ?? '', stderr });
    });
  });
}

t.test('writes a missing cache, keeps an accepted one, replaces a rejected one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-launcher-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(dist, 'cli.cjs'), join(dir, 'cli.cjs'));
  copyFileSync(join(dist, 'cli-bundle.cjs'), join(dir, 'cli-bundle.cjs'));
  const cache = join(dir, 'cli-bundle.cjs.cache');

  const first = await startAndStop(dir);
  t.equal(first.code, 0, `first start exits 0 (${first.stderr})`);
  t.match(first.ready, /^minikafka ready on 127\.0\.0\.1:\d+/);
  t.ok(existsSync(cache), 'the first start wrote the cache');
  const written = readFileSync(cache);
  t.ok(written.length > 100_000, `cache holds the compiled bundle (${written.length} bytes)`);

  const before = statSync(cache).mtimeMs;
  const second = await startAndStop(dir);
  t.equal(second.code, 0, 'a start from the cache exits 0');
  t.match(second.ready, /^minikafka ready on /);
  t.equal(statSync(cache).mtimeMs, before, 'an accepted cache is not rewritten');
  t.ok(readFileSync(cache).equals(written), 'and keeps its bytes');

  writeFileSync(cache, Buffer.alloc(4096, 7));
  const third = await startAndStop(dir);
  t.equal(third.code, 0, 'a start with a corrupt cache still runs and exits 0');
  t.match(third.ready, /^minikafka ready on /);
  t.ok(readFileSync(cache).length > 100_000, 'the rejected cache was replaced by a real one');
  t.equal(third.stderr, '', 'nothing said about the cache');
});
