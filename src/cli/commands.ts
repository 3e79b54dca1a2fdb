/**
 * The client commands, bundled apart from `start` (dist/cli-commands.cjs) so that a broker's start
 * never loads them. Each command module builds its own yargs parser and returns an exit status
 * (see EXIT in command-kit.ts).
 */
import { EXIT } from './command-kit.js';

type Runner = (argv: string[]) => Promise<number>;

const RUNNERS: Readonly<Record<string, () => Promise<Runner>>> = {
  stop: async () => (await import('./commands/stop.js')).run,
};

export async function runCommand(name: string, argv: string[]): Promise<number> {
  const load = RUNNERS[name];
  if (load === undefined) {
    process.stderr.write(`minikafka: ${name} is not available yet\n`);
    return EXIT.USAGE;
  }
  return (await load())(argv);
}
