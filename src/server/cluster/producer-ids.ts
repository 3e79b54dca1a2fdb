/**
 * Producer ids, as Kafka's ProducerIdManager hands them out: unique across the cluster for its
 * lifetime, never reused. Kafka's controller gives brokers blocks of 1000 starting at 0; with every
 * broker in one process a plain counter on the cluster gives the same guarantee.
 *
 * The allocator is per Cluster (brokers of one cluster share it): `cluster.producerIds`, which the
 * transaction coordinator and the data directory take.
 */

export class ProducerIdAllocator {
  #next: number;
  // Durable mode: ids are handed out from blocks whose end was recorded first, as Kafka's
  // controller hands out blocks, so that a restart never reuses one.
  #blockEnd = Infinity;
  #reserve: ((from: number) => number) | null = null;

  constructor(first = 0) {
    this.#next = first;
  }

  /**
   * Durable mode: continue from `next` (where the last recorded block ended) and call `reserve`
   * before the first id of each new block is handed out; it records the block and returns its end.
   */
  useBlocks(next: number, reserve: (from: number) => number): void {
    this.#next = Math.max(this.#next, next);
    this.#blockEnd = this.#next;
    this.#reserve = reserve;
  }

  /** A producer id never returned before by this allocator. */
  allocate(): number {
    if (this.#next >= this.#blockEnd) this.#blockEnd = this.#reserve!(this.#next);
    return this.#next++;
  }

  /** The id the next allocate() returns (for tests and DescribeProducers-style tooling). */
  get next(): number {
    return this.#next;
  }
}
