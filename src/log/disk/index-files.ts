/**
 * The offset and time index files of a segment, in Kafka's layout (OffsetIndex, TimeIndex). Both
 * are sparse: LogSegment.append adds an entry when more than index.interval.bytes (4096) were
 * written since the last one. All integers big-endian.
 *
 * `.index`, 8 bytes per entry:
 *
 *   0  int32  relative offset: the batch's last offset - the segment's base offset
 *   4  int32  position: byte position of that batch in the `.log` file
 *
 * `.timeindex`, 12 bytes per entry:
 *
 *   0  int64  timestamp: the largest batch max timestamp in the segment so far
 *   8  int32  relative offset of the last offset of the batch that holds it
 *
 * Time index entries are added only when the timestamp grows; one more is added when the segment
 * stops being active (roll, shutdown) so that the last entry holds the segment's max timestamp.
 * Kafka preallocates both files (segment.index.bytes) and trims them at roll; here they grow as
 * entries are written. Entries are buffered in memory and written at each flush, roll and
 * shutdown: minikafka looks offsets up in memory (LogSegment), so the files serve tools that read
 * a Kafka log directory and are checked, and rebuilt when they disagree, at recovery. A sealed
 * segment's entries leave memory once written (SegmentFiles.dropIndexEntries) and are read back
 * from its `.log` only if the log is truncated into it.
 */

export const OFFSET_ENTRY_SIZE = 8;
export const TIME_ENTRY_SIZE = 12;

/** What the index files of a segment should hold, built batch by batch with Kafka's rule. */
export class SegmentIndexBuilder {
  readonly offsets: number[] = [];
  readonly positions: number[] = [];
  readonly timestamps: number[] = [];
  readonly timeOffsets: number[] = [];
  #bytesSinceEntry = 0;
  #maxTimestamp = -1;
  #offsetOfMax = -1;

  constructor(
    readonly baseOffset: number,
    readonly intervalBytes: number,
  ) {}

  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /** A batch of `size` bytes at `position` holding [.., lastOffset] with max timestamp `maxTimestamp`. */
  add(position: number, size: number, lastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.#maxTimestamp) {
      this.#maxTimestamp = maxTimestamp;
      this.#offsetOfMax = lastOffset;
    }
    if (this.#bytesSinceEntry > this.intervalBytes) {
      const n = this.offsets.length;
      if (n === 0 || lastOffset > this.offsets[n - 1]!) {
        this.offsets.push(lastOffset);
        this.positions.push(position);
      }
      this.#maybeAppendTime();
      this.#bytesSinceEntry = 0;
    }
    this.#bytesSinceEntry += size;
  }

  /** The segment is no longer active: its last time index entry holds its max timestamp. */
  seal(): void {
    this.#maybeAppendTime();
  }

  #maybeAppendTime(): void {
    if (this.#maxTimestamp < 0) return;
    const n = this.timestamps.length;
    if (n > 0 && (this.#maxTimestamp <= this.timestamps[n - 1]! || this.#offsetOfMax < this.timeOffsets[n - 1]!)) return;
    this.timestamps.push(this.#maxTimestamp);
    this.timeOffsets.push(this.#offsetOfMax);
  }

  /** Drops every entry (they are in the index files; SegmentFiles.dropIndexEntries). */
  clear(): void {
    this.truncateTo(-Infinity);
  }

  /** Drops entries for offsets >= `offset` (the segment was truncated there). */
  truncateTo(offset: number): void {
    let n = this.offsets.length;
    while (n > 0 && this.offsets[n - 1]! >= offset) n--;
    this.offsets.length = n;
    this.positions.length = n;
    let m = this.timeOffsets.length;
    while (m > 0 && this.timeOffsets[m - 1]! >= offset) m--;
    this.timestamps.length = m;
    this.timeOffsets.length = m;
    this.#maxTimestamp = m > 0 ? this.timestamps[m - 1]! : -1;
    this.#offsetOfMax = m > 0 ? this.timeOffsets[m - 1]! : -1;
    this.#bytesSinceEntry = 0;
  }

  encodeOffsetEntries(from: number): Buffer {
    const n = this.offsets.length - from;
    const buf = Buffer.allocUnsafe(Math.max(0, n) * OFFSET_ENTRY_SIZE);
    for (let i = 0; i < n; i++) {
      buf.writeInt32BE(this.offsets[from + i]! - this.baseOffset, i * OFFSET_ENTRY_SIZE);
      buf.writeInt32BE(this.positions[from + i]!, i * OFFSET_ENTRY_SIZE + 4);
    }
    return buf;
  }

  encodeTimeEntries(from: number): Buffer {
    const n = this.timestamps.length - from;
    const buf = Buffer.allocUnsafe(Math.max(0, n) * TIME_ENTRY_SIZE);
    for (let i = 0; i < n; i++) {
      buf.writeBigInt64BE(BigInt(this.timestamps[from + i]!), i * TIME_ENTRY_SIZE);
      buf.writeInt32BE(this.timeOffsets[from + i]! - this.baseOffset, i * TIME_ENTRY_SIZE + 8);
    }
    return buf;
  }
}

/** Whether an index file's bytes are exactly what `expected` would write (recovery's sanity check). */
export function indexFileMatches(bytes: Buffer | null, expected: Buffer): boolean {
  return bytes !== null && bytes.equals(expected);
}
