/**
 * Records as NDJSON, the one format `produce --input ndjson`, `consume --output ndjson`,
 * `dump` and `start --seed` share, one record a line:
 *
 *   {"topic":"orders","partition":0,"timestamp":1700000000000,"key":"k1","value":"v1","headers":[{"key":"h","value":"x"}]}
 *
 * A key, value or header value is a string when it is valid UTF-8, {"base64":"..."} otherwise,
 * or null. `offset` is written by `consume` (and `dump --offsets`) and ignored on input.
 * Key order is fixed so that dumps of the same data are byte-identical.
 */
import { UsageError } from './args.js';

export type JsonBytes = string | { base64: string } | null;

export interface JsonRecord {
  topic?: string;
  partition?: number;
  offset?: number;
  timestamp?: number;
  key: JsonBytes;
  value: JsonBytes;
  headers: { key: string; value: JsonBytes }[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function bytesToJson(b: Buffer | null): JsonBytes {
  if (b === null) return null;
  try {
    return decoder.decode(b);
  } catch {
    return { base64: b.toString('base64') };
  }
}

function jsonToBytes(v: unknown, where: string): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'object' && typeof (v as { base64?: unknown }).base64 === 'string') return Buffer.from((v as { base64: string }).base64, 'base64');
  // A number or boolean value is taken as its JSON text, as a user writing {"value": 42} means.
  if (typeof v === 'number' || typeof v === 'boolean') return Buffer.from(JSON.stringify(v));
  if (typeof v === 'object') return Buffer.from(JSON.stringify(v));
  throw new UsageError(`${where}: expected a string, {"base64": ...} or null`);
}

export interface ParsedRecord {
  readonly topic?: string;
  readonly partition?: number;
  readonly timestamp?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: { key: string; value: Buffer | null }[];
}

/** One NDJSON line; `where` names the file and line for errors. */
export function parseJsonRecord(line: string, where: string): ParsedRecord {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UsageError(`${where}: expected a JSON object`);
  const r = o as Record<string, unknown>;
  const int = (name: string): number | undefined => {
    const v = r[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new UsageError(`${where}: ${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v;
  };
  if (r.topic !== undefined && typeof r.topic !== 'string') throw new UsageError(`${where}: topic must be a string`);
  let headers: { key: string; value: Buffer | null }[] = [];
  if (Array.isArray(r.headers)) {
    headers = r.headers.map((h: unknown, i) => {
      if (typeof h !== 'object' || h === null || typeof (h as { key?: unknown }).key !== 'string') throw new UsageError(`${where}: headers[${i}] must be {"key": string, "value": ...}`);
      return { key: (h as { key: string }).key, value: jsonToBytes((h as { value?: unknown }).value, `${where}: headers[${i}].value`) };
    });
  } else if (typeof r.headers === 'object' && r.headers !== null) {
    // {"h": "v"} is accepted too: the shape most people write by hand.
    headers = Object.entries(r.headers).map(([key, v]) => ({ key, value: jsonToBytes(v, `${where}: headers.${key}`) }));
  } else if (r.headers !== undefined) throw new UsageError(`${where}: headers must be an array or an object`);
  return {
    topic: r.topic as string | undefined,
    partition: int('partition'),
    timestamp: int('timestamp'),
    key: jsonToBytes(r.key, `${where}: key`),
    value: jsonToBytes(r.value, `${where}: value`),
    headers,
  };
}

export interface RecordLike {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { key: string; value: Buffer | null }[];
}

export function recordToJson(r: RecordLike, withOffset: boolean): string {
  const o: JsonRecord = withOffset
    ? { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: bytesToJson(r.key), value: bytesToJson(r.value), headers: [] }
    : { topic: r.topic, partition: r.partition, timestamp: r.timestamp, key: bytesToJson(r.key), value: bytesToJson(r.value), headers: [] };
  o.headers = r.headers.map((h) => ({ key: h.key, value: bytesToJson(h.value) }));
  return JSON.stringify(o);
}
