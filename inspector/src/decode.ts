/** Record keys, values and header values arrive as base64; shown as text, JSON or hex. */
export type Decoding = 'text' | 'json' | 'hex';

export interface Bytes {
  b64: string;
  length: number;
  truncated: boolean;
}

export function bytesOf(b: Bytes): Uint8Array {
  const s = atob(b.b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function text(b: Bytes | null): string {
  return b === null ? 'null' : utf8.decode(bytesOf(b));
}

export function hex(b: Bytes | null): string {
  if (b === null) return 'null';
  const bytes = bytesOf(b);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hx = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${i.toString(16).padStart(6, '0')}  ${hx.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** JSON pretty-printed when it parses; the text otherwise. */
export function json(b: Bytes | null): string {
  const t = text(b);
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return t;
  }
}

export function decode(b: Bytes | null, how: Decoding): string {
  const s = how === 'hex' ? hex(b) : how === 'json' ? json(b) : text(b);
  return b !== null && b.truncated ? `${s}\n… (${b.length} bytes in all)` : s;
}
