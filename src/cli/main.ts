#!/usr/bin/env node
/**
 * The `minikafka` command. `minikafka start` runs a broker in the foreground until SIGINT or
 * SIGTERM; when it is ready it prints one line a script can wait for (`--json` for JSON).
 * Bad flags and a port in use exit with status 1 and one sentence on stderr.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCommand } from './start-command.js';
import type { StartArgs } from './start-command.js';
import { LogLevels } from '../util/logger.js';

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('minikafka')
    .usage('$0 <command> [options]')
    .command<StartArgs>(
      'start',
      'Start a broker in the foreground',
      (y) =>
        y
          .option('port', { type: 'number', default: 9092, describe: 'Port to listen on (0 picks a free one)' })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
          .option('advertised-host', { type: 'string', describe: 'Host name given to clients in metadata (default: the bound host)' })
          .option('auto-create-topics', { type: 'boolean', default: true, describe: 'Create unknown topics on first use (auto.create.topics.enable)' })
          .option('num-partitions', { type: 'number', default: 1, describe: 'Partitions of auto-created topics (num.partitions)' })
          .option('topic', { type: 'string', array: true, default: [], describe: 'Create a topic before ready: NAME or NAME:PARTITIONS (repeatable)' })
          .option('log-level', { type: 'string', choices: Object.keys(LogLevels), default: 'info', describe: 'Log level (logs go to stderr)' })
          .option('config', { type: 'string', array: true, default: [], describe: 'Broker config KEY=VALUE (repeatable)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the ready line as JSON' }),
      (args) => startCommand(args),
    )
    .demandCommand(1, 'Give a command, e.g. `minikafka start`.')
    .strict()
    .help()
    .version()
    .fail((msg, err) => {
      process.stderr.write(`minikafka: ${msg ?? err?.message ?? 'invalid arguments'}\n`);
      process.exit(1);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((e: unknown) => {
  process.stderr.write(`minikafka: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
