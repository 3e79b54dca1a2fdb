/**
 * The memory bound of an in-memory broker (`--max-memory`, fixture `maxMemory`): record batches
 * beyond the budget spill to a private temporary directory (src/log/spill/), or, with spilling
 * off, produce answers KAFKA_STORAGE_ERROR. In durable mode the same figure sizes the tail cache
 * (the batches kept in memory beside the files).
 */
import { totalmem } from 'node:os';
import { MemoryBudget } from '../../log/spill/memory-budget.js';
import { SpillDirectory } from '../../log/spill/spill-directory.js';
import type { SpillDirectoryOptions } from '../../log/spill/spill-directory.js';
import { SpillStorage } from '../../log/spill/spill-storage.js';
import type { TopicRegistry } from '../cluster/topics.js';
import type { Logger } from '../../util/logger.js';
import { parseByteSize } from '../../util/byte-size.js';

/** The smallest budget accepted: below it the per-batch metadata outweighs the batches. */
export const MIN_MAX_MEMORY = 1024 * 1024;

/**
 * A quarter of the machine's memory (of the cgroup's limit when there is one), at least 256 MiB:
 * enough that tests never spill, small enough that a runaway producer cannot take the machine.
 */
export function defaultMaxMemory(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? (process.constrainedMemory() ?? 0) : 0;
  const machine = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.max(256 * 1024 * 1024, Math.floor(machine / 4));
}

/** `--max-memory` / `maxMemory`: bytes, or a size such as "512m"; throws a RangeError naming the problem. */
export function maxMemoryBytes(value: number | string): number {
  const bytes = typeof value === 'number' ? value : parseByteSize(value);
  if (bytes === null || !Number.isSafeInteger(bytes)) throw new RangeError(`max memory must be a size such as 512m or 2g, got '${value}'`);
  if (bytes < MIN_MAX_MEMORY) throw new RangeError(`max memory must be at least 1m, got '${value}'`);
  return bytes;
}

/**
 * The record batches' share of `--max-memory`, which bounds the whole process: the limit less a
 * reserve for what is not batches (Node and V8 themselves, ~55 MiB idle; the heap; requests and
 * responses in flight; spilled or answered Buffers that V8 frees only at its next GC; the malloc
 * arena's fragmentation, which batches of every size coming and going leave behind), 3/8 of the
 * limit and at most 192 MiB. Measured with `npm run bench:soak` (1 KiB records, Java producer
 * and consumer): with all of 512m given to batches the broker peaked at 708 MiB RSS, ~140 MiB
 * above its batches; with 384 MiB of batches (a quarter in reserve) and no per-batch metadata
 * left in sealed segments, the malloc heap alone reached ~500 MiB after 15 GiB and RSS 620 MiB.
 * A reserve of 3/8 keeps the peak within the limit + 100 MiB (with sealed segments' metadata in
 * compact arrays, 20 GiB peaked at 514 MiB in memory and 524 MiB with --data-dir).
 */
export function batchBudgetBytes(maxMemory: number): number {
  return maxMemory - Math.min(192 * 1024 * 1024, Math.floor((maxMemory * 3) / 8));
}

export interface MemoryLimitOptions extends SpillDirectoryOptions {
  /** Bytes of record batches held in memory (batchBudgetBytes of the limit). */
  readonly budgetBytes: number;
  readonly spill: boolean;
  readonly logger: Logger;
}

/** Puts every partition made from now on under the budget; the caller closes the result at stop. */
export function applyMemoryLimit(topics: TopicRegistry, opts: MemoryLimitOptions): SpillDirectory {
  const budget = new MemoryBudget({ budgetBytes: opts.budgetBytes, spill: opts.spill, logger: opts.logger });
  const dir = new SpillDirectory(budget, opts);
  topics.memoryStorage = new SpillStorage(dir);
  return dir;
}
