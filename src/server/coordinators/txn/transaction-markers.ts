/**
 * Transaction markers: the COMMIT/ABORT control batch the coordinator writes into every partition
 * of a transaction once its outcome is decided, each taking an offset of its own (Kafka's
 * TransactionMarkerChannelManager and the WriteTxnMarkers path of KafkaApis).
 *
 * Kafka sends markers over the network to each partition's leader and completes the transaction
 * when all have answered. Here every partition is in this process, so the cluster writer appends
 * them directly, in the same synchronous turn as the EndTxn that decided them: the Prepare states
 * are never observable from outside. The writer is injected (MarkerWriter) so that tests can hold
 * markers back and watch the coordinator wait for them.
 *
 * Markers for a __consumer_offsets partition go through the group coordinator, which writes the
 * marker into its partition and makes the transaction's pending offsets visible (commit) or drops
 * them (abort), as Kafka's new group coordinator does.
 *
 * A partition that no longer exists (its topic was deleted) is skipped, as Kafka does. A marker the
 * partition refuses (an older producer or coordinator epoch than the partition has seen) is
 * skipped too: that transaction can no longer be affected by it.
 */
import { ErrorCode } from '../../../protocol/errors.js';
import { ControlRecordType, buildControlBatch } from '../../../protocol/records/index.js';
import type { Partition } from '../../../log/partition.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Logger } from '../../../util/logger.js';
import type { TxnPartition } from './transaction-metadata.js';

export interface TxnMarker {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly commit: boolean;
}

/**
 * Writes `marker` into every partition and then calls `done`, now or later. `done` is called once,
 * whatever happened to each partition.
 */
export type MarkerWriter = (marker: TxnMarker, partitions: readonly TxnPartition[], done: () => void) => void;

/** Writes markers into __consumer_offsets partitions (the group coordinator's job). */
export type OffsetsMarkerWriter = (partition: number, marker: TxnMarker) => number;

export const OFFSETS_TOPIC_NAME = '__consumer_offsets';

/**
 * Appends one marker to one partition as its leader would: checked against the partition's
 * producer state first (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED). Returns the
 * error code.
 */
export function appendTxnMarker(partition: Partition, marker: TxnMarker, now: number): number {
  const baseOffset = partition.log.logEndOffset;
  const refused = partition.producerState.checkMarker(marker.producerId, marker.producerEpoch, marker.coordinatorEpoch, baseOffset);
  if (refused !== null) return ErrorCode[refused.error];
  const batch = buildControlBatch({
    type: marker.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    coordinatorEpoch: marker.coordinatorEpoch,
    baseOffset,
    partitionLeaderEpoch: partition.leaderEpoch,
    timestamp: now,
  });
  partition.append(batch, {
    baseOffset,
    lastOffset: baseOffset,
    maxTimestamp: now,
    recordCount: 1,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
    marker: { commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch },
  });
  return ErrorCode.NONE;
}

/**
 * Writes one marker into one partition of the cluster, by name; UNKNOWN_TOPIC_OR_PARTITION when it
 * does not exist. Used by the coordinator's writer and by WriteTxnMarkers.
 */
export function writeMarkerTo(cluster: Cluster, offsetsWriter: OffsetsMarkerWriter, topic: string, partitionIndex: number, marker: TxnMarker): number {
  if (topic === OFFSETS_TOPIC_NAME) {
    if (cluster.topics.partition(topic, partitionIndex) === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return offsetsWriter(partitionIndex, marker);
  }
  const partition = cluster.topics.partition(topic, partitionIndex);
  if (partition === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  return appendTxnMarker(partition, marker, cluster.clock.now());
}

/** The production writer: every marker now, in this turn. */
export function clusterMarkerWriter(cluster: Cluster, offsetsWriter: OffsetsMarkerWriter, logger: Logger): MarkerWriter {
  return (marker, partitions, done) => {
    for (const p of partitions) {
      const code = writeMarkerTo(cluster, offsetsWriter, p.topic, p.partition, marker);
      if (code !== ErrorCode.NONE) {
        logger.info(`transaction marker (${marker.commit ? 'COMMIT' : 'ABORT'}) for producer ${marker.producerId} epoch ${marker.producerEpoch} skipped on ${p.topic}-${p.partition}: error ${code}`);
      }
    }
    done();
  };
}
