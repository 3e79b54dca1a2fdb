/**
 * Producer state of one partition, as Kafka's ProducerStateManager, ProducerAppendInfo and
 * ProducerStateEntry (storage/.../log/): per producer id the epoch, the metadata of its last five
 * batches, the coordinator epoch of its last transaction marker and the first offset of its open
 * transaction; per partition the open transactions in offset order, from which the last stable
 * offset follows.
 *
 * Validation and update are separate steps, as in Kafka: `checkData` / `checkMarker` decide on
 * a batch before it is appended (they change nothing), `appendData` / `appendMarker` record it
 * once the log has taken it. Everything works on the batch header alone (producer id, epoch,
 * base sequence, last offset delta): no record is decoded.
 *
 * The rules, in Kafka's order (UnifiedLog.analyzeAndValidateProducerState, ProducerAppendInfo):
 * 1. a client batch whose epoch and exact sequence range match one of the producer's last five
 *    batches is a duplicate: it is not appended and its original offsets are returned;
 * 2. an epoch older than the producer's: INVALID_PRODUCER_EPOCH (clients from 2.7 treat it as
 *    abortable; PRODUCER_FENCED is the coordinator's word);
 * 3. client batches only: a new epoch must start at sequence 0 unless the producer is unknown
 *    (OUT_OF_ORDER_SEQUENCE_NUMBER); in the same epoch the sequence must follow the last one
 *    (wrapping after 2^31-1); a producer without state (new, or expired) may start anywhere;
 * 4. a non-transactional batch while the producer has an open transaction: INVALID_TXN_STATE.
 * A marker is checked for the epoch (INVALID_PRODUCER_EPOCH) and for the coordinator epoch
 * (TRANSACTION_COORDINATOR_FENCED); it ends the producer's open transaction and, when the
 * transaction had data here, reports it as completed (for the aborted-transactions index).
 *
 * Expiry (producer.id.expiration.ms) is applied by whoever owns the clock, through
 * `removeExpired`: as in Kafka a producer expires when it has no open transaction and its last
 * batch's timestamp is that old.
 */
import type { ErrorName } from '../protocol/errors.js';

/** Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const NUM_BATCHES_TO_RETAIN = 5;

export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 2147483647;

/** One appended batch of a producer, as Kafka's BatchMetadata. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The batch's max timestamp (after LogAppendTime stamping). */
  readonly timestamp: number;
}

/** What a batch header says about its producer. */
export interface DataBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  /** -1 for coordinator batches (transactional offset commits), which carry no sequence. */
  readonly baseSequence: number;
  /** lastOffset - baseOffset of the batch. */
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: number;
  readonly isTransactional: boolean;
}

/** Who wrote a batch: clients are checked for sequences, coordinators only for epochs. */
export type AppendOrigin = 'client' | 'coordinator';

export interface ProducerError {
  readonly error: ErrorName;
  readonly message: string;
}

/** null: append it; a duplicate: answer with its original offsets; an error: refuse it. */
export type ProducerCheck = null | { readonly duplicate: BatchMetadata } | ProducerError;

/** A transaction that a marker ended on this partition after data of it was written here. */
export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The marker's offset. */
  readonly lastOffset: number;
  readonly isAborted: boolean;
  /** The last stable offset once this transaction is complete (Kafka's AbortedTxn field). */
  readonly lastStableOffset: number;
}

/** The sequence `delta` after `seq`, wrapping past 2^31-1 to 0 (DefaultRecordBatch.incrementSequence). */
export function incrementSequence(seq: number, delta: number): number {
  return seq > INT32_MAX - delta ? delta - (INT32_MAX - seq) - 1 : seq + delta;
}

export class ProducerStateEntry {
  producerEpoch = NO_PRODUCER_EPOCH;
  coordinatorEpoch = -1;
  lastTimestamp = -1;
  /** First offset of the producer's open transaction on this partition; null when none. */
  currentTxnFirstOffset: number | null = null;
  /** Oldest first, at most NUM_BATCHES_TO_RETAIN. */
  readonly batches: BatchMetadata[] = [];

  constructor(readonly producerId: number) {}

  get lastSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1]!.lastSeq;
  }

  get lastDataOffset(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1]!.lastOffset;
  }

  /** The retained batch with exactly this epoch and sequence range, if any. */
  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | null {
    if (epoch !== this.producerEpoch) return null;
    for (const b of this.batches) if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return b;
    return null;
  }

  /** A new epoch forgets the old epoch's batches (ProducerStateEntry.maybeUpdateProducerEpoch). */
  setEpoch(epoch: number): void {
    if (epoch === this.producerEpoch) return;
    this.batches.length = 0;
    this.producerEpoch = epoch;
  }

  addBatch(batch: BatchMetadata): void {
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
  }
}

export class ProducerStateManager {
  readonly #producers = new Map<number, ProducerStateEntry>();
  // Open transactions by first offset. Transactions start in offset order (appends are), so the
  // map's insertion order is ascending and its first key is the first unstable offset.
  readonly #ongoing = new Map<number, number>();

  /** @param where "topic-partition", for error messages. */
  constructor(readonly where = '') {}

  get size(): number {
    return this.#producers.size;
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.#producers.get(producerId);
  }

  /**
   * Whether the producer has a transaction open here at this epoch (Kafka's
   * hasOngoingTransaction: a newer epoch may mean the transaction ended elsewhere).
   */
  hasOngoingTransaction(producerId: number, producerEpoch: number): boolean {
    const e = this.#producers.get(producerId);
    return e !== undefined && e.currentTxnFirstOffset !== null && e.producerEpoch === producerEpoch;
  }

  /** Producers with state here, in the order they first wrote. */
  activeProducers(): IterableIterator<ProducerStateEntry> {
    return this.#producers.values();
  }

  /** The first offset of the oldest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    for (const offset of this.#ongoing.keys()) return offset;
    return null;
  }

  /**
   * Decides on a data batch about to be appended at `firstOffset` (see the header for the rules).
   * Changes nothing.
   */
  checkData(batch: DataBatch, firstOffset: number, origin: AppendOrigin): ProducerCheck {
    const pid = batch.producerId;
    const entry = this.#producers.get(pid);
    const lastSeq = batch.baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(batch.baseSequence, batch.lastOffsetDelta);
    if (origin === 'client' && entry !== undefined) {
      const dup = entry.findDuplicate(batch.producerEpoch, batch.baseSequence, lastSeq);
      if (dup !== null) return { duplicate: dup };
    }
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;
    if (batch.producerEpoch < currentEpoch) {
      return {
        error: 'INVALID_PRODUCER_EPOCH',
        message: `Epoch of producer ${pid} at offset ${firstOffset} in ${this.where} is ${batch.producerEpoch}, which is smaller than the last seen epoch ${currentEpoch}`,
      };
    }
    if (origin === 'client') {
      const seqError = this.#checkSequence(pid, entry, batch.producerEpoch, batch.baseSequence, firstOffset);
      if (seqError !== null) return seqError;
    }
    if (entry !== undefined && entry.currentTxnFirstOffset !== null && !batch.isTransactional) {
      return { error: 'INVALID_TXN_STATE', message: `Expected transactional write from producer ${pid} at offset ${firstOffset} in partition ${this.where}` };
    }
    return null;
  }

  #checkSequence(pid: number, entry: ProducerStateEntry | undefined, epoch: number, firstSeq: number, offset: number): ProducerError | null {
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;
    if (epoch !== currentEpoch) {
      if (firstSeq !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
        return {
          error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
          message: `Invalid sequence number for new epoch of producer ${pid}at offset ${offset} in partition ${this.where}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${currentEpoch} (current producer epoch)`,
        };
      }
      return null;
    }
    if (entry === undefined) return null;
    const currentLastSeq = entry.lastSeq;
    const inSequence = firstSeq === currentLastSeq + 1 || (firstSeq === 0 && currentLastSeq === INT32_MAX);
    if (!inSequence) {
      return {
        error: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        message: `Out of order sequence number for producer ${pid} at offset ${offset} in partition ${this.where}: ${firstSeq} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
      };
    }
    return null;
  }

  /** Records a data batch the log has taken at [firstOffset, lastOffset]. */
  appendData(batch: DataBatch, firstOffset: number, lastOffset: number): void {
    const entry = this.#entry(batch.producerId);
    entry.setEpoch(batch.producerEpoch);
    const lastSeq = batch.baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(batch.baseSequence, lastOffset - firstOffset);
    entry.addBatch({ firstSeq: batch.baseSequence, lastSeq, firstOffset, lastOffset, timestamp: batch.maxTimestamp });
    entry.lastTimestamp = batch.maxTimestamp;
    if (batch.isTransactional && entry.currentTxnFirstOffset === null) {
      entry.currentTxnFirstOffset = firstOffset;
      this.#ongoing.set(firstOffset, batch.producerId);
    }
  }

  /** Decides on a COMMIT/ABORT marker of the coordinator about to be appended at `offset`. */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, offset: number): ProducerError | null {
    const entry = this.#producers.get(producerId);
    if (entry === undefined) return null;
    if (producerEpoch < entry.producerEpoch) {
      return {
        error: 'INVALID_PRODUCER_EPOCH',
        message: `Epoch of producer ${producerId} at offset ${offset} in ${this.where} is ${producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`,
      };
    }
    if (entry.coordinatorEpoch > coordinatorEpoch) {
      return {
        error: 'TRANSACTION_COORDINATOR_FENCED',
        message: `Invalid coordinator epoch for producerId ${producerId} at offset ${offset} in partition ${this.where}: ${coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
      };
    }
    return null;
  }

  /**
   * Records a marker the log has taken at `offset`; returns the transaction it completed when
   * that transaction wrote data here (a marker of an empty transaction leaves no trace in the
   * aborted-transactions index and does not move the last stable offset).
   */
  appendMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, commit: boolean, offset: number, timestamp: number): CompletedTxn | null {
    const entry = this.#entry(producerId);
    let completed: CompletedTxn | null = null;
    const first = entry.currentTxnFirstOffset;
    if (first !== null) {
      this.#ongoing.delete(first);
      completed = { producerId, firstOffset: first, lastOffset: offset, isAborted: !commit, lastStableOffset: this.#nextUnstableAfter(producerId, offset) };
    }
    entry.setEpoch(producerEpoch);
    entry.coordinatorEpoch = coordinatorEpoch;
    entry.currentTxnFirstOffset = null;
    entry.lastTimestamp = timestamp;
    return completed;
  }

  // Kafka's lastStableOffset(completedTxn): the oldest transaction still open, else past the marker.
  #nextUnstableAfter(producerId: number, markerOffset: number): number {
    for (const [offset, pid] of this.#ongoing) if (pid !== producerId) return offset;
    return markerOffset + 1;
  }

  /**
   * Forgets producers idle for `expirationMs` (no open transaction and a last timestamp at least
   * that old), as Kafka's removeExpiredProducers. Returns how many were removed.
   */
  removeExpired(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [pid, entry] of this.#producers) {
      if (entry.currentTxnFirstOffset === null && now - entry.lastTimestamp >= expirationMs) {
        this.#producers.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Recovery: puts back a producer as a producer-state snapshot recorded it (Kafka's
   * loadProducerEntry): its epochs, last timestamp, last batch and open transaction. Producers
   * with an open transaction must be loaded in increasing order of its first offset.
   */
  loadEntry(producerId: number, producerEpoch: number, coordinatorEpoch: number, lastTimestamp: number, lastBatch: BatchMetadata | null, currentTxnFirstOffset: number | null): void {
    const e = this.#entry(producerId);
    e.setEpoch(producerEpoch);
    e.coordinatorEpoch = coordinatorEpoch;
    e.lastTimestamp = lastTimestamp;
    if (lastBatch !== null) e.addBatch(lastBatch);
    if (currentTxnFirstOffset !== null && e.currentTxnFirstOffset === null) {
      e.currentTxnFirstOffset = currentTxnFirstOffset;
      this.#ongoing.set(currentTxnFirstOffset, producerId);
    }
  }

  /** Forgets everything (the log was emptied). */
  clear(): void {
    this.#producers.clear();
    this.#ongoing.clear();
  }

  #entry(producerId: number): ProducerStateEntry {
    let e = this.#producers.get(producerId);
    if (e === undefined) {
      e = new ProducerStateEntry(producerId);
      this.#producers.set(producerId, e);
    }
    return e;
  }
}
