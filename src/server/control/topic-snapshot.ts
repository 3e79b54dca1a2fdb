/**
 * Topics as a named snapshot keeps them (snapshots.ts): for each topic its name, id, config
 * overrides and replica sets, and for each partition its log and the state derived from it.
 *
 * Cheap by design: a batch in a log is an immutable Buffer (the produce path stamps offsets and
 * epochs before the log gets it, and nothing writes into it afterwards; compaction and
 * truncation drop or replace whole batches), so a snapshot keeps references to the batches and
 * their offsets, never a copy of their bytes. Restoring appends the same Buffers to a new log, so
 * the snapshot is never handed to a log that could change it, and restoring twice gives the same
 * state twice. (Under a memory budget a spilled batch is read back once, when the snapshot is
 * taken, and then held in memory.)
 *
 * Kept per partition besides the batches: the log start offset (DeleteRecords), the leader epoch
 * history (OffsetForLeaderEpoch), the producer state (idempotent producers carry on without
 * OUT_OF_ORDER_SEQUENCE; open transactions keep holding the last stable offset) and the aborted
 * transactions index (read_committed fetches).
 */
import type { AbortedTxn } from '../../log/transaction-index.js';
import type { BatchMetadata } from '../../log/producer-state.js';
import type { EpochEntry } from '../../log/leader-epoch-cache.js';
import type { Partition } from '../../log/partition.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Topic } from '../cluster/topics.js';

interface SavedBatch {
  readonly buffer: Buffer;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
}

interface SavedProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly lastTimestamp: number;
  readonly batches: readonly BatchMetadata[];
  readonly currentTxnFirstOffset: number | null;
}

interface SavedPartition {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly leaderEpoch: number;
  readonly epochs: readonly EpochEntry[];
  readonly replicas: readonly number[];
  readonly batches: readonly SavedBatch[];
  readonly producers: readonly SavedProducer[];
  readonly aborted: readonly AbortedTxn[];
}

export interface SavedTopic {
  readonly name: string;
  readonly id: string;
  readonly configs: ReadonlyMap<string, string>;
  readonly partitions: readonly SavedPartition[];
}

/** Every topic as it is now (internal ones too: committed offsets and transactions live there). */
export function captureTopics(cluster: Cluster): SavedTopic[] {
  return [...cluster.topics.all()].map((topic) => ({
    name: topic.name,
    id: topic.id,
    configs: new Map(topic.configs),
    partitions: topic.partitions.map((p, i) => capturePartition(p, cluster.replicasFor(topic, i))),
  }));
}

function capturePartition(p: Partition, replicas: readonly number[]): SavedPartition {
  const log = p.log;
  const start = log.logStartOffset;
  const batches: SavedBatch[] = [];
  for (const seg of log.segments) {
    for (let slot = 0; slot < seg.batchCount; slot++) {
      const lastOffset = seg.batchLastOffset(slot);
      // Batches wholly below the log start (DeleteRecords, before retention drops their segment) are gone for clients.
      if (lastOffset < start) continue;
      batches.push({ buffer: seg.batch(slot), baseOffset: seg.batchBaseOffset(slot), lastOffset, maxTimestamp: seg.batchMaxTimestamp(slot) });
    }
  }
  const producers: SavedProducer[] = [];
  for (const e of p.producerState.activeProducers()) {
    producers.push({
      producerId: e.producerId,
      producerEpoch: e.producerEpoch,
      coordinatorEpoch: e.coordinatorEpoch,
      lastTimestamp: e.lastTimestamp,
      batches: [...e.batches],
      currentTxnFirstOffset: e.currentTxnFirstOffset,
    });
  }
  return {
    logStartOffset: start,
    logEndOffset: log.logEndOffset,
    leaderEpoch: p.leaderEpoch,
    epochs: log.leaderEpochCache.entries(),
    replicas: [...replicas],
    batches,
    producers,
    aborted: [...p.txnIndex.entries()],
  };
}

/** Batches and bytes a snapshot of these topics refers to. */
export function sizeOf(topics: readonly SavedTopic[]): { partitions: number; batches: number; bytes: number } {
  let partitions = 0;
  let batches = 0;
  let bytes = 0;
  for (const t of topics) {
    for (const p of t.partitions) {
      partitions++;
      batches += p.batches.length;
      for (const b of p.batches) bytes += b.buffer.length;
    }
  }
  return { partitions, batches, bytes };
}

/**
 * Makes a saved topic again, under its saved id, with its logs as saved. The cluster must not
 * hold a topic of that name. `minEpoch(i)`: the leader epoch partition i must exceed (the highest
 * a client may have seen for this topic id), so that clients accept the restored leadership.
 */
export function restoreTopic(cluster: Cluster, saved: SavedTopic, minEpoch: (partition: number) => number): Topic {
  const topic = cluster.topics.create(saved.name, saved.partitions.length, new Map(saved.configs), saved.id);
  saved.partitions.forEach((s, i) => restorePartition(topic.partitions[i]!, s, minEpoch(i)));
  const manual = saved.partitions.map((s, i) => ({ partitionIndex: i, brokerIds: s.replicas }));
  const placed = manual.every((m) => m.brokerIds.length > 0);
  cluster.replicas.place(topic, placed ? manual[0]!.brokerIds.length : 1, placed ? manual : undefined);
  return topic;
}

function restorePartition(p: Partition, s: SavedPartition, minEpoch: number): void {
  const log = p.log;
  const first = s.batches[0]?.baseOffset ?? s.logEndOffset;
  if (first > 0) log.truncateFullyAndStartAt(first);
  // The log's own append: no producer checks, no listeners (nobody can hold the new partition yet).
  for (const b of s.batches) log.append(b.buffer, { baseOffset: b.baseOffset, lastOffset: b.lastOffset, maxTimestamp: b.maxTimestamp });
  log.updateHighWatermark(log.logEndOffset);
  if (s.logStartOffset > log.logStartOffset) log.deleteRecordsBefore(s.logStartOffset);
  log.leaderEpochCache.clear();
  for (const e of s.epochs) log.leaderEpochCache.assign(e.epoch, e.startOffset);
  // A new leadership term: a client that saw a later epoch of this topic id before the restore
  // would otherwise ignore the restored metadata as stale.
  while (p.leaderEpoch <= Math.max(s.leaderEpoch, minEpoch)) p.bumpLeaderEpoch();
  // Open transactions go in increasing first offset, as the producer state requires.
  const producers = [...s.producers].sort((a, b) => (a.currentTxnFirstOffset ?? Infinity) - (b.currentTxnFirstOffset ?? Infinity));
  for (const e of producers) {
    const batches = e.batches.length === 0 ? [null] : e.batches;
    for (const b of batches) p.producerState.loadEntry(e.producerId, e.producerEpoch, e.coordinatorEpoch, e.lastTimestamp, b, e.currentTxnFirstOffset);
  }
  log.setFirstUnstableOffset(p.producerState.firstUnstableOffset());
  for (const a of s.aborted) p.txnIndex.append(a);
}
