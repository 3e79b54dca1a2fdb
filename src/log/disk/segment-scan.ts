/**
 * Reads the batches of a `.log` file back at recovery, as Kafka's LogSegment.recover does:
 * batch by batch, checking that each is structurally sound (a v2 header, a length that fits the
 * file, offsets that only grow) and, where asked, that its CRC matches. The first batch that
 * fails ends the valid part of the file: the caller truncates the file there (a torn or corrupt
 * tail) and drops every later segment.
 *
 * Only headers are read where no CRC is checked: the file is read in READ_CHUNK pieces and a
 * batch that ends beyond the piece is skipped by seeking, so a clean restart reads about 61 bytes
 * per batch of large batches rather than the whole log.
 */
import {
  BatchAttribute,
  BatchLayout,
  ControlRecordType,
  Magic,
  RecordCursor,
  crc32cRange,
  readControlRecordType,
  readEndTxnMarker,
  readInt64,
  recordsSectionSync,
} from '../../protocol/records/index.js';
import type { Fd, FileSystem } from './file-system.js';

const READ_CHUNK = 1024 * 1024;
// What a header-only scan reads at a batch it cannot find in the current chunk, once batches turn
// out to be large: a few headers' worth rather than a megabyte of records it will skip.
const HEADER_READ = 4096;

/** What recovery needs to know of one batch. */
export interface ScannedBatch {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly partitionLeaderEpoch: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  /** For a COMMIT/ABORT marker: its outcome and coordinator epoch. */
  readonly marker: { readonly commit: boolean; readonly coordinatorEpoch: number } | null;
}

export interface ScanResult {
  /** Bytes of whole, valid batches from the start of the file. */
  readonly validBytes: number;
  /** Why the scan stopped before the end of the file, or null. */
  readonly problem: string | null;
}

export interface ScanOptions {
  /** The first offset the segment may hold (its base offset). */
  readonly minOffset: number;
  /** Check the CRC of batches whose base offset is at or past this (Infinity: none). */
  readonly verifyCrcFrom: number;
  /** Where to start: a batch boundary (an offset index entry's position). Default 0. */
  readonly startPosition?: number;
  /** The first offset the segment may not hold (the next segment's base). Default: none. */
  readonly endOffset?: number;
}

export function scanSegment(fs: FileSystem, fd: Fd, opts: ScanOptions, onBatch: (b: ScannedBatch) => void): ScanResult {
  const fileSize = fs.size(fd);
  const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(fileSize, BatchLayout.HEADER_SIZE)));
  let chunkAt = 0;
  let chunkLen = 0;
  let lastSize = 0;
  // Makes [pos, pos + len) available in `chunk` (len <= chunk size) and returns its index there.
  const window = (pos: number, len: number): number => {
    if (pos >= chunkAt && pos + len <= chunkAt + chunkLen) return pos - chunkAt;
    chunkAt = pos;
    const want = len <= HEADER_READ && lastSize > HEADER_READ ? HEADER_READ : chunk.length;
    chunkLen = readFully(fs, fd, chunk, Math.min(want, fileSize - pos), pos);
    return 0;
  };
  let pos = opts.startPosition ?? 0;
  let nextOffset = opts.minOffset;
  const stop = (problem: string): ScanResult => ({ validBytes: pos, problem });
  while (pos < fileSize) {
    if (fileSize - pos < BatchLayout.HEADER_SIZE) return stop(`a torn batch header (${fileSize - pos} bytes) at position ${pos}`);
    const h = window(pos, BatchLayout.HEADER_SIZE);
    const length = chunk.readInt32BE(h + BatchLayout.BATCH_LENGTH);
    const size = length + BatchLayout.LOG_OVERHEAD;
    lastSize = size;
    if (length < BatchLayout.MIN_BATCH_LENGTH) return stop(`an invalid batch length ${length} at position ${pos}`);
    if (pos + size > fileSize) return stop(`a torn batch (${size} bytes, ${fileSize - pos} on disk) at position ${pos}`);
    const magic = chunk.readInt8(h + BatchLayout.MAGIC);
    if (magic !== Magic.V2) return stop(`magic ${magic} at position ${pos}`);
    const baseOffset = readInt64(chunk, h + BatchLayout.BASE_OFFSET);
    const lastOffsetDelta = chunk.readInt32BE(h + BatchLayout.LAST_OFFSET_DELTA);
    if (baseOffset < nextOffset || lastOffsetDelta < 0) return stop(`offset ${baseOffset} (+${lastOffsetDelta}) after ${nextOffset - 1} at position ${pos}`);
    if (opts.endOffset !== undefined && baseOffset + lastOffsetDelta >= opts.endOffset) {
      return stop(`offset ${baseOffset} (+${lastOffsetDelta}) at position ${pos} reaches into the next segment (${opts.endOffset})`);
    }
    const attributes = chunk.readInt16BE(h + BatchLayout.ATTRIBUTES);
    const isControl = (attributes & BatchAttribute.CONTROL) !== 0;
    const producerId = readInt64(chunk, h + BatchLayout.PRODUCER_ID);
    const header = {
      position: pos,
      size,
      baseOffset,
      lastOffset: baseOffset + lastOffsetDelta,
      maxTimestamp: readInt64(chunk, h + BatchLayout.MAX_TIMESTAMP),
      partitionLeaderEpoch: chunk.readInt32BE(h + BatchLayout.PARTITION_LEADER_EPOCH),
      producerId,
      producerEpoch: chunk.readInt16BE(h + BatchLayout.PRODUCER_EPOCH),
      baseSequence: chunk.readInt32BE(h + BatchLayout.BASE_SEQUENCE),
      isTransactional: (attributes & BatchAttribute.TRANSACTIONAL) !== 0,
      isControl,
    };
    const needBody = baseOffset >= opts.verifyCrcFrom || (isControl && producerId >= 0);
    let marker: ScannedBatch['marker'] = null;
    if (needBody) {
      let body: Buffer;
      if (size <= chunk.length) {
        const at = window(pos, size);
        body = chunk.subarray(at, at + size);
      } else {
        body = Buffer.allocUnsafe(size);
        readFully(fs, fd, body, size, pos);
      }
      if (baseOffset >= opts.verifyCrcFrom && body.readUInt32BE(BatchLayout.CRC) !== crc32cRange(body, BatchLayout.ATTRIBUTES, size)) {
        return stop(`a CRC mismatch in the batch at offset ${baseOffset}, position ${pos}`);
      }
      if (isControl && producerId >= 0) {
        try {
          marker = readMarker(body);
        } catch {
          return stop(`an unreadable control batch at offset ${baseOffset}, position ${pos}`);
        }
      }
    }
    onBatch({ ...header, marker });
    nextOffset = header.lastOffset + 1;
    pos += size;
  }
  return { validBytes: pos, problem: null };
}

/** A COMMIT/ABORT control record's outcome; null for other control records. */
export function readMarker(batch: Buffer): ScannedBatch['marker'] {
  const plain = recordsSectionSync(batch, 0);
  const c = new RecordCursor(plain, batch.readInt32BE(BatchLayout.RECORDS_COUNT));
  if (!c.next()) return null;
  const type = readControlRecordType(c.key());
  if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) return null;
  return { commit: type === ControlRecordType.COMMIT, coordinatorEpoch: readEndTxnMarker(c.value()).coordinatorEpoch };
}

function readFully(fs: FileSystem, fd: Fd, into: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.read(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
