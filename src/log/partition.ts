import type { AppendMeta, PartitionLogOptions } from './partition-log.js';
import { PartitionLog } from './partition-log.js';
import { ProducerStateManager } from './producer-state.js';
import { TransactionIndex } from './transaction-index.js';

export type AppendListener = (partition: Partition) => void;

export interface PartitionOptions {
  readonly topic: string;
  readonly partition: number;
  /** An existing log (e.g. recovered from disk); otherwise a new one from `logOptions`. */
  readonly log?: PartitionLog;
  readonly logOptions?: PartitionLogOptions;
  readonly leaderEpoch?: number;
}

/** A COMMIT/ABORT control batch, as the transaction coordinator writes it. */
export interface TxnMarkerMeta {
  readonly commit: boolean;
  readonly coordinatorEpoch: number;
}

/**
 * What Partition.append needs beyond the log's AppendMeta: batches with a producer id update the
 * producer state; a control batch says what it ends.
 */
export interface PartitionAppendMeta extends AppendMeta {
  readonly marker?: TxnMarkerMeta;
}

interface Subscription {
  readonly listener: AppendListener;
  active: boolean;
}

/**
 * One topic-partition as the server sees it, as Kafka's Partition: the log, the leader epoch, and
 * the replication rules around appends. With a single replica the in-sync set is just this
 * broker, so every append commits at once and the high watermark follows the log end.
 *
 * `onAppend` lets a long-poll fetch wait for data without polling: listeners run synchronously
 * after an append has moved the high watermark and the last stable offset.
 *
 * The producer state (idempotence and open transactions) and the aborted-transactions index live
 * here, as in Kafka's UnifiedLog: the caller validates a batch against `producerState` before
 * appending it (see ProducerStateManager), `append` records it, ends transactions on markers,
 * indexes aborted ones and moves the first unstable offset, all in the same synchronous step.
 */
export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  readonly producerState: ProducerStateManager;
  readonly txnIndex = new TransactionIndex();
  #leaderEpoch: number;
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.log = options.log ?? new PartitionLog(options.logOptions);
    this.#leaderEpoch = options.leaderEpoch ?? 0;
    this.producerState = new ProducerStateManager(`${options.topic}-${options.partition}`);
    // As Kafka's makeLeader: the epoch starts at the current log end even before any batch of it
    // is written, so OffsetForLeaderEpoch answers for a leader that has not been written to yet.
    this.log.leaderEpochCache.assign(this.#leaderEpoch, this.log.logEndOffset);
  }

  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }

  /** A new leadership term (e.g. after partition reassignment or restart); returns the new epoch. */
  bumpLeaderEpoch(): number {
    this.#leaderEpoch++;
    this.log.leaderEpochCache.assign(this.#leaderEpoch, this.log.logEndOffset);
    return this.#leaderEpoch;
  }

  /**
   * Appends a batch as leader: the caller has patched its base offset to `log.logEndOffset` and
   * its partition leader epoch to `leaderEpoch`. Commits it (one replica) and wakes listeners.
   */
  append(batch: Buffer, meta: PartitionAppendMeta): void {
    this.log.append(batch, { ...meta, leaderEpoch: meta.leaderEpoch ?? this.#leaderEpoch });
    const fromProducer = meta.producerId !== undefined && meta.producerId >= 0;
    if (fromProducer) this.#recordProducer(meta);
    this.log.updateHighWatermark(this.log.logEndOffset);
    // Only batches with a producer open or end transactions.
    if (fromProducer) this.#updateFirstUnstableOffset();
    this.#notify();
  }

  #recordProducer(meta: PartitionAppendMeta): void {
    const producerId = meta.producerId!;
    const producerEpoch = meta.producerEpoch ?? -1;
    if (meta.isControl) {
      // Only transaction markers carry a producer id among control batches.
      if (meta.marker === undefined) return;
      const done = this.producerState.appendMarker(producerId, producerEpoch, meta.marker.coordinatorEpoch, meta.marker.commit, meta.baseOffset, meta.maxTimestamp);
      if (done !== null && done.isAborted) {
        this.txnIndex.dropBefore(this.log.logStartOffset);
        this.txnIndex.append({ producerId, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: done.lastStableOffset });
      }
      return;
    }
    this.producerState.appendData(
      {
        producerId,
        producerEpoch,
        baseSequence: meta.baseSequence ?? -1,
        lastOffsetDelta: meta.lastOffset - meta.baseOffset,
        maxTimestamp: meta.maxTimestamp,
        isTransactional: meta.isTransactional ?? false,
      },
      meta.baseOffset,
      meta.lastOffset,
    );
  }

  /** Kafka's maybeIncrementFirstUnstableOffset (the log keeps it at or above the log start). */
  #updateFirstUnstableOffset(): void {
    this.log.setFirstUnstableOffset(this.producerState.firstUnstableOffset());
  }

  /**
   * Calls `listener` after every append until the returned function is called. Adding and
   * removing are O(1); removing twice is harmless.
   */
  onAppend(listener: AppendListener): () => void {
    const sub: Subscription = { listener, active: true };
    this.#subscriptions.add(sub);
    return () => {
      sub.active = false;
      this.#subscriptions.delete(sub);
    };
  }

  get listenerCount(): number {
    return this.#subscriptions.size;
  }

  #notify(): void {
    if (this.#subscriptions.size === 0) return;
    // A snapshot, so listeners added during notification wait for the next append; the `active`
    // check, so a listener removed by an earlier one in this round is not called.
    for (const sub of [...this.#subscriptions]) {
      if (!sub.active) continue;
      try {
        sub.listener(this);
      } catch (err) {
        // The batch is already appended and committed; failing the produce now would make the
        // client retry and duplicate it. A throwing listener is a bug: surface it, out of band.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
