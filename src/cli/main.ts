/**
 * The `minikafka` command. `minikafka start` runs a broker in the foreground until SIGINT or
 * SIGTERM; when it is ready it prints one line a script can wait for (`--json` for JSON).
 * The other commands (topics, produce, consume, groups, ...) are Kafka clients; see commands.ts.
 * Bad flags and a port in use exit with status 1 and one sentence on stderr.
 *
 * The command word is matched here and only its options are given to yargs: yargs' command API
 * renders and caches the whole help text before a command's handler may finish, which costs
 * tens of milliseconds on every start, and a dev broker is judged by how fast it is ready. For
 * the same reason the client commands live in another bundle (dist/cli-commands.cjs), loaded
 * only when one of them runs.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCommand } from './start-command.js';
import type { StartArgs } from './start-command.js';
import { LogLevels } from '../util/logger.js';
import { didYouMean, explainYargsFailure, optionNames } from './args.js';

/** Every command, in the order `minikafka` lists them. */
const COMMANDS: Readonly<Record<string, string>> = {
  start: 'Start a broker in the foreground',
  stop: 'Stop a broker started by `minikafka start` (by --port or --pid-file)',
  topics: 'Create, list, describe, alter and delete topics',
  produce: 'Write records to a topic from stdin or files (text lines or NDJSON)',
  consume: 'Read records from a topic (text, NDJSON or a kcat-style format)',
  groups: 'List, describe (with lag), reset offsets of and delete consumer groups',
  txns: 'List and describe transactions',
  configs: 'Describe and alter topic and broker configs',
  dump: 'Write topics as NDJSON, the format --seed reads',
  verify: 'Check every segment, index and checkpoint of a --data-dir directory; exit status 5 on corruption',
  ctl: 'Drive a running broker\'s control API: faults, clock, reset, waits (start it with --control-port)',
};

function startOptions(y: Argv): Argv<StartArgs> {
  return y
    .option('port', { type: 'string', default: '9092', describe: 'Port to listen on (0 picks a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind' })
    .option('advertised-host', { type: 'string', describe: 'Host name given to clients in metadata (default: the bound host)' })
    .option('auto-create-topics', { type: 'boolean', default: true, describe: 'Create unknown topics on first use (auto.create.topics.enable)' })
    .option('num-partitions', { type: 'string', default: '1', describe: 'Partitions of auto-created topics (num.partitions)' })
    .option('topic', { type: 'string', array: true, default: [], describe: 'Create a topic before ready: NAME or NAME:PARTITIONS (repeatable)' })
    .option('seed', { type: 'string', describe: 'Produce the records of this NDJSON file (the format `minikafka dump` writes) before ready' })
    .option('log-level', { type: 'string', choices: Object.keys(LogLevels), default: 'info', describe: 'Log level (logs go to stderr)' })
    .option('config', { type: 'string', array: true, default: [], describe: 'Broker config KEY=VALUE (repeatable)' })
    .option('data-dir', { type: 'string', describe: 'Keep topics, logs, offsets and transactions in this directory and recover them on start (default: in memory)' })
    .option('flush-interval-ms', { type: 'string', default: '1000', describe: 'With --data-dir: fsync unflushed data within this many ms (0: leave it to the OS)' })
    .option('max-memory', { type: 'string', describe: 'Memory the broker may use, e.g. 512m or 2g (default: a quarter of RAM, at least 256m); records get it less a runtime reserve (a quarter, at most 160m); past that, in memory, records spill to a temp directory; with --data-dir, the cache of recent records' })
    .option('spill', { type: 'boolean', default: true, describe: 'In memory: spill records past --max-memory to a temp directory (removed at stop); --no-spill answers produce with KAFKA_STORAGE_ERROR instead' })
    .option('exit-with-parent', { type: 'boolean', default: false, describe: 'Stop when the parent process exits or stdin (a pipe) closes; always on under npx' })
    .option('pid-file', { type: 'string', describe: 'Write the process id here (removed at a clean stop); `minikafka stop --pid-file` reads it' })
    .option('listener', { type: 'string', array: true, default: [], describe: 'A listener, Kafka style: NAME://HOST:PORT with NAME a protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL) or mapped by listener.security.protocol.map (repeatable, the first is the primary one; SSL gets a throwaway CA)' })
    .option('advertised-listener', { type: 'string', array: true, default: [], describe: 'What clients are told of a listener: NAME://HOST:PORT (advertised.listeners; repeatable; PORT 0: the bound one)' })
    .option('sasl-user', { type: 'string', array: true, default: [], describe: 'A SASL user USER:PASSWORD for PLAIN and SCRAM-SHA-256/512 (repeatable)' })
    .option('oauth-client', { type: 'string', array: true, default: [], describe: 'Start the built-in OAuth issuer with this client CLIENT_ID:SECRET (repeatable): OAUTHBEARER tokens come from its token endpoint (the ready line\'s oauth.tokenEndpointUrl) and are verified against it' })
    .option('super-user', { type: 'string', array: true, default: [], describe: 'A super user principal, e.g. User:admin (repeatable; turns the authorizer on)' })
    .option('authorizer', { type: 'boolean', default: false, describe: "Turn on Kafka's StandardAuthorizer ACLs (authorizer.class.name)" })
    .option('brokers', { type: 'string', default: '1', describe: 'Brokers in this process (node ids 1..N, ports PORT..PORT+N-1, or free ones with --port 0), one cluster' })
    .option('rack', { type: 'string', array: true, default: [], describe: 'broker.rack of each broker in turn: a,b,c (or repeat the flag)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the ready line as JSON (with every broker\'s id, host, port and rack)' })
    .option('control-port', { type: 'string', describe: 'Serve the HTTP control API on this port (0 picks a free one; default: off)' })
    .option('control-host', { type: 'string', describe: 'Address of the control API (default 127.0.0.1)' })
    .option('ui', { type: 'boolean', default: false, describe: 'Serve the web inspector on the control port (a free one without --control-port); the ready line gives its URL' })
    .option('trace', { type: 'boolean', default: false, describe: 'Print every request and its response, decoded, one line each on stderr (NDJSON with --json)' })
    .option('trace-file', { type: 'string', describe: 'Write the trace to this file instead of stderr (implies --trace)' })
    .option('trace-api', { type: 'string', array: true, default: [], describe: 'Trace only these APIs, e.g. Produce,Fetch (repeatable or comma-separated)' })
    .option('trace-client-id', { type: 'string', array: true, default: [], describe: 'Trace only these client ids (repeatable or comma-separated)' })
    .option('trace-topic', { type: 'string', array: true, default: [], describe: 'Trace only requests naming these topics (repeatable or comma-separated)' })
    .option('as-version', { type: 'string', describe: 'Answer ApiVersions and features as this Apache Kafka release would: 2.8, 3.0 to 4.4' })
    .option('chaos', { type: 'string', describe: 'Seeded chaos: RATE,SEED (e.g. 0.05,42) of requests get a fault a correct client survives' })
    .example('$0 --port 0 --json', 'a free port; the ready line says which')
    .example('$0 --topic orders:3 --topic audit', 'create topics before the ready line')
    .example('$0 --seed fixtures.ndjson', 'start with the records of a `minikafka dump`')
    .example('$0 --data-dir ./kafka-data', 'keep data across restarts')
    .example('$0 --ui', 'open the web inspector at the URL the ready line gives')
    .example('$0 --brokers 3 --rack a,b,c --port 0 --json', 'three brokers in one process, one per rack')
    .example('$0 --brokers 3 --port 0 --listener PLAINTEXT://127.0.0.1:0 --listener SASL_SSL://127.0.0.1:0 --sasl-user alice:secret --json', 'three brokers, each with a PLAINTEXT and a SASL_SSL listener')
    .example('$0 --trace --trace-api Produce,Fetch', 'show every produce and fetch, decoded')
    .example('$0 --as-version 3.6', 'behave as Kafka 3.6 does to clients (no KIP-848 consumer protocol)') as unknown as Argv<StartArgs>;
}

function fail(msg: string): never {
  process.stderr.write(`minikafka: ${msg}\n`);
  process.exit(1);
}

function commandList(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(width)}  ${d}`);
  return ['Usage: minikafka <command> [options]', '', 'Commands:', ...lines, '', 'Run `minikafka <command> --help` for its options and examples.', ''].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const y = startOptions(yargs(rest).scriptName('minikafka start').usage('$0 [options]'));
    const args = await y
      .strict()
      .help()
      .version(false)
      .fail((msg, err) => fail(msg ? explainYargsFailure(msg, optionNames(y), rest) : (err?.message ?? 'invalid arguments')))
      .parseAsync();
    await startCommand(args);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(commandList());
    return;
  }
  if (command === '--version' || command === '-v') {
    // The bundle is dist/cli-bundle.cjs, the compiled module dist/src/cli/main.js.
    const { readFileSync, existsSync } = await import('node:fs');
    for (const rel of ['../package.json', '../../../package.json']) {
      const url = new URL(rel, import.meta.url);
      if (existsSync(url)) return void process.stdout.write(`${(JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version}\n`);
    }
    return;
  }
  if (command === 'ctl') return (await import('./ctl-command.js')).ctlCommand(rest);
  if (!Object.hasOwn(COMMANDS, command)) fail(`unknown command '${command}'${didYouMean(command, Object.keys(COMMANDS))}\n\n${commandList()}`);
  const { runCommand } = await import('./commands.js');
  process.exitCode = await runCommand(command, rest);
}

main(hideBin(process.argv)).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
