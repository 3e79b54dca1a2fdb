import type { RecordsErrorName } from '../../../src/protocol/records/index.js';
import { RecordsError } from '../../../src/protocol/records/index.js';

export { seededRandom as prng } from '../../../src/util/seeded-random.js';

export function randInt(rng: () => number, max: number): number {
  return Math.floor(rng() * max);
}

export function randomBytes(rng: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = randInt(rng, 256);
  return b;
}

/** Compressible text-like payload, so codecs do real work. */
export function textBytes(rng: () => number, n: number): Buffer {
  const words = ['kafka', 'record', 'batch', 'offset', 'topic', 'partition', 'leader', 'epoch', '{"id":', '"v":'];
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = words[randInt(rng, words.length)]! + (randInt(rng, 4) === 0 ? String(randInt(rng, 100000)) : '') + ' ';
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('').slice(0, n), 'latin1');
}

/** Runs fn and returns the RecordsError name it threw, 'OK' if none; rethrows anything else. */
export function errorNameOf(fn: () => unknown): RecordsErrorName | 'OK' {
  try {
    fn();
    return 'OK';
  } catch (err) {
    if (err instanceof RecordsError) return err.errorName;
    throw err;
  }
}

export async function errorNameOfAsync(fn: () => Promise<unknown>): Promise<RecordsErrorName | 'OK'> {
  try {
    await fn();
    return 'OK';
  } catch (err) {
    if (err instanceof RecordsError) return err.errorName;
    throw err;
  }
}
