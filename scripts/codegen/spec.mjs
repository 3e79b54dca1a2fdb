// Loads Kafka's JSON message specs and turns them into a model the emitter walks.
//
// Two layers of spec files exist (see the spec folder's README): the 2024 trunk files for every
// API, and the Apache Kafka 4.3 files for 54 APIs with newer versions and raised lower bounds. The
// 4.3 file is the truth for field layouts where it exists; versions below its lower bound are
// still served when the 2024 file gives them the same wire layout, so older clients keep working.
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
 * Picks, per message name, the spec to generate from and the version range to serve.
 * Returns [{spec, min, max, note}].
 */
export function chooseSpecs(baseDir, newDir) {
  const base = loadSpecDir(baseDir);
  const newer = loadSpecDir(newDir);
  const names = new Set([...base.keys(), ...newer.keys()]);
  const chosen = [];
  for (const name of [...names].sort()) {
    const old = base.get(name);
    const cur = newer.get(name) ?? old;
    const curRange = parseVersions(cur.validVersions);
    let min = curRange.min;
    let note = '';
    if (old && cur !== old) {
      const oldRange = parseVersions(old.validVersions);
      // Walk down from the 4.3 lower bound while the old layout matches the new one.
      let v = curRange.min - 1;
      while (v >= oldRange.min && layoutSignature(old, v) === layoutSignature(cur, v)) v--;
      if (v + 1 < min) note = `versions ${v + 1}-${min - 1} served from the 2024 layout, identical on the wire`;
      min = v + 1;
      if (v >= oldRange.min) note += `${note ? '; ' : ''}versions ${oldRange.min}-${v} not served: their layout differs`;
    }
    chosen.push({ spec: cur, min, max: curRange.max, note });
  }
  return chosen;
}
