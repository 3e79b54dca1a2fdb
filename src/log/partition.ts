import type { AppendMeta, PartitionLogOptions } from './partition-log.js';
import { PartitionLog } from './partition-log.js';

export type AppendListener = (partition: Partition) => void;

export interface PartitionOptions {
  readonly topic: string;
  readonly partition: number;
  /** An existing log (e.g. recovered from disk); otherwise a new one from `logOptions`. */
  readonly log?: PartitionLog;
  readonly logOptions?: PartitionLogOptions;
  readonly leaderEpoch?: number;
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
 * after an append has moved the high watermark.
 */
export class Partition {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  #leaderEpoch: number;
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: PartitionOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.log = options.log ?? new PartitionLog(options.logOptions);
    this.#leaderEpoch = options.leaderEpoch ?? 0;
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
  append(batch: Buffer, meta: AppendMeta): void {
    this.log.append(batch, { ...meta, leaderEpoch: meta.leaderEpoch ?? this.#leaderEpoch });
    this.log.updateHighWatermark(this.log.logEndOffset);
    this.#notify();
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
