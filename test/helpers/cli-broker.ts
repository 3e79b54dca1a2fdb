/**
 * The CLI broker as a child process, for the durable-mode tests that kill it with SIGKILL:
 * `minikafka start --port 0 --json --data-dir DIR`, resolved with the bootstrap address of its
 * ready line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../cli.cjs');

export async function startCliBroker(dir: string, extra: readonly string[]): Promise<{ child: ChildProcess; bootstrap: string }> {
  const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--json', '--data-dir', dir, '--log-level', 'warn', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(out.slice(0, i));
    });
    child.once('exit', (code) => reject(new Error(`broker exited ${code}: ${stderr}`)));
  });
  return { child, bootstrap: (JSON.parse(line) as { bootstrapServers: string }).bootstrapServers };
}

export function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
