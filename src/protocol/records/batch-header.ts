/**
 * Record batch, magic v2. All integers big-endian.
 *
 *   offset  size  field
 *   0       8     baseOffset            int64   \ "log overhead": not counted in batchLength
 *   8       4     batchLength           int32   / (bytes after this field)
 *   12      4     partitionLeaderEpoch  int32   not covered by the CRC (broker rewrites it)
 *   16      1     magic                 int8    = 2
 *   17      4     crc                   uint32  CRC-32C of bytes [21, 12 + batchLength)
 *   21      2     attributes            int16   see BatchAttribute
 *   23      4     lastOffsetDelta       int32
 *   27      8     baseTimestamp         int64   (delete horizon when bit 6 is set)
 *   35      8     maxTimestamp          int64
 *   43      8     producerId            int64
 *   51      2     producerEpoch         int16
 *   53      4     baseSequence          int32
 *   57      4     recordsCount          int32
 *   61      ...   records (compressed as one blob when the codec is not none)
 *
 * Magic 0/1 message sets share the first 17 bytes' shape (offset, size,
 * then crc at 12 instead of the epoch, magic at 16), which is what lets one
 * scanner walk any record set.
 */
export const BatchLayout = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  RECORDS: 61,
  /** baseOffset + batchLength, the bytes batchLength does not count. */
  LOG_OVERHEAD: 12,
  HEADER_SIZE: 61,
  /** Smallest legal batchLength: a header with zero record bytes. */
  MIN_BATCH_LENGTH: 61 - 12,
} as const;

export const Magic = { V0: 0, V1: 1, V2: 2 } as const;
export type Magic = (typeof Magic)[keyof typeof Magic];

export const CompressionCodec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionCodec = (typeof CompressionCodec)[keyof typeof CompressionCodec];

export const TimestampType = { CREATE_TIME: 0, LOG_APPEND_TIME: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Bits of the attributes field. Bits 7-15 are unused and must be preserved as-is. */
export const BatchAttribute = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;

const TWO_32 = 0x1_0000_0000;

/**
 * int64 as a JS number without a BigInt allocation; exact for |v| < 2^53
 * (offsets, timestamps, producer ids in practice).
 */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4);
}

export function readBaseOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BatchLayout.BASE_OFFSET);
}
export function readBatchLength(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
}
/** Total bytes the batch occupies including the 12-byte log overhead. */
export function readBatchSize(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH) + BatchLayout.LOG_OVERHEAD;
}
export function readPartitionLeaderEpoch(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.PARTITION_LEADER_EPOCH);
}
export function readMagic(buf: Buffer, pos: number): number {
  return buf.readInt8(pos + BatchLayout.MAGIC);
}
export function readCrc(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos + BatchLayout.CRC);
}
export function readAttributes(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + BatchLayout.ATTRIBUTES);
}
export function readLastOffsetDelta(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.LAST_OFFSET_DELTA);
}
export function readBaseTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BatchLayout.BASE_TIMESTAMP);
}
export function readMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BatchLayout.MAX_TIMESTAMP);
}
export function readProducerId(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BatchLayout.PRODUCER_ID);
}
export function readProducerEpoch(buf: Buffer, pos: number): number {
  return buf.readInt16BE(pos + BatchLayout.PRODUCER_EPOCH);
}
export function readBaseSequence(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.BASE_SEQUENCE);
}
export function readRecordsCount(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT);
}
export function readLastOffset(buf: Buffer, pos: number): number {
  return readBaseOffset(buf, pos) + readLastOffsetDelta(buf, pos);
}

export function compressionOf(attributes: number): number {
  return attributes & BatchAttribute.COMPRESSION_MASK;
}
export function timestampTypeOf(attributes: number): TimestampType {
  return attributes & BatchAttribute.TIMESTAMP_TYPE ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
}
export function isTransactional(attributes: number): boolean {
  return (attributes & BatchAttribute.TRANSACTIONAL) !== 0;
}
export function isControl(attributes: number): boolean {
  return (attributes & BatchAttribute.CONTROL) !== 0;
}
export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & BatchAttribute.DELETE_HORIZON) !== 0;
}

export interface AttributeFlags {
  compression?: CompressionCodec;
  timestampType?: TimestampType;
  transactional?: boolean;
  control?: boolean;
  deleteHorizon?: boolean;
}

export function makeAttributes(flags: AttributeFlags): number {
  let a = (flags.compression ?? CompressionCodec.NONE) & BatchAttribute.COMPRESSION_MASK;
  if (flags.timestampType === TimestampType.LOG_APPEND_TIME) a |= BatchAttribute.TIMESTAMP_TYPE;
  if (flags.transactional) a |= BatchAttribute.TRANSACTIONAL;
  if (flags.control) a |= BatchAttribute.CONTROL;
  if (flags.deleteHorizon) a |= BatchAttribute.DELETE_HORIZON;
  return a;
}

/** Every header field decoded into an object; for tests, tools and slow paths (allocates). */
export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
  deleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Caller guarantees buf holds at least HEADER_SIZE bytes at pos (the scanner checks this). */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  const attributes = readAttributes(buf, pos);
  return {
    baseOffset: readBaseOffset(buf, pos),
    batchLength: readBatchLength(buf, pos),
    partitionLeaderEpoch: readPartitionLeaderEpoch(buf, pos),
    magic: readMagic(buf, pos),
    crc: readCrc(buf, pos),
    attributes,
    compression: compressionOf(attributes),
    timestampType: timestampTypeOf(attributes),
    transactional: isTransactional(attributes),
    control: isControl(attributes),
    deleteHorizon: hasDeleteHorizon(attributes),
    lastOffsetDelta: readLastOffsetDelta(buf, pos),
    baseTimestamp: readBaseTimestamp(buf, pos),
    maxTimestamp: readMaxTimestamp(buf, pos),
    producerId: readProducerId(buf, pos),
    producerEpoch: readProducerEpoch(buf, pos),
    baseSequence: readBaseSequence(buf, pos),
    recordsCount: readRecordsCount(buf, pos),
  };
}
