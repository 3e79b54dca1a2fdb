/**
 * A segment's aborted transactions (`.txnindex`), in Kafka's layout (TransactionIndex / AbortedTxn),
 * 34 bytes per entry, big-endian:
 *
 *   0   int16  version (0)
 *   2   int64  producer id
 *   10  int64  first offset of the transaction's data on this partition
 *   18  int64  last offset: its ABORT marker's offset
 *   26  int64  last stable offset once it completed
 *
 * An entry belongs to the segment holding its marker. The file of a segment is written whole
 * when the segment stops being active (roll, shutdown) or is swapped in by the cleaner; the
 * active segment's entries live in memory until then and are rebuilt from the log on recovery.
 */
import type { AbortedTxn } from '../transaction-index.js';

const ENTRY_SIZE = 34;
const VERSION = 0;

export function encodeTxnIndex(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ENTRY_SIZE);
  entries.forEach((e, i) => {
    const p = i * ENTRY_SIZE;
    buf.writeInt16BE(VERSION, p);
    buf.writeBigInt64BE(BigInt(e.producerId), p + 2);
    buf.writeBigInt64BE(BigInt(e.firstOffset), p + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), p + 18);
    buf.writeBigInt64BE(BigInt(e.lastStableOffset), p + 26);
  });
  return buf;
}

/** The entries of a file; a torn trailing entry or one of an unknown version ends the list. */
export function decodeTxnIndex(buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let p = 0; p + ENTRY_SIZE <= buf.length; p += ENTRY_SIZE) {
    if (buf.readInt16BE(p) !== VERSION) break;
    out.push({
      producerId: Number(buf.readBigInt64BE(p + 2)),
      firstOffset: Number(buf.readBigInt64BE(p + 10)),
      lastOffset: Number(buf.readBigInt64BE(p + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(p + 26)),
    });
  }
  return out;
}
