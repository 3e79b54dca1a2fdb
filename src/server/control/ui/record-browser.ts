/**
 * The inspector's message browser: records of a partition from an offset, from a time, the
 * newest ones, or those whose key contains a string, read straight from the partition's log
 * (the producer's batches, decoded here on demand). Each record says whether it is a control
 * record (COMMIT/ABORT marker), part of an aborted transaction, or of a transaction still open
 * (at or past the last stable offset); a jump in offsets (compaction, or batches removed) is
 * reported as a gap. Keys, values and header values go out as base64: the page decodes them as
 * text, JSON or hex.
 */
import type { Partition } from '../../../log/partition.js';
import type { Topic } from '../../cluster/topics.js';
import { decodeRecordSet } from '../../../protocol/records/record-set.js';
import { readControlRecordType, ControlRecordType } from '../../../protocol/records/control-record.js';

export type BrowseMode = 'offset' | 'time' | 'newest' | 'key';

export interface BrowseQuery {
  readonly mode: BrowseMode;
  /** One partition; all of them when absent (not for 'offset'). */
  readonly partition?: number;
  readonly offset?: number;
  readonly timestamp?: number;
  readonly key?: string;
  readonly limit?: number;
}

export interface BytesView {
  /** base64 of at most MAX_FIELD_BYTES. */
  readonly b64: string;
  readonly length: number;
  readonly truncated: boolean;
}

export interface RecordView {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly timestampType: 'CreateTime' | 'LogAppendTime';
  readonly key: BytesView | null;
  readonly value: BytesView | null;
  readonly headers: { key: string; value: BytesView | null }[];
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly transactional: boolean;
  /** 'COMMIT' or 'ABORT' for a transaction marker; null for data. */
  readonly control: 'COMMIT' | 'ABORT' | null;
  readonly aborted: boolean;
  /** A transactional record at or past the last stable offset: its transaction is still open. */
  readonly open: boolean;
  /** Offsets missing just before this record in its partition (compaction, deleted batches). */
  readonly gapBefore: number;
}

export interface BrowseResult {
  readonly records: RecordView[];
  /** Bytes of log read to answer (a key search stops at MAX_SCAN_BYTES). */
  readonly scannedBytes: number;
  readonly complete: boolean;
}

export const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
/** Key values and headers beyond this are cut: a page is for looking, not for exporting. */
const MAX_FIELD_BYTES = 16 * 1024;
/** A key search reads at most this much of each partition. */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export class BrowseError extends Error {}

function bytes(b: Buffer | null): BytesView | null {
  if (b === null) return null;
  const cut = b.length > MAX_FIELD_BYTES;
  return { b64: (cut ? b.subarray(0, MAX_FIELD_BYTES) : b).toString('base64'), length: b.length, truncated: cut };
}

/**
 * Decodes the partition's records from `from` up to the high watermark, calling `each` until it
 * returns false or `maxBytes` are read. Returns the bytes read and whether the end was reached.
 */
async function scan(p: Partition, from: number, maxBytes: number, each: (r: RecordView) => boolean): Promise<{ bytes: number; complete: boolean }> {
  const log = p.log;
  const hw = log.highWatermark;
  const lso = log.lastStableOffset;
  let offset = Math.max(from, log.logStartOffset);
  let read = 0;
  let last = offset - 1;
  while (offset < hw) {
    const chunk = log.read(offset, READ_CHUNK, { minOneBatch: true, maxOffset: hw });
    if (chunk.batches.length === 0) break;
    read += chunk.bytes;
    const set = await decodeRecordSet(Buffer.concat(chunk.batches), { verifyCrc: false });
    const upper = set.batches.length === 0 ? offset : (set.batches.at(-1)!.header?.baseOffset ?? offset) + (set.batches.at(-1)!.header?.lastOffsetDelta ?? 0) + 1;
    const aborted = p.txnIndex.collect(offset, upper);
    for (const b of set.batches) {
      const h = b.header;
      for (const r of b.records) {
        if (r.offset < offset || r.offset >= hw) continue;
        const control = h?.control ? (readControlRecordType(r.key) === ControlRecordType.COMMIT ? 'COMMIT' : 'ABORT') : null;
        const transactional = h?.transactional ?? false;
        const pid = h?.producerId ?? -1;
        const view: RecordView = {
          partition: p.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          timestampType: h !== null && h.timestampType === 1 ? 'LogAppendTime' : 'CreateTime',
          key: control === null ? bytes(r.key) : null,
          value: control === null ? bytes(r.value) : null,
          headers: r.headers.map((x) => ({ key: x.key, value: bytes(x.value) })),
          producerId: pid,
          producerEpoch: h?.producerEpoch ?? -1,
          transactional,
          control,
          aborted: transactional && control === null && aborted.some((a) => a.producerId === pid && a.firstOffset <= r.offset && r.offset <= a.lastOffset),
          open: transactional && control === null && r.offset >= lso,
          gapBefore: Math.max(0, r.offset - last - 1),
        };
        last = r.offset;
        if (!each(view)) return { bytes: read, complete: false };
      }
    }
    offset = Math.max(upper, offset + 1);
    if (read >= maxBytes) return { bytes: read, complete: offset >= hw };
  }
  return { bytes: read, complete: true };
}

function partitionsOf(topic: Topic, q: BrowseQuery): Partition[] {
  if (q.partition === undefined) return topic.partitions;
  const p = topic.partitions[q.partition];
  if (p === undefined) throw new BrowseError(`${topic.name} has no partition ${q.partition}`);
  return [p];
}

/** The newest `limit` records of a partition: from a little before the end, widened until enough. */
async function newest(p: Partition, limit: number): Promise<{ records: RecordView[]; bytes: number }> {
  const log = p.log;
  let back = limit;
  for (;;) {
    const from = Math.max(log.logStartOffset, log.highWatermark - back);
    const out: RecordView[] = [];
    const r = await scan(p, from, Number.MAX_SAFE_INTEGER, (v) => (out.push(v), true));
    // Compaction gaps can leave fewer records than offsets: look further back.
    if (out.length >= limit || from === log.logStartOffset) return { records: out.slice(-limit), bytes: r.bytes };
    back *= 4;
  }
}

export async function browse(topic: Topic, q: BrowseQuery): Promise<BrowseResult> {
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
  const parts = partitionsOf(topic, q);
  let records: RecordView[] = [];
  let scanned = 0;
  let complete = true;
  switch (q.mode) {
    case 'offset': {
      if (q.partition === undefined) throw new BrowseError('browsing by offset needs a partition');
      if (q.offset === undefined || !Number.isFinite(q.offset)) throw new BrowseError('offset must be a number');
      const r = await scan(parts[0]!, q.offset, Number.MAX_SAFE_INTEGER, (v) => (records.push(v), records.length < limit));
      scanned = r.bytes;
      complete = r.complete;
      break;
    }
    case 'time': {
      if (q.timestamp === undefined || !Number.isFinite(q.timestamp)) throw new BrowseError('timestamp must be a number (ms since the epoch)');
      const perPartition = [];
      for (const p of parts) {
        const found = p.log.offsetForTimestamp(q.timestamp);
        if (found === null) continue;
        const got: RecordView[] = [];
        const r = await scan(p, found.offset, Number.MAX_SAFE_INTEGER, (v) => (v.timestamp >= q.timestamp! && got.push(v), got.length < limit));
        scanned += r.bytes;
        perPartition.push(...got);
      }
      records = perPartition.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition).slice(0, limit);
      break;
    }
    case 'newest': {
      for (const p of parts) {
        const r = await newest(p, limit);
        scanned += r.bytes;
        records.push(...r.records);
      }
      records.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset);
      records = records.slice(0, limit);
      break;
    }
    case 'key': {
      if (q.key === undefined || q.key === '') throw new BrowseError('key search needs a key');
      const needle = q.key;
      for (const p of parts) {
        const r = await scan(p, 0, MAX_SCAN_BYTES, (v) => {
          if (v.key !== null && Buffer.from(v.key.b64, 'base64').toString('utf8').includes(needle)) records.push(v);
          return true;
        });
        scanned += r.bytes;
        complete &&= r.complete;
      }
      // Newest first: the last write of a key is usually the one looked for.
      records.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset);
      if (records.length > limit) records = records.slice(0, limit);
      break;
    }
    default:
      throw new BrowseError(`unknown mode '${String(q.mode)}' (offset, time, newest, key)`);
  }
  return { records, scannedBytes: scanned, complete };
}
