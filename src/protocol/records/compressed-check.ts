import { BatchAttribute, BatchLayout, CompressionCodec } from './batch-header.js';
import { batchCrcMatches } from './batch-scan.js';
import { decompress } from './compression.js';
import { MAX_DECOMPRESSED_BATCH_BYTES, tooLarge } from './decompressed-bound.js';
import { zlib } from './native-codecs.js';
import { RecordCursor } from './record-iter.js';
import { invalidRecord } from './records-error.js';

/**
 * The records of a compressed produce batch, walked as Kafka's LogValidator
 * (validateMessagesAndAssignOffsetsCompressed) walks them: decompressed as a stream, every record
 * parsed (DefaultRecord.readFrom), exactly recordsCount records, no bytes after the last, stopping
 * at the first invalid record. Any failure is INVALID_RECORD.
 *
 * Bounded: gzip inflates as a stream on the thread pool and the walk holds at most one incomplete
 * record; lz4, zstd and snappy payloads have their decompressed size bounded from the frame
 * structure before they are decoded (decompressed-bound.ts). No batch may decompress past
 * MAX_DECOMPRESSED_BATCH_BYTES, at most CONCURRENT_CHECKS run at a time, and a decoded section is
 * walked a MiB per event-loop turn, so one client's bomb never stalls another client's requests.
 *
 * Batches whose CRC or header is bad are left to the synchronous checks (which report Kafka's
 * code for those first), so garbage is never decompressed.
 */
const CONCURRENT_CHECKS = 2;
const GZIP_CHUNK = 64 * 1024;
const WALK_SLICE = 1024 * 1024;

let running = 0;
const waiting: (() => void)[] = [];

async function acquire(): Promise<void> {
  if (running < CONCURRENT_CHECKS) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next !== undefined) next();
  else running--;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Records arriving in chunks of decompressed bytes: complete records are parsed as they arrive,
 * an incomplete one is kept until the chunks that complete it arrive.
 */
export class RecordStreamWalk {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes to hold before the next record can be complete. */
  private needed = 0;
  private left: number;
  private total = 0;

  constructor(count: number, private readonly maxBytes = MAX_DECOMPRESSED_BATCH_BYTES) {
    this.left = count;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.total > this.maxBytes) throw tooLarge(this.total, this.maxBytes);
    if (this.left === 0) throw invalidRecord('Incorrect declared batch size, records still remaining in file');
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
    if (this.partsBytes < this.needed) return;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    let pos = 0;
    let complete = 0;
    this.needed = 0;
    while (complete < this.left) {
      // The record's length varint (zigzag), read without throwing when it is cut by the chunk.
      let raw = 0;
      let size = 0;
      let b = 0x80;
      while (b >= 0x80) {
        if (pos + size >= buf.length) break;
        if (size === 5) throw invalidRecord('Invalid record length varint', pos);
        b = buf[pos + size]!;
        raw |= (b & 0x7f) << (7 * size++);
      }
      if (b >= 0x80) {
        this.needed = buf.length - pos + 1;
        break;
      }
      const length = (raw >>> 1) ^ -(raw & 1);
      if (length <= 0) throw invalidRecord(`Invalid record size ${length}`, pos);
      // A record ending past the bound is refused now, not after inflating up to it.
      const endInStream = this.total - buf.length + pos + size + length;
      if (endInStream > this.maxBytes) throw tooLarge(endInStream, this.maxBytes);
      if (pos + size + length > buf.length) {
        this.needed = size + length;
        break;
      }
      pos += size + length;
      complete++;
    }
    if (complete > 0) {
      const cursor = new RecordCursor(buf, complete, 0, pos);
      while (cursor.next());
      this.left -= complete;
    }
    if (this.left === 0 && pos < buf.length) throw invalidRecord('Incorrect declared batch size, records still remaining in file', pos);
    const rest = buf.subarray(pos);
    this.parts = rest.length > 0 ? [rest] : [];
    this.partsBytes = rest.length;
  }

  end(): void {
    if (this.left > 0 || this.partsBytes > 0) throw invalidRecord('Incorrect declared batch size, premature EOF reached');
  }
}

/** Whether the batch at `pos` is a complete compressed batch that needs checkCompressedRecords. */
export function needsCompressedCheck(buf: Buffer, pos = 0): boolean {
  if (buf.length - pos < BatchLayout.HEADER_SIZE) return false;
  if (pos + BatchLayout.LOG_OVERHEAD + buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH) > buf.length) return false;
  const codec = buf.readInt16BE(pos + BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK;
  return codec !== CompressionCodec.NONE && codec <= CompressionCodec.ZSTD && buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT) > 0;
}

function walkGzip(payload: Buffer, walk: RecordStreamWalk): Promise<void> {
  return new Promise((resolve, reject) => {
    const gunzip = zlib().createGunzip({ chunkSize: GZIP_CHUNK });
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      reject(e);
    };
    gunzip.on('data', (chunk: Buffer) => {
      try {
        walk.push(chunk);
      } catch (e) {
        fail(e);
      }
    });
    gunzip.on('end', () => {
      try {
        walk.end();
        resolve();
      } catch (e) {
        fail(e);
      }
    });
    gunzip.on('error', (e: Error) => fail(invalidRecord(`gzip decompression failed: ${e.message}`)));
    gunzip.end(payload);
  });
}

/** Resolves when the records are sound, rejects with a RecordsError (INVALID_RECORD) otherwise. */
export async function checkCompressedRecords(buf: Buffer, pos = 0): Promise<void> {
  if (!needsCompressedCheck(buf, pos) || !batchCrcMatches(buf, pos)) return;
  const end = pos + BatchLayout.LOG_OVERHEAD + buf.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
  const payload = buf.subarray(pos + BatchLayout.RECORDS, end);
  const codec = buf.readInt16BE(pos + BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK;
  const walk = new RecordStreamWalk(buf.readInt32BE(pos + BatchLayout.RECORDS_COUNT));
  await acquire();
  try {
    if (codec === CompressionCodec.GZIP) return await walkGzip(payload, walk);
    const section = await decompress(codec, payload);
    for (let at = 0; at < section.length; at += WALK_SLICE) {
      if (at > 0) await nextTurn();
      walk.push(section.subarray(at, Math.min(at + WALK_SLICE, section.length)));
    }
    walk.end();
  } finally {
    release();
  }
}
