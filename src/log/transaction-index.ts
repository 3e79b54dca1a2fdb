/**
 * The aborted transactions of one partition, as Kafka's TransactionIndex (the `.txnindex` file of
 * each segment), which read_committed fetches use to tell consumers which producers' data to drop.
 *
 * Kafka's on-disk entry, kept here as an object per entry (the log is in memory):
 *
 *   version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
 *
 * firstOffset is the transaction's first data offset on this partition, lastOffset its ABORT
 * marker's offset. Entries are added in marker order, so lastOffset ascends.
 */
import { floorIndex } from './binary-search.js';

export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly lastStableOffset: number;
}

export class TransactionIndex {
  #entries: AbortedTxn[] = [];
  #lastOffsets: number[] = [];
  // The longest transaction seen (lastOffset - firstOffset): a search can stop once entries end
  // so far past its upper bound that none of them can have started below it.
  #maxSpan = 0;

  get size(): number {
    return this.#entries.length;
  }

  append(txn: AbortedTxn): void {
    const last = this.#lastOffsets[this.#lastOffsets.length - 1];
    if (last !== undefined && txn.lastOffset <= last) {
      throw new RangeError(`aborted transaction ending at ${txn.lastOffset} is not after the last one (${last})`);
    }
    this.#entries.push(txn);
    this.#lastOffsets.push(txn.lastOffset);
    this.#maxSpan = Math.max(this.#maxSpan, txn.lastOffset - txn.firstOffset);
  }

  /**
   * Aborted transactions overlapping [startOffset, upperBound): lastOffset >= startOffset and
   * firstOffset < upperBound, in marker order (Kafka's collectAbortedTxns over the segments).
   */
  collect(startOffset: number, upperBound: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    if (upperBound <= startOffset) return out;
    // The first entry with lastOffset >= startOffset.
    let i = floorIndex(this.#lastOffsets, startOffset - 1) + 1;
    for (; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      if (e.lastOffset - this.#maxSpan >= upperBound) break;
      if (e.firstOffset < upperBound) out.push(e);
    }
    return out;
  }

  /** Drops entries wholly below `offset` (the log start moved past them). */
  dropBefore(offset: number): void {
    const keepFrom = floorIndex(this.#lastOffsets, offset - 1) + 1;
    if (keepFrom <= 0) return;
    this.#entries = this.#entries.slice(keepFrom);
    this.#lastOffsets = this.#lastOffsets.slice(keepFrom);
  }

  entries(): readonly AbortedTxn[] {
    return this.#entries;
  }

  clear(): void {
    this.#entries = [];
    this.#lastOffsets = [];
    this.#maxSpan = 0;
  }
}
