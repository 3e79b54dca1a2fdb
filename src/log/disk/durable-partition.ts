/**
 * Building a Partition on a directory: new (create) or from what a previous run left (recover).
 * The server's data directory (src/server/persistence/) and the log tests both go through here,
 * so that the order of the steps (log, epochs, partition, producer state, storage attached) is
 * written once.
 */
import { Partition } from '../partition.js';
import { PartitionLog } from '../partition-log.js';
import type { PartitionLogOptions } from '../partition-log.js';
import { DiskLog } from './disk-log.js';
import type { DiskLogContext, DiskLogSettings } from './disk-log.js';
import { recoverPartition } from './log-recovery.js';
import type { RecoveryOptions, RecoveryReport } from './log-recovery.js';

export interface DurablePartition {
  readonly partition: Partition;
  readonly storage: DiskLog;
  /** Null for a new partition. */
  readonly report: RecoveryReport | null;
}

export function createDurablePartition(ctx: DiskLogContext, dir: string, topic: string, index: number, topicId: string, settings: DiskLogSettings, logOptions: PartitionLogOptions): DurablePartition {
  const storage = DiskLog.create(ctx, dir, topic, index, topicId, settings);
  const log = new PartitionLog({ ...logOptions, storage });
  const partition = new Partition({ topic, partition: index, log });
  storage.attach(partition);
  storage.writeLeaderEpochCheckpoint(false);
  return { partition, storage, report: null };
}

export function recoverDurablePartition(
  ctx: DiskLogContext,
  dir: string,
  topic: string,
  index: number,
  settings: DiskLogSettings,
  logOptions: PartitionLogOptions,
  opts: Omit<RecoveryOptions, 'memoryIndexIntervalBytes' | 'now'>,
): DurablePartition {
  const now = logOptions.clock?.now() ?? Date.now();
  const memoryIndexIntervalBytes = logOptions.config?.indexIntervalBytes ?? 0;
  const r = recoverPartition(ctx, dir, topic, index, settings, { ...opts, memoryIndexIntervalBytes, now });
  const log = new PartitionLog({ ...logOptions, storage: r.storage, recovered: r.recovered });
  r.restoreEpochs(log.leaderEpochCache);
  // A restart is a new leadership term (the Partition records the epoch at the log end).
  const partition = new Partition({ topic, partition: index, log, leaderEpoch: r.nextLeaderEpoch });
  r.restoreProducers(partition);
  return { partition, storage: r.storage, report: r.report };
}
