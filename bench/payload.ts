/**
 * Record values for the benchmarks: JSON-like text, so that compressed runs see the 2-4x ratio of
 * real event payloads rather than the best case of zeros or the worst case of noise.
 */
import { writeFile } from 'node:fs/promises';

export function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function makeValue(rng: () => number, size: number): Buffer {
  const fields = ['"user"', '"event"', '"ts"', '"page"', '"session"', '"amount"', '"country"', '"ua"'];
  let s = '{';
  while (s.length < size) {
    s += `${fields[Math.floor(rng() * fields.length)]}:"${Math.floor(rng() * 1e9).toString(36)}",`;
  }
  return Buffer.from(s.slice(0, size - 1) + '}', 'latin1');
}

/**
 * Writes `count` distinct values of `size` bytes, one per line: the --payload-file of
 * ProducerPerformance (which picks a line at random per record) and of the Node client.
 */
export async function writePayloadFile(path: string, size: number, count = 1000): Promise<void> {
  const rng = makeRng(0x5eed);
  const lines: Buffer[] = [];
  for (let i = 0; i < count; i++) lines.push(makeValue(rng, size), Buffer.from('\n'));
  await writeFile(path, Buffer.concat(lines));
}
