/**
 * Reading __share_group_state back at start (durable mode), as Kafka's share coordinator loads
 * its partitions: the latest ShareSnapshot of each share-partition (a tombstone deletes it) is
 * restored into the share coordinator, its group coming back Empty (members rejoin). States of
 * topics that no longer exist are skipped. See coordinators/share/share-state-log.ts.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { Logger } from '../../util/logger.js';
import type { ShareCoordinator } from '../coordinators/share/share-coordinator.js';
import { SHARE_STATE_TOPIC, decodeShareStateRecord } from '../coordinators/share/share-state-log.js';
import type { ShareSnapshotValue } from '../../protocol/coordinator-records/index.js';
import type { InFlightRange, RecordStateId } from '../coordinators/share/in-flight-ranges.js';
import { batchesOf } from './internal-topics.js';

/** Restores every share-partition state; returns how many. */
export function replayShareState(cluster: Cluster, shares: ShareCoordinator, logger: Logger): number {
  const topic = cluster.topics.get(SHARE_STATE_TOPIC);
  if (topic === undefined) return 0;
  const latest = new Map<string, { groupId: string; topicId: string; partition: number; value: ShareSnapshotValue }>();
  for (const p of topic.partitions) {
    try {
      for (const b of batchesOf(p)) {
        for (const r of b.records) {
          if (r.key === null) continue;
          const rec = decodeShareStateRecord(r.key, r.value);
          if (rec === null) continue;
          const k = `${rec.key.groupId}\0${rec.key.topicId}\0${rec.key.partition}`;
          if (rec.value === null) latest.delete(k);
          else latest.set(k, { groupId: rec.key.groupId, topicId: rec.key.topicId, partition: rec.key.partition, value: rec.value });
        }
      }
    } catch (e) {
      logger.warn(`${SHARE_STATE_TOPIC}-${p.partition}: unreadable record, the rest of the partition is skipped: ${(e as Error).message}`);
    }
  }
  let restored = 0;
  for (const s of latest.values()) {
    const partition = cluster.topics.getById(s.topicId)?.partitions[s.partition];
    if (partition === undefined) continue;
    const ranges: InFlightRange[] = s.value.stateBatches.map((b) => ({
      first: Number(b.firstOffset),
      last: Number(b.lastOffset),
      state: b.deliveryState as RecordStateId,
      deliveryCount: b.deliveryCount,
      memberId: null,
      lockDeadline: 0,
    }));
    shares.restorePartition(s.groupId, s.topicId, partition, Number(s.value.startOffset), s.value.stateEpoch, ranges);
    restored++;
  }
  return restored;
}
