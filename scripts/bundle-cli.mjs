#!/usr/bin/env node
// Builds the `minikafka` executable:
// - dist/cli-bundle.cjs: the CLI and the broker in one CommonJS file. Node's module loader pays
//   per file, and one file of ~800 KB loads in a fraction of the time of ~150 small ones. The
//   native codecs stay external (loaded on first use).
// - dist/cli-commands.cjs: the client commands (topics, produce, consume, ...), which `start` never
//   loads: dist/src/cli/main.js imports ./commands.js lazily, and in the bundle that import is
//   this separate file, so a start neither reads nor compiles it.
// - dist/cli-ui.cjs: the web inspector's server side (src/server/control/ui/), which a start
//   without --ui never loads: src/index.js imports it lazily, and in the bundle that import is
//   this separate file.
// - dist/cli.cjs: the launcher (src/cli/launcher.cts) that runs the bundle through V8's code cache.
// - dist/cli-bundle.cjs.cache: that cache, written by one start of the built CLI.
// The bundle is CommonJS because only a classic script can be compiled with a code cache on Node 20.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, rmSync } from 'node:fs';

/**
 * Modules yargs imports whose loading costs every start milliseconds for what only help text
 * needs: string-width's module body builds an Intl.Segmenter and Unicode property regexes
 * (~10 ms). In their place the bundle gets stand-ins that load the real module on the first call
 * (esbuild evaluates a require()d module lazily). Each entry: the import specifier and the
 * functions yargs takes from it ('default' included). (node:assert would be one too, but yargs
 * calls it on every parse.)
 */
const DEFERRED = new Map([['string-width', ['default']]]);

const deferModules = {
  name: 'defer-modules',
  setup(b) {
    const filter = new RegExp(`^(${[...DEFERRED.keys()].join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      // The stand-in's own require, and the lookup just below, resolve normally.
      if (args.pluginData?.real || args.namespace === 'deferred') return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      // A builtin stays external: its stand-in requires it by name.
      return { path: real.external ? args.path : real.path, namespace: 'deferred', pluginData: { names: DEFERRED.get(args.path) } };
    });
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => {
      const lines = ['let real;', `const load = () => (real ??= require(${JSON.stringify(args.path)}));`];
      for (const name of args.pluginData.names) {
        const local = `deferred_${name}`;
        lines.push(`function ${local}(...a) { return load().${name}(...a); }`, name === 'default' ? `export default ${local};` : `export { ${local} as ${name} };`);
      }
      return { contents: lines.join('\n'), resolveDir: '/', loader: 'js' };
    });
  },
};

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

const NATIVE = ['snappy', 'lz4-napi', '@mongodb-js/zstd', '@node-rs/crc32'];

/** main.js's and start-command.js's `import('./commands.js')` become a require of the commands bundle beside it. */
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\.js$/ }, (args) => (/\/cli\/(main|start-command)\.js$/.test(args.importer) ? { path: './cli-commands.cjs', external: true } : undefined));
  },
};

/** index.js's `import('./server/control/ui/ui-server.js')` becomes a require of the inspector bundle. */
const uiApart = {
  name: 'ui-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/server\/control\/ui\/ui-server\.js$/ }, (args) => (/\/src\/index\.js$/.test(args.importer) ? { path: './cli-ui.cjs', external: true } : undefined));
  },
};

await build({
  ...common,
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/cli-bundle.cjs',
  external: NATIVE,
  plugins: [deferModules, commandsApart, uiApart],
  // A script run by vm.Script has no dynamic import(); the commands bundle is required.
  supported: { 'dynamic-import': false },
  // The sources are ES modules; their import.meta.url is the bundle's URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// The bundles the main one requires on demand: the client commands, the inspector.
for (const [entry, outfile] of [
  ['dist/src/cli/commands.js', 'dist/cli-commands.cjs'],
  ['dist/src/server/control/ui/ui-server.js', 'dist/cli-ui.cjs'],
]) {
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    external: NATIVE,
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
}
await build({ ...common, entryPoints: ['src/cli/launcher.cts'], outfile: 'dist/cli.cjs' });

const cache = 'dist/cli-bundle.cjs.cache';
rmSync(cache, { force: true });
await warmStart();
if (!existsSync(cache)) throw new Error(`bundle-cli: one start of dist/cli.cjs did not write ${cache}`);

/**
 * Starts the built CLI once, asks it for ApiVersions and Metadata as a client's first requests do,
 * and stops it; the launcher writes the code cache as it exits, so the cache holds the functions
 * of a start and of a client's first requests.
 */
function warmStart() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli.cjs', 'start', '--port', '0', '--json', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.once('data', (d) => {
      firstRequests(JSON.parse(d.toString().split('\n')[0]).port).then(
        () => child.kill('SIGTERM'),
        (e) => {
          child.kill('SIGKILL');
          reject(e);
        },
      );
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`bundle-cli: the built CLI did not start and stop cleanly (exit ${code ?? signal})`));
    });
  });
}

/** Request header v1 (api key, version, correlation id, client id) and an empty or null-topics body. */
function frame(apiKey, apiVersion, correlationId, body) {
  const clientId = Buffer.from('bundle-cli');
  const head = Buffer.alloc(10);
  head.writeInt16BE(apiKey, 0);
  head.writeInt16BE(apiVersion, 2);
  head.writeInt32BE(correlationId, 4);
  head.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([head, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** ApiVersions v0, then Metadata v1 for all topics; resolves when both answers are in. */
function firstRequests(port) {
  return new Promise((resolve, reject) => {
    const topicsNull = Buffer.alloc(4);
    topicsNull.writeInt32BE(-1);
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.concat([frame(18, 0, 1, Buffer.alloc(0)), frame(3, 1, 2, topicsNull)])));
    const timer = setTimeout(() => socket.destroy(new Error('bundle-cli: the built CLI did not answer ApiVersions and Metadata')), 10_000);
    let got = Buffer.alloc(0);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      // Two answers: size-prefixed frames whose correlation ids are 1 and 2.
      const first = got.length >= 8 ? got.readInt32BE(0) + 4 : Infinity;
      if (got.length < first + 8) return;
      clearTimeout(timer);
      socket.destroy();
      if (got.readInt32BE(4) === 1 && got.readInt32BE(first + 4) === 2) resolve();
      else reject(new Error('bundle-cli: the built CLI answered ApiVersions and Metadata with the wrong correlation ids'));
    });
    socket.once('error', reject);
  });
}
