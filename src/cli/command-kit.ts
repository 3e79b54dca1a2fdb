/**
 * What every client command shares: exit statuses, the yargs set-up (strict flags with "did you
 * mean", --help with examples, --bootstrap-server, --json) and the mapping of errors to statuses.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { UsageError, explainYargsFailure, optionNames } from './args.js';
import { ConnectionError, KafkaResponseError } from '../client/errors.js';

/** Exit statuses, documented in the README's CLI section. */
export const EXIT = {
  OK: 0,
  /** Bad flags or input. */
  USAGE: 1,
  /** The broker answered with a Kafka error code (named on stderr). */
  KAFKA: 2,
  /** No broker reachable, or no answer in time. */
  CONNECTION: 3,
  /** `consume --count N` ended by its timeout before N records. */
  INCOMPLETE: 4,
} as const;

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface CommonArgs {
  bootstrapServer: string;
  json: boolean;
  timeoutMs: string;
  clientId: string;
}

/** A strict yargs parser for `minikafka <name>`; `fail` turns its complaints into UsageErrors. */
export function strictParser(name: string, argv: string[], usage: string): Argv {
  const y: Argv = yargs(argv)
    .scriptName(`minikafka ${name}`)
    .usage(usage)
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(explainYargsFailure(msg, optionNames(y), argv));
    });
  return y;
}

/** strictParser plus the options of every client command. */
export function parser(name: string, argv: string[], usage: string): Argv<CommonArgs> {
  return strictParser(name, argv, usage)
    .option('bootstrap-server', { alias: 'b', type: 'string', default: DEFAULT_BOOTSTRAP, describe: 'Broker to connect to, host:port (any Kafka; several comma-separated)' })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output (JSON)' })
    .option('timeout-ms', { type: 'string', default: '30000', describe: 'Give up on a broker answer after this long' })
    .option('client-id', { type: 'string', default: 'minikafka-cli', describe: 'client.id sent in each request' }) as unknown as Argv<CommonArgs>;
}

/** Runs a command body, mapping what it throws to a message and an exit status. */
export async function guarded(body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? EXIT.OK;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`minikafka: ${msg}\n`);
    if (e instanceof UsageError) return EXIT.USAGE;
    if (e instanceof KafkaResponseError) return EXIT.KAFKA;
    if (e instanceof ConnectionError) return EXIT.CONNECTION;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return EXIT.USAGE;
    throw e;
  }
}

/** True when yargs printed --help (it then returns without a command to run). */
export function helpShown(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
