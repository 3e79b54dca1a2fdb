/**
 * The shape of src/server, read from its source imports (type-only imports included: a type
 * import is a dependency of the design even when it leaves no trace in the JavaScript):
 *
 * - no import cycles at all between its modules;
 * - arrows run one way between its folders: the composition root (broker.ts) may import
 *   anything; persistence/ the cluster state and the coordinators; handlers/ the cluster state
 *   and the coordinators; coordinators/ the cluster state, and coordinators/group the
 *   transaction markers of coordinators/txn and the streams groups of coordinators/streams but
 *   not the reverse; cluster/ nothing of the server
 *   above it; net/ only the handler contract (handlers/handler.ts), never the registry or a
 *   handler;
 * - nothing under src/log, src/protocol or src/util imports src/server.
 *
 * Adding a back-edge (a handler importing the Broker, the cluster importing a coordinator, ...)
 * fails here with the file and the import named.
 */
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/unit/server -> the repository root, where the sources are.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SRC = join(ROOT, 'src');
const SERVER = join(SRC, 'server');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a module: static, type-only, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** The module an import names, as a path relative to src/ ending in .ts. */
function target(from: string, spec: string): string {
  return relative(SRC, resolve(dirname(from), spec)).replace(/\.js$/, '.ts');
}

/** A server module's layer: its folder under src/server (coordinators split in two), or 'root'. */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] !== 'server') return parts[0]!;
  if (parts.length === 2) return 'root';
  if (parts[1] === 'coordinators') return parts.length === 3 ? 'coordinators' : `coordinators/${parts[2]}`;
  return parts[1]!;
}

/** What each layer may import inside src/server (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  root: ['net', 'handlers', 'cluster', 'coordinators', 'coordinators/group', 'coordinators/txn', 'coordinators/streams', 'coordinators/share', 'persistence', 'control', 'security'],
  persistence: ['cluster', 'coordinators', 'coordinators/group', 'coordinators/txn', 'coordinators/streams', 'coordinators/share'],
  handlers: ['cluster', 'coordinators', 'coordinators/group', 'coordinators/txn', 'coordinators/streams', 'coordinators/share', 'security'],
  'coordinators/group': ['cluster', 'coordinators', 'coordinators/txn', 'coordinators/streams'],
  'coordinators/txn': ['cluster', 'coordinators'],
  // Streams groups (KIP-1071): composed by coordinators/group, which holds every group.
  'coordinators/streams': ['cluster', 'coordinators'],
  'coordinators/share': ['cluster', 'coordinators'],
  coordinators: ['cluster'],
  control: ['cluster', 'coordinators', 'coordinators/group', 'coordinators/txn', 'coordinators/streams', 'coordinators/share'],
  cluster: [],
  net: [],
  // SASL, TLS and ACLs: self-contained, on protocol/ and util/ only.
  security: [],
};
/** The only handlers/ module net/ may import: the contract, not the registry. */
const NET_MAY_IMPORT = 'server/handlers/handler.ts';

const graph = new Map<string, string[]>();
for (const file of tsFiles(SERVER)) {
  graph.set(relative(SRC, file), importsOf(file).map((s) => target(file, s)));
}

t.test('the import graph was read', async (t) => {
  t.ok(graph.size > 50, `${graph.size} modules under src/server`);
  t.ok(graph.has('server/broker.ts'), 'the composition root is there');
  const edges = [...graph.values()].reduce((n, xs) => n + xs.length, 0);
  t.ok(edges > graph.size, `${edges} imports read`);
  for (const [from, tos] of graph) {
    for (const to of tos) if (to.startsWith('server/') && !graph.has(to)) t.fail(`${from} imports ${to}, which is not a module`);
  }
});

t.test('no import cycles in src/server', async (t) => {
  // Tarjan's strongly connected components: any component of more than one module is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  t.same(cycles, [], 'modules that import each other, directly or around a circle');
});

t.test('arrows between the folders of src/server run one way', async (t) => {
  const wrong: string[] = [];
  for (const [from, tos] of graph) {
    const a = layerOf(from);
    for (const to of tos) {
      if (!to.startsWith('server/')) continue;
      const b = layerOf(to);
      if (a === b) continue;
      if (a === 'net' && to === NET_MAY_IMPORT) continue;
      if (!(ALLOWED[a] ?? []).includes(b)) wrong.push(`${from} (${a}) imports ${to} (${b})`);
    }
  }
  t.same(wrong, [], 'imports against the allowed direction');
});

t.test('the layers below the server do not import it', async (t) => {
  const wrong: string[] = [];
  for (const dir of ['log', 'protocol', 'util']) {
    for (const file of tsFiles(join(SRC, dir))) {
      for (const spec of importsOf(file)) {
        const to = target(file, spec);
        if (to.startsWith('server/')) wrong.push(`${relative(SRC, file)} imports ${to}`);
      }
    }
  }
  t.same(wrong, []);
});

t.test('the checks catch a back-edge', async (t) => {
  // The same rules applied to made-up imports: each must be refused.
  const refused = (from: string, to: string) => {
    const a = layerOf(from);
    const b = layerOf(to);
    return a !== b && !(a === 'net' && to === NET_MAY_IMPORT) && !(ALLOWED[a] ?? []).includes(b);
  };
  t.ok(refused('server/handlers/produce.ts', 'server/broker.ts'), 'a handler importing the Broker');
  t.ok(refused('server/handlers/produce.ts', 'server/net/dispatcher.ts'), 'a handler importing net/');
  t.ok(refused('server/cluster/configs/config-store.ts', 'server/handlers/describe-log-dirs.ts'), 'cluster importing a handler');
  t.ok(refused('server/cluster/cluster.ts', 'server/coordinators/group/group-coordinator.ts'), 'cluster importing a coordinator');
  t.ok(refused('server/coordinators/txn/transaction-coordinator.ts', 'server/coordinators/group/group-coordinator.ts'), 'txn importing group');
  t.ok(refused('server/net/dispatcher.ts', 'server/handlers/index.ts'), 'net importing the registry');
  t.notOk(refused('server/net/dispatcher.ts', NET_MAY_IMPORT), 'net importing the handler contract');
  t.notOk(refused('server/handlers/produce.ts', 'server/cluster/topics.ts'), 'a handler importing cluster state');
});
