/**
 * The client commands, bundled apart from `start` (dist/cli-commands.cjs) so that a broker's start
 * never loads them. Each command module builds its own yargs parser and returns an exit status
 * (see EXIT in command-kit.ts).
 */
import { EXIT } from './command-kit.js';

type Runner = (argv: string[]) => Promise<number>;

const RUNNERS: Readonly<Record<string, () => Promise<Runner>>> = {
  stop: async () => (await import('./commands/stop.js')).run,
  topics: async () => (await import('./commands/topics.js')).run,
  produce: async () => (await import('./commands/produce.js')).run,
  consume: async () => (await import('./commands/consume.js')).run,
  groups: async () => (await import('./commands/groups.js')).run,
  txns: async () => (await import('./commands/txns.js')).run,
  configs: async () => (await import('./commands/configs.js')).run,
  dump: async () => (await import('./commands/dump.js')).run,
  verify: async () => (await import('./commands/verify.js')).run,
};

/** `start --seed` lives here too, so that a start without it loads none of the client. */
export { readSeedFile, applySeed } from './seed.js';

export async function runCommand(name: string, argv: string[]): Promise<number> {
  // `minikafka consume t | head` closes the pipe early: that is the end, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const load = RUNNERS[name];
  if (load === undefined) {
    process.stderr.write(`minikafka: ${name} is not available yet\n`);
    return EXIT.USAGE;
  }
  return (await load())(argv);
}
