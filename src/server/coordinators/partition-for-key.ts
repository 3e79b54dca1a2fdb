/**
 * Which partition of a coordinator's internal topic owns a key, as Kafka computes it: shared by
 * the group coordinator (__consumer_offsets, by group id) and the transaction coordinator
 * (__transaction_state, by transactional id), so that neither imports the other for it.
 */

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in int32. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except that Integer.MIN_VALUE maps to 0 rather than itself. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** The __consumer_offsets (or __transaction_state) partition of a group id (or transactional id). */
export function partitionForKey(key: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(key)) % numPartitions;
}
