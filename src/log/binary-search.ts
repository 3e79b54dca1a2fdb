/**
 * Index of the last element of the ascending `values[0..length)` that is <= `target`, or -1
 * when every element is greater. Offsets and timestamps are both searched this way ("the greatest
 * entry at or before"), which is what Kafka's index lookups mean.
 */
export function floorIndex(values: ArrayLike<number>, target: number, length = values.length): number {
  let lo = 0;
  let hi = length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
