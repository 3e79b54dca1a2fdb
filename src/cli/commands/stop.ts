/**
 * `minikafka stop`: sends SIGTERM to a broker started by `minikafka start`, found by its pid file
 * (`--pid-file`, or the one every start writes for its port), and waits until it has exited.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, guarded, helpDone, strictParser } from '../command-kit.js';
import { UsageError, intFlag } from '../args.js';
import { portPidFile } from '../lifetime.js';

/** Running and not a zombie (an exited process its parent has not reaped yet holds no port). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** On Linux, refuse a pid file whose process is no longer minikafka (the pid was reused). */
function looksLikeMinikafka(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /minikafka|cli\.cjs|cli[/\\]main\.js/.test(cmd);
  } catch {
    return true;
  }
}

export function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const a = await strictParser('stop', argv, '$0 [--port N | --pid-file FILE]\n\nStops a broker started by `minikafka start` and waits until it has exited.')
      .option('port', { type: 'string', default: '9092', describe: 'Port of the broker to stop (it wrote $TMPDIR/minikafka-PORT.pid)' })
      .option('pid-file', { type: 'string', describe: 'The file given to `minikafka start --pid-file`' })
      .option('timeout-ms', { type: 'string', default: '10000', describe: 'Wait this long for the broker to exit' })
      .example('$0', 'stop the broker on port 9092')
      .example('$0 --port 19092', 'stop the broker on port 19092')
      .example('$0 --pid-file /tmp/kafka.pid', 'stop the broker started with --pid-file /tmp/kafka.pid')
      .parseAsync().then(helpDone);
    const timeoutMs = intFlag('timeout-ms', a.timeoutMs, 0);
    const file = a.pidFile ?? portPidFile(intFlag('port', a.port, 1, 65535));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      throw new UsageError(a.pidFile !== undefined ? `no pid file ${file}` : `no broker started by minikafka on port ${a.port} (no ${file})`);
    }
    const pid = Number(text.trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`${file} holds no process id`);
    if (!alive(pid) || !looksLikeMinikafka(pid)) {
      process.stderr.write(`minikafka: process ${pid} (from ${file}) is not running; nothing to stop\n`);
      return EXIT.OK;
    }
    process.kill(pid, 'SIGTERM');
    // Another process's exit is no event this one can await; check often, it is a short wait.
    const deadline = Date.now() + timeoutMs;
    while (alive(pid)) {
      if (Date.now() > deadline) {
        process.stderr.write(`minikafka: process ${pid} did not exit within ${timeoutMs} ms of SIGTERM\n`);
        return EXIT.CONNECTION;
      }
      await sleep(20);
    }
    process.stderr.write(`minikafka: stopped process ${pid}\n`);
    return EXIT.OK;
  });
}
