/**
 * The batches of durable logs that stay in memory: a byte budget shared by every partition of a
 * data directory, filled with batches as they are appended and emptied oldest first. A consumer
 * that keeps up with producers (the usual case) is then served from memory without a read;
 * one that reads older data reads the segment file, through the OS page cache, in read-ahead
 * chunks (LogSegment.#readFromFile), and those chunks count against the budget too.
 *
 * Only appends enter the cache, not reads: a consumer replaying a topic from the start does not
 * push out the tails that live consumers are reading.
 */

/** What the cache lets go of: a segment's batch, or its read-ahead buffer (slot -1). */
export interface Evictable {
  evict(slot: number): void;
}

export class TailCache {
  readonly budget: number;
  #bytes = 0;
  // A FIFO in three parallel arrays, consumed from #head and compacted now and then.
  #owners: Evictable[] = [];
  #slots: number[] = [];
  #sizes: number[] = [];
  #head = 0;

  constructor(budgetBytes: number) {
    this.budget = Math.max(0, budgetBytes);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  admit(owner: Evictable, slot: number, size: number): void {
    if (size > this.budget) {
      owner.evict(slot);
      return;
    }
    this.#owners.push(owner);
    this.#slots.push(slot);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.#bytes > this.budget && this.#head < this.#owners.length) {
      const i = this.#head++;
      this.#owners[i]!.evict(this.#slots[i]!);
      this.#bytes -= this.#sizes[i]!;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#owners.length) {
      this.#owners = this.#owners.slice(this.#head);
      this.#slots = this.#slots.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
