/**
 * Per-batch metadata arrays in two forms: growable `number[]` while a segment takes appends, and
 * typed arrays once it is sealed. A JavaScript array of numbers costs eight bytes an element plus
 * the spare capacity it grows by; offsets relative to a segment's base fit four (Kafka's index
 * files store them so), which is what keeps a sealed segment's metadata small (log-segment.ts).
 */

export type NumberArray = number[] | Uint32Array | Float64Array;

/** `values` as compactly as they fit: Uint32Array when all are integers in [0, 2^32), else Float64Array. */
export function compactOffsets(values: NumberArray): Uint32Array | Float64Array {
  if (!Array.isArray(values)) return values;
  for (const v of values) {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) return Float64Array.from(values);
  }
  return Uint32Array.from(values);
}

/** `values` as a growable array again (a sealed segment truncated, to take appends). */
export function growable(values: NumberArray): number[] {
  return Array.isArray(values) ? values : Array.from(values);
}

/**
 * Index of the first element of the ascending `values` that is > `target` (`values.length` when
 * none is): the slot of the first batch whose last offset is past `target`.
 */
export function firstAbove(values: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
