/**
 * One share-partition (a share group's view of one topic-partition), as Kafka's SharePartition:
 *
 * - The start offset (SPSO): every offset below it is done (acknowledged or archived); the end
 *   offset (SPEO): the last offset fetched so far. Between them the in-flight records, as ranges
 *   (in-flight-ranges.ts) in the states Available, Acquired, Acknowledged and Archived.
 * - A fetch acquires, for one member, the Available records from the next fetch offset on (new
 *   records past the end offset, or records released earlier), whole log batches at a time, up to
 *   maxRecords (crossed to end the last batch, as Kafka's batch-optimized acquire mode) and while
 *   the in-flight window stays within group.share.partition.max.record.locks. Each acquisition
 *   counts a delivery and takes a lock of group.share.record.lock.duration.ms on the broker's
 *   (injectable) clock.
 * - Acknowledgements by the lock holder: ACCEPT (Acknowledged), RELEASE (Available again),
 *   REJECT (Archived), RENEW (the lock restarts), GAP (Archived: offsets the log no longer holds).
 *   A released record, or one whose lock expires, that has reached group.share.delivery.count.limit
 *   deliveries is Archived instead of made Available. Records given back because their member left
 *   or closed its share session are Available again with the acquisition uncounted.
 * - The start offset moves over the Acknowledged/Archived prefix; the first fetch initializes it
 *   from share.auto.offset.reset (latest: the high watermark; earliest: the log start).
 * - read_committed (share.isolation.level): only offsets below the last stable offset are fetched,
 *   and records of aborted transactions are archived, not delivered; control batches (markers) are
 *   archived in both levels, so no client ever has to acknowledge a marker.
 */
import type { Partition } from '../../../log/partition.js';
import type { Clock, TimerHandle } from '../../../util/clock.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { BatchAttribute, readAttributes, readBaseOffset, readLastOffset, readProducerId } from '../../../protocol/records/index.js';
import { InFlightRanges, RecordState, isDone } from './in-flight-ranges.js';
import type { InFlightRange, RecordStateId } from './in-flight-ranges.js';

/** Acknowledge types on the wire (ShareFetch/ShareAcknowledge AcknowledgeTypes). */
export const AckType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const;

export interface SharePartitionSettings {
  readonly lockDurationMs: number;
  readonly deliveryCountLimit: number;
  readonly maxRecordLocks: number;
  /** 'earliest', 'latest', or a look-back in ms (by_duration). */
  readonly autoOffsetReset: 'earliest' | 'latest' | number;
  readonly readCommitted: boolean;
}

export interface AcquiredRecords {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly deliveryCount: number;
}

export interface AcquireResult {
  readonly batches: Buffer[];
  readonly acquired: AcquiredRecords[];
  readonly bytes: number;
}

export interface AckBatch {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly acknowledgeTypes: readonly number[];
}

export interface SharePartitionEnv {
  readonly clock: Clock;
  settings(): SharePartitionSettings;
  /** Records became Available again (release, lock expiry): wake waiting fetches. */
  onAvailable(): void;
  /** The state changed (persisted by the share coordinator's persister). */
  onChange(sp: SharePartition): void;
}

const NO_TIMER = Number.POSITIVE_INFINITY;

export class SharePartition {
  /** -1 until the first fetch (or an offset reset) initializes it. */
  #startOffset = -1;
  #reportedStart = -1;
  #endOffset = -1;
  stateEpoch = 0;
  readonly inFlight = new InFlightRanges();
  #timer: TimerHandle | null = null;
  #timerDue = NO_TIMER;

  constructor(
    readonly groupId: string,
    readonly topicId: string,
    readonly partition: Partition,
    private readonly env: SharePartitionEnv,
  ) {}

  get startOffset(): number {
    return this.#startOffset;
  }

  /**
   * The start offset DescribeShareGroupOffsets reports: the one of the last state write as
   * Kafka's SharePartition makes it. Kafka writes an acknowledgement's (or a release's) state
   * first, with the start offset as it was, and moves the start offset past the acknowledged
   * records only once the write succeeded; the share coordinator, which answers the describe,
   * keeps the older start offset (and the acknowledged records as such, so the lag is the same)
   * until the next write. Acquiring records writes nothing.
   */
  get reportedStartOffset(): number {
    return this.#reportedStart;
  }

  get endOffset(): number {
    return this.#endOffset;
  }

  get initialized(): boolean {
    return this.#startOffset >= 0;
  }

  /** Sets the state as read back from the persister (durable mode) or by AlterShareGroupOffsets. */
  restore(startOffset: number, stateEpoch: number, ranges: readonly InFlightRange[]): void {
    this.#cancelTimer();
    this.inFlight.clear();
    this.#startOffset = startOffset;
    this.#reportedStart = startOffset;
    this.stateEpoch = stateEpoch;
    // Acquired records of a previous incarnation have no live lock: they are Available again.
    for (const r of ranges) {
      if (r.last < startOffset) continue;
      const state: RecordStateId = r.state === RecordState.ACQUIRED ? RecordState.AVAILABLE : r.state;
      this.inFlight.append({ first: Math.max(r.first, startOffset), last: r.last, state, deliveryCount: r.deliveryCount, memberId: null, lockDeadline: 0 });
    }
    this.#endOffset = Math.max(startOffset - 1, this.inFlight.lastOffset ?? -1);
    this.#advanceStart();
  }

  /** The offset a fetch reads from: the first Available record, else the one after the end. */
  nextFetchOffset(): number {
    for (const r of this.inFlight.ranges) if (r.state === RecordState.AVAILABLE) return r.first;
    return this.#endOffset + 1;
  }

  /** Records in flight (Acquired or not yet settled) between the start and end offsets. */
  get inFlightCount(): number {
    return this.#endOffset - this.#startOffset + 1;
  }

  /** Whether a fetch could acquire something now (for long polls). */
  hasAvailable(): boolean {
    if (!this.initialized) this.#initialize();
    this.#followLogStart();
    const upper = this.#upperBound();
    const next = this.nextFetchOffset();
    if (next >= upper) return false;
    return next <= this.#endOffset || this.inFlightCount < this.env.settings().maxRecordLocks;
  }

  /** Acquires records for `memberId`; `maxBytes` bounds the log read (one batch always fits). */
  acquire(memberId: string, maxBytes: number, maxRecords: number, minOneBatch: boolean): AcquireResult {
    const empty: AcquireResult = { batches: [], acquired: [], bytes: 0 };
    if (!this.initialized) this.#initialize();
    this.#followLogStart();
    const settings = this.env.settings();
    const upper = this.#upperBound();
    const fetchOffset = this.nextFetchOffset();
    if (fetchOffset >= upper) return empty;
    const read = this.partition.log.read(fetchOffset, maxBytes, { minOneBatch, maxOffset: upper });
    if (read.batches.length === 0) return empty;
    const aborted = settings.readCommitted ? this.#abortedRanges(fetchOffset, upper) : [];
    const deadline = this.env.clock.now() + settings.lockDurationMs;
    const out: Buffer[] = [];
    const acquired: AcquiredRecords[] = [];
    let bytes = 0;
    let count = 0;
    let changed = false;
    for (const batch of read.batches) {
      if (count >= maxRecords) break;
      const base = Math.max(readBaseOffset(batch, 0), this.#startOffset);
      const last = readLastOffset(batch, 0);
      if (last < base) continue;
      const attributes = readAttributes(batch, 0);
      const skip = (attributes & BatchAttribute.CONTROL) !== 0 || ((attributes & BatchAttribute.TRANSACTIONAL) !== 0 && isAborted(aborted, readProducerId(batch, 0), base));
      if (skip) {
        changed = this.#archiveSkipped(base, last) || changed;
        continue;
      }
      const got = this.#acquireRange(memberId, base, last, deadline, settings.maxRecordLocks);
      if (got.length === 0) {
        if (last > this.#endOffset) break; // the in-flight window is full
        continue;
      }
      changed = true;
      out.push(batch);
      bytes += batch.length;
      for (const a of got) {
        count += a.lastOffset - a.firstOffset + 1;
        const prev = acquired[acquired.length - 1];
        if (prev !== undefined && prev.lastOffset + 1 === a.firstOffset && prev.deliveryCount === a.deliveryCount) acquired[acquired.length - 1] = { ...prev, lastOffset: a.lastOffset };
        else acquired.push(a);
      }
    }
    if (changed) {
      this.#advanceStart();
      this.#scheduleExpiry(deadline);
      this.env.onChange(this);
    }
    return { batches: out, acquired, bytes };
  }

  /**
   * Applies a member's acknowledgements: all checked first, then all applied, so a bad batch
   * changes nothing. Returns an error code (INVALID_REQUEST for malformed batches,
   * INVALID_RECORD_STATE for records not Acquired by this member).
   */
  acknowledge(memberId: string, batches: readonly AckBatch[]): number {
    for (const b of batches) {
      const check = this.#checkAck(memberId, b);
      if (check !== ErrorCode.NONE) return check;
    }
    const settings = this.env.settings();
    let released = false;
    for (const b of batches) {
      const types = b.acknowledgeTypes;
      if (types.length === 1) {
        released = this.#applyAck(b.firstOffset, b.lastOffset, types[0]!, settings) || released;
        continue;
      }
      // Per-record types: apply each run of equal types as one range.
      let runStart = b.firstOffset;
      for (let k = 1; k <= types.length; k++) {
        if (k < types.length && types[k] === types[k - 1]) continue;
        released = this.#applyAck(runStart, b.firstOffset + k - 1, types[k - 1]!, settings) || released;
        runStart = b.firstOffset + k;
      }
    }
    this.#reportedStart = this.#startOffset;
    this.#advanceStart();
    this.env.onChange(this);
    if (released) this.env.onAvailable();
    return ErrorCode.NONE;
  }

  /**
   * Releases every record `memberId` holds (its share session closed or it left the group). As
   * Kafka's SharePartition.releaseAcquiredRecords (DeliveryCountOps.DECREASE): the acquisition is
   * not counted as a delivery (the member may never have seen the records), so the count goes back
   * down by one and the delivery count limit archives nothing here. Counting it instead archived
   * records that members leaving in turn had merely held (franz-go's share-group ETL test lost keys).
   */
  releaseMember(memberId: string): void {
    let released = false;
    for (const r of this.inFlight.ranges) {
      if (r.state !== RecordState.ACQUIRED || r.memberId !== memberId) continue;
      this.#settle(r, RecordState.AVAILABLE);
      r.deliveryCount = Math.max(0, r.deliveryCount - 1);
      released = true;
    }
    if (!released) return;
    this.inFlight.coalesce(0, this.inFlight.size);
    this.#reportedStart = this.#startOffset;
    this.#advanceStart();
    this.env.onChange(this);
    this.env.onAvailable();
  }

  /** AlterShareGroupOffsets / DeleteShareGroupOffsets: a fresh state at `startOffset` (-1: uninitialized). */
  reset(startOffset: number): void {
    this.#cancelTimer();
    this.inFlight.clear();
    this.#startOffset = startOffset;
    this.#reportedStart = startOffset;
    this.#endOffset = startOffset - 1;
    this.stateEpoch++;
    this.env.onChange(this);
  }

  close(): void {
    this.#cancelTimer();
  }

  #initialize(): void {
    const log = this.partition.log;
    const reset = this.env.settings().autoOffsetReset;
    let start: number;
    if (reset === 'earliest') start = log.logStartOffset;
    else if (reset === 'latest') start = this.#upperBound();
    else start = log.offsetForTimestamp(this.env.clock.now() - reset)?.offset ?? this.#upperBound();
    this.#startOffset = start;
    this.#reportedStart = start;
    this.#endOffset = start - 1;
    this.env.onChange(this);
  }

  /** Records the log deleted (retention, DeleteRecords) are gone from the share-partition too. */
  #followLogStart(): void {
    const logStart = this.partition.log.logStartOffset;
    if (logStart <= this.#startOffset) return;
    this.inFlight.dropBelow(logStart);
    this.#startOffset = logStart;
    this.#endOffset = Math.max(this.#endOffset, logStart - 1);
    this.#advanceStart();
  }

  #upperBound(): number {
    const log = this.partition.log;
    return this.env.settings().readCommitted ? log.lastStableOffset : log.highWatermark;
  }

  /** [firstOffset, markerOffset] of aborted transactions by producer, overlapping the read. */
  #abortedRanges(from: number, upper: number): { producerId: number; first: number; last: number }[] {
    return this.partition.txnIndex.collect(from, upper).map((t) => ({ producerId: t.producerId, first: t.firstOffset, last: t.lastOffset }));
  }

  /** Archives the offsets of a batch no consumer gets (marker, aborted data); true if any changed. */
  #archiveSkipped(first: number, last: number): boolean {
    let changed = false;
    if (first <= this.#endOffset) {
      const [i, j] = this.inFlight.isolate(first, Math.min(last, this.#endOffset));
      for (let k = i; k < j; k++) {
        const r = this.inFlight.ranges[k]!;
        if (r.state !== RecordState.AVAILABLE) continue;
        r.state = RecordState.ARCHIVED;
        changed = true;
      }
    }
    if (last > this.#endOffset) {
      const from = Math.max(first, this.#endOffset + 1);
      this.inFlight.append({ first: from, last, state: RecordState.ARCHIVED, deliveryCount: 0, memberId: null, lockDeadline: 0 });
      this.#endOffset = last;
      changed = true;
    }
    return changed;
  }

  /** Acquires the Available and new offsets of [first, last]; returns what was acquired. */
  #acquireRange(memberId: string, first: number, last: number, deadline: number, maxLocks: number): AcquiredRecords[] {
    const got: AcquiredRecords[] = [];
    if (first <= this.#endOffset) {
      const [i, j] = this.inFlight.isolate(first, Math.min(last, this.#endOffset));
      for (let k = i; k < j; k++) {
        const r = this.inFlight.ranges[k]!;
        if (r.state !== RecordState.AVAILABLE) continue;
        r.state = RecordState.ACQUIRED;
        r.deliveryCount++;
        r.memberId = memberId;
        r.lockDeadline = deadline;
        got.push({ firstOffset: r.first, lastOffset: r.last, deliveryCount: r.deliveryCount });
      }
      this.inFlight.coalesce(i, j + 1);
    }
    if (last > this.#endOffset) {
      // New records, while the in-flight window (start to end) stays within the record locks.
      const from = Math.max(first, this.#endOffset + 1);
      const cap = this.#startOffset + maxLocks - 1;
      const to = Math.min(last, cap);
      if (to >= from) {
        this.inFlight.append({ first: from, last: to, state: RecordState.ACQUIRED, deliveryCount: 1, memberId, lockDeadline: deadline });
        this.#endOffset = to;
        got.push({ firstOffset: from, lastOffset: to, deliveryCount: 1 });
      }
    }
    return got;
  }

  #checkAck(memberId: string, b: AckBatch): number {
    const n = b.lastOffset - b.firstOffset + 1;
    if (n <= 0 || b.acknowledgeTypes.length === 0 || (b.acknowledgeTypes.length !== 1 && b.acknowledgeTypes.length !== n)) return ErrorCode.INVALID_REQUEST;
    if (b.acknowledgeTypes.some((t) => t < AckType.GAP || t > AckType.RENEW)) return ErrorCode.INVALID_REQUEST;
    if (b.firstOffset < this.#startOffset || b.lastOffset > this.#endOffset) return ErrorCode.INVALID_RECORD_STATE;
    const ranges = this.inFlight.ranges;
    for (let k = this.inFlight.indexAt(b.firstOffset); k < ranges.length && ranges[k]!.first <= b.lastOffset; k++) {
      const r = ranges[k]!;
      if (r.state !== RecordState.ACQUIRED || r.memberId !== memberId) return ErrorCode.INVALID_RECORD_STATE;
    }
    return ErrorCode.NONE;
  }

  /** Applies one acknowledge type to [first, last] (all Acquired by the caller); true if any record became Available. */
  #applyAck(first: number, last: number, type: number, settings: SharePartitionSettings): boolean {
    const [i, j] = this.inFlight.isolate(first, last);
    let released = false;
    for (let k = i; k < j; k++) {
      const r = this.inFlight.ranges[k]!;
      switch (type) {
        case AckType.ACCEPT:
          this.#settle(r, RecordState.ACKNOWLEDGED);
          break;
        case AckType.GAP:
        case AckType.REJECT:
          this.#settle(r, RecordState.ARCHIVED);
          break;
        case AckType.RELEASE:
          released = this.#release(r, settings.deliveryCountLimit) || released;
          break;
        case AckType.RENEW:
          r.lockDeadline = this.env.clock.now() + settings.lockDurationMs;
          this.#scheduleExpiry(r.lockDeadline);
          break;
      }
    }
    this.inFlight.coalesce(i, j + 1);
    return released;
  }

  #settle(r: InFlightRange, state: RecordStateId): void {
    r.state = state;
    r.memberId = null;
    r.lockDeadline = 0;
  }

  /** Back to Available, or Archived once the delivery count limit is reached; true if Available. */
  #release(r: InFlightRange, limit: number): boolean {
    const archive = r.deliveryCount >= limit;
    this.#settle(r, archive ? RecordState.ARCHIVED : RecordState.AVAILABLE);
    return !archive;
  }

  #advanceStart(): void {
    const first = this.inFlight.dropDonePrefix();
    this.#startOffset = first ?? this.#endOffset + 1;
  }

  // ---- acquisition locks: one timer per share-partition, at the earliest deadline ----

  #scheduleExpiry(deadline: number): void {
    if (deadline >= this.#timerDue) return;
    this.#cancelTimer();
    this.#timerDue = deadline;
    this.#timer = this.env.clock.setTimeout(() => this.#expireLocks(), Math.max(0, deadline - this.env.clock.now()));
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.env.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDue = NO_TIMER;
  }

  #expireLocks(): void {
    this.#timer = null;
    this.#timerDue = NO_TIMER;
    const now = this.env.clock.now();
    const limit = this.env.settings().deliveryCountLimit;
    let next = NO_TIMER;
    let expired = false;
    let released = false;
    for (const r of this.inFlight.ranges) {
      if (r.state !== RecordState.ACQUIRED) continue;
      if (r.lockDeadline > now) {
        next = Math.min(next, r.lockDeadline);
        continue;
      }
      released = this.#release(r, limit) || released;
      expired = true;
    }
    if (expired) {
      this.inFlight.coalesce(0, this.inFlight.size);
      this.#reportedStart = this.#startOffset;
      this.#advanceStart();
      this.env.onChange(this);
      if (released) this.env.onAvailable();
    }
    if (next !== NO_TIMER) this.#scheduleExpiry(next);
  }

  /** Counts per state, for tests and the control plane. */
  stateCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.inFlight.ranges) {
      const name = isDone(r.state) ? (r.state === RecordState.ACKNOWLEDGED ? 'acknowledged' : 'archived') : r.state === RecordState.ACQUIRED ? 'acquired' : 'available';
      out[name] = (out[name] ?? 0) + (r.last - r.first + 1);
    }
    return out;
  }
}

function isAborted(aborted: readonly { producerId: number; first: number; last: number }[], producerId: number, offset: number): boolean {
  return aborted.some((a) => a.producerId === producerId && a.first <= offset && offset <= a.last);
}
