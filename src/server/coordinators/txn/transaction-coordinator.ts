/**
 * The transaction coordinator: every transactional id of a cluster, as Kafka's
 * TransactionCoordinator with its TransactionStateManager. Handlers stay thin: they check that
 * this broker coordinates the id, shape requests and responses per version, and call in here.
 *
 * Each operation follows Kafka's order of checks and answers with Kafka's codes (see the methods).
 * Every state change is written to __transaction_state (transaction-state-log.ts) in the same
 * synchronous turn that makes it current; markers go through an injected MarkerWriter
 * (transaction-markers.ts), which in production writes them in that same turn too.
 *
 * Timers (on the broker clock), as Kafka's scheduler:
 * - every transaction.abort.timed.out.transaction.cleanup.interval.ms (10 s): an Ongoing
 *   transaction older than its transaction.timeout.ms is aborted with a bumped epoch (the
 *   producer is fenced: its next request gets PRODUCER_FENCED, its produce INVALID_PRODUCER_EPOCH);
 * - every transaction.remove.expired.transaction.cleanup.interval.ms (1 h): ids idle in Empty or
 *   Complete* for transactional.id.expiration.ms (7 days) are removed with a tombstone;
 * - every producer.id.expiration.check.interval.ms (10 min): producer state idle for
 *   producer.id.expiration.ms (1 day) is dropped from every partition (Kafka does this per log).
 *
 * Configuration (Kafka's names and defaults): transaction.max.timeout.ms 900000,
 * transactional.id.expiration.ms 604800000, transaction.state.log.num.partitions 50,
 * transaction.state.log.segment.bytes 104857600, transaction.state.log.min.isr (1 here: Kafka's 2
 * needs two brokers), producer.id.expiration.ms 86400000 and the intervals above.
 *
 * Transactions V2 (KIP-890 part 2): EndTxn v5 bumps the epoch (end-txn-decision.ts,
 * TransactionMetadata); Produce v12 and TxnOffsetCommit v5 add partitions through `addPartitions`.
 * Deviation from Kafka: markers are written before EndTxn is answered, so clients never see
 * PrepareCommit/PrepareAbort nor the CONCURRENT_TRANSACTIONS they cause. In durable mode
 * the state is reloaded from __transaction_state at start (`load`, Kafka's loadTransactionsForTxnTopicPartition).
 */
import { ErrorCode } from '../../../protocol/errors.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import { intSetting } from '../../cluster/broker-config.js';
import type { BrokerNode, Cluster } from '../../cluster/cluster.js';
import type { ProducerIdAllocator } from '../../cluster/producer-ids.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import type { Logger } from '../../../util/logger.js';
import { TransactionMetadata, TxnState, TXN_STATE_ID, ALL_TXN_STATES, IllegalTxnTransition, NO_PRODUCER_EPOCH, NO_PRODUCER_ID, expirationAllowed, isEpochExhausted, supportsEpochBump } from './transaction-metadata.js';
import { decideEndTxn } from './end-txn-decision.js';
import type { TxnPartition, TxnTransit } from './transaction-metadata.js';
import { TransactionStateLog } from './transaction-state-log.js';
import { clusterMarkerWriter } from './transaction-markers.js';
import type { MarkerWriter, OffsetsMarkerWriter } from './transaction-markers.js';
import type { TransactionLogValue } from '../../../protocol/coordinator-records/index.js';

export interface TransactionCoordinatorSettings {
  readonly transactionMaxTimeoutMs: number;
  readonly transactionalIdExpirationMs: number;
  readonly abortTimedOutTransactionsIntervalMs: number;
  readonly removeExpiredTransactionalIdsIntervalMs: number;
  readonly producerIdExpirationMs: number;
  readonly producerIdExpirationCheckIntervalMs: number;
  readonly stateLogNumPartitions: number;
  readonly stateLogSegmentBytes: number;
  readonly stateLogMinInsyncReplicas: number;
}

export function transactionCoordinatorSettings(config: BrokerConfig, logger: Logger): TransactionCoordinatorSettings {
  const c = (key: string, fallback: number, min = 1) => intSetting(config, key, fallback, min, logger);
  return {
    transactionMaxTimeoutMs: c('transaction.max.timeout.ms', 900000),
    transactionalIdExpirationMs: c('transactional.id.expiration.ms', 604800000),
    abortTimedOutTransactionsIntervalMs: c('transaction.abort.timed.out.transaction.cleanup.interval.ms', 10000),
    removeExpiredTransactionalIdsIntervalMs: c('transaction.remove.expired.transaction.cleanup.interval.ms', 3600000),
    producerIdExpirationMs: c('producer.id.expiration.ms', 86400000),
    producerIdExpirationCheckIntervalMs: c('producer.id.expiration.check.interval.ms', 600000),
    stateLogNumPartitions: c('transaction.state.log.num.partitions', 50),
    stateLogSegmentBytes: c('transaction.state.log.segment.bytes', 104857600),
    stateLogMinInsyncReplicas: c('transaction.state.log.min.isr', 1),
  };
}

export interface ProducerIdAndEpoch {
  readonly producerId: number;
  readonly producerEpoch: number;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  readonly producerId: number;
  readonly producerEpoch: number;
}

export type EndTxnResult = InitProducerIdResult;

/** DescribeTransactions' answer for one id. */
export interface DescribedTransaction {
  readonly errorCode: number;
  readonly state: string;
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly topics: { topic: string; partitions: number[] }[];
}

export interface ListedTransaction {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly state: string;
}

export interface ListTransactionsFilter {
  readonly states: readonly string[];
  readonly producerIds: readonly number[];
  /** -1: no filter; else only transactions running longer than this. */
  readonly durationMs: number;
  /** null or '': no filter; else a regular expression the whole id must match. */
  readonly transactionalIdPattern: string | null;
}

export interface TransactionCoordinatorOptions {
  readonly producerIds?: ProducerIdAllocator;
  /** How markers are written; by default into the cluster's partitions, at once. */
  readonly markers?: MarkerWriter;
  /** How markers reach __consumer_offsets partitions (the group coordinator). */
  readonly offsetsMarkers?: OffsetsMarkerWriter;
}

const S = TxnState;

/**
 * The coordinator's own aborts (InitProducerId fencing an open transaction, the timeout) carry the
 * fence's epoch, bumped once: Apache Kafka 4.4 with transaction.version 2 hands the next producer
 * the fence epoch + 1, as with version 1 (checked against the reference broker).
 */
const FENCE_TRANSACTION_VERSION = 0;

export class TransactionCoordinator {
  readonly settings: TransactionCoordinatorSettings;
  readonly stateLog: TransactionStateLog;
  readonly #txns = new Map<string, TransactionMetadata>();
  readonly #producerIds: ProducerIdAllocator;
  readonly #markers: MarkerWriter;
  readonly #timers = new Set<TimerHandle>();
  #closed = false;

  constructor(
    private readonly cluster: Cluster,
    config: BrokerConfig,
    private readonly clock: Clock,
    private readonly logger: Logger,
    opts: TransactionCoordinatorOptions = {},
  ) {
    this.settings = transactionCoordinatorSettings(config, logger);
    this.stateLog = new TransactionStateLog(cluster, config, clock, {
      numPartitions: this.settings.stateLogNumPartitions,
      segmentBytes: this.settings.stateLogSegmentBytes,
      minInsyncReplicas: this.settings.stateLogMinInsyncReplicas,
    });
    this.#producerIds = opts.producerIds ?? cluster.producerIds;
    const offsetsMarkers = opts.offsetsMarkers ?? (() => ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    this.#markers = opts.markers ?? clusterMarkerWriter(cluster, offsetsMarkers, logger);
    this.#every(this.settings.abortTimedOutTransactionsIntervalMs, () => this.abortTimedOutTransactions());
    this.#every(this.settings.removeExpiredTransactionalIdsIntervalMs, () => this.removeExpiredTransactionalIds());
    this.#every(this.settings.producerIdExpirationCheckIntervalMs, () => this.removeExpiredProducers());
  }

  /** The metadata of a transactional id (tests and tools). */
  transaction(transactionalId: string): TransactionMetadata | undefined {
    return this.#txns.get(transactionalId);
  }

  get transactions(): IterableIterator<TransactionMetadata> {
    return this.#txns.values();
  }

  /**
   * The broker that coordinates a transactional id: the leader of its __transaction_state
   * partition (the topic is created on first use). Null when no broker is up.
   */
  coordinatorFor(transactionalId: string): BrokerNode | null {
    const topic = this.stateLog.topic();
    const leader = this.cluster.leaderFor(topic, this.stateLog.partitionIndexFor(transactionalId));
    return this.cluster.brokers.find((b) => b.nodeId === leader) ?? null;
  }

  isCoordinator(transactionalId: string, nodeId: number): boolean {
    return this.coordinatorFor(transactionalId)?.nodeId === nodeId;
  }

  /** Kafka's coordinator epoch: the leader epoch of the id's __transaction_state partition. */
  coordinatorEpoch(transactionalId: string): number {
    return this.stateLog.partitionFor(transactionalId).leaderEpoch;
  }

  // ---- loading (durable mode) ----

  /**
   * Restores the transactional ids replayed from __transaction_state (the latest record of each),
   * as Kafka's TransactionStateManager loads a partition when it becomes its leader: Empty,
   * Ongoing and Complete* come back as they were (an Ongoing one keeps its start time, so the
   * abort timer ends it once transaction.timeout.ms is over); PrepareCommit/PrepareAbort get their
   * markers written (again: a partition that has them refuses nothing, it just takes another) and
   * complete. PrepareEpochFence is never written by this coordinator; found in a log it is taken
   * as Ongoing, the state it fences. Returns how many ids were restored and how many completed.
   */
  load(transactions: ReadonlyMap<string, TransactionLogValue>): { loaded: number; completed: number } {
    const pending: { meta: TransactionMetadata; commit: boolean }[] = [];
    const byId = new Map(Object.entries(TXN_STATE_ID).map(([name, id]) => [id, name as TxnState]));
    for (const [transactionalId, v] of transactions) {
      let state = byId.get(v.transactionStatus);
      if (state === undefined || state === S.DEAD) {
        if (state === undefined) this.logger.warn(`transactional id ${transactionalId}: unknown state ${v.transactionStatus} in ${this.stateLog.topic().name}; not loaded`);
        continue;
      }
      if (state === S.PREPARE_EPOCH_FENCE) state = S.ONGOING;
      const meta = new TransactionMetadata(transactionalId, Number(v.producerId), v.transactionTimeoutMs, Number(v.transactionLastUpdateTimestampMs));
      meta.producerEpoch = v.producerEpoch;
      meta.previousProducerId = Number(v.previousProducerId);
      meta.nextProducerId = Number(v.nextProducerId);
      meta.clientTransactionVersion = v.clientTransactionVersion;
      meta.txnStartTimestamp = Number(v.transactionStartTimestampMs);
      meta.state = state;
      if (state === S.ONGOING || state === S.PREPARE_COMMIT || state === S.PREPARE_ABORT) {
        for (const tp of v.transactionPartitions ?? []) meta.partitions.set(tp.topic, new Set(tp.partitionIds));
      }
      this.#txns.set(transactionalId, meta);
      if (state === S.PREPARE_COMMIT || state === S.PREPARE_ABORT) pending.push({ meta, commit: state === S.PREPARE_COMMIT });
    }
    let completed = 0;
    for (const { meta, commit } of pending) {
      this.#sendMarkers(meta, commit);
      if (meta.state === S.COMPLETE_COMMIT || meta.state === S.COMPLETE_ABORT) completed++;
      this.logger.info(`transactional id ${meta.transactionalId}: completed the ${commit ? 'commit' : 'abort'} logged before the restart`);
    }
    return { loaded: this.#txns.size, completed };
  }

  // ---- InitProducerId ----

  /**
   * Kafka's handleInitProducerId. Without a transactional id: a new producer id at epoch 0,
   * whatever was given. With one, in order: '' INVALID_REQUEST; a timeout <= 0 or above
   * transaction.max.timeout.ms INVALID_TRANSACTION_TIMEOUT; a pending transition
   * CONCURRENT_TRANSACTIONS; a given producer id/epoch (KIP-360) that is neither current nor a
   * retry of the last bump PRODUCER_FENCED; PrepareCommit/PrepareAbort CONCURRENT_TRANSACTIONS;
   * Ongoing: the open transaction is aborted with a bumped epoch (fencing its producer) and the
   * answer is CONCURRENT_TRANSACTIONS, so the client retries and gets the next epoch; otherwise
   * the epoch is bumped (or, when exhausted, a new producer id starts at epoch 0).
   */
  initProducerId(transactionalId: string | null, transactionTimeoutMs: number, expected: ProducerIdAndEpoch | null): InitProducerIdResult {
    if (this.#closed) return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === null) return { errorCode: ErrorCode.NONE, producerId: this.#producerIds.allocate(), producerEpoch: 0 };
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    if (!this.validTransactionTimeout(transactionTimeoutMs)) return initError(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const now = this.clock.now();
    let meta = this.#txns.get(transactionalId);
    if (meta === undefined) {
      meta = new TransactionMetadata(transactionalId, this.#producerIds.allocate(), transactionTimeoutMs, now);
      this.#txns.set(transactionalId, meta);
    }
    const prepared = this.#prepareInitProducerIdTransit(meta, transactionTimeoutMs, expected, now);
    if (typeof prepared === 'number') return initError(prepared);
    if (prepared.state === S.PREPARE_EPOCH_FENCE) {
      const ended = this.#endTransaction(transactionalId, prepared.producerId, prepared.producerEpoch, false, false, FENCE_TRANSACTION_VERSION);
      return initError(ended.errorCode !== ErrorCode.NONE ? ended.errorCode : ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    this.#write(meta, prepared);
    this.logger.info(`initialized transactional id ${transactionalId} with producer id ${meta.producerId} and epoch ${meta.producerEpoch}`);
    return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
  }

  validTransactionTimeout(ms: number): boolean {
    return ms > 0 && ms <= this.settings.transactionMaxTimeoutMs;
  }

  #prepareInitProducerIdTransit(meta: TransactionMetadata, timeoutMs: number, expected: ProducerIdAndEpoch | null, now: number): TxnTransit | number {
    if (meta.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    // A given producer id must be the current one, or the previous one when its epoch ran out
    // (a retry of the rotation); a just-created id (epoch -1) accepts anything.
    if (
      expected !== null &&
      !(meta.producerEpoch === NO_PRODUCER_EPOCH || expected.producerId === meta.producerId || (expected.producerId === meta.previousProducerId && isEpochExhausted(expected.producerEpoch)))
    ) {
      return ErrorCode.PRODUCER_FENCED;
    }
    switch (meta.state) {
      case S.PREPARE_ABORT:
      case S.PREPARE_COMMIT:
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case S.COMPLETE_ABORT:
      case S.COMPLETE_COMMIT:
      case S.EMPTY: {
        if (meta.isProducerEpochExhausted && (expected === null || expected.producerEpoch === meta.producerEpoch)) {
          return meta.prepareProducerIdRotation(this.#producerIds.allocate(), timeoutMs, now, expected !== null);
        }
        return meta.prepareIncrementProducerEpoch(timeoutMs, expected?.producerEpoch ?? null, now) ?? ErrorCode.PRODUCER_FENCED;
      }
      case S.ONGOING:
        // This epoch is never returned: the abort it starts answers CONCURRENT_TRANSACTIONS, and
        // the client's retry bumps once more.
        return meta.prepareFenceProducerEpoch();
      case S.DEAD:
      case S.PREPARE_EPOCH_FENCE:
        throw new IllegalTxnTransition(`Found transactionalId ${meta.transactionalId} with state ${meta.state}. This is illegal as we should never have transitioned to this state.`);
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  /**
   * Kafka's handleAddPartitionsToTransaction: '' INVALID_REQUEST; unknown id or another producer
   * id INVALID_PRODUCER_ID_MAPPING; another epoch PRODUCER_FENCED; a pending transition or
   * PrepareCommit/PrepareAbort CONCURRENT_TRANSACTIONS; partitions all in the open transaction:
   * NONE at once; else they are added (-> Ongoing, the transaction starts now if it was not open).
   * The partitions are not checked here (the handler does). `clientTransactionVersion` is 2 when
   * a transactions V2 producer adds them (through a broker: AddPartitionsToTxn v4+, Produce v12+,
   * TxnOffsetCommit v5+), 0 for AddPartitionsToTxn v0-3 and AddOffsetsToTxn.
   */
  addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: readonly TxnPartition[], clientTransactionVersion = 0): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const meta = this.#txns.get(transactionalId);
    if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (meta.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (meta.pendingTransitionInProgress || meta.state === S.PREPARE_COMMIT || meta.state === S.PREPARE_ABORT) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (meta.state === S.ONGOING && meta.containsAll(partitions)) return ErrorCode.NONE;
    this.#write(meta, meta.prepareAddPartitions(partitions, this.clock.now(), clientTransactionVersion));
    return ErrorCode.NONE;
  }

  /**
   * Kafka's handleVerifyPartitionsInTransaction (KIP-890 part 1, AddPartitionsToTxn v4+ verifyOnly
   * and the broker's check of a transaction's first write to a partition): one code for all
   * partitions (INVALID_REQUEST, INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED,
   * CONCURRENT_TRANSACTIONS), or per partition NONE when it is in the transaction and
   * TRANSACTION_ABORTABLE when it is not.
   */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: readonly TxnPartition[]): number[] {
    const all = (code: number) => partitions.map(() => code);
    if (this.#closed) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return all(ErrorCode.INVALID_REQUEST);
    const meta = this.#txns.get(transactionalId);
    if (meta === undefined || meta.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (meta.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (meta.state === S.PREPARE_COMMIT || meta.state === S.PREPARE_ABORT) return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return partitions.map((p) => (meta.contains(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE));
  }

  // ---- EndTxn ----

  /**
   * Kafka's handleEndTransaction: '' INVALID_REQUEST; unknown id INVALID_PRODUCER_ID_MAPPING; then
   * the rules of end-txn-decision.ts. A prepared outcome is written (PrepareCommit/PrepareAbort,
   * with transactions V2 at the next epoch), its markers are sent, and the answer carries the
   * producer id and epoch the producer goes on with: for transactions V2 those of the completed
   * transaction (the bumped epoch, or a new producer id at epoch 0 once the epoch ran out).
   * `clientTransactionVersion` is 2 for EndTxn v5, 0 below.
   */
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, clientTransactionVersion = 0): EndTxnResult {
    if (this.#closed) return initError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return this.#endTransaction(transactionalId, producerId, producerEpoch, commit, true, clientTransactionVersion);
  }

  #endTransaction(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, isFromClient: boolean, clientTransactionVersion: number): EndTxnResult {
    if (transactionalId === '') return initError(ErrorCode.INVALID_REQUEST);
    const meta = this.#txns.get(transactionalId);
    if (meta === undefined) return initError(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const fencing = meta.pendingState === S.PREPARE_EPOCH_FENCE;
    const decision = decideEndTxn(meta, { producerId, producerEpoch, commit, isFromClient, clientTransactionVersion });
    if (decision.kind === 'error') {
      // A fence that cannot go on must not leave its pending state behind.
      if (fencing && meta.pendingState === S.PREPARE_EPOCH_FENCE) meta.abortPendingTransition();
      return initError(decision.code);
    }
    if (decision.kind === 'done') return { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    if (fencing) meta.applyEpochFence(producerEpoch);
    // Transactions V2 bump the epoch; past the last one the producer moves to a new id (not on a fence).
    const rotate = supportsEpochBump(clientTransactionVersion) && !fencing && meta.isProducerEpochExhausted;
    const nextProducerId = rotate ? this.#producerIds.allocate() : NO_PRODUCER_ID;
    this.#write(meta, meta.prepareAbortOrCommit(decision.state, this.clock.now(), clientTransactionVersion, nextProducerId, decision.noPartitionAdded));
    const result = rotate ? { errorCode: ErrorCode.NONE, producerId: nextProducerId, producerEpoch: 0 } : { errorCode: ErrorCode.NONE, producerId: meta.producerId, producerEpoch: meta.producerEpoch };
    this.#sendMarkers(meta, commit);
    return result;
  }

  /** Writes the decided outcome into every partition; completes the transaction when all are written. */
  #sendMarkers(meta: TransactionMetadata, commit: boolean): void {
    const marker = { producerId: meta.producerId, producerEpoch: meta.producerEpoch, coordinatorEpoch: this.coordinatorEpoch(meta.transactionalId), commit };
    const expected = commit ? S.PREPARE_COMMIT : S.PREPARE_ABORT;
    let called = false;
    this.#markers(marker, meta.partitionList(), () => {
      if (called) return;
      called = true;
      // The id may have been replaced meanwhile only through a bug: Prepare* blocks every change.
      if (this.#closed || this.#txns.get(meta.transactionalId) !== meta || meta.state !== expected || meta.pendingTransitionInProgress) {
        this.logger.warn(`transaction ${meta.transactionalId}: markers written but the transaction is now ${meta.state}; not completing it`);
        return;
      }
      this.#write(meta, meta.prepareComplete(this.clock.now()));
      this.logger.debug(`transaction ${meta.transactionalId} (producer ${meta.producerId}, epoch ${meta.producerEpoch}) ${meta.state}`);
    });
  }

  /** Appends a transit to __transaction_state and makes it current. */
  #write(meta: TransactionMetadata, transit: TxnTransit): void {
    try {
      this.stateLog.append(meta.transactionalId, transit);
    } catch (e) {
      meta.abortPendingTransition();
      throw e;
    }
    meta.completeTransitionTo(transit);
  }

  // ---- DescribeTransactions / ListTransactions ----

  /** Kafka's handleDescribeTransactions: '' INVALID_REQUEST; unknown or Dead TRANSACTIONAL_ID_NOT_FOUND. */
  describe(transactionalId: string): DescribedTransaction {
    const none = (errorCode: number): DescribedTransaction => ({ errorCode, state: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] });
    if (this.#closed) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return none(ErrorCode.INVALID_REQUEST);
    const meta = this.#txns.get(transactionalId);
    if (meta === undefined || meta.state === S.DEAD) return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    return {
      errorCode: ErrorCode.NONE,
      state: meta.state,
      transactionTimeoutMs: meta.txnTimeoutMs,
      transactionStartTimeMs: meta.txnStartTimestamp,
      producerId: meta.producerId,
      producerEpoch: meta.producerEpoch,
      topics: [...meta.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps] })),
    };
  }

  /**
   * Kafka's listTransactionStates: unknown state names are returned as such and match nothing;
   * Dead ids are never listed; a duration filter keeps transactions running longer than it
   * (measured from the transaction's start, -1 for ids without one, as Kafka); a pattern must
   * match the whole id. An invalid pattern: INVALID_REGULAR_EXPRESSION.
   */
  list(filter: ListTransactionsFilter): { errorCode: number; unknownStateFilters: string[]; transactions: ListedTransaction[] } {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactions: [] };
    const known = new Set<string>(ALL_TXN_STATES);
    const states = new Set<string>();
    const unknownStateFilters: string[] = [];
    for (const s of filter.states) {
      if (known.has(s)) states.add(s);
      else unknownStateFilters.push(s);
    }
    let pattern: RegExp | null = null;
    if (filter.transactionalIdPattern !== null && filter.transactionalIdPattern !== '') {
      try {
        pattern = new RegExp(`^(?:${filter.transactionalIdPattern})$`, 'u');
      } catch {
        return { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters: [], transactions: [] };
      }
    }
    const producerIds = new Set(filter.producerIds);
    const now = this.clock.now();
    const transactions: ListedTransaction[] = [];
    for (const meta of this.#txns.values()) {
      if (meta.state === S.DEAD) continue;
      if (producerIds.size > 0 && !producerIds.has(meta.producerId)) continue;
      if (filter.states.length > 0 && !states.has(meta.state)) continue;
      if (filter.durationMs >= 0 && now - meta.txnStartTimestamp <= filter.durationMs) continue;
      if (pattern !== null && !pattern.test(meta.transactionalId)) continue;
      transactions.push({ transactionalId: meta.transactionalId, producerId: meta.producerId, state: meta.state });
    }
    return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions };
  }

  // ---- timers ----

  /** Aborts Ongoing transactions past their timeout, fencing their producers (Kafka's abortTimedOutTransactions). */
  abortTimedOutTransactions(): void {
    const now = this.clock.now();
    for (const meta of [...this.#txns.values()]) {
      if (meta.pendingTransitionInProgress || meta.state !== S.ONGOING || meta.txnStartTimestamp + meta.txnTimeoutMs >= now) continue;
      const fence = meta.prepareFenceProducerEpoch();
      const result = this.#endTransaction(meta.transactionalId, fence.producerId, fence.producerEpoch, false, false, FENCE_TRANSACTION_VERSION);
      if (result.errorCode === ErrorCode.NONE) {
        this.logger.info(`aborted transaction of ${meta.transactionalId} (producer ${meta.producerId}) after its timeout of ${meta.txnTimeoutMs} ms; epoch now ${meta.producerEpoch}`);
      } else {
        this.logger.warn(`rollback of the timed-out transaction of ${meta.transactionalId} failed with error ${result.errorCode}`);
      }
    }
  }

  /** Removes ids idle for transactional.id.expiration.ms, with a tombstone (Kafka's removeExpiredTransactionalIds). */
  removeExpiredTransactionalIds(): void {
    const now = this.clock.now();
    for (const meta of [...this.#txns.values()]) {
      if (meta.pendingTransitionInProgress || !expirationAllowed(meta.state)) continue;
      if (meta.txnLastUpdateTimestamp > now - this.settings.transactionalIdExpirationMs) continue;
      meta.prepareDead();
      try {
        this.stateLog.append(meta.transactionalId, null);
      } catch (e) {
        meta.abortPendingTransition();
        throw e;
      }
      meta.state = S.DEAD;
      meta.pendingState = null;
      this.#txns.delete(meta.transactionalId);
      this.logger.info(`transactional id ${meta.transactionalId} expired`);
    }
  }

  /** Drops idle producer state from every partition (Kafka's per-log removeExpiredProducers). */
  removeExpiredProducers(): void {
    const now = this.clock.now();
    for (const topic of this.cluster.topics.all()) {
      for (const p of topic.partitions) {
        if (p.producerState.size > 0) p.producerState.removeExpired(now, this.settings.producerIdExpirationMs);
      }
    }
  }

  #every(intervalMs: number, fn: () => void): void {
    const tick = () => {
      this.#timers.delete(handle);
      if (this.#closed) return;
      try {
        fn();
      } finally {
        if (!this.#closed) {
          handle = this.clock.setTimeout(tick, intervalMs);
          this.#timers.add(handle);
        }
      }
    };
    let handle = this.clock.setTimeout(tick, intervalMs);
    this.#timers.add(handle);
  }

  /** Stops the timers; later requests get COORDINATOR_NOT_AVAILABLE. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) this.clock.clearTimeout(t);
    this.#timers.clear();
  }
}

function initError(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}
