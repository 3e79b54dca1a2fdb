/**
 * Producer state snapshots (`<offset>.snapshot`), in Kafka's format, version 1
 * (ProducerStateManager.writeSnapshot). All integers big-endian.
 *
 *   0   int16   version (1)
 *   2   uint32  CRC-32C of every byte from offset 6 to the end
 *   6   int32   number of entries, then per producer:
 *         int64  producer id
 *         int16  producer epoch
 *         int32  last sequence (-1: none)
 *         int64  last offset of the producer's last data batch (-1: none, e.g. only a marker)
 *         int32  offset delta of that batch (lastOffset - firstOffset)
 *         int64  timestamp: max timestamp of the producer's last write
 *         int32  coordinator epoch of its last transaction marker (-1: none)
 *         int64  first offset of its open transaction (-1: none)
 *
 * The file's offset is where the state holds: every batch below it is reflected, none at or above
 * it. Like Kafka, only the last batch of each producer is kept, so after a restart duplicate
 * detection covers one batch per producer until it writes again (Kafka: the same).
 */
import { crc32cRange } from '../../protocol/records/index.js';

const VERSION = 1;
const CRC_AT = 2;
const ENTRIES_AT = 6;
const ENTRY_SIZE = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

export interface SnapshotEntry {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly lastSequence: number;
  readonly lastOffset: number;
  readonly offsetDelta: number;
  readonly timestamp: number;
  readonly coordinatorEpoch: number;
  /** -1: no open transaction. */
  readonly currentTxnFirstOffset: number;
}

export function encodeProducerSnapshot(entries: readonly SnapshotEntry[]): Buffer {
  const buf = Buffer.alloc(ENTRIES_AT + 4 + entries.length * ENTRY_SIZE);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(entries.length, ENTRIES_AT);
  let p = ENTRIES_AT + 4;
  for (const e of entries) {
    buf.writeBigInt64BE(BigInt(e.producerId), p);
    buf.writeInt16BE(e.producerEpoch, p + 8);
    buf.writeInt32BE(e.lastSequence, p + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), p + 14);
    buf.writeInt32BE(e.offsetDelta, p + 22);
    buf.writeBigInt64BE(BigInt(e.timestamp), p + 26);
    buf.writeInt32BE(e.coordinatorEpoch, p + 34);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), p + 38);
    p += ENTRY_SIZE;
  }
  buf.writeUInt32BE(crc32cRange(buf, ENTRIES_AT, buf.length), CRC_AT);
  return buf;
}

/** The entries of a snapshot, or null when it is torn, corrupt or of another version. */
export function decodeProducerSnapshot(buf: Buffer): SnapshotEntry[] | null {
  if (buf.length < ENTRIES_AT + 4 || buf.readInt16BE(0) !== VERSION) return null;
  if (buf.readUInt32BE(CRC_AT) !== crc32cRange(buf, ENTRIES_AT, buf.length)) return null;
  const n = buf.readInt32BE(ENTRIES_AT);
  if (n < 0 || buf.length !== ENTRIES_AT + 4 + n * ENTRY_SIZE) return null;
  const out: SnapshotEntry[] = [];
  for (let i = 0, p = ENTRIES_AT + 4; i < n; i++, p += ENTRY_SIZE) {
    out.push({
      producerId: Number(buf.readBigInt64BE(p)),
      producerEpoch: buf.readInt16BE(p + 8),
      lastSequence: buf.readInt32BE(p + 10),
      lastOffset: Number(buf.readBigInt64BE(p + 14)),
      offsetDelta: buf.readInt32BE(p + 22),
      timestamp: Number(buf.readBigInt64BE(p + 26)),
      coordinatorEpoch: buf.readInt32BE(p + 34),
      currentTxnFirstOffset: Number(buf.readBigInt64BE(p + 38)),
    });
  }
  return out;
}
