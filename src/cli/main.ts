/**
 * The `minikafka` command. `minikafka start` runs a broker in the foreground until SIGINT or
 * SIGTERM; when it is ready it prints one line a script can wait for (`--json` for JSON).
 * Bad flags and a port in use exit with status 1 and one sentence on stderr.
 *
 * The command word is matched here and only its options are given to yargs: yargs' command API
 * renders and caches the whole help text before a command's handler may finish, which costs
 * tens of milliseconds on every start, and a dev broker is judged by how fast it is ready.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCommand } from './start-command.js';
import type { StartArgs } from './start-command.js';
import { LogLevels } from '../util/logger.js';

const COMMANDS = {
  start: 'Start a broker in the foreground',
} as const;

function startOptions(y: Argv): Argv<StartArgs> {
  return y
    .option('port', { type: 'number', default: 9092, describe: 'Port to listen on (0 picks a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
    .option('advertised-host', { type: 'string', describe: 'Host name given to clients in metadata (default: the bound host)' })
    .option('auto-create-topics', { type: 'boolean', default: true, describe: 'Create unknown topics on first use (auto.create.topics.enable)' })
    .option('num-partitions', { type: 'number', default: 1, describe: 'Partitions of auto-created topics (num.partitions)' })
    .option('topic', { type: 'string', array: true, default: [], describe: 'Create a topic before ready: NAME or NAME:PARTITIONS (repeatable)' })
    .option('log-level', { type: 'string', choices: Object.keys(LogLevels), default: 'info', describe: 'Log level (logs go to stderr)' })
    .option('config', { type: 'string', array: true, default: [], describe: 'Broker config KEY=VALUE (repeatable)' })
    .option('data-dir', { type: 'string', describe: 'Keep topics, logs, offsets and transactions in this directory and recover them on start (default: in memory)' })
    .option('flush-interval-ms', { type: 'number', default: 1000, describe: 'With --data-dir: fsync unflushed data within this many ms (0: leave it to the OS)' })
    .option('listener', { type: 'string', describe: 'The listener, Kafka style: PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL://HOST:PORT (SSL gets a throwaway CA)' })
    .option('sasl-user', { type: 'string', array: true, default: [], describe: 'A SASL user USER:PASSWORD for PLAIN and SCRAM-SHA-256/512 (repeatable)' })
    .option('super-user', { type: 'string', array: true, default: [], describe: 'A super user principal, e.g. User:admin (repeatable; turns the authorizer on)' })
    .option('authorizer', { type: 'boolean', default: false, describe: "Turn on Kafka's StandardAuthorizer ACLs (authorizer.class.name)" })
    .option('json', { type: 'boolean', default: false, describe: 'Print the ready line as JSON' }) as unknown as Argv<StartArgs>;
}

function fail(msg: string): never {
  process.stderr.write(`minikafka: ${msg}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const args = await startOptions(yargs(rest).scriptName('minikafka start').usage('$0 [options]'))
      .strict()
      .help()
      .version(false)
      .fail((msg, err) => fail(msg ?? err?.message ?? 'invalid arguments'))
      .parseAsync();
    await startCommand(args);
    return;
  }
  // No command, an unknown one, --help or --version: yargs shows the command list.
  let top = yargs(argv).scriptName('minikafka').usage('$0 <command> [options]');
  for (const [name, describe] of Object.entries(COMMANDS)) top = top.command(name, describe);
  await top
    .demandCommand(1, 'Give a command, e.g. `minikafka start`.')
    .strict()
    .help()
    .version()
    .fail((msg, err) => fail(msg ?? err?.message ?? 'invalid arguments'))
    .parseAsync();
}

main(hideBin(process.argv)).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
