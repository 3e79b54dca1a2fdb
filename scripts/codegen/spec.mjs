// Loads Kafka's JSON message specs and turns them into a model the emitter walks.
//
// Three layers of spec files exist (see the spec folder's README): the 2024 trunk files for every
// API, the Apache Kafka 4.3 files for 54 APIs, and Kafka 4.4.0's complete set. The newest file is
// the truth for field layouts where it exists; versions below its lower bound are still served
// when the older files give them the same wire layout, so older clients keep working.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Parses "3+", "0-5", "7", "none" into {min, max} (max Infinity for open ranges) or null. */
export function parseVersions(s) {
  if (s === undefined || s === null) return null;
  s = String(s).trim();
  if (s === '' || s === 'none') return null;
  if (s.endsWith('+')) return { min: Number(s.slice(0, -1)), max: Infinity };
  const dash = s.indexOf('-');
  if (dash > 0) return { min: Number(s.slice(0, dash)), max: Number(s.slice(dash + 1)) };
  return { min: Number(s), max: Number(s) };
}

export function inRange(r, v) {
  return r !== null && v >= r.min && v <= r.max;
}

export function readSpecFile(path) {
  const text = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('//'))
    .join('\n');
  return JSON.parse(text);
}

export function loadSpecDir(dir) {
  const out = new Map();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const spec = readSpecFile(join(dir, f));
    out.set(spec.name, spec);
  }
  return out;
}

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'uuid', 'bytes', 'records']);

/** A field's wire layout at one version, names left out: used to compare the two spec layers. */
export function layoutSignature(spec, v) {
  const flexible = inRange(parseVersions(spec.flexibleVersions), v);
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s]));
  const sig = (fields) =>
    fields
      .filter((f) => inRange(parseVersions(f.versions), v))
      .map((f) => {
        const tagged = inRange(parseVersions(f.taggedVersions), v) ? `@${f.tag}` : '';
        const nullable = inRange(parseVersions(f.nullableVersions), v) ? '?' : '';
        const fflex = f.flexibleVersions !== undefined ? `~${f.flexibleVersions}` : '';
        let t = f.type;
        let inner = f.fields;
        const elem = t.startsWith('[]') ? t.slice(2) : t;
        if (!PRIMITIVES.has(elem) && !inner) inner = common.get(elem)?.fields;
        if (!PRIMITIVES.has(elem)) t = t.startsWith('[]') ? '[]struct' : 'struct';
        return `${t}${nullable}${tagged}${fflex}` + (inner ? `{${sig(inner)}}` : '');
      })
      .join(',');
  return `${flexible ? 'F' : ''}${sig(spec.fields)}`;
}

/**
 * Picks, per message name, the spec to generate from and the version range to serve, from spec
 * layers listed oldest first (2024 trunk, 4.3, 4.4). The newest layer that still gives the message
 * a version range is the truth for its layout (4.4 marks APIs it dropped, such as LeaderAndIsr,
 * `"validVersions": "none"`; those keep the newest older layer that has them). Versions below the
 * newest lower bound are served only while every older layer that describes them gives the same
 * wire layout as the newest file does. Returns [{spec, min, max, unstable, layer, note}].
 */
export function chooseSpecs(layerDirs) {
  const layers = layerDirs.map((dir) => ({ dir, specs: loadSpecDir(dir) }));
  const names = new Set(layers.flatMap((l) => [...l.specs.keys()]));
  const chosen = [];
  for (const name of [...names].sort()) {
    const present = layers.map((l, i) => ({ i, spec: l.specs.get(name) })).filter((x) => x.spec && parseVersions(x.spec.validVersions) !== null);
    if (present.length === 0) continue; // removed everywhere: nothing to serve
    const { spec: cur, i: curLayer } = present[present.length - 1];
    const older = present.slice(0, -1).map((x) => x.spec);
    const curRange = parseVersions(cur.validVersions);
    const notes = [];
    const dropped = layers.slice(curLayer + 1).filter((l) => l.specs.has(name));
    if (dropped.length) notes.push(`no versions left in ${dropped.map((l) => layerName(l.dir)).join(', ')}; generated from ${layerName(layers[curLayer].dir)}`);
    // Walk down from the newest lower bound while every older layer describing v agrees on the wire.
    let v = curRange.min - 1;
    for (; v >= 0; v--) {
      const describing = older.filter((o) => inRange(parseVersions(o.validVersions), v));
      if (describing.length === 0 || describing.some((o) => layoutSignature(o, v) !== layoutSignature(cur, v))) break;
    }
    const min = v + 1;
    if (min < curRange.min) notes.push(`versions ${min}-${curRange.min - 1} served from older layouts, identical on the wire`);
    const oldest = Math.min(...older.map((o) => parseVersions(o.validVersions).min));
    if (v >= 0 && oldest <= v) notes.push(`versions ${oldest}-${v} not served: their layout differs`);
    chosen.push({ spec: cur, min, max: curRange.max, unstable: cur.latestVersionUnstable === true, layer: layerName(layers[curLayer].dir), note: notes.join('; ') });
  }
  return chosen;
}

function layerName(dir) {
  const base = dir.split('/').filter(Boolean);
  const last = base[base.length - 1];
  return last === 'coordinator-records' ? base[base.length - 2] + '/' + last : last;
}
