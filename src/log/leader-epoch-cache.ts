import { floorIndex } from './binary-search.js';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/**
 * Which leader epoch wrote which offsets: (epoch, startOffset) entries, both columns strictly
 * ascending, as Kafka's LeaderEpochFileCache. Followers and consumers use it through
 * OffsetForLeaderEpoch to detect log divergence after a leader change. In memory only; the
 * `leader-epoch-checkpoint` file comes with the on-disk log.
 */
export class LeaderEpochCache {
  readonly #epochs: number[] = [];
  readonly #startOffsets: number[] = [];

  get size(): number {
    return this.#epochs.length;
  }

  entries(): EpochEntry[] {
    return this.#epochs.map((epoch, i) => ({ epoch, startOffset: this.#startOffsets[i]! }));
  }

  latestEpoch(): number {
    const n = this.#epochs.length;
    return n === 0 ? UNDEFINED_EPOCH : this.#epochs[n - 1]!;
  }

  latestEntry(): EpochEntry | null {
    const n = this.#epochs.length;
    return n === 0 ? null : { epoch: this.#epochs[n - 1]!, startOffset: this.#startOffsets[n - 1]! };
  }

  earliestEntry(): EpochEntry | null {
    return this.#epochs.length === 0 ? null : { epoch: this.#epochs[0]!, startOffset: this.#startOffsets[0]! };
  }

  /**
   * Records that `epoch` starts at `startOffset`. Re-assigning the latest epoch at a later offset
   * is a no-op (every batch of an epoch calls this). An entry that breaks monotonicity evicts the
   * entries it conflicts with (epoch >= or start offset >=), which is how a new leader's history
   * replaces a diverged tail. Returns whether the cache changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(startOffset) || startOffset < 0) {
      throw new RangeError(`invalid leader epoch entry (epoch ${epoch}, start offset ${startOffset})`);
    }
    const n = this.#epochs.length;
    if (n > 0 && this.#epochs[n - 1] === epoch && startOffset >= this.#startOffsets[n - 1]!) return false;
    for (let last = n - 1; last >= 0; last--) {
      if (this.#epochs[last]! < epoch && this.#startOffsets[last]! < startOffset) break;
      this.#epochs.pop();
      this.#startOffsets.pop();
    }
    this.#epochs.push(epoch);
    this.#startOffsets.push(startOffset);
    return true;
  }

  /**
   * OffsetForLeaderEpoch, with Kafka's semantics:
   * - requested epoch UNDEFINED, or above every known epoch, or an empty cache: (-1, -1);
   * - the latest epoch: (epoch, logEndOffset), since that epoch is still being written;
   * - otherwise the largest known epoch <= requested, ending where the next higher epoch starts;
   * - below the first known epoch: (requested epoch, start offset of the first epoch). Kafka
   *   answers this way rather than UNDEFINED because the older epochs' data is gone and the
   *   follower must truncate to where the log now begins.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedResult = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedResult;
    const n = this.#epochs.length;
    if (n > 0 && this.#epochs[n - 1] === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const floor = floorIndex(this.#epochs, requestedEpoch);
    const higher = floor + 1;
    if (higher >= n) return undefinedResult;
    const endOffset = this.#startOffsets[higher]!;
    return floor < 0 ? { epoch: requestedEpoch, endOffset } : { epoch: this.#epochs[floor]!, endOffset };
  }

  /** The epoch that wrote `offset`, or UNDEFINED_EPOCH if it precedes every entry. */
  epochForOffset(offset: number): number {
    const i = floorIndex(this.#startOffsets, offset);
    return i < 0 ? UNDEFINED_EPOCH : this.#epochs[i]!;
  }

  /** Removes entries starting at or after `endOffset` (the log was truncated to it). */
  truncateFromEnd(endOffset: number): void {
    if (endOffset < 0) return;
    while (this.#startOffsets.length > 0 && this.#startOffsets[this.#startOffsets.length - 1]! >= endOffset) {
      this.#epochs.pop();
      this.#startOffsets.pop();
    }
  }

  /**
   * The log now starts at `startOffset`: entries starting at or before it collapse into one entry
   * for the epoch in force there, starting at `startOffset` (Kafka keeps that epoch so a lookup
   * of it still answers).
   */
  truncateFromStart(startOffset: number): void {
    const i = floorIndex(this.#startOffsets, startOffset);
    if (i < 0) return;
    const epoch = this.#epochs[i]!;
    this.#epochs.splice(0, i + 1, epoch);
    this.#startOffsets.splice(0, i + 1, startOffset);
  }

  clear(): void {
    this.#epochs.length = 0;
    this.#startOffsets.length = 0;
  }
}
