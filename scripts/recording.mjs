// What the scripts that record Apache Kafka's answers share (record-kafka-answers.mjs,
// record-kafka-tools.mjs, record-kafka-security.mjs, record-kafka-admin-clients.mjs): the repository root, a free loopback port for
// the Kafka they start, and running a command from the root.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A port free now on 127.0.0.1 (the OS's pick for port 0). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs `cmd` from the repository root; its stdout, or throws when it exits other than 0. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status})`);
  return r.stdout;
}
