/**
 * The transaction coordinator's log: the compacted internal topic __transaction_state, written in
 * Kafka's coordinator-record format (TransactionLog) so that Kafka's tools read it
 * (kafka-console-consumer with the TransactionLogMessageFormatter, kafka-dump-log
 * --transaction-log-decoder).
 *
 * A transactional id lives in partition abs(hash(transactionalId)) % transaction.state.log.num.partitions
 * (default 50), with Java's String.hashCode, as on Kafka.
 *
 * Record layout (no headers), one record per state change, one batch per record:
 *
 *   key   = int16 version (0) | TransactionLogKey v0     transactionalId: string
 *   value = int16 version (0) | TransactionLogValue v0   producerId int64, producerEpoch int16,
 *             transactionTimeoutMs int32, transactionStatus int8 (TXN_STATE_ID),
 *             transactionPartitions [topic, [partition]] (null when Empty),
 *             transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64
 *         or null: a tombstone, when the id expires
 *
 * The value is written at version 1 (flexible, with the tagged previousProducerId, nextProducerId
 * and clientTransactionVersion) once transaction.version 1 or above is finalized, at version 0
 * below, as Kafka's TransactionVersion.transactionLogValueVersion. Batches are v2, uncompressed,
 * CreateTime, without a producer, as Kafka writes them (compression is enforced to none).
 *
 * Deviations from Kafka: the topic is created synchronously on first use (Kafka answers
 * COORDINATOR_NOT_AVAILABLE while it creates it); it is not compacted. In durable mode it is read
 * back at start (persistence/internal-topics.ts) and loaded into the coordinator.
 */
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import { readTransactionLogKey, readTransactionLogValue, writeTransactionLogKey, writeTransactionLogValue } from '../../../protocol/coordinator-records/index.js';
import type { TransactionLogValue } from '../../../protocol/coordinator-records/index.js';
import { buildBatchSync } from '../../../protocol/records/index.js';
import { createTopic } from '../../cluster/topic-create.js';
import { partitionForKey } from '../partition-for-key.js';
import type { Cluster } from '../../cluster/cluster.js';
import { Feature } from '../../cluster/features.js';
import type { BrokerConfig } from '../../cluster/broker-config.js';
import type { Topic } from '../../cluster/topics.js';
import type { Partition } from '../../../log/partition.js';
import type { Clock } from '../../../util/clock.js';
import { TXN_STATE_ID, TxnState } from './transaction-metadata.js';
import type { TxnTransit } from './transaction-metadata.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

const KEY_VERSION = 0;

/** The value version Kafka writes at a finalized transaction.version. */
export function transactionLogValueVersion(transactionVersion: number): number {
  return transactionVersion >= 1 ? 1 : 0;
}

export interface TransactionStateLogSettings {
  readonly numPartitions: number;
  readonly segmentBytes: number;
  readonly minInsyncReplicas: number;
}

/** The key of a transactional id's records. */
export function transactionLogKey(transactionalId: string): Buffer {
  const w = new Writer(32 + transactionalId.length);
  w.int16(KEY_VERSION);
  writeTransactionLogKey(w, KEY_VERSION, { transactionalId });
  return w.toBuffer();
}

/** The value of a state change, as Kafka's TransactionLog.valueToBytes. */
export function transactionLogValue(t: TxnTransit, valueVersion = 0): Buffer {
  if (t.state === TxnState.EMPTY && t.partitions.size > 0) throw new Error(`an Empty transaction has no partitions: ${JSON.stringify([...t.partitions.keys()])}`);
  const value: TransactionLogValue = {
    producerId: BigInt(t.producerId),
    // Kafka's previous producer id is the one a rotation left; -1 until there was one. Version 0
    // has none of the tagged fields.
    previousProducerId: BigInt(valueVersion >= 1 && t.producerId !== t.prevProducerId ? t.prevProducerId : -1),
    nextProducerId: BigInt(valueVersion >= 1 ? t.nextProducerId : -1),
    nextProducerEpoch: -1,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.txnTimeoutMs,
    transactionStatus: TXN_STATE_ID[t.state],
    transactionPartitions: t.state === TxnState.EMPTY ? null : [...t.partitions].map(([topic, ps]) => ({ topic, partitionIds: [...ps] })),
    transactionLastUpdateTimestampMs: BigInt(t.txnLastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(t.txnStartTimestamp),
    clientTransactionVersion: valueVersion >= 1 ? t.clientTransactionVersion : 0,
  };
  const w = new Writer(64);
  w.int16(valueVersion);
  writeTransactionLogValue(w, valueVersion, value);
  return w.toBuffer();
}

/** Reads a record back (the replay side of the format; tests use it). */
export function decodeTransactionLogRecord(key: Buffer, value: Buffer | null): { transactionalId: string; value: TransactionLogValue | null } {
  const kr = new Reader(key);
  const keyVersion = kr.int16();
  const { transactionalId } = readTransactionLogKey(kr, keyVersion);
  if (value === null) return { transactionalId, value: null };
  const vr = new Reader(value);
  const valueVersion = vr.int16();
  return { transactionalId, value: readTransactionLogValue(vr, valueVersion) };
}

export class TransactionStateLog {
  constructor(
    private readonly cluster: Cluster,
    private readonly config: BrokerConfig,
    private readonly clock: Clock,
    readonly settings: TransactionStateLogSettings,
  ) {}

  /** The topic, created if it does not exist (also after someone deleted it). */
  topic(): Topic {
    const existing = this.cluster.topics.get(TRANSACTION_STATE_TOPIC);
    if (existing) return existing;
    // Kafka's TransactionStateManager.transactionTopicConfigs.
    const configs = new Map([
      ['unclean.leader.election.enable', 'false'],
      ['compression.type', 'uncompressed'],
      ['cleanup.policy', 'compact'],
      ['min.insync.replicas', String(this.settings.minInsyncReplicas)],
      ['segment.bytes', String(this.settings.segmentBytes)],
    ]);
    return createTopic(this.cluster, this.config, { name: TRANSACTION_STATE_TOPIC, numPartitions: this.settings.numPartitions, configs });
  }

  partitionIndexFor(transactionalId: string): number {
    return partitionForKey(transactionalId, this.topic().partitions.length);
  }

  partitionFor(transactionalId: string): Partition {
    const topic = this.topic();
    return topic.partitions[partitionForKey(transactionalId, topic.partitions.length)]!;
  }

  /** Writes a state change (or, with null, a tombstone) as one batch. */
  append(transactionalId: string, transit: TxnTransit | null): void {
    const partition = this.partitionFor(transactionalId);
    const baseOffset = partition.log.logEndOffset;
    const now = this.clock.now();
    const valueVersion = transactionLogValueVersion(this.cluster.features.level(Feature.TRANSACTION_VERSION));
    const value = transit === null ? null : transactionLogValue(transit, valueVersion);
    const batch = buildBatchSync([{ key: transactionLogKey(transactionalId), value, timestamp: now }], {
      baseOffset,
      partitionLeaderEpoch: partition.leaderEpoch,
      baseTimestamp: now,
      maxTimestamp: now,
    });
    partition.append(batch, { baseOffset, lastOffset: baseOffset, maxTimestamp: now, recordCount: 1 });
  }
}
