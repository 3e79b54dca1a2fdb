// Emits TypeScript for one message model: the shapes, a default constructor per struct, and a
// reader and writer per struct whose version checks are plain comparisons on `v`.
import { tsType, defaultExpr, differsFromDefault, isOptionalStruct, everNullable } from './model.mjs';

/** A JS condition for "v is in range", simplified against the versions the code can see. */
export function cond(range, lo, hi) {
  if (range === null) return 'false';
  const parts = [];
  if (range.min > lo) parts.push(`v >= ${range.min}`);
  if (range.max < hi) parts.push(`v <= ${range.max}`);
  if (range.min > hi || range.max < lo) return 'false';
  return parts.length ? parts.join(' && ') : 'true';
}

/** True when every served version that has the field carries it as a tagged field. */
function alwaysTagged(f, lo, hi) {
  if (f.tagged === null || f.versions === null) return false;
  const a = Math.max(f.versions.min, lo);
  const b = Math.min(f.versions.max, hi);
  return f.tagged.min <= a && f.tagged.max >= b;
}

class Code {
  constructor() {
    this.lines = [];
    this.depth = 0;
  }
  line(s = '') {
    this.lines.push(s === '' ? '' : '  '.repeat(this.depth) + s);
  }
  open(s) {
    this.line(s);
    this.depth++;
  }
  close(s = '}') {
    this.depth--;
    this.line(s);
  }
  toString() {
    return this.lines.join('\n');
  }
}

function docComment(c, text) {
  if (!text) return;
  c.line(`/** ${text.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim()} */`);
}

/** The read expression of a primitive (reader variable r, flexibility expression flex). */
function readPrim(p, r, flex, nullable) {
  switch (p) {
    case 'bool': return `${r}.bool()`;
    case 'int8': return `${r}.int8()`;
    case 'int16': return `${r}.int16()`;
    case 'uint16': return `${r}.uint16()`;
    case 'int32': return `${r}.int32()`;
    case 'uint32': return `${r}.uint32()`;
    case 'int64': return `${r}.int64()`;
    case 'float64': return `${r}.float64()`;
    case 'uuid': return `${r}.uuid()`;
    case 'string':
      return pick(flex, `${r}.compact${nullable === 'true' ? 'Nullable' : ''}String()`, `${r}.${nullable === 'true' ? 'nullableString' : 'string'}()`, nullable, `${r}.compactNullableString()`, `${r}.nullableString()`, `${r}.compactString()`, `${r}.string()`);
    case 'bytes':
    case 'records':
      return pick(flex, null, null, nullable, `${r}.compactNullableBytes()`, `${r}.nullableBytes()`, `${r}.compactBytes()`, `${r}.bytes()`);
  }
  throw new Error(p);
}

/** Chooses among the four (flexible x nullable) forms, folding conditions known at generation time. */
function pick(flex, _a, _b, nullable, cn, n, c, plain) {
  const nn = (whenNull, whenNot) => (nullable === 'true' ? whenNull : nullable === 'false' ? whenNot : `(${nullable} ? ${whenNull} : ${whenNot})`);
  const yes = nn(cn, c);
  const no = nn(n, plain);
  if (flex === 'true') return yes;
  if (flex === 'false') return no;
  return `(${flex} ? ${yes} : ${no})`;
}

function writePrim(p, w, flex, nullable, x) {
  switch (p) {
    case 'bool': return `${w}.bool(${x});`;
    case 'int8': return `${w}.int8(${x});`;
    case 'int16': return `${w}.int16(${x});`;
    case 'uint16': return `${w}.uint16(${x});`;
    case 'int32': return `${w}.int32(${x});`;
    case 'uint32': return `${w}.uint32(${x});`;
    case 'int64': return `${w}.int64(${x});`;
    case 'float64': return `${w}.float64(${x});`;
    case 'uuid': return `${w}.uuid(${x});`;
    case 'records': return `${w}.records(${x}, ${flex});`;
    case 'string':
    case 'bytes': {
      const T = p === 'string' ? 'String' : 'Bytes';
      const forms = (f) => {
        const pre = f === 'true' ? 'compact' : '';
        const nul = (n) => (pre ? `${pre}${n ? 'Nullable' : ''}${T}` : n ? `nullable${T}` : p);
        if (nullable === 'true') return `${w}.${nul(true)}(${x});`;
        if (nullable === 'false') return `${w}.${nul(false)}(requireValue(${x}));`;
        return `if (${nullable}) ${w}.${nul(true)}(${x}); else ${w}.${nul(false)}(requireValue(${x}));`;
      };
      if (flex === 'true' || flex === 'false') return forms(flex);
      return `if (${flex}) { ${forms('true')} } else { ${forms('false')} }`;
    }
  }
  throw new Error(p);
}

export function emitStructs(model, lo, hi, flexRange, opts) {
  const c = new Code();
  const flexCond = cond(flexRange, lo, hi);
  for (const s of model.structs.values()) emitInterface(c, s, opts.about?.get(s.tsName));
  for (const s of model.structs.values()) emitDefault(c, s);
  for (const s of model.structs.values()) emitReader(c, s, lo, hi, flexCond, s === model.root && opts.exportRoot);
  for (const s of model.structs.values()) emitWriter(c, s, lo, hi, flexCond, s === model.root && opts.exportRoot);
  return c.toString();
}

function emitInterface(c, s, about) {
  docComment(c, about);
  c.open(`export interface ${s.tsName} {`);
  for (const f of s.fields) {
    docComment(c, f.about);
    c.line(`${f.jsName}${isOptionalStruct(f) ? '?' : ''}: ${tsType(f)};`);
  }
  c.line('/** Tagged fields this version of the code does not know, kept to be written back as read. */');
  c.line('_unknownTaggedFields?: TaggedField[];');
  c.close();
  c.line();
}

function emitDefault(c, s) {
  c.open(`export function default${s.tsName}(): ${s.tsName} {`);
  c.open('return {');
  for (const f of s.fields) if (!isOptionalStruct(f)) c.line(`${f.jsName}: ${defaultExpr(f)},`);
  c.close('};');
  c.close();
  c.line();
}

function fieldFlex(f, lo, hi, flexCond) {
  return f.flexOverride !== undefined ? cond(f.flexOverride, lo, hi) : flexCond;
}

/** Emits statements assigning the field read from reader r to target. */
function emitReadValue(c, f, target, r, lo, hi, flex) {
  const nullable = cond(f.nullable, lo, hi);
  if (f.kind === 'prim') {
    c.line(`${target} = ${readPrim(f.prim, r, flex, nullable)};`);
    return;
  }
  if (f.kind === 'struct') {
    if (nullable === 'false') c.line(`${target} = read${f.struct.tsName}(${r}, v);`);
    else c.line(`${target} = ${nullable === 'true' ? '' : `!(${nullable}) || `}${r}.int8() >= 0 ? read${f.struct.tsName}(${r}, v) : null;`);
    return;
  }
  // Array: one shared loop in codec-support, the element codec passed in.
  const elem = f.elem.kind === 'prim' ? `readElem.${f.elem.prim}` : `read${f.elem.struct.tsName}`;
  const flexB = flex === 'true' || flex === 'false' ? flex : `(${flex})`;
  const call = `readArray(${r}, v, ${flexB}, ${nullable === 'true' || nullable === 'false' ? nullable : `(${nullable})`}, '${f.name}', ${elem})`;
  c.line(`${target} = ${everNullable(f) ? call : `${call}!`};`);
}

function emitReader(c, s, lo, hi, flexCond, exported) {
  c.line(`${exported ? 'export ' : ''}function read${s.tsName}(r: Reader, v: number): ${s.tsName} {`);
  c.depth++;
  if (flexCond !== 'true' && flexCond !== 'false') c.line(`const flex = ${flexCond};`);
  const flexName = flexCond === 'true' || flexCond === 'false' ? flexCond : 'flex';
  c.line('let _unknownTaggedFields: TaggedField[] | undefined;');
  for (const f of s.fields) {
    const init = isOptionalStruct(f) ? 'undefined' : defaultExpr(f);
    c.line(`let ${f.jsName}: ${tsType(f)}${isOptionalStruct(f) ? ' | undefined' : ''} = ${init};`);
  }
  for (const f of s.fields) {
    const present = cond(f.versions, lo, hi);
    if (present === 'false') continue;
    const tagged = cond(f.tagged, lo, hi);
    if (tagged === 'true' || alwaysTagged(f, lo, hi)) continue;
    const when = tagged === 'false' ? present : `${present} && !(${tagged})`;
    const flex = f.flexOverride !== undefined ? fieldFlex(f, lo, hi, flexCond) : flexName;
    if (when === 'true') emitReadValue(c, f, f.jsName, 'r', lo, hi, flex);
    else {
      c.open(`if (${when}) {`);
      emitReadValue(c, f, f.jsName, 'r', lo, hi, flex);
      c.close();
    }
  }
  const taggedFields = s.fields.filter((f) => f.tagged !== null);
  if (flexCond !== 'false') {
    const guard = flexName === 'true' ? null : flexName;
    if (guard) c.open(`if (${guard}) {`);
    if (taggedFields.length === 0) {
      c.line('_unknownTaggedFields = r.taggedFields(null);');
    } else {
      c.open('_unknownTaggedFields = r.taggedFields((tag, tr) => {');
      c.open('switch (tag) {');
      for (const f of taggedFields) {
        c.open(`case ${f.tag}:`);
        const tv = cond(f.tagged, lo, hi);
        if (tv !== 'true') c.line(`if (!(${tv})) return false;`);
        emitReadValue(c, f, f.jsName, 'tr', lo, hi, 'true');
        c.line('return true;');
        c.depth--;
      }
      c.close('}');
      c.line('return false;');
      c.close('});');
    }
    if (guard) c.close();
  }
  c.line(`return { ${s.fields.map((f) => f.jsName).concat('_unknownTaggedFields').join(', ')} };`);
  c.depth--;
  c.line('}');
  c.line();
}

function emitWriteValue(c, f, x, w, lo, hi, flex) {
  const nullable = cond(f.nullable, lo, hi);
  if (f.kind === 'prim') {
    c.line(writePrim(f.prim, w, flex, nullable, x));
    return;
  }
  if (f.kind === 'struct') {
    const T = f.struct.tsName;
    if (nullable === 'false') {
      c.line(`write${T}(${w}, v, ${isOptionalStruct(f) ? `${x} ?? default${T}()` : `requireValue(${x})`});`);
    } else {
      c.line(`{ const sv = ${x}; if (sv == null) { ${nullable === 'true' ? '' : `if (!(${nullable})) throw new RangeError('null for non-nullable field ${f.name}'); `}${w}.int8(-1); } else { ${w}.int8(1); write${T}(${w}, v, sv); } }`);
    }
    return;
  }
  const elem = f.elem.kind === 'prim' ? `writeElem.${f.elem.prim}` : `write${f.elem.struct.tsName}`;
  const flexB = flex === 'true' || flex === 'false' ? flex : `(${flex})`;
  c.line(`writeArray(${w}, v, ${flexB}, ${nullable === 'true' || nullable === 'false' ? nullable : `(${nullable})`}, '${f.name}', ${x}, ${elem});`);
}

function emitWriter(c, s, lo, hi, flexCond, exported) {
  c.open(`${exported ? 'export ' : ''}function write${s.tsName}(w: Writer, v: number, m: ${s.tsName}): void {`);
  if (flexCond !== 'true' && flexCond !== 'false') c.line(`const flex = ${flexCond};`);
  const flexName = flexCond === 'true' || flexCond === 'false' ? flexCond : 'flex';
  for (const f of s.fields) {
    const present = cond(f.versions, lo, hi);
    const tagged = cond(f.tagged, lo, hi);
    const x = `m.${f.jsName}`;
    if (present !== 'true') {
      // A field the version cannot carry: Kafka refuses to drop a non-default value unless ignorable.
      const diff = differsFromDefault(f, x);
      const guardMissing = !f.ignorable && diff !== null && !isOptionalStruct(f);
      // A tagged-only field (taggedVersions without versions) is carried where it may be tagged.
      if (present === 'false') {
        if (guardMissing && tagged === 'false') c.line(`if (${diff}) throw new UnsupportedFieldError('${f.name}', v);`);
        else if (guardMissing && tagged !== 'true') c.line(`if (!(${tagged}) && ${diff}) throw new UnsupportedFieldError('${f.name}', v);`);
        continue;
      }
      if (guardMissing) c.line(`if (!(${present}) && ${diff}) throw new UnsupportedFieldError('${f.name}', v);`);
    }
    if (tagged === 'true' || alwaysTagged(f, lo, hi)) continue;
    const when = tagged === 'false' ? present : `${present} && !(${tagged})`;
    const flex = f.flexOverride !== undefined ? fieldFlex(f, lo, hi, flexCond) : flexName;
    if (when === 'true') emitWriteValue(c, f, x, 'w', lo, hi, flex);
    else {
      c.open(`if (${when}) {`);
      emitWriteValue(c, f, x, 'w', lo, hi, flex);
      c.close();
    }
  }
  const taggedFields = s.fields.filter((f) => f.tagged !== null).sort((a, b) => a.tag - b.tag);
  if (flexCond !== 'false') {
    const guard = flexName === 'true' ? null : flexName;
    if (guard) c.open(`if (${guard}) {`);
    if (taggedFields.length === 0) {
      c.line('w.taggedFields(m._unknownTaggedFields ?? NO_TAGS);');
    } else {
      c.line('let tags: TaggedField[] | undefined = m._unknownTaggedFields?.slice();');
      for (const f of taggedFields) {
        const tv = cond(f.tagged, lo, hi);
        const x = `m.${f.jsName}`;
        const diff = differsFromDefault(f, x);
        const parts = [tv !== 'true' ? `(${tv})` : null, diff].filter(Boolean);
        c.open(`if (${parts.join(' && ') || 'true'}) {`);
        c.line('const tw = new Writer(64);');
        emitWriteValue(c, f, x, 'tw', lo, hi, 'true');
        c.line(`(tags ??= []).push({ tag: ${f.tag}, data: tw.toBuffer() });`);
        c.close();
      }
      c.line('w.taggedFields(tags === undefined ? NO_TAGS : tags.sort(byTag));');
    }
    if (guard) c.close();
  }
  c.close();
  c.line();
}
