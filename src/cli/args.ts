/**
 * Flag checks shared by every command: numbers parsed with a message naming the flag and the bad
 * text, and "did you mean" suggestions for unknown flags, commands and config keys. Kept free of
 * imports so that `minikafka start` loads it for nothing.
 */

/** A mistake in the command line: exit status 1 and the message on stderr, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An integer flag: `--port abc` says "--port must be an integer from 0 to 65535, got 'abc'". */
export function intFlag(flag: string, raw: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const text = String(raw);
  const n = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer of at least ${min}`) : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${flag} must be ${range}, got '${text}'`);
  }
  return n;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) for suggestions. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidates (at most 3), if any is close enough to be what was meant. */
export function suggest(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  const scored: [string, number][] = [];
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    // A prefix ("--num" for "--num-partitions") counts as close.
    if (dist <= limit || (word.length >= 3 && c.startsWith(word))) scored.push([c, dist]);
  }
  return scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0])).slice(0, 3).map((s) => s[0]);
}

export function didYouMean(word: string, candidates: Iterable<string>, prefix = ''): string {
  const s = suggest(word, candidates);
  return s.length === 0 ? '' : `; did you mean ${s.map((x) => `'${prefix}${x}'`).join(' or ')}?`;
}

/**
 * yargs says "Unknown argument: bogus" (or "Unknown arguments: a, b"); add the closest known
 * flags. Other messages pass through.
 */
export function explainYargsFailure(msg: string, knownFlags: readonly string[], argv: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (m === null) return msg;
  const names = m[1]!.split(', ');
  const given = new Set(argv.filter((a) => a.startsWith('-')).map((a) => a.replace(/^--?(no-)?/, '').split('=')[0]!));
  return names.map((n) => (given.has(n) ? `unknown flag --${n}${didYouMean(n, knownFlags, '--')}` : `unexpected argument '${n}'`)).join('\n');
}

/** The flags a yargs parser knows (yargs has getOptions() at run time but not in its types). */
export function optionNames(y: unknown): string[] {
  const o = (y as { getOptions?: () => { key?: Record<string, unknown> } }).getOptions?.();
  return Object.keys(o?.key ?? {}).filter((k) => k !== '$0');
}

/** A time flag: milliseconds since the epoch, or an ISO date. */
export function timeFlag(flag: string, s: string): bigint {
  if (/^\d+$/.test(s)) return BigInt(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--${flag} takes milliseconds since the epoch or an ISO date, got '${s}'`);
  return BigInt(t);
}
