/**
 * Builds message values from the generator's schema model: every field the version carries is
 * set to a random non-default value (so tagged fields are really written), the rest to defaults.
 */
import { messageSchemas } from '../../generated/message-schemas.js';
import { ZERO_UUID } from '../../../src/protocol/uuid.js';

type Range = readonly [number, number] | null;
interface FieldSchema {
  readonly name: string;
  readonly jsName: string;
  readonly kind: string;
  readonly prim?: string;
  readonly elem?: { readonly kind: string; readonly prim?: string; readonly struct?: string };
  readonly struct?: string;
  readonly versions: Range;
  readonly nullable: Range;
  readonly tagged: Range;
  readonly tag?: number;
  readonly def: string;
}
export interface MessageSchema {
  readonly name: string;
  readonly root: string;
  readonly structs: Readonly<Record<string, readonly FieldSchema[]>>;
  readonly min: number;
  readonly max: number;
  readonly flexible: Range;
  readonly apiKey?: number;
  readonly type: string;
}

export const schemas = messageSchemas as unknown as readonly MessageSchema[];

const inRange = (r: Range, v: number) => r !== null && v >= r[0] && v <= r[1];

import { seededRandom as prng } from '../../../src/util/seeded-random.js';
export { prng };

function defaultValue(s: MessageSchema, f: FieldSchema): unknown {
  const d = f.def;
  if (d === 'null') return null;
  if (d === 'undefined') return undefined;
  if (d === '[]') return [];
  if (d === 'ZERO_UUID') return ZERO_UUID;
  if (d === 'EMPTY_BYTES') return Buffer.alloc(0);
  if (d === 'true' || d === 'false') return d === 'true';
  if (d.endsWith('n')) return BigInt(d.slice(0, -1));
  if (d.startsWith('default')) return defaultStruct(s, f.struct!);
  if (d.startsWith("'") || d.startsWith('"')) return d.startsWith("'") ? d.slice(1, -1) : JSON.parse(d);
  return Number(d);
}

function defaultStruct(s: MessageSchema, name: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of s.structs[name]!) {
    if (f.def === 'undefined') continue;
    o[f.jsName] = defaultValue(s, f);
  }
  return o;
}

function primValue(p: string, rnd: () => number): unknown {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  // Non-zero values, and never -1 either: those are the common defaults.
  const nz = (x: number) => (x === 0 || x === -1 ? 7 : x);
  switch (p) {
    case 'bool': return true;
    case 'int8': return nz(int(-128, 127));
    case 'int16': return nz(int(-32768, 32767));
    case 'uint16': return int(1, 65535);
    case 'int32': return nz(int(-2147483648, 2147483647));
    case 'uint32': return int(1, 4294967295);
    case 'int64': return BigInt(nz(int(-2147483648, 2147483647))) * 4294967296n + BigInt(int(0, 4294967295));
    case 'float64': return rnd() * 1000 + 0.5;
    case 'string': return `s${Math.floor(rnd() * 1e6)}-ünï`;
    case 'uuid': {
      const b = Buffer.alloc(16);
      for (let i = 0; i < 16; i++) b[i] = int(0, 255);
      b[0] = b[0]! | 1;
      return b.toString('base64url');
    }
    case 'bytes':
    case 'records': {
      const b = Buffer.alloc(int(1, 40));
      for (let i = 0; i < b.length; i++) b[i] = int(0, 255);
      return b;
    }
  }
  throw new Error(`unknown primitive ${p}`);
}

export function sampleStruct(s: MessageSchema, name: string, v: number, rnd: () => number, flexible: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const knownTags = new Set<number>();
  for (const f of s.structs[name]!) {
    if (inRange(f.tagged, v) && f.tag !== undefined) knownTags.add(f.tag);
    if (!inRange(f.versions, v)) {
      if (f.def !== 'undefined') o[f.jsName] = defaultValue(s, f);
      continue;
    }
    if (f.kind === 'prim') o[f.jsName] = primValue(f.prim!, rnd);
    else if (f.kind === 'struct') o[f.jsName] = sampleStruct(s, f.struct!, v, rnd, flexible);
    else {
      const n = 1 + Math.floor(rnd() * 2);
      const a: unknown[] = [];
      for (let i = 0; i < n; i++) a.push(f.elem!.kind === 'prim' ? primValue(f.elem!.prim!, rnd) : sampleStruct(s, f.elem!.struct!, v, rnd, flexible));
      o[f.jsName] = a;
    }
  }
  // An unknown tag must survive a read and a write unchanged.
  if (flexible) {
    let tag = 90;
    while (knownTags.has(tag)) tag++;
    o._unknownTaggedFields = [{ tag, data: Buffer.from([1, 2, 3]) }];
  } else {
    o._unknownTaggedFields = undefined;
  }
  return o;
}

/** Structs whose field-level flexibleVersions say "none" (the request header's client id) stay non-flexible. */
export function sampleMessage(s: MessageSchema, v: number, seed: number): Record<string, unknown> {
  return sampleStruct(s, s.root, v, prng(seed), inRange(s.flexible, v));
}
