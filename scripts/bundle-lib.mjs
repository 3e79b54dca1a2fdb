#!/usr/bin/env node
// Builds the CommonJS entry point of the package, for `require('minikafka')` (Jest's default mode,
// older tools). The ES module entry is tsc's own output, dist/src/index.js.
//
// - dist/cjs/index.js: src/index.ts and everything it imports in one CommonJS file (esbuild, as
//   scripts/bundle-cli.mjs does for the CLI). The package's dependencies stay external: npm
//   installs them next to it.
// - dist/cjs/package.json: {"type":"commonjs"}, so that Node and TypeScript read dist/cjs/ as
//   CommonJS although the package is "type": "module".
// - dist/cjs/**/*.d.ts: the declarations index.d.ts reaches, copied from dist/src/. TypeScript
//   takes a .d.ts in a CommonJS folder as the types of a CommonJS module; pointing the `require`
//   condition at the ES module declarations instead would make TypeScript's node16/nodenext
//   resolution report "an ES module cannot be imported with require".
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const from = 'dist/src';
const to = 'dist/cjs';
rmSync(to, { recursive: true, force: true });

await build({
  entryPoints: [join(from, 'index.js')],
  outfile: join(to, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  // The sources are ES modules; their import.meta.url is the bundle's URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
writeFileSync(join(to, 'package.json'), '{ "type": "commonjs" }\n');

// The declaration files reachable from index.d.ts through relative imports and import("...") types.
const seen = new Set();
const pending = [join(from, 'index.d.ts')];
while (pending.length > 0) {
  const file = pending.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) pending.push(join(dirname(file), `${m[1]}.d.ts`));
}
for (const file of seen) {
  const target = join(to, relative(from, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
