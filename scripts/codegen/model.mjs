// Turns one spec into a typed model: structs with fields, each field with its type, version
// ranges and default. The emitter only walks this model.
import { parseVersions } from './spec.mjs';

const NUMERIC = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'float64']);
export const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'uuid', 'bytes', 'records']);

export function camel(name) {
  // "ISR" stays "isr"; "TopicId" -> "topicId"; already-camel names (coordinator records) stay.
  if (/^[A-Z0-9]+$/.test(name)) return name.toLowerCase();
  return name[0].toLowerCase() + name.slice(1);
}

export function kebab(name) {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * Builds {structs: Map<tsName, struct>, root: struct} for a message.
 * A struct is {tsName, fields}; a field is
 * {name, jsName, about, kind: 'prim'|'array'|'struct', prim, elem, struct, versions, nullable,
 *  tagged, tag, flexOverride, ignorable, def}.
 */
export function buildModel(spec, prefix) {
  const structs = new Map();
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s]));
  const commonBuilt = new Map();

  function structFor(name, fields, isCommon) {
    if (isCommon && commonBuilt.has(name)) return commonBuilt.get(name);
    let tsName = name.startsWith(prefix) ? name : prefix + name;
    while (structs.has(tsName)) tsName += '_';
    const s = { tsName, fields: [] };
    structs.set(tsName, s);
    if (isCommon) commonBuilt.set(name, s);
    s.fields = fields.map(buildField);
    return s;
  }

  function buildField(f) {
    const versions = parseVersions(f.versions);
    const field = {
      name: f.name,
      jsName: camel(f.name),
      about: f.about ?? '',
      versions,
      nullable: parseVersions(f.nullableVersions),
      tagged: parseVersions(f.taggedVersions),
      tag: f.tag,
      flexOverride: f.flexibleVersions !== undefined ? parseVersions(f.flexibleVersions) : undefined,
      ignorable: !!f.ignorable,
      rawDefault: f.default,
    };
    let t = f.type;
    const isArray = t.startsWith('[]');
    if (isArray) t = t.slice(2);
    let elemKind;
    let struct;
    if (PRIMITIVES.has(t)) {
      elemKind = { kind: 'prim', prim: t };
    } else {
      if (f.fields) struct = structFor(t, f.fields, false);
      else if (common.has(t)) struct = structFor(t, common.get(t).fields, true);
      else throw new Error(`${spec.name}.${f.name}: unknown type ${t}`);
      elemKind = { kind: 'struct', struct };
    }
    if (isArray) {
      field.kind = 'array';
      field.elem = elemKind;
    } else if (elemKind.kind === 'prim') {
      field.kind = 'prim';
      field.prim = t;
    } else {
      field.kind = 'struct';
      field.struct = struct;
    }
    return field;
  }

  const root = { tsName: prefix, fields: [] };
  structs.set(prefix, root);
  root.fields = spec.fields.map(buildField);
  return { structs, root };
}

/** True when the field may be null in some version. */
export function everNullable(f) {
  return f.nullable !== null;
}

/** A tagged struct field is optional in our shapes: absent on the wire is undefined. */
export function isOptionalStruct(f) {
  return f.kind === 'struct' && f.tagged !== null;
}

export function tsType(f) {
  const n = everNullable(f) ? ' | null' : '';
  if (f.kind === 'array') {
    const e = f.elem.kind === 'prim' ? primTs(f.elem.prim) : f.elem.struct.tsName;
    const inner = e.includes('|') ? `(${e})` : e;
    return `${inner}[]${n}`;
  }
  if (f.kind === 'struct') return `${f.struct.tsName}${n}`;
  return `${primTs(f.prim)}${n}`;
}

function primTs(p) {
  if (NUMERIC.has(p)) return 'number';
  switch (p) {
    case 'bool': return 'boolean';
    case 'int64': return 'bigint';
    case 'string': case 'uuid': return 'string';
    case 'bytes': return 'Buffer';
    case 'records': return 'RecordsData';
  }
  throw new Error(`no ts type for ${p}`);
}

/** The default value of a field as a TS expression. */
export function defaultExpr(f) {
  const d = f.rawDefault;
  const dn = d === undefined ? undefined : String(d).trim();
  if (f.kind === 'array') return dn === 'null' && everNullable(f) ? 'null' : '[]';
  if (f.kind === 'struct') {
    if (isOptionalStruct(f)) return 'undefined';
    if (dn === 'null' && everNullable(f)) return 'null';
    return `default${f.struct.tsName}()`;
  }
  const p = f.prim;
  if (NUMERIC.has(p)) return dn === undefined ? '0' : String(Number(dn));
  switch (p) {
    case 'bool': return dn === 'true' ? 'true' : 'false';
    case 'int64': return dn === undefined ? '0n' : `${BigInt(dn).toString()}n`;
    case 'string':
      if (dn === 'null') return everNullable(f) ? 'null' : "''";
      return dn === undefined ? "''" : JSON.stringify(dn);
    case 'uuid': return 'ZERO_UUID';
    case 'bytes': return dn === 'null' && everNullable(f) ? 'null' : 'EMPTY_BYTES';
    case 'records': return 'null';
  }
  throw new Error(`no default for ${p}`);
}

/** A TS expression that is true when the value differs from the default (for tags and ignorable checks). */
export function differsFromDefault(f, expr) {
  const d = defaultExpr(f);
  const nonEmpty = everNullable(f) ? `(${expr} !== null && ${expr}.length !== 0)` : `${expr}.length !== 0`;
  if (f.kind === 'array') return d === 'null' ? `${expr} !== null` : nonEmpty;
  if (f.kind === 'struct') return d === 'undefined' ? (everNullable(f) ? `${expr} != null` : `${expr} !== undefined`) : d === 'null' ? `${expr} !== null` : null;
  if (f.prim === 'bytes') return d === 'null' ? `${expr} !== null` : nonEmpty;
  if (f.prim === 'records') return `${expr} !== null`;
  return `${expr} !== ${d}`;
}
