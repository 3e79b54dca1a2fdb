#!/usr/bin/env node
// Builds the web inspector's page (inspector/, served by src/server/control/ui/ui-server.ts) into
// dist/inspector/: index.html, app.css, and app.js, one minified bundle of inspector/src/ (no
// framework: DOM calls and SVG). Type-checks the page first (inspector/tsconfig.json: the DOM
// library, which the server's tsconfig leaves out). Prints the sizes: the page must stay small.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

const out = 'dist/inspector';
mkdirSync(out, { recursive: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'inspector/tsconfig.json'], { stdio: 'inherit' });
await build({ entryPoints: ['inspector/src/main.ts'], outfile: `${out}/app.js`, bundle: true, format: 'iife', target: 'es2022', minify: true, legalComments: 'none', logLevel: 'warning' });
copyFileSync('inspector/index.html', `${out}/index.html`);
copyFileSync('inspector/app.css', `${out}/app.css`);
if (process.env.BUNDLE_UI_QUIET === undefined) {
  const sizes = ['app.js', 'app.css', 'index.html'].map((f) => `${f} ${statSync(`${out}/${f}`).size} B (${gzipSync(readFileSync(`${out}/${f}`)).length} B gzip)`);
  console.error(`bundle-ui: ${sizes.join(', ')}`);
}
