/**
 * Durable mode: a broker's cluster state on disk under one data directory (`--data-dir`,
 * MiniKafka's `dataDir`). Without one nothing here runs and every log stays in memory.
 *
 *   <dataDir>/
 *     minikafka-metadata.json            topics, ids, configs, producer id block (metadata-file.ts)
 *     recovery-point-offset-checkpoint   per partition: offsets below it were fsynced
 *     log-start-offset-checkpoint        per partition: the log start (DeleteRecords)
 *     .kafka_cleanshutdown               present only after a clean shutdown
 *     .lock                              the pid of the broker using the directory
 *     <topic>-<partition>/               one per partition (src/log/disk/)
 *
 * Opening the directory recovers everything before the broker listens: topics with their ids,
 * configs and partitions (each partition directory checked as LogLoader does, see
 * log-recovery.ts), dynamic broker configs, the producer id block, then the internal topics:
 * the group coordinator is loaded from __consumer_offsets and the transaction coordinator from
 * __transaction_state (internal-topics.ts), open transactions staying open as on Kafka. Partition directories that belong to no topic
 * (a topic deleted during a crash) are removed.
 *
 * While the broker runs, topic changes (create, delete, new partitions) and config changes
 * rewrite the metadata file before they are answered; appends go to the segment files at once;
 * a background flusher fsyncs every log with unflushed data at least every `flushIntervalMs`
 * (default 1000; a topic's `flush.ms` when smaller, `flush.messages` by count on the append path),
 * off the event loop, then records the new recovery points. Kafka's defaults never fsync and
 * rely on replication; a single dev broker has no replicas, so a bounded window of loss after a
 * power cut is the dev default. A produce with acks=all is answered once its write() was issued,
 * as Kafka does without flush settings; a process crash (SIGKILL) loses nothing acknowledged.
 *
 * `close()` (after the broker closed) waits for a running cleaner pass and flush, then writes
 * snapshots, indexes and checkpoints, fsyncs, and leaves the clean-shutdown marker, so that the
 * next start trusts every file without checking CRCs.
 */
import { processIsAlive, processStartTime } from '../../util/process-identity.js';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Cluster } from '../cluster/cluster.js';
import type { BrokerConfig } from '../cluster/broker-config.js';
import type { Topic, TopicStore } from '../cluster/topics.js';
import type { ConfigStore } from '../cluster/configs/config-store.js';
import type { CleanerCheckpointStore } from '../cluster/log-maintenance.js';
import type { GroupCoordinator } from '../coordinators/group/group-coordinator.js';
import type { TransactionCoordinator } from '../coordinators/txn/transaction-coordinator.js';
import { OFFSETS_TOPIC } from '../coordinators/group/offsets-topic.js';
import type { Partition } from '../../log/partition.js';
import type { PartitionLogOptions } from '../../log/partition-log.js';
import { NodeFileSystem } from '../../log/disk/node-file-system.js';
import { joinPath, syncFile, writeFileAtomic } from '../../log/disk/file-system.js';
import type { FileSystem } from '../../log/disk/file-system.js';
import { TailCache } from '../../log/disk/tail-cache.js';
import { DiskLog } from '../../log/disk/disk-log.js';
import type { DiskLogContext, DiskLogSettings } from '../../log/disk/disk-log.js';
import { createDurablePartition, recoverDurablePartition } from '../../log/disk/durable-partition.js';
import { PARTITION_METADATA, parsePartitionDirName, partitionDirName } from '../../log/disk/log-files.js';
import { decodeOffsetCheckpoint, decodePartitionMetadata, encodeOffsetCheckpoint } from '../../log/disk/checkpoint-files.js';
import type { OffsetCheckpointEntry } from '../../log/disk/checkpoint-files.js';
import type { TransactionLogValue } from '../../protocol/coordinator-records/index.js';
import type { Logger } from '../../util/logger.js';
import { readMetadataFile, writeMetadataFile } from './metadata-file.js';
import type { StateSection } from './metadata-file.js';
import type { ClusterMetadata } from './metadata-file.js';
import { replayOffsetsTopic, replayTransactionState } from './internal-topics.js';
import { replayShareState } from './share-state.js';
import type { ShareCoordinator } from '../coordinators/share/share-coordinator.js';

/**
 * What a data directory recovers into and serves: the cluster state, the coordinators whose
 * internal topics it replays, and the broker whose dynamic configs it keeps (a Broker is one).
 */
export interface DataDirHost {
  readonly cluster: Cluster;
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly groups: GroupCoordinator;
  readonly txns: TransactionCoordinator;
  readonly shares: ShareCoordinator;
  /** State other layers keep in the metadata file (the broker's ACLs and SCRAM credentials). */
  readonly stateSections?: readonly StateSection[];
}

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const LOCK_FILE = '.lock';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';

/** Producer ids are recorded in blocks of this many, as Kafka's controller hands them out. */
const PRODUCER_ID_BLOCK = 1000;
const LONG_MAX_AS_NUMBER = 2 ** 53;

export interface DataDirOptions {
  readonly path: string;
  /** Default: the real filesystem. Tests pass a MemoryFileSystem. */
  readonly fs?: FileSystem;
  /**
   * Unflushed data is fsynced in the background within about this many ms (default 1000); 0
   * leaves it to the OS, as Kafka's defaults do (a topic's flush.ms / flush.messages still apply).
   */
  readonly flushIntervalMs?: number;
  /** Bytes of recently appended batches kept in memory for consumers that keep up (default 64 MiB). */
  readonly cacheBytes?: number;
}

/** What opening the directory found. */
export interface RecoverySummary {
  readonly cleanShutdown: boolean;
  readonly topics: number;
  readonly partitions: number;
  readonly batches: number;
  readonly bytes: number;
  /** Partitions whose tail was cut, with why. */
  readonly truncated: readonly string[];
  readonly indexesRebuilt: number;
  readonly swapsCompleted: number;
  /** Transactional ids restored into the transaction coordinator from __transaction_state. */
  readonly transactionsLoaded: number;
  /** Of those, transactions logged as PrepareCommit/PrepareAbort whose markers loading wrote. */
  readonly transactionsCompleted: number;
  readonly groups: number;
  readonly committedOffsets: number;
  readonly elapsedMs: number;
}

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
  constructor(
    readonly code: 'ERR_DATA_DIR_IN_USE' | 'ERR_DATA_DIR_INVALID',
    message: string,
  ) {
    super(message);
  }
}

// Directories open in this process, per filesystem: a second broker on one would corrupt it.
const openPaths = new WeakMap<object, Set<string>>();
const REAL_FS = {};
const dataDirs = new WeakMap<Cluster, DataDir>();

/** The data directory of a cluster, when it runs in durable mode. */
export function dataDirOf(cluster: Cluster): DataDir | undefined {
  return dataDirs.get(cluster);
}

interface LogEntry {
  readonly storage: DiskLog;
  readonly topic: Topic;
  readonly partition: Partition;
}

interface Recovering {
  readonly cleanShutdown: boolean;
  readonly recoveryPoints: Map<string, number>;
  readonly logStarts: Map<string, number>;
  readonly topicIds: Map<string, string>;
  readonly stats: { partitions: number; batches: number; bytes: number; truncated: string[]; indexesRebuilt: number; swapsCompleted: number };
}

export class DataDir implements TopicStore, DiskLogContext, CleanerCheckpointStore {
  readonly path: string;
  readonly fs: FileSystem;
  readonly cache: TailCache;
  readonly flushIntervalMs: number;
  readonly #host: DataDirHost;
  readonly #cluster: Cluster;
  readonly #store: ConfigStore;
  readonly #logger: Logger;
  readonly #logs = new Map<string, LogEntry>();
  #recovering: Recovering | null = null;
  #summary: RecoverySummary | null = null;
  /** __transaction_state as replayed at start (loaded into the transaction coordinator). */
  recoveredTransactions: ReadonlyMap<string, TransactionLogValue> = new Map();
  #producerIdBlockEnd = 0;
  #savedSections: Record<string, unknown> = {};
  #flushTimer: NodeJS.Timeout | null = null;
  #flushRound: Promise<void> | null = null;
  // The log-start checkpoint was written without fsync since the last flush.
  #logStartUnsynced = false;
  #closing: Promise<void> | null = null;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #open: Set<string>;
  /** cleaner-offset-checkpoint as found at start ("topic-partition"), and the topic ids of that run. */
  #savedCleaner = new Map<string, number>();
  #savedTopicIds = new Map<string, string>();

  private constructor(host: DataDirHost, opts: DataDirOptions) {
    this.#host = host;
    this.#cluster = host.cluster;
    this.#logger = host.logger;
    this.fs = opts.fs ?? new NodeFileSystem();
    this.path = opts.fs === undefined ? resolvePath(opts.path) : opts.path;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.cache = new TailCache(opts.cacheBytes ?? 64 * 1024 * 1024);
    this.#store = host.cluster.configs;
    const key = opts.fs ?? REAL_FS;
    let open = openPaths.get(key);
    if (open === undefined) openPaths.set(key, (open = new Set()));
    this.#open = open;
  }

  /**
   * Opens (creating it if needed) and recovers the data directory into the broker's cluster,
   * which must not have any topic yet. Synchronous: call it before `broker.listen()`.
   */
  static open(host: DataDirHost, opts: DataDirOptions): DataDir {
    if (host.cluster.topics.size > 0 || dataDirs.has(host.cluster)) throw new DataDirError('ERR_DATA_DIR_INVALID', 'a data directory must be opened before any topic exists');
    const d = new DataDir(host, opts);
    d.#lock();
    try {
      d.#recover();
    } catch (e) {
      d.#unlock();
      throw e;
    }
    dataDirs.set(host.cluster, d);
    d.#armFlusher();
    return d;
  }

  get summary(): RecoverySummary {
    return this.#summary!;
  }

  /** The storage of every durable partition (benchmarks, tests). */
  get logs(): readonly DiskLog[] {
    return [...this.#logs.values()].map((e) => e.storage);
  }

  // ---- opening ----

  #lock(): void {
    const fs = this.fs;
    if (this.#open.has(this.path)) throw new DataDirError('ERR_DATA_DIR_IN_USE', `data directory ${this.path} is already in use by a broker in this process`);
    fs.mkdir(this.path);
    if (fs.exists(this.path) && !fs.isDirectory(this.path)) throw new DataDirError('ERR_DATA_DIR_INVALID', `${this.path} is not a directory`);
    // "<pid>\n<boot id>\n<start time>\n": a lock from before a reboot, or torn by a power cut, is
    // stale; so is one whose pid is a zombie or now names another process (process-identity.ts).
    const lock = joinPath(this.path, LOCK_FILE);
    const m = /^(\d+)\n(.*)\n(?:(.*)\n)?$/.exec(fs.readFile(lock)?.toString('utf8') ?? '');
    const holder = m === null ? 0 : Number(m[1]);
    if (holder > 1 && holder !== process.pid && m![2] === bootId() && processIsAlive(holder, m![3] ?? '')) {
      throw new DataDirError('ERR_DATA_DIR_IN_USE', `data directory ${this.path} is in use by process ${holder}; stop it first (or remove ${lock} if that process is not a broker)`);
    }
    writeFileAtomic(fs, lock, Buffer.from(`${process.pid}\n${bootId()}\n${processStartTime()}\n`), false);
    this.#open.add(this.path);
  }

  #unlock(): void {
    this.fs.unlink(joinPath(this.path, LOCK_FILE));
    this.#open.delete(this.path);
  }

  #recover(): void {
    const started = performance.now();
    const fs = this.fs;
    const meta = readMetadataFile(fs, this.path);
    if (meta === null && fs.list(this.path).some((n) => parsePartitionDirName(n) !== null && fs.isDirectory(joinPath(this.path, n)))) {
      // Partition directories without our metadata file: a Kafka log directory, or someone
      // else's. Recovery would delete them as strays; refuse instead.
      throw new DataDirError('ERR_DATA_DIR_INVALID', `${this.path} holds partition directories but no minikafka-metadata.json; it is not a minikafka data directory (a Kafka log directory?), so it is left alone`);
    }
    // Written first, so that partition directories never exist without it.
    if (meta === null) this.#writeMetadata();
    const cleanShutdown = fs.exists(joinPath(this.path, CLEAN_SHUTDOWN_FILE));
    // From here on a crash is not a clean shutdown, whatever the last run did.
    if (cleanShutdown) {
      fs.unlink(joinPath(this.path, CLEAN_SHUTDOWN_FILE));
      fs.syncDir(this.path);
    }
    const topicIds = new Map((meta?.topics ?? []).map((t) => [t.name, t.id]));
    this.#savedCleaner = decodeOffsetCheckpoint(fs.readFile(joinPath(this.path, CLEANER_OFFSET_CHECKPOINT)));
    this.#savedTopicIds = topicIds;
    this.#cluster.logMaintenance.useCheckpointStore(this);
    this.#recovering = {
      cleanShutdown,
      recoveryPoints: decodeOffsetCheckpoint(fs.readFile(joinPath(this.path, RECOVERY_POINT_CHECKPOINT))),
      logStarts: decodeOffsetCheckpoint(fs.readFile(joinPath(this.path, LOG_START_OFFSET_CHECKPOINT))),
      topicIds,
      stats: { partitions: 0, batches: 0, bytes: 0, truncated: [], indexesRebuilt: 0, swapsCompleted: 0 },
    };
    this.#removeStrayDirectories(meta);
    const cluster = this.#cluster;
    if (meta !== null) {
      this.#store.setDynamicConfigs(null, new Map(Object.entries(meta.brokerConfigs.cluster)));
      const own = meta.brokerConfigs.nodes[String(this.#host.config.nodeId)];
      if (own !== undefined) this.#store.setDynamicConfigs(this.#host.config.nodeId, new Map(Object.entries(own)));
    }
    if (meta?.clientQuotas) cluster.quotas.load(meta.clientQuotas);
    for (const [groupId, configs] of Object.entries(meta?.groupConfigs ?? {})) cluster.groupConfigs.restore(groupId, new Map(Object.entries(configs)));
    // Sections no part of this broker owns (ACLs saved while an authorizer was on) are kept as read.
    this.#savedSections = { ...(meta?.sections ?? {}) };
    for (const s of this.#host.stateSections ?? []) {
      if (this.#savedSections[s.name] !== undefined) s.load(this.#savedSections[s.name]);
    }
    cluster.topics.store = this;
    for (const t of meta?.topics ?? []) cluster.topics.create(t.name, t.partitions, new Map(Object.entries(t.configs)), t.id);

    // Producer ids continue past the recorded block, and past any id the logs have seen.
    let next = meta?.producerIdBlockEnd ?? 0;
    for (const { partition } of this.#logs.values()) for (const e of partition.producerState.activeProducers()) next = Math.max(next, e.producerId + 1);
    this.#producerIdBlockEnd = next;
    cluster.producerIds.useBlocks(next, (from) => {
      this.#producerIdBlockEnd = from + PRODUCER_ID_BLOCK;
      this.#writeMetadata();
      return this.#producerIdBlockEnd;
    });

    // The internal topics: committed offsets first, with the transactional ones still pending, so
    // that the transaction coordinator's markers (loading completes PrepareCommit/PrepareAbort)
    // reach them through the group coordinator.
    let groups = { groups: 0, offsets: 0, pending: 0 };
    if (cluster.topics.get(OFFSETS_TOPIC) !== undefined) groups = replayOffsetsTopic(cluster, this.#host.groups, this.#logger);
    this.recoveredTransactions = replayTransactionState(cluster, this.#logger);
    let txns = { loaded: 0, completed: 0 };
    if (this.recoveredTransactions.size > 0) txns = this.#host.txns.load(this.recoveredTransactions);
    const shareStates = replayShareState(cluster, this.#host.shares, this.#logger);

    const stats = this.#recovering.stats;
    this.#recovering = null;
    this.#writeMetadata();
    this.#writeLogStartCheckpoint(true);
    this.#unsubscribe.push(this.#store.onChanged(() => this.#configsChanged()));
    this.#unsubscribe.push(cluster.quotas.onChange(() => this.#writeMetadata()));
    this.#unsubscribe.push(cluster.groupConfigs.onChange(() => this.#writeMetadata()));
    for (const s of this.#host.stateSections ?? []) this.#unsubscribe.push(s.onChange(() => this.#writeMetadata()));
    this.#unsubscribe.push(cluster.topics.onDeleted((topic) => this.#topicDeleted(topic)));
    this.#summary = {
      cleanShutdown,
      topics: cluster.topics.size,
      partitions: stats.partitions,
      batches: stats.batches,
      bytes: stats.bytes,
      truncated: stats.truncated,
      indexesRebuilt: stats.indexesRebuilt,
      swapsCompleted: stats.swapsCompleted,
      transactionsLoaded: txns.loaded,
      transactionsCompleted: txns.completed,
      groups: groups.groups,
      committedOffsets: groups.offsets,
      elapsedMs: performance.now() - started,
    };
    const s = this.#summary;
    this.#logger.info(
      `data directory ${this.path}: ${s.topics} topics, ${s.partitions} partitions, ${(s.bytes / 1048576).toFixed(1)} MiB recovered in ${s.elapsedMs.toFixed(0)} ms` +
        (cleanShutdown ? ' (after a clean shutdown)' : ' (after an unclean shutdown: tails checked)') +
        (s.groups > 0 ? `; ${s.groups} groups, ${s.committedOffsets} committed offsets` : '') +
        (shareStates > 0 ? `; ${shareStates} share-partition states` : ''),
    );
  }

  /** Partition directories of no topic (or of a deleted topic's old id, or a leftover -delete) go. */
  #removeStrayDirectories(meta: ClusterMetadata | null): void {
    const fs = this.fs;
    const topics = new Map((meta?.topics ?? []).map((t) => [t.name, t]));
    for (const name of fs.list(this.path)) {
      const dir = joinPath(this.path, name);
      if (!fs.isDirectory(dir)) continue;
      const parsed = parsePartitionDirName(name);
      const topic = parsed === null ? undefined : topics.get(parsed.topic);
      let stray = topic === undefined || parsed === null || parsed.partition >= topic.partitions;
      if (!stray) {
        const id = decodePartitionMetadata(fs.readFile(joinPath(dir, PARTITION_METADATA)) ?? Buffer.alloc(0));
        stray = id !== null && id !== topic!.id;
      }
      if (!stray) continue;
      this.#logger.warn(`data directory: removing ${dir}, which belongs to no topic (deleted before a crash?)`);
      fs.removeTree(dir);
    }
  }

  // ---- TopicStore ----

  newPartition(topic: Topic, index: number, logOptions: PartitionLogOptions): Partition {
    const key = partitionDirName(topic.name, index);
    const dir = joinPath(this.path, key);
    const settings = this.#settingsFor(topic);
    const r = this.#recovering;
    let made;
    if (r !== null && r.topicIds.get(topic.name) === topic.id && this.fs.isDirectory(dir)) {
      made = recoverDurablePartition(this, dir, topic.name, index, settings, logOptions, {
        recoveryPoint: r.recoveryPoints.get(key) ?? 0,
        logStartOffset: r.logStarts.get(key),
        cleanShutdown: r.cleanShutdown,
      });
      const rep = made.report!;
      if (!this.fs.exists(joinPath(dir, PARTITION_METADATA))) made.storage.writePartitionMetadata(topic.id);
      r.stats.partitions++;
      r.stats.batches += rep.batches;
      r.stats.bytes += rep.bytes;
      r.stats.indexesRebuilt += rep.indexesRebuilt;
      r.stats.swapsCompleted += rep.swapsCompleted;
      if (rep.truncated !== null) {
        r.stats.truncated.push(`${key}: ${rep.truncated.bytes} bytes (${rep.truncated.reason})`);
        this.#logger.warn(`${key}: cut ${rep.truncated.bytes} bytes from the end of the log: ${rep.truncated.reason}`);
      }
    } else {
      // A leftover directory of an older topic of this name must not leak into the new one.
      if (this.fs.exists(dir)) this.fs.removeTree(dir);
      made = createDurablePartition(this, dir, topic.name, index, topic.id, settings, logOptions);
      if (r !== null) r.stats.partitions++;
    }
    this.#logs.set(key, { storage: made.storage, topic, partition: made.partition });
    return made.partition;
  }

  topicsChanged(): void {
    if (this.#recovering === null) this.#writeMetadata();
  }

  // ---- DiskLogContext ----

  /**
   * Written at once, before DeleteRecords is answered, without fsync (a process crash keeps it);
   * the next flush makes it durable. A retention sweep rewrites it once per partition it moves.
   */
  logStartOffsetChanged(_log: DiskLog): void {
    if (this.#recovering !== null || this.#closing !== null) return;
    this.#writeLogStartCheckpoint(false);
  }

  // ---- changes ----

  #topicDeleted(topic: Topic): void {
    for (let i = 0; i < topic.partitions.length; i++) {
      const key = partitionDirName(topic.name, i);
      const e = this.#logs.get(key);
      if (e === undefined || e.topic !== topic) continue;
      e.storage.deleteAll();
      this.#logs.delete(key);
    }
  }

  #configsChanged(): void {
    if (this.#recovering !== null) return;
    for (const e of this.#logs.values()) e.storage.updateSettings(this.#settingsFor(e.topic));
    this.#writeMetadata();
  }

  #settingsFor(topic: Topic): DiskLogSettings {
    const flushMessages = this.#store.topicNumber(topic, 'flush.messages');
    return {
      indexIntervalBytes: Math.max(0, this.#store.topicNumber(topic, 'index.interval.bytes')),
      flushMessages: flushMessages >= LONG_MAX_AS_NUMBER ? Infinity : Math.max(1, flushMessages),
    };
  }

  /** How long data of this topic may stay unflushed: its flush.ms if set lower, else the interval. */
  #flushMsFor(topic: Topic): number {
    const own = this.#store.topicNumber(topic, 'flush.ms');
    const dev = this.flushIntervalMs > 0 ? this.flushIntervalMs : Infinity;
    return own >= LONG_MAX_AS_NUMBER ? dev : Math.min(own, dev);
  }

  #writeMetadata(): void {
    const topics = [...this.#cluster.topics.all()].map((t) => ({ name: t.name, id: t.id, partitions: t.partitions.length, configs: Object.fromEntries(t.configs) }));
    const nodeId = this.#host.config.nodeId;
    const own = this.#store.dynamicConfigs(nodeId);
    writeMetadataFile(this.fs, this.path, {
      clusterId: this.#cluster.clusterId,
      nodeId,
      topics,
      brokerConfigs: { cluster: Object.fromEntries(this.#store.dynamicConfigs(null)), nodes: own.size > 0 ? { [String(nodeId)]: Object.fromEntries(own) } : {} },
      producerIdBlockEnd: this.#producerIdBlockEnd,
      clientQuotas: this.#cluster.quotas.all(),
      groupConfigs: Object.fromEntries(this.#cluster.groupConfigs.names().map((g) => [g, Object.fromEntries(this.#cluster.groupConfigs.overrides(g))])),
      sections: { ...this.#savedSections, ...Object.fromEntries((this.#host.stateSections ?? []).map((s) => [s.name, s.save()])) },
    });
  }

  #checkpoint(of: (e: LogEntry) => number): Buffer {
    const entries: OffsetCheckpointEntry[] = [];
    for (const e of this.#logs.values()) entries.push({ topic: e.topic.name, partition: e.partition.partition, offset: of(e) });
    return encodeOffsetCheckpoint(entries);
  }

  savedCleanerCheckpoint(topic: Topic, partition: number): number | undefined {
    // A topic deleted and created again under the same name is a new log: its id tells them apart.
    if (this.#savedTopicIds.get(topic.name) !== topic.id) return undefined;
    return this.#savedCleaner.get(`${topic.name}-${partition}`);
  }

  /**
   * Written without fsync, as Kafka's: a lost or older cleaner checkpoint only makes the next pass
   * read more of the log.
   */
  saveCleanerCheckpoints(entries: readonly OffsetCheckpointEntry[]): void {
    writeFileAtomic(this.fs, joinPath(this.path, CLEANER_OFFSET_CHECKPOINT), encodeOffsetCheckpoint(entries), false);
  }

  #writeLogStartCheckpoint(durable: boolean): void {
    writeFileAtomic(this.fs, joinPath(this.path, LOG_START_OFFSET_CHECKPOINT), this.#checkpoint((e) => e.partition.log.logStartOffset), durable);
    this.#logStartUnsynced = !durable;
  }

  /**
   * Written without fsync: each recovery point was reached by a completed fsync of its data, so a
   * lost or older checkpoint only makes the next recovery check more, never less.
   */
  #writeRecoveryPoints(durable: boolean): void {
    writeFileAtomic(this.fs, joinPath(this.path, RECOVERY_POINT_CHECKPOINT), this.#checkpoint((e) => e.storage.recoveryPoint), durable);
  }

  // ---- flushing ----

  #armFlusher(): void {
    if (this.#closing !== null) return;
    const tick = this.flushIntervalMs > 0 ? Math.min(this.flushIntervalMs, 1000) : 1000;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      this.#flushRound = this.flushDue()
        .catch((e: unknown) => this.#logger.error(`background flush: ${(e as Error).message}`))
        .finally(() => {
          this.#flushRound = null;
          this.#armFlusher();
        });
    }, tick);
    // The flusher alone must not keep a process alive.
    this.#flushTimer.unref();
  }

  /** Flushes every log whose unflushed data is older than its flush interval. */
  async flushDue(): Promise<void> {
    const due = [...this.#logs.values()].filter((e) => e.storage.unflushed && e.storage.msSinceFlush >= this.#flushMsFor(e.topic));
    await this.#flush(due);
  }

  /** Flushes every log now (tests, benchmarks). */
  async flushAll(): Promise<void> {
    await this.#flush([...this.#logs.values()].filter((e) => e.storage.unflushed));
  }

  async #flush(entries: readonly LogEntry[]): Promise<void> {
    const results = await Promise.allSettled(entries.map((e) => e.storage.flush()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.#logger.error(`flush of ${entries[i]!.storage.dir} failed: ${(r.reason as Error).message}`);
    });
    if (this.#closing !== null) return;
    if (this.#logStartUnsynced) {
      syncFile(this.fs, joinPath(this.path, LOG_START_OFFSET_CHECKPOINT));
      this.#logStartUnsynced = false;
    }
    if (entries.length > 0) this.#writeRecoveryPoints(false);
  }

  // ---- closing ----

  /**
   * Clean shutdown, after the broker closed: waits for the cleaner's pass and a running flush,
   * then writes snapshots, indexes and checkpoints, fsyncs them, and marks the shutdown clean.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
      await this.#flushRound;
      await this.#cluster.logMaintenance.idle();
      for (const u of this.#unsubscribe.splice(0)) u();
      for (const e of this.#logs.values()) e.storage.close();
      const fs = this.fs;
      this.#writeRecoveryPoints(true);
      this.#writeLogStartCheckpoint(true);
      this.#writeMetadata();
      writeFileAtomic(fs, joinPath(this.path, CLEAN_SHUTDOWN_FILE), Buffer.alloc(0));
      if (this.#cluster.topics.store === this) this.#cluster.topics.store = null;
      dataDirs.delete(this.#cluster);
      this.#unlock();
    })();
    return this.#closing;
  }
}

let bootIdText: string | undefined;
/** Linux's id of this boot (a pid from another boot means nothing); '' elsewhere. */
function bootId(): string {
  if (bootIdText === undefined) {
    try {
      bootIdText = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdText = '';
    }
  }
  return bootIdText;
}
