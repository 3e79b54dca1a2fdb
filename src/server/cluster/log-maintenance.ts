/**
 * The background work on a cluster's logs, as Kafka's LogManager retention task and LogCleaner
 * threads do it, on the broker clock:
 *
 * - Retention: every log.retention.check.interval.ms (Kafka's default, 300000: a dev broker gains
 *   little from sweeping more often, and tests set it or drive a ManualClock), every partition of
 *   a topic whose cleanup.policy includes delete drops whole segments past retention.ms and
 *   retention.bytes (PartitionLog.applyRetention: never data at or above the high watermark; the
 *   active segment only when it has expired too, as Kafka); the log start offset moves, and
 *   consumers below it get OFFSET_OUT_OF_RANGE. Compact-only topics drop only segments wholly
 *   below the log start. The sweep is one synchronous pass over the partitions, O(partitions)
 *   per interval and nothing per request.
 * - Compaction: every log.cleaner.backoff.ms (15000) while idle, the cleaner looks at the
 *   partitions of topics whose cleanup.policy includes compact, takes the dirtiest one that is due
 *   (src/log/log-cleaner.ts) and cleans it, then the next, until none is due. One pass runs at a
 *   time (log.cleaner.threads is 1), sliced so that produce and fetch run in between.
 *   log.cleaner.enable=false turns it off.
 *
 * One deviation from Kafka, to the user's benefit: a partition whose cleaned part holds a delete
 * horizon that has passed is due for a pass even when it is not dirty, so tombstones and
 * transaction markers vanish once delete.retention.ms is over. Kafka removes them only when new
 * writes make the log dirty enough again.
 *
 * Both stop when the cluster closes (Cluster.onClose).
 */
import type { Topic, TopicRegistry } from './topics.js';
import type { ConfigStore } from './configs/config-store.js';
import type { Partition } from '../../log/partition.js';
import type { PartitionLog } from '../../log/partition-log.js';
import { NO_TRANSACTIONS, cleanLog, isCleanable, logToClean } from '../../log/log-cleaner.js';
import type { ActiveProducerLastRecord, AbortedTxnRange, CleanResult, CleanerSettings, CleanerTxnSource, LogToClean } from '../../log/log-cleaner.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';

/** What the cleaner remembers per log (Kafka's cleaner-offset-checkpoint, plus the horizon). */
interface CleanerState {
  checkpoint: number | undefined;
  nextDeleteHorizon: number | null;
}

/** A completed pass, for tests and the benchmark. */
export interface CleanerPass extends CleanResult {
  readonly topic: string;
  readonly partition: number;
  /** Where the pass started: the checkpoint it found (or the log start). */
  readonly firstDirtyOffset: number;
  readonly elapsedMs: number;
}

/**
 * Where the cleaner's checkpoints outlive the process: durable mode's data directory keeps them in
 * Kafka's cleaner-offset-checkpoint, so that the first pass after a restart starts where the last
 * one ended instead of reading the whole log again.
 */
export interface CleanerCheckpointStore {
  /** The checkpoint the previous run left for this partition of this topic (the same topic id), if any. */
  savedCleanerCheckpoint(topic: Topic, partition: number): number | undefined;
  saveCleanerCheckpoints(entries: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[]): void;
}


/**
 * The structural view of a Partition's transaction state (the aborted-transactions index and the
 * producer state): absent members mean a log without transactions.
 */
interface TxnAwarePartition {
  readonly txnIndex?: { collect(start: number, upperBound: number): readonly AbortedTxnRange[] };
  readonly producerState?: { activeProducers(): Iterable<{ readonly producerId: number; readonly producerEpoch: number; readonly lastDataOffset: number }> };
}

function txnSourceOf(partition: Partition): CleanerTxnSource {
  const p = partition as unknown as TxnAwarePartition;
  if (p.txnIndex === undefined && p.producerState === undefined) return NO_TRANSACTIONS;
  return {
    collectAbortedTransactions: (start, upper) => p.txnIndex?.collect(start, upper) ?? [],
    lastRecordsOfActiveProducers: () => {
      const out = new Map<number, ActiveProducerLastRecord>();
      for (const e of p.producerState?.activeProducers() ?? []) out.set(e.producerId, { lastDataOffset: e.lastDataOffset, producerEpoch: e.producerEpoch });
      return out;
    },
  };
}

export class LogMaintenance {
  readonly #topics: TopicRegistry;
  readonly #store: ConfigStore;
  #checkpoints: CleanerCheckpointStore | null = null;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #state = new WeakMap<PartitionLog, CleanerState>();
  #retentionTimer: TimerHandle | null = null;
  #cleanerTimer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Every pass completed since start, newest last (bounded). */
  readonly passes: CleanerPass[] = [];

  constructor(topics: TopicRegistry, store: ConfigStore, clock: Clock, logger: Logger) {
    this.#topics = topics;
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Called by the data directory when it opens, whether or not the cleaner has started yet. */
  useCheckpointStore(store: CleanerCheckpointStore): void {
    this.#checkpoints = store;
  }

  start(): void {
    this.#armRetention();
    this.#armCleaner();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retentionTimer !== null) this.#clock.clearTimeout(this.#retentionTimer);
    if (this.#cleanerTimer !== null) this.#clock.clearTimeout(this.#cleanerTimer);
    this.#retentionTimer = this.#cleanerTimer = null;
  }

  #armRetention(): void {
    if (this.#stopped) return;
    const interval = this.#store.brokerNumber('log.retention.check.interval.ms', 300000);
    this.#retentionTimer = this.#clock.setTimeout(() => {
      this.#retentionTimer = null;
      try {
        this.runRetention();
      } finally {
        this.#armRetention();
      }
    }, Math.max(1, interval));
  }

  #armCleaner(): void {
    if (this.#stopped) return;
    const backoff = this.#store.brokerNumber('log.cleaner.backoff.ms', 15000);
    this.#cleanerTimer = this.#clock.setTimeout(() => {
      this.#cleanerTimer = null;
      if (this.#running !== null) return this.#armCleaner();
      void this.cleanNow().finally(() => this.#armCleaner());
    }, Math.max(1, backoff));
  }

  /** One retention sweep over every partition; returns the number of segments deleted. */
  runRetention(): number {
    let deleted = 0;
    const now = this.#clock.now();
    for (const topic of this.#topics.all()) {
      const policy = this.#store.cleanupPolicy(topic);
      for (const p of topic.partitions) {
        deleted += policy.delete ? p.log.applyRetention({ now }) : p.log.applyRetention({ now, retentionMs: -1, retentionBytes: -1 });
      }
    }
    if (deleted > 0) this.#logger.debug(`retention deleted ${deleted} segment(s)`);
    return deleted;
  }

  /** Resolves when the cleaner is idle (no pass running). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  /**
   * Cleans every partition that is due, one pass at a time, until none is; resolves when done
   * (or at once if a run is already going, when that one ends). The timer calls this; tests and
   * the benchmark may too.
   */
  cleanNow(): Promise<void> {
    this.#running ??= this.#cleanUntilIdle().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #cleanUntilIdle(): Promise<void> {
    if (this.#store.brokerValue('log.cleaner.enable')?.trim() === 'false') return;
    const tried = new Set<PartitionLog>();
    while (!this.#stopped) {
      const next = this.#filthiest(tried);
      if (next === null) return;
      tried.add(next.partition.log);
      try {
        await this.#clean(next.topic, next.partition, next.target, next.settings);
      } catch (e) {
        // A durable log's files can fail (disk full, a directory removed); the next pass retries.
        this.#logger.error(`cleaning ${next.topic.name}-${next.partition.partition} failed: ${(e as Error).message}`);
      }
    }
  }

  /** grabFilthiestCompactedLog: the due partition with the highest dirty ratio. */
  #filthiest(skip: ReadonlySet<PartitionLog>): { topic: Topic; partition: Partition; target: LogToClean; settings: CleanerSettings } | null {
    const now = this.#clock.now();
    let best: { topic: Topic; partition: Partition; target: LogToClean; settings: CleanerSettings; due: number } | null = null;
    for (const topic of this.#topics.all()) {
      if (!this.#store.cleanupPolicy(topic).compact) continue;
      const settings = this.settingsFor(topic);
      for (const partition of topic.partitions) {
        if (skip.has(partition.log)) continue;
        const state = this.#stateOf(topic, partition);
        const target = logToClean(partition.log, state?.checkpoint, settings, now);
        let due = isCleanable(target, settings) ? target.cleanableRatio : -1;
        const horizon = state?.nextDeleteHorizon ?? null;
        if (due < 0 && horizon !== null && horizon <= now && target.cleanBytes > 0) due = 0;
        if (due >= 0 && (best === null || due > best.due)) best = { topic, partition, target, settings, due };
      }
    }
    return best;
  }

  /** What the cleaner knows of a log: from this run, else the checkpoint a previous run saved. */
  #stateOf(topic: Topic, partition: Partition): CleanerState | undefined {
    let state = this.#state.get(partition.log);
    if (state === undefined) {
      const saved = this.#checkpoints?.savedCleanerCheckpoint(topic, partition.partition);
      if (saved !== undefined) {
        state = { checkpoint: saved, nextDeleteHorizon: null };
        this.#state.set(partition.log, state);
      }
    }
    return state;
  }

  /** Every known checkpoint to the store, after each pass (Kafka's updateCheckpoints). */
  #saveCheckpoints(): void {
    const store = this.#checkpoints;
    if (store === null) return;
    const entries: { topic: string; partition: number; offset: number }[] = [];
    for (const topic of this.#topics.all()) {
      for (const p of topic.partitions) {
        const checkpoint = this.#stateOf(topic, p)?.checkpoint;
        if (checkpoint !== undefined) entries.push({ topic: topic.name, partition: p.partition, offset: checkpoint });
      }
    }
    store.saveCleanerCheckpoints(entries);
  }

  /** The cleaner settings of a topic: its compaction configs and the broker's cleaner configs. */
  settingsFor(topic: Topic): CleanerSettings {
    const s = this.#store;
    const buffer = s.brokerNumber('log.cleaner.dedupe.buffer.size', 134217728);
    const loadFactor = s.brokerNumber('log.cleaner.io.buffer.load.factor', 0.9);
    return {
      deleteRetentionMs: s.topicNumber(topic, 'delete.retention.ms'),
      minCompactionLagMs: s.topicNumber(topic, 'min.compaction.lag.ms'),
      maxCompactionLagMs: s.topicNumber(topic, 'max.compaction.lag.ms'),
      minCleanableRatio: s.topicNumber(topic, 'min.cleanable.dirty.ratio'),
      segmentBytes: s.topicNumber(topic, 'segment.bytes'),
      // Kafka's OffsetMap holds 24 bytes per key (a 16-byte hash and an offset).
      maxMapEntries: Math.max(1, Math.floor((buffer / 24) * loadFactor)),
    };
  }

  async #clean(topic: Topic, partition: Partition, target: LogToClean, settings: CleanerSettings): Promise<void> {
    const log = partition.log;
    const started = performance.now();
    const result = await cleanLog(log, target, settings, this.#clock.now(), txnSourceOf(partition), () => new Promise<void>((resolve) => setImmediate(resolve)));
    const elapsedMs = performance.now() - started;
    const where = `${topic.name}-${partition.partition}`;
    if (result.aborted || !this.#topics.isLive(topic)) {
      this.#logger.debug(`cleaning ${where} aborted: the log changed during the pass`);
      return;
    }
    this.#state.set(log, { checkpoint: result.endOffset, nextDeleteHorizon: result.nextDeleteHorizon });
    this.#saveCheckpoints();
    this.passes.push({ ...result, topic: topic.name, partition: partition.partition, firstDirtyOffset: target.firstDirtyOffset, elapsedMs });
    if (this.passes.length > 100) this.passes.shift();
    this.#logger.debug(
      `cleaned ${where} up to offset ${result.endOffset}: ${result.recordsRead} records (${result.bytesRead} bytes) read, ` +
        `${result.recordsRetained} (${result.bytesWritten} bytes) kept, in ${elapsedMs.toFixed(1)} ms`,
    );
  }
}
