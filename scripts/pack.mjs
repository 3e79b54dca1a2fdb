#!/usr/bin/env node
// Writes the npm tarball, dist/minikafka-<version>.tgz, from a built tree (npm run build).
//
// The tarball's package.json is this repository's minus what only a development checkout uses:
// no `scripts` (the repository's `prepare` builds a checkout after `npm ci`; in the tarball it
// would point at files that are not there), no `devDependencies`. npm has no way to leave fields
// out of a manifest it packs, so the package is staged in dist/pack/ and packed from there, with
// the same `files` list that `npm pack --dry-run` shows at the root.
//
// Release: `npm run pack`, then `npm publish dist/minikafka-<version>.tgz`.
// `node scripts/pack.mjs --out DIR` writes the tarball to DIR instead of dist/. The staging folder
// is a fresh temporary one each time, so that test files packing in parallel do not collide.
// Prints the tarball's absolute path on the last line of stdout.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The fields a user's install reads; everything else stays in the repository. */
const KEEP = ['name', 'version', 'description', 'keywords', 'homepage', 'bugs', 'repository', 'license', 'author', 'type', 'engines', 'bin', 'main', 'types', 'exports', 'files', 'dependencies', 'peerDependencies', 'optionalDependencies'];
const shipped = Object.fromEntries(KEEP.filter((k) => manifest[k] !== undefined).map((k) => [k, manifest[k]]));

for (const built of ['dist/src/index.js', 'dist/cjs/index.js', 'dist/cli.cjs', 'dist/cli-bundle.cjs', 'dist/cli-commands.cjs']) {
  if (!existsSync(join(root, built))) throw new Error(`pack: ${built} is missing; run npm run build first`);
}

const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
mkdirSync(outDir, { recursive: true });
const stage = mkdtempSync(join(tmpdir(), 'minikafka-pack-'));
mkdirSync(join(stage, 'dist'), { recursive: true });
// Copied whole; the `files` list in the staged manifest picks what goes in, as it does at the root.
for (const path of ['dist/src', 'dist/cjs', 'dist/cli.cjs', 'dist/cli-bundle.cjs', 'dist/cli-bundle.cjs.cache', 'dist/cli-commands.cjs', 'dist/cli-ui.cjs', 'dist/inspector', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (existsSync(join(root, path))) cpSync(join(root, path), join(stage, path), { recursive: true });
}
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);

let out;
try {
  out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const [{ filename, size, entryCount }] = JSON.parse(out);
process.stderr.write(`pack: ${entryCount} files, ${(size / 1024).toFixed(0)} KiB packed\n`);
process.stdout.write(`${join(outDir, filename)}\n`);
