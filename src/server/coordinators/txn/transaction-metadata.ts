/**
 * One transactional id's state, as Kafka's TransactionMetadata: the producer id and epoch it
 * hands out, the open transaction's partitions, and the state machine below. Every change is
 * two-step, as in Kafka: `prepare*` computes the next state (a `TxnTransit`) and marks it
 * pending, the coordinator writes it to __transaction_state, and `completeTransitionTo` makes it
 * current. A pending transition makes other requests wait (CONCURRENT_TRANSACTIONS).
 *
 * States (Kafka's TransactionState; the name is what DescribeTransactions and ListTransactions
 * show, the id what the transaction log stores):
 *
 *   Empty (0)              no transaction open. InitProducerId bumps the epoch and stays here;
 *                          AddPartitionsToTxn / AddOffsetsToTxn -> Ongoing.
 *   Ongoing (1)            a transaction is open on `partitions`. More partitions -> Ongoing;
 *                          EndTxn commit -> PrepareCommit, abort -> PrepareAbort; InitProducerId
 *                          or the timeout -> PrepareEpochFence.
 *   PrepareCommit (2)      the outcome is decided (written to the log); markers are being written
 *                          to every partition. When all are written -> CompleteCommit.
 *   PrepareAbort (3)       the same for an abort -> CompleteAbort.
 *   CompleteCommit (4)     the last transaction committed; behaves as Empty.
 *   CompleteAbort (5)      the last transaction aborted; behaves as Empty.
 *   Dead (6)               the id expired (transactional.id.expiration.ms) and is being removed;
 *                          a tombstone is written instead of a value.
 *   PrepareEpochFence (7)  only ever pending, never current: the epoch is bumped to fence the
 *                          current producer, then the open transaction is aborted with the new
 *                          epoch (Ongoing -> PrepareAbort).
 *
 * Transactions V2 (KIP-890 part 2, a client on EndTxn v5, Produce v12, TxnOffsetCommit v5: its
 * `clientTransactionVersion` is 2) change three things, as Kafka's TransactionMetadata:
 * - every EndTxn bumps the epoch: Prepare* carries epoch + 1 (its markers are written with it,
 *   fencing any late write of the transaction's epoch), and the producer goes on with it;
 * - when the epoch is exhausted the bump moves to a new producer id: Prepare* keeps the old id at
 *   Short.MAX_VALUE with the new one in `nextProducerId`, Complete* starts the new one at epoch 0;
 * - an abort with nothing open is a transition of its own: Empty / CompleteCommit / CompleteAbort
 *   -> PrepareAbort (no partitions, the transaction "starts" now) -> CompleteAbort.
 */

export const TxnState = {
  EMPTY: 'Empty',
  ONGOING: 'Ongoing',
  PREPARE_COMMIT: 'PrepareCommit',
  PREPARE_ABORT: 'PrepareAbort',
  COMPLETE_COMMIT: 'CompleteCommit',
  COMPLETE_ABORT: 'CompleteAbort',
  DEAD: 'Dead',
  PREPARE_EPOCH_FENCE: 'PrepareEpochFence',
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

/** The status byte of TransactionLogValue. */
export const TXN_STATE_ID: Readonly<Record<TxnState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export const ALL_TXN_STATES: readonly TxnState[] = Object.values(TxnState);

const S = TxnState;

/** Kafka's validPreviousStates (PrepareAbort from Empty / Complete* only for transactions V2). */
const VALID_PREVIOUS: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: [S.EMPTY, S.COMPLETE_COMMIT, S.COMPLETE_ABORT],
  Ongoing: [S.ONGOING, S.EMPTY, S.COMPLETE_COMMIT, S.COMPLETE_ABORT],
  PrepareCommit: [S.ONGOING],
  PrepareAbort: [S.ONGOING, S.PREPARE_EPOCH_FENCE, S.EMPTY, S.COMPLETE_COMMIT, S.COMPLETE_ABORT],
  CompleteCommit: [S.PREPARE_COMMIT],
  CompleteAbort: [S.PREPARE_ABORT],
  Dead: [S.EMPTY, S.COMPLETE_ABORT, S.COMPLETE_COMMIT],
  PrepareEpochFence: [S.ONGOING],
};

/** States a transactional id may expire in (Kafka's isExpirationAllowed). */
export function expirationAllowed(state: TxnState): boolean {
  return state === S.EMPTY || state === S.COMPLETE_COMMIT || state === S.COMPLETE_ABORT;
}

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const SHORT_MAX = 32767;

/** Transaction version 2 and above: an epoch bump on every EndTxn (Kafka's supportsEpochBump). */
export function supportsEpochBump(transactionVersion: number): boolean {
  return transactionVersion >= 2;
}

/** Epochs up to Short.MAX_VALUE - 1 are handed out; the last is kept for fencing. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

/** A partition of a transaction. */
export interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The next state of a transaction, computed before it is written (Kafka's TxnTransitMetadata). */
export interface TxnTransit {
  readonly producerId: number;
  readonly prevProducerId: number;
  /** Transactions V2 at epoch exhaustion: the producer id Complete* moves to; else -1. */
  readonly nextProducerId: number;
  readonly producerEpoch: number;
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TxnState;
  /** topic -> partitions, in the order they were added. */
  readonly partitions: ReadonlyMap<string, ReadonlySet<number>>;
  readonly txnStartTimestamp: number;
  readonly txnLastUpdateTimestamp: number;
  /** The transaction version of the client that made this change (0-2). */
  readonly clientTransactionVersion: number;
}

/** A bug in the coordinator: a transition the state machine does not allow. */
export class IllegalTxnTransition extends Error {
  override readonly name = 'IllegalTxnTransition';
}

export class TransactionMetadata {
  producerId: number;
  previousProducerId = NO_PRODUCER_ID;
  /** Transactions V2: the producer id the completing transaction rotates to (-1: none). */
  nextProducerId = NO_PRODUCER_ID;
  producerEpoch = NO_PRODUCER_EPOCH;
  lastProducerEpoch = NO_PRODUCER_EPOCH;
  txnTimeoutMs: number;
  state: TxnState = S.EMPTY;
  pendingState: TxnState | null = null;
  /** topic -> partitions of the open (or completing) transaction. */
  readonly partitions = new Map<string, Set<number>>();
  txnStartTimestamp = -1;
  txnLastUpdateTimestamp: number;
  /** The transaction version the client of the current transaction speaks (Kafka's clientTransactionVersion). */
  clientTransactionVersion = 0;

  constructor(
    readonly transactionalId: string,
    producerId: number,
    txnTimeoutMs: number,
    now: number,
  ) {
    this.producerId = producerId;
    this.txnTimeoutMs = txnTimeoutMs;
    this.txnLastUpdateTimestamp = now;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Whether every partition is already in the transaction. */
  containsAll(partitions: readonly TxnPartition[]): boolean {
    return partitions.every((p) => this.partitions.get(p.topic)?.has(p.partition) === true);
  }

  contains(p: TxnPartition): boolean {
    return this.partitions.get(p.topic)?.has(p.partition) === true;
  }

  partitionList(): TxnPartition[] {
    const out: TxnPartition[] = [];
    for (const [topic, ps] of this.partitions) for (const partition of ps) out.push({ topic, partition });
    return out;
  }

  // ---- prepare: compute the next state, mark it pending ----

  /** Ongoing -> PrepareEpochFence: bump the epoch to fence the producer before aborting. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === SHORT_MAX) throw new IllegalTxnTransition('Cannot fence producer with epoch equal to Short.MaxValue since this would overflow');
    return this.#prepare(S.PREPARE_EPOCH_FENCE, this.producerId, this.producerEpoch + 1, NO_PRODUCER_EPOCH, this.txnTimeoutMs, this.partitions, this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  /**
   * InitProducerId on Empty/Complete*: the next epoch. With an expected epoch (KIP-360) it must be
   * the current one (bump) or the last one (a retry of a bump whose answer was lost: keep).
   * Returns null for PRODUCER_FENCED.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | null {
    if (this.isProducerEpochExhausted) throw new IllegalTxnTransition(`Cannot allocate any more producer epochs for producerId ${this.producerId}`);
    let next: number;
    let last: number;
    if (expectedEpoch === null) {
      next = this.producerEpoch + 1;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      next = this.producerEpoch + 1;
      last = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return null;
    }
    return this.#prepare(S.EMPTY, this.producerId, next, last, newTxnTimeoutMs, new Map(), -1, now);
  }

  /** InitProducerId when the epoch is exhausted: a new producer id at epoch 0. */
  prepareProducerIdRotation(newProducerId: number, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.state === S.ONGOING || this.state === S.PREPARE_ABORT || this.state === S.PREPARE_COMMIT) {
      throw new IllegalTxnTransition('Cannot rotate producer ids while a transaction is still pending');
    }
    return this.#prepare(S.EMPTY, newProducerId, 0, recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH, newTxnTimeoutMs, new Map(), -1, now);
  }

  /**
   * AddPartitionsToTxn / AddOffsetsToTxn, or a transactions V2 client's first write to a partition:
   * -> Ongoing with the union of the partitions, at the client's transaction version.
   */
  prepareAddPartitions(added: readonly TxnPartition[], now: number, clientTransactionVersion = this.clientTransactionVersion): TxnTransit {
    const startsTransaction = this.state === S.EMPTY || this.state === S.COMPLETE_ABORT || this.state === S.COMPLETE_COMMIT;
    const merged = copyPartitions(this.partitions);
    for (const p of added) {
      let set = merged.get(p.topic);
      if (set === undefined) merged.set(p.topic, (set = new Set()));
      set.add(p.partition);
    }
    return this.#prepare(S.ONGOING, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, merged, startsTransaction ? now : this.txnStartTimestamp, now, {
      clientTransactionVersion,
    });
  }

  /**
   * EndTxn: Ongoing -> PrepareCommit / PrepareAbort; for transactions V2 also an abort with
   * nothing open (`noPartitionAdded`: from Empty / Complete*, starting now). Transactions V2 bump
   * the epoch (the last one is remembered for retries); `nextProducerId` is the id to move to when
   * the epoch is exhausted (-1 otherwise).
   */
  prepareAbortOrCommit(state: typeof S.PREPARE_COMMIT | typeof S.PREPARE_ABORT, now: number, clientTransactionVersion = 0, nextProducerId = NO_PRODUCER_ID, noPartitionAdded = false): TxnTransit {
    const bump = supportsEpochBump(clientTransactionVersion) && this.producerEpoch < SHORT_MAX;
    if (noPartitionAdded && (!supportsEpochBump(clientTransactionVersion) || state !== S.PREPARE_ABORT)) {
      throw new IllegalTxnTransition(`an empty ${state} needs transactions V2 and an abort`);
    }
    return this.#prepare(
      state,
      this.producerId,
      bump ? this.producerEpoch + 1 : this.producerEpoch,
      bump ? this.producerEpoch : this.lastProducerEpoch,
      this.txnTimeoutMs,
      noPartitionAdded ? new Map() : this.partitions,
      noPartitionAdded ? now : this.txnStartTimestamp,
      now,
      { clientTransactionVersion, nextProducerId },
    );
  }

  /**
   * Markers written: PrepareCommit -> CompleteCommit, PrepareAbort -> CompleteAbort. A transactions
   * V2 bump past the last epoch moves to the next producer id at epoch 0 here; the last epoch the
   * client saw stays, so that its retry of EndTxn is recognised.
   */
  prepareComplete(now: number): TxnTransit {
    const state = this.state === S.PREPARE_COMMIT ? S.COMPLETE_COMMIT : S.COMPLETE_ABORT;
    const v2 = supportsEpochBump(this.clientTransactionVersion);
    if (v2 && this.nextProducerId !== NO_PRODUCER_ID) {
      return this.#prepare(state, this.nextProducerId, 0, this.lastProducerEpoch, this.txnTimeoutMs, new Map(), this.txnStartTimestamp, now, { clientTransactionVersion: this.clientTransactionVersion });
    }
    const last = v2 ? this.lastProducerEpoch : this.producerEpoch;
    return this.#prepare(state, this.producerId, this.producerEpoch, last, this.txnTimeoutMs, new Map(), this.txnStartTimestamp, now, { clientTransactionVersion: this.clientTransactionVersion });
  }

  /** Expiry of the transactional id. */
  prepareDead(): TxnTransit {
    return this.#prepare(S.DEAD, this.producerId, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, new Map(), this.txnStartTimestamp, this.txnLastUpdateTimestamp);
  }

  #prepare(
    state: TxnState,
    producerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    txnTimeoutMs: number,
    partitions: ReadonlyMap<string, ReadonlySet<number>>,
    txnStartTimestamp: number,
    now: number,
    opts: { readonly clientTransactionVersion?: number; readonly nextProducerId?: number } = {},
  ): TxnTransit {
    if (this.pendingState !== null) {
      throw new IllegalTxnTransition(`Preparing transaction state transition to ${state} while it already a pending state ${this.pendingState}`);
    }
    if (producerId < 0) throw new IllegalTxnTransition(`Illegal new producer id ${producerId}`);
    if (state !== S.DEAD && producerEpoch < 0) throw new IllegalTxnTransition(`Illegal new producer epoch ${producerEpoch}`);
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new IllegalTxnTransition(`Preparing transaction state transition to ${state} failed since the target state ${state} is not a valid previous state of the current state ${this.state}`);
    }
    this.pendingState = state;
    return {
      producerId,
      prevProducerId: this.producerId,
      nextProducerId: opts.nextProducerId ?? NO_PRODUCER_ID,
      producerEpoch,
      lastProducerEpoch,
      txnTimeoutMs,
      state,
      partitions: copyPartitions(partitions),
      txnStartTimestamp,
      txnLastUpdateTimestamp: now,
      clientTransactionVersion: opts.clientTransactionVersion ?? this.clientTransactionVersion,
    };
  }

  /** The pending transition could not be written: forget it (Kafka does so on a failed append). */
  abortPendingTransition(): void {
    this.pendingState = null;
  }

  // ---- complete: the transit is in the log, make it current ----

  completeTransitionTo(t: TxnTransit): void {
    const to = this.pendingState;
    if (to === null) throw new IllegalTxnTransition(`TransactionalId ${this.transactionalId} completing transaction state transition while it does not have a pending state`);
    if (to !== t.state) this.#failTransition(t);
    switch (to) {
      case S.EMPTY: {
        // From InitProducerId: a bumped epoch, or a new producer id at epoch 0.
        const validBump = t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
        if ((this.producerEpoch !== t.producerEpoch && !validBump) || t.partitions.size > 0 || t.txnStartTimestamp !== -1) this.#failTransition(t);
        this.txnTimeoutMs = t.txnTimeoutMs;
        // No transaction any more: DescribeTransactions shows no start time (-1), as Kafka's.
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.previousProducerId = t.prevProducerId;
        break;
      }
      case S.ONGOING:
        if (!this.#sameProducer(t) || !isSubset(this.partitions, t.partitions) || this.txnTimeoutMs !== t.txnTimeoutMs) this.#failTransition(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.clientTransactionVersion = t.clientTransactionVersion;
        for (const [topic, ps] of t.partitions) {
          let set = this.partitions.get(topic);
          if (set === undefined) this.partitions.set(topic, (set = new Set()));
          for (const p of ps) set.add(p);
        }
        break;
      case S.PREPARE_COMMIT:
      case S.PREPARE_ABORT: {
        const v2 = supportsEpochBump(t.clientTransactionVersion);
        // Transactions V2: an abort with nothing open starts from Empty / Complete*, now.
        const emptyAbort = v2 && to === S.PREPARE_ABORT && this.state !== S.ONGOING;
        const validEpoch = t.producerId === this.producerId && (t.producerEpoch === this.producerEpoch || (v2 && t.producerEpoch === this.producerEpoch + 1));
        const validPartitions = emptyAbort ? t.partitions.size === 0 : samePartitions(this.partitions, t.partitions);
        if (!validEpoch || !validPartitions || this.txnTimeoutMs !== t.txnTimeoutMs || (!emptyAbort && this.txnStartTimestamp !== t.txnStartTimestamp)) {
          this.#failTransition(t);
        }
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.nextProducerId = t.nextProducerId;
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.clientTransactionVersion = t.clientTransactionVersion;
        break;
      }
      case S.COMPLETE_COMMIT:
      case S.COMPLETE_ABORT: {
        const rotated = supportsEpochBump(this.clientTransactionVersion) && this.nextProducerId !== NO_PRODUCER_ID;
        const validProducer = rotated ? t.producerId === this.nextProducerId && t.producerEpoch === 0 : this.#sameProducer(t);
        if (!validProducer || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) this.#failTransition(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions.clear();
        if (rotated) {
          this.previousProducerId = this.producerId;
          this.producerId = t.producerId;
          this.producerEpoch = 0;
        }
        // Transactions V1 keep the last epoch of InitProducerId (Kafka leaves it alone here).
        if (supportsEpochBump(this.clientTransactionVersion)) this.lastProducerEpoch = t.lastProducerEpoch;
        this.nextProducerId = NO_PRODUCER_ID;
        break;
      }
      case S.PREPARE_EPOCH_FENCE:
        // Never current: the coordinator turns the fence into a PrepareAbort (see applyEpochFence).
        this.#failTransition(t);
        break;
      case S.DEAD:
        throw new IllegalTxnTransition(`TransactionalId ${this.transactionalId} is trying to complete a transition to Dead; an expired id is removed, not completed`);
    }
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = to;
  }

  /**
   * The epoch fence, as Kafka's endTransaction does for a pending PrepareEpochFence: drop the
   * pending state and adopt the bumped epoch directly, so that the abort that follows (and its
   * markers) carries it.
   */
  applyEpochFence(bumpedEpoch: number): void {
    if (this.pendingState !== S.PREPARE_EPOCH_FENCE) throw new IllegalTxnTransition(`no epoch fence pending for ${this.transactionalId}`);
    this.pendingState = null;
    this.producerEpoch = bumpedEpoch;
    this.lastProducerEpoch = NO_PRODUCER_EPOCH;
  }

  #sameProducer(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch && t.producerId === this.producerId;
  }

  #failTransition(t: TxnTransit): never {
    throw new IllegalTxnTransition(`TransactionalId ${this.transactionalId} failed transition to state ${t.state} from ${this.state} due to unexpected metadata`);
  }
}

function copyPartitions(m: ReadonlyMap<string, ReadonlySet<number>>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [topic, ps] of m) out.set(topic, new Set(ps));
  return out;
}

function isSubset(a: ReadonlyMap<string, ReadonlySet<number>>, b: ReadonlyMap<string, ReadonlySet<number>>): boolean {
  for (const [topic, ps] of a) {
    const other = b.get(topic);
    for (const p of ps) if (other?.has(p) !== true) return false;
  }
  return true;
}

function samePartitions(a: ReadonlyMap<string, ReadonlySet<number>>, b: ReadonlyMap<string, ReadonlySet<number>>): boolean {
  return isSubset(a, b) && isSubset(b, a);
}
