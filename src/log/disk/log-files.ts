/**
 * File names of a partition directory, as Kafka names them (LogFileUtils):
 *
 *   <dataDir>/<topic>-<partition>/
 *     00000000000000000000.log        the segment's record batches, as received
 *     00000000000000000000.index      offset index (offset-index-file.ts)
 *     00000000000000000000.timeindex  time index
 *     00000000000000000000.txnindex   aborted transactions (txn-index-file.ts)
 *     00000000000000001234.snapshot   producer state at offset 1234 (producer-snapshot.ts)
 *     leader-epoch-checkpoint         (checkpoint-files.ts)
 *     partition.metadata              the topic id
 *
 * The number is the segment's base offset (or the snapshot's offset), zero-padded to 20 digits
 * so that names sort by offset. A segment being swapped in by the cleaner carries a second
 * suffix: `.cleaned` while it is written, `.swap` once complete (see disk-log.ts); `.deleted`
 * marks files on their way out; `.tmp` a checkpoint being replaced.
 */

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
export const SNAPSHOT_SUFFIX = '.snapshot';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

/** The three files of a segment, in the order they are written. */
export const SEGMENT_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX] as const;

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';

export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix;
}

/** "00000000000000001234.log.swap" -> { offset: 1234, suffix: '.log', extra: '.swap' }; null if not an offset file. */
export function parseOffsetFileName(name: string): { offset: number; suffix: string; extra: string } | null {
  const m = /^(\d{20})(\.[a-z]+)((?:\.[a-z]+)*)$/.exec(name);
  if (m === null) return null;
  const offset = Number(m[1]);
  if (!Number.isSafeInteger(offset)) return null;
  return { offset, suffix: m[2]!, extra: m[3]! };
}

/** "<topic>-<partition>" -> its parts (topics may contain '-'); null if the name is not one. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return null;
  return { topic: name.slice(0, i), partition: Number(p) };
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
