/**
 * kcat's `-f` format strings, so its users' one-liners print the same here:
 *
 *   %s value   %S value length (-1 for null)   %k key   %K key length (-1 for null)
 *   %t topic   %p partition   %o offset   %T timestamp (ms)   %h headers as n=v,n2=v2
 *   %% a percent sign   \n \r \t \0 and \xXX escapes
 *
 * A null key or value prints as nothing (kcat without -Z). Compiled once into a list of parts.
 */
import { UsageError } from './args.js';
import type { RecordLike } from './record-json.js';

type Part = string | ((r: RecordLike) => string | Buffer);

const TOKENS: Readonly<Record<string, (r: RecordLike) => string | Buffer>> = {
  s: (r) => r.value ?? '',
  S: (r) => String(r.value?.length ?? -1),
  k: (r) => r.key ?? '',
  K: (r) => String(r.key?.length ?? -1),
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  T: (r) => String(r.timestamp),
  h: (r) => r.headers.map((h) => `${h.key}=${h.value?.toString('utf8') ?? ''}`).join(','),
};

export function compileFormat(fmt: string): (r: RecordLike) => Buffer {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '%') {
      const t = fmt[++i];
      if (t === '%') lit += '%';
      else if (t !== undefined && TOKENS[t] !== undefined) {
        if (lit !== '') parts.push(lit);
        lit = '';
        parts.push(TOKENS[t]);
      } else throw new UsageError(`--format: unknown token %${t ?? ''} (known: ${Object.keys(TOKENS).map((k) => `%${k}`).join(' ')})`);
    } else if (c === '\\') {
      const e = fmt[++i];
      if (e === 'n') lit += '\n';
      else if (e === 'r') lit += '\r';
      else if (e === 't') lit += '\t';
      else if (e === '0') lit += '\0';
      else if (e === '\\') lit += '\\';
      else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(fmt.slice(i + 1, i + 3))) {
        lit += String.fromCharCode(parseInt(fmt.slice(i + 1, i + 3), 16));
        i += 2;
      } else lit += `\\${e ?? ''}`;
    } else lit += c;
  }
  if (lit !== '') parts.push(lit);
  return (r) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : toBuf(p(r)))));
}

function toBuf(x: string | Buffer): Buffer {
  return typeof x === 'string' ? Buffer.from(x) : x;
}
