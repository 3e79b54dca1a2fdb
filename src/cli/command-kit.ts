/**
 * What every client command shares: exit statuses, the yargs set-up (strict flags with "did you
 * mean", --help with examples, --bootstrap-server, --json) and the mapping of errors to statuses.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { UsageError, didYouMean, explainYargsFailure, intFlag, optionNames } from './args.js';
import { KafkaClient } from '../client/client.js';
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
    // Options only: positionals (topic names, group ids) are each command's to check.
    .strictOptions()
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

/** Thrown after yargs printed --help: the command stops there with status 0. */
class HelpShown extends Error {}

/** `.parseAsync().then(helpDone)`: ends the command when --help was given. */
export function helpDone<T>(a: T): T {
  if ((a as { help?: unknown }).help === true) throw new HelpShown('help');
  return a;
}

/** Runs a command body, mapping what it throws to a message and an exit status. */
export async function guarded(body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? EXIT.OK;
  } catch (e) {
    if (e instanceof HelpShown) return EXIT.OK;
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

/** Connects with the common flags, runs `fn`, and closes the client whatever happens. */
export async function withClient<T>(a: CommonArgs, fn: (client: KafkaClient) => Promise<T>): Promise<T> {
  const requestTimeoutMs = intFlag('timeout-ms', a.timeoutMs, 1);
  const client = await KafkaClient.connect({ bootstrapServers: a.bootstrapServer, clientId: a.clientId, requestTimeoutMs });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** KEY=VALUE pairs of a repeatable flag. */
export function keyValues(flag: string, list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--${flag} takes KEY=VALUE, got '${kv}'`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** The positional words after the subcommand, as strings. */
export function words(a: { _: (string | number)[] }): string[] {
  return a._.map(String);
}

export interface Subcommand {
  readonly describe: string;
  readonly run: (argv: string[]) => Promise<number | void>;
}

/** `minikafka NAME SUB ...`: runs the subcommand, or lists them for no word, `help` or --help. */
export function subcommands(name: string, subs: Readonly<Record<string, Subcommand>>, argv: string[]): Promise<number> {
  return guarded(async () => {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      const width = Math.max(...Object.keys(subs).map((s) => s.length));
      process.stdout.write([`Usage: minikafka ${name} <${Object.keys(subs).join('|')}> [options]`, '', ...Object.entries(subs).map(([s, d]) => `  ${s.padEnd(width)}  ${d.describe}`), '', `Run \`minikafka ${name} <subcommand> --help\` for options and examples.`, ''].join('\n'));
      return sub === undefined ? EXIT.USAGE : EXIT.OK;
    }
    const s = subs[sub];
    if (s === undefined) throw new UsageError(`unknown subcommand '${name} ${sub}'${didYouMean(sub, Object.keys(subs))}`);
    return s.run(rest);
  });
}
