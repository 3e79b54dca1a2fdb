/**
 * Reading the internal topics back at start (durable mode), as Kafka's coordinators load their
 * partitions when they become leader:
 *
 * - __consumer_offsets: committed offsets and groups. Records are applied in offset order; a
 *   transactional offset commit waits for its producer's marker (COMMIT applies it unless a later
 *   commit of the same partition was already applied, ABORT drops it); a tombstone deletes.
 *   Groups come back Empty (GroupCoordinator.restoreGroup); a group with offsets but no metadata
 *   record is a "simple" group, as when it was created by a manual commit.
 * - __transaction_state: the latest state of each transactional id, which the transaction
 *   coordinator loads (TransactionCoordinator.load): open transactions stay open (the data
 *   partitions' producer state keeps them open too, holding the last stable offset) until their
 *   producer ends them or they time out; logged commits and aborts get their markers.
 */
import { BatchAttribute, BatchLayout, ControlRecordType, RecordCursor, readControlRecordType, readInt64, recordsSectionSync } from '../../protocol/records/index.js';
import type { TransactionLogValue } from '../../protocol/coordinator-records/index.js';
import type { Partition } from '../../log/partition.js';
import type { Topic } from '../cluster/topics.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Logger } from '../../util/logger.js';
import { decodeCoordinatorRecord, OFFSETS_TOPIC } from '../coordinators/group/offsets-topic.js';
import type { GroupCoordinator } from '../coordinators/group/group-coordinator.js';
import type { CommittedOffset } from '../coordinators/group/offset-store.js';
import { decodeTransactionLogRecord, TRANSACTION_STATE_TOPIC } from '../coordinators/txn/transaction-state-log.js';

interface RecordView {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The record's offset. */
  readonly offset: number;
}

interface BatchView {
  readonly producerId: number;
  readonly transactional: boolean;
  /** For a control batch: COMMIT (true) / ABORT (false); undefined otherwise. */
  readonly commit: boolean | undefined;
  readonly records: RecordView[];
}

/** Every batch of a partition from its log start, decoded (internal topics are never zstd). */
export function* batchesOf(partition: Partition): Generator<BatchView> {
  const log = partition.log;
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { batches } = log.read(offset, 8 * 1024 * 1024, { minOneBatch: true });
    if (batches.length === 0) return;
    for (const b of batches) {
      const base = readInt64(b, BatchLayout.BASE_OFFSET);
      offset = base + b.readInt32BE(BatchLayout.LAST_OFFSET_DELTA) + 1;
      const attributes = b.readInt16BE(BatchLayout.ATTRIBUTES);
      const records: RecordView[] = [];
      const c = new RecordCursor(recordsSectionSync(b, 0), b.readInt32BE(BatchLayout.RECORDS_COUNT));
      while (c.next()) records.push({ key: c.key(), value: c.value(), offset: base + c.offsetDelta });
      let commit: boolean | undefined;
      if ((attributes & BatchAttribute.CONTROL) !== 0) {
        const type = records.length > 0 ? readControlRecordType(records[0]!.key) : -1;
        if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) continue;
        commit = type === ControlRecordType.COMMIT;
      }
      yield { producerId: readInt64(b, BatchLayout.PRODUCER_ID), transactional: (attributes & BatchAttribute.TRANSACTIONAL) !== 0, commit, records };
    }
  }
}

// ---- __transaction_state ----

/** The latest state of every transactional id in __transaction_state (tombstoned ids left out). */
export function replayTransactionState(cluster: Cluster, logger: Logger): Map<string, TransactionLogValue> {
  const out = new Map<string, TransactionLogValue>();
  const topic = cluster.topics.get(TRANSACTION_STATE_TOPIC);
  if (topic === undefined) return out;
  for (const p of topic.partitions) {
    try {
      for (const b of batchesOf(p)) {
        for (const r of b.records) {
          if (r.key === null) continue;
          const { transactionalId, value } = decodeTransactionLogRecord(r.key, r.value);
          if (value === null) out.delete(transactionalId);
          else out.set(transactionalId, value);
        }
      }
    } catch (e) {
      logger.warn(`${TRANSACTION_STATE_TOPIC}-${p.partition}: unreadable record, the rest of the partition is skipped: ${(e as Error).message}`);
    }
  }
  return out;
}

// ---- __consumer_offsets ----

interface ReplayedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly value: CommittedOffset;
  /** Offset of the record in __consumer_offsets: a later record wins. */
  readonly recordOffset: number;
}

interface ReplayedGroup {
  readonly type: 'classic' | 'consumer';
  readonly protocolType: string | null;
  readonly generation: number;
}

export interface OffsetsReplay {
  readonly groups: number;
  readonly offsets: number;
  readonly pending: number;
}

/** Loads committed offsets and groups from __consumer_offsets into the group coordinator. */
export function replayOffsetsTopic(cluster: Cluster, coordinator: GroupCoordinator, logger: Logger): OffsetsReplay {
  const topic: Topic | undefined = cluster.topics.get(OFFSETS_TOPIC);
  const result = { groups: 0, offsets: 0, pending: 0 };
  if (topic === undefined) return result;
  for (const p of topic.partitions) {
    const offsets = new Map<string, Map<string, ReplayedOffset>>();
    const groups = new Map<string, ReplayedGroup | null>();
    const pending = new Map<number, { group: string; o: ReplayedOffset }[]>();
    const put = (group: string, o: ReplayedOffset) => {
      let g = offsets.get(group);
      if (g === undefined) offsets.set(group, (g = new Map()));
      const key = `${o.topic}\u0000${o.partition}`;
      const current = g.get(key);
      if (current === undefined || current.recordOffset < o.recordOffset) g.set(key, o);
    };
    try {
      for (const b of batchesOf(p)) {
        if (b.commit !== undefined) {
          const list = pending.get(b.producerId) ?? [];
          pending.delete(b.producerId);
          if (b.commit) for (const x of list) put(x.group, x.o);
          continue;
        }
        for (const r of b.records) {
          if (r.key === null) continue;
          const rec = decodeCoordinatorRecord(r.key, r.value);
          if (rec.type === 'offset-commit') {
            const group = rec.key.group;
            if (rec.value === null) {
              if (!b.transactional) offsets.get(group)?.delete(`${rec.key.topic}\u0000${rec.key.partition}`);
              continue;
            }
            const v = rec.value;
            const o: ReplayedOffset = {
              topic: rec.key.topic,
              partition: rec.key.partition,
              recordOffset: r.offset,
              value: {
                offset: v.offset,
                leaderEpoch: v.leaderEpoch,
                metadata: v.metadata,
                commitTimestampMs: Number(v.commitTimestamp),
                expireTimestampMs: v.expireTimestamp >= 0n ? Number(v.expireTimestamp) : null,
              },
            };
            if (b.transactional && b.producerId >= 0) {
              let list = pending.get(b.producerId);
              if (list === undefined) pending.set(b.producerId, (list = []));
              list.push({ group, o });
            } else put(group, o);
          } else if (rec.type === 'group-metadata') {
            groups.set(rec.key.group, rec.value === null ? null : { type: 'classic', protocolType: rec.value.protocolType, generation: rec.value.generation });
          } else if (rec.recordType === 3) {
            // ConsumerGroupMetadata: the group epoch record opens and (tombstone) closes a consumer group.
            groups.set(rec.key.groupId, rec.value === null ? null : { type: 'consumer', protocolType: 'consumer', generation: 0 });
          }
        }
      }
    } catch (e) {
      logger.warn(`${OFFSETS_TOPIC}-${p.partition}: unreadable record, the rest of the partition is skipped: ${(e as Error).message}`);
    }
    for (const [groupId, g] of groups) {
      if (g === null) continue;
      coordinator.restoreGroup(groupId, g.type, g.protocolType, g.generation);
      result.groups++;
    }
    for (const [groupId, byPartition] of offsets) {
      if (byPartition.size === 0) continue;
      if (coordinator.group(groupId) === undefined) {
        coordinator.restoreGroup(groupId, 'classic', null, 0);
        result.groups++;
      }
      for (const o of byPartition.values()) {
        coordinator.offsets.put(groupId, o.topic, o.partition, o.value);
        result.offsets++;
      }
    }
    // Transactions still open here (a coordinator will end them): their offsets wait, as before.
    for (const [producerId, list] of pending) {
      for (const { group, o } of list) {
        if (coordinator.group(group) === undefined) coordinator.restoreGroup(group, 'classic', null, 0);
        coordinator.txnOffsets.add(producerId, group, o.topic, o.partition, o.value, o.recordOffset, coordinator.offsets.get(group, o.topic, o.partition));
        result.pending++;
      }
    }
  }
  return result;
}
