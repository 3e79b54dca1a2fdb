#!/usr/bin/env node
// `prepare` hook: builds unless dist/ is newer than every source file. npx runs `prepare` again
// when it links this folder on its first use, and a second full build there would make the
// README's first command take many seconds for nothing.
import { statSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';

/** Newest mtime of the sources below path (other files do not feed the build; the inspector's page is .html and .css too). */
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return /\.(ts|cts|mjs|json|html|css)$/.test(path) ? st.mtimeMs : 0;
  let m = 0;
  for (const e of readdirSync(path)) if (!SKIP.has(e)) m = Math.max(m, newest(join(path, e)));
  return m;
}
const SKIP = new Set(['node_modules', '.venv', 'target', 'bin', '__pycache__', 'go', 'java', 'python']);

const output = 'dist/cli.cjs';
const sources = ['src', 'test', 'bench', 'inspector', 'scripts/bundle-cli.mjs', 'scripts/bundle-ui.mjs', 'tsconfig.json', 'package.json'].filter((p) => existsSync(p));
const fresh = existsSync(output) && statSync(output).mtimeMs >= Math.max(...sources.map(newest));
if (fresh) {
  console.log('minikafka: dist/ is up to date');
} else {
  execSync('npm run build', { stdio: 'inherit' });
}
