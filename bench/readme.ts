/**
 * `npm run bench:readme`: writes the README's performance paragraph and table (between its
 * bench:begin / bench:end markers) from the newest bench/published/*.json, or from --file.
 *
 *   npm run bench:readme                      # README.md from the newest published run
 *   npm run bench:readme -- --check           # exit 1 when README.md differs from it
 *   npm run bench:readme -- --file F --readme R   # another run, another README (the smoke pipeline)
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './brokers.js';
import { renderReadme, replaceGenerated } from './published.js';
import type { PublishedRun } from './published.js';

/** The newest published run: file names are dates, so the last in name order. */
export function newestPublished(): string {
  const dir = join(repoRoot, 'bench/published');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no published run in ${dir}`);
  return join(dir, files[files.length - 1]!);
}

/** README text with the generated part rendered from `file`. */
export function readmeFrom(readme: string, file: string): string {
  const run = JSON.parse(readFileSync(file, 'utf8')) as PublishedRun;
  return replaceGenerated(readme, renderReadme(run, relative(repoRoot, file)));
}

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, file: { type: 'string' }, readme: { type: 'string' } } });
  const file = values.file ?? newestPublished();
  const readmePath = values.readme ?? join(repoRoot, 'README.md');
  const before = readFileSync(readmePath, 'utf8');
  const after = readmeFrom(before, file);
  if (values.check) {
    if (before !== after) {
      process.stderr.write(`bench:readme: ${relative(repoRoot, readmePath)} does not match ${relative(repoRoot, file)}; run npm run bench:readme\n`);
      process.exit(1);
    }
    process.stdout.write(`bench:readme: ${relative(repoRoot, readmePath)} matches ${relative(repoRoot, file)}\n`);
    return;
  }
  writeFileSync(readmePath, after);
  process.stdout.write(`bench:readme: ${relative(repoRoot, readmePath)} ${before === after ? 'already matched' : 'updated from'} ${relative(repoRoot, file)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
