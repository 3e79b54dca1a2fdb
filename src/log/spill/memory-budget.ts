/**
 * The memory budget of an in-memory broker (`--max-memory`): the bytes of record batches held in
 * memory by every partition together. Batches enter as they are appended; when the next append
 * would pass the budget, the oldest held batches (of any partition) are spilled to a private
 * temporary directory (spill-directory.ts) and read back from there, so RSS stays bounded and
 * every acknowledged record stays readable.
 *
 * With spilling off, or when a spill write fails (a full disk), the append is refused with
 * KAFKA_STORAGE_ERROR, which the producer sees for that partition; nothing already acknowledged
 * is dropped. The refusal is logged once per episode (not once per produce request).
 *
 * Accounting: every admitted entry's bytes are subtracted exactly once, either when the entry is
 * evicted (the owner says how many bytes it really let go of) or earlier through `release`
 * (segment deleted, truncated, or a read-ahead buffer replaced), after which its eviction frees 0.
 */
import { kafkaError } from '../../protocol/errors.js';
import type { Logger } from '../../util/logger.js';

/** A holder of batches: a segment, with slot -1 for its read-ahead buffer. */
export interface Spillable {
  /** Lets go of the batch in `slot` (spilling it first if needed); returns the bytes freed. */
  evict(slot: number): number;
}

export interface MemoryBudgetOptions {
  readonly budgetBytes: number;
  /** Spill to disk past the budget (default); false refuses appends instead. */
  readonly spill: boolean;
  readonly logger?: Logger;
}

export class MemoryBudget {
  readonly budget: number;
  readonly spill: boolean;
  readonly #logger: Logger | undefined;
  #bytes = 0;
  #peak = 0;
  #spilledBytes = 0;
  // A FIFO in two parallel arrays, consumed from #head and compacted now and then.
  #owners: Spillable[] = [];
  #slots: number[] = [];
  #head = 0;
  // Whether the last refusal was logged; cleared by the next append that fits.
  #refusing = false;

  constructor(opts: MemoryBudgetOptions) {
    if (!(opts.budgetBytes > 0)) throw new RangeError(`memory budget must be positive: ${opts.budgetBytes}`);
    this.budget = opts.budgetBytes;
    this.spill = opts.spill;
    this.#logger = opts.logger;
  }

  /** Batch bytes held in memory now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The most batch bytes ever held at once. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** Batch bytes written to spill files so far. */
  get spilledBytes(): number {
    return this.#spilledBytes;
  }

  /**
   * Makes room for `bytes` more: spills the oldest batches until they fit (or nothing is left to
   * spill; a batch larger than the whole budget is admitted and spilled by the next append).
   * Throws KAFKA_STORAGE_ERROR, changing nothing the caller holds, when spilling is off or fails.
   */
  reserve(bytes: number): void {
    if (this.#bytes + bytes <= this.budget) {
      this.#refusing = false;
      return;
    }
    if (!this.spill) {
      this.#refuse(`the in-memory log holds ${this.#bytes} bytes and the memory budget is ${this.budget} bytes (--max-memory); spilling to disk is off`);
    }
    while (this.#bytes + bytes > this.budget && this.#head < this.#owners.length) {
      const i = this.#head;
      let freed: number;
      try {
        freed = this.#owners[i]!.evict(this.#slots[i]!);
      } catch (e) {
        this.#refuse(`spilling the in-memory log to disk failed (${(e as Error).message}); the memory budget is ${this.budget} bytes (--max-memory)`);
      }
      this.#owners[i] = NO_OWNER;
      this.#head++;
      this.#bytes -= freed;
      if (this.#slots[i]! >= 0) this.#spilledBytes += freed;
    }
    this.#compact();
    this.#refusing = false;
  }

  /** Records bytes now held by `owner` in `slot` (after a successful `reserve`). */
  admit(owner: Spillable, slot: number, bytes: number): void {
    this.#owners.push(owner);
    this.#slots.push(slot);
    this.#bytes += bytes;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
  }

  /** Held bytes were dropped outside the FIFO (deletion, truncation, a replaced read-ahead). */
  release(bytes: number): void {
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }

  /** Bytes a read-ahead needs: admitted only when the budget has room, so reads never spill. */
  fits(bytes: number): boolean {
    return this.#bytes + bytes <= this.budget;
  }

  #refuse(why: string): never {
    if (!this.#refusing) {
      this.#refusing = true;
      this.#logger?.error(`produce refused with KAFKA_STORAGE_ERROR: ${why}`);
    }
    throw kafkaError('KAFKA_STORAGE_ERROR', why);
  }

  #compact(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#owners.length) {
      this.#owners = this.#owners.slice(this.#head);
      this.#slots = this.#slots.slice(this.#head);
      this.#head = 0;
    }
  }
}

// Evicted entries drop their owner so that a deleted segment is not kept alive by the queue.
const NO_OWNER: Spillable = { evict: () => 0 };
