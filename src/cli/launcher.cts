#!/usr/bin/env node
/**
 * The `minikafka` executable (bundled to dist/cli.cjs). It runs the CLI bundle, dist/cli-bundle.cjs,
 * through V8's code cache: compiling ~800 KB of JavaScript, and the functions a start calls, is a
 * third of a cold start, and a dev broker is judged by how fast its ready line comes. Node 20 has
 * no module compile cache of its own (that came in 22.1), hence this file.
 *
 * scripts/bundle-cli.mjs writes the cache by running one start after each build. When V8 rejects
 * it (another Node version, other V8 flags) the CLI still runs, compiled from source, and writes a
 * fresh cache at exit for the next start.
 */
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

const { readFileSync, renameSync, writeFileSync } = fs;
const { Script } = vm;

/** Where the bundle is; the build places this launcher in the same directory. */
const bundle = path.join(__dirname, 'cli-bundle.cjs');
const cacheFile = `${bundle}.cache`;

/** The CommonJS module wrapper, on the bundle's first line so that stack traces keep its lines. */
const HEAD = '(function (exports, require, module, __filename, __dirname) {';
const TAIL = '\n})';

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Errors that mean "this install is read-only": the CLI then runs uncached, which is only slower. */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

function writeCache(script: vm.Script): void {
  // Through a temporary file and a rename: another start may be reading the cache right now.
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (!READ_ONLY.has(err.code ?? '')) process.stderr.write(`minikafka: could not write the code cache ${cacheFile}: ${err.message}\n`);
  }
}

const cachedData = readCache();
const script = new Script(HEAD + readFileSync(bundle, 'utf8') + TAIL, { filename: bundle, cachedData });
// At exit the cache holds every function compiled so far, start-up and request handling included.
if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', () => writeCache(script));
const mod = { exports: {} };
(script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void)(mod.exports, nodeModule.createRequire(bundle), mod, bundle, __dirname);
