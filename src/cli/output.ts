/** Output for people (aligned columns, as Kafka's tools print them) and for scripts (JSON). */

/** Columns padded to their widest cell, separated by one space; a header row first. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!))).join(' ')).join('\n') + '\n';
}

export function out(text: string): void {
  process.stdout.write(text);
}

/** JSON with bigints as numbers (offsets and ids fit in a double in practice), one document. */
export function json(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) + '\n');
}
