import type { BatchHeader } from './batch-header.js';
import { Magic, readBatchHeader } from './batch-header.js';
import { BatchCursor, ScanMode, verifyBatchCrc } from './batch-scan.js';
import { expandLegacyWrapper, readLegacyMessage } from './legacy-message-set.js';
import type { DecodedRecord } from './record-iter.js';
import { iterateRecords, recordsSection } from './record-iter.js';

/**
 * Slow-path "decode everything" over a records buffer of any mix of magics:
 * what tests, tools and golden-fixture checks want. Hot paths use
 * BatchCursor + RecordCursor directly.
 */

export interface DecodedBatch {
  position: number;
  size: number;
  magic: number;
  /** v2 header; null for a legacy (magic 0/1) message. */
  header: BatchHeader | null;
  records: DecodedRecord[];
}

export interface DecodedRecordSet {
  batches: DecodedBatch[];
  /** Start of a trailing incomplete entry (FETCH mode), -1 when none. */
  truncatedAt: number;
}

export interface DecodeRecordSetOptions {
  mode?: ScanMode;
  /** Verify CRC-32C (v2) / CRC-32 (v0/v1) of each entry (default true). */
  verifyCrc?: boolean;
}

export async function decodeRecordSet(buf: Buffer, opts: DecodeRecordSetOptions = {}): Promise<DecodedRecordSet> {
  const verifyCrc = opts.verifyCrc ?? true;
  const cursor = new BatchCursor(buf, opts.mode ?? ScanMode.FETCH);
  const batches: DecodedBatch[] = [];
  while (cursor.next()) {
    const pos = cursor.position;
    if (cursor.magic === Magic.V2) {
      if (verifyCrc) verifyBatchCrc(buf, pos);
      const section = await recordsSection(buf, pos);
      batches.push({
        position: pos,
        size: cursor.size,
        magic: cursor.magic,
        header: readBatchHeader(buf, pos),
        records: Array.from(iterateRecords(buf, pos, section)),
      });
    } else {
      const message = readLegacyMessage(buf, pos, verifyCrc);
      const messages = message.compression === 0 ? [message] : expandLegacyWrapper(message, verifyCrc);
      const firstOffset = messages[0]!.offset;
      batches.push({
        position: pos,
        size: cursor.size,
        magic: cursor.magic,
        header: null,
        records: messages.map((m) => ({
          offset: m.offset,
          timestamp: m.timestamp,
          offsetDelta: m.offset - firstOffset,
          timestampDelta: 0,
          attributes: m.attributes,
          key: m.key,
          value: m.value,
          headers: [],
        })),
      });
    }
  }
  return { batches, truncatedAt: cursor.truncatedAt };
}

/** Records only, flattened in log order. */
export async function decodeRecords(buf: Buffer, opts: DecodeRecordSetOptions = {}): Promise<DecodedRecord[]> {
  const set = await decodeRecordSet(buf, opts);
  return set.batches.flatMap((b) => b.records);
}
