// The log cleaner on a bare PartitionLog: what survives a pass, record by record and batch by
// batch, and when a pass is due.
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { NO_TRANSACTIONS, cleanLog, isCleanable, logToClean } from '../../../src/log/log-cleaner.js';
import type { CleanerSettings, CleanerTxnSource } from '../../../src/log/log-cleaner.js';
import {
  BatchAttribute,
  BatchLayout,
  CompressionCodec,
  ControlRecordType,
  buildBatch,
  buildBatchSync,
  buildControlBatch,
  readInt64,
  readRecords,
} from '../../../src/protocol/records/index.js';
import type { BuildBatchOptions, RecordInput } from '../../../src/protocol/records/index.js';

const T0 = 1_700_000_000_000;
const SETTINGS: CleanerSettings = {
  deleteRetentionMs: 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  minCleanableRatio: 0.5,
  segmentBytes: 1 << 30,
  maxMapEntries: 1_000_000,
};
const pause = () => Promise.resolve();

function newLog(clock = new ManualClock(T0)) {
  return new PartitionLog({ clock });
}

/** Appends one batch of `records` at the log end; returns its base offset. */
async function append(log: PartitionLog, records: RecordInput[], opts: BuildBatchOptions = {}): Promise<number> {
  const base = log.logEndOffset;
  const o = { baseOffset: base, ...opts };
  const batch = opts.compression === CompressionCodec.ZSTD ? await buildBatch(records, o) : buildBatchSync(records, o);
  const last = base + batch.readInt32BE(BatchLayout.LAST_OFFSET_DELTA);
  log.append(batch, { baseOffset: base, lastOffset: last, maxTimestamp: readInt64(batch, BatchLayout.MAX_TIMESTAMP) });
  log.updateHighWatermark(log.logEndOffset);
  return base;
}

function appendControl(log: PartitionLog, type: number, producerId: number): number {
  const base = log.logEndOffset;
  const batch = buildControlBatch({ type: type as 0 | 1, producerId, producerEpoch: 0, coordinatorEpoch: 0, baseOffset: base, timestamp: T0 });
  log.append(batch, { baseOffset: base, lastOffset: base, maxTimestamp: T0 });
  log.updateHighWatermark(log.logEndOffset);
  return base;
}

const rec = (key: string | null, value: string | null, i = 0): RecordInput => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp: T0 + i,
  headers: [{ key: 'h', value: Buffer.from(`h${i}`) }],
});

/** Every batch of the log, oldest first (including empty ones). */
function batches(log: PartitionLog): Buffer[] {
  return log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, { minOneBatch: true }).batches;
}

/** Every record as [offset, key, value], oldest first. */
async function contents(log: PartitionLog): Promise<[number, string | null, string | null][]> {
  const out: [number, string | null, string | null][] = [];
  for (const b of batches(log)) {
    if ((b.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.CONTROL) !== 0) continue;
    for (const r of await readRecords(b)) out.push([r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
  }
  return out;
}

async function clean(log: PartitionLog, now: number, checkpoint?: number, txn: CleanerTxnSource = NO_TRANSACTIONS, s = SETTINGS) {
  const target = logToClean(log, checkpoint, s, now);
  return { target, result: await cleanLog(log, target, s, now, txn, pause) };
}

t.test('keeps the latest value of each key, at its offset; never touches the active segment', async (t) => {
  const log = newLog();
  // Segment 0: offsets 0-5; segment 1: offsets 6-8; active: 9-10.
  await append(log, [rec('a', 'a1', 0), rec('b', 'b1', 1), rec('a', 'a2', 2)], { producerId: 7, producerEpoch: 3, baseSequence: 100 });
  await append(log, [rec('c', 'c1', 3), rec(null, 'keyless', 4), rec('b', 'b2', 5)]);
  log.roll();
  await append(log, [rec('a', 'a3', 6), rec('d', 'd1', 7), rec('c', 'c2', 8)]);
  log.roll();
  await append(log, [rec('a', 'a4', 9), rec('d', 'd2', 10)]);
  const before = log.size;

  const { target, result } = await clean(log, T0 + 100);
  t.same([target.firstDirtyOffset, target.firstUncleanableOffset, target.cleanableRatio === 1], [0, 9, true], 'dirty from 0 up to the active segment');
  t.ok(isCleanable(target, SETTINGS));
  t.same([result.aborted, result.endOffset], [false, 9]);
  t.same(await contents(log), [
    [5, 'b', 'b2'],
    [6, 'a', 'a3'],
    [7, 'd', 'd1'],
    [8, 'c', 'c2'],
    [9, 'a', 'a4'],
    [10, 'd', 'd2'],
  ], 'latest per key below the active segment; keyless record gone; the active segment as it was');
  t.ok(log.size < before, 'smaller');
  t.equal(log.numberOfSegments, 2, 'the two cleaned segments were grouped into one');
  t.same(log.segmentBaseOffsets(), [0, 9]);

  const [b1, b2] = batches(log);
  t.same(
    [readInt64(b1!, BatchLayout.BASE_OFFSET), b1!.readInt32BE(BatchLayout.LAST_OFFSET_DELTA), b1!.readInt32BE(BatchLayout.RECORDS_COUNT)],
    [3, 2, 1],
    'a rebuilt batch keeps its base and last offsets',
  );
  t.equal(batches(log).length, 3, 'the emptied first batch is gone');
  t.same((await readRecords(b1!))[0]!.headers.map((h) => [h.key, h.value?.toString()]), [['h', 'h5']], 'headers kept');
  t.equal((await readRecords(b1!))[0]!.timestamp, T0 + 5, 'timestamps kept');
  t.equal(b2!.readInt32BE(BatchLayout.RECORDS_COUNT), 3, 'a batch whose records all stay is kept as it was');

  const again = await clean(log, T0 + 200, result.endOffset);
  t.same([again.target.firstDirtyOffset, again.target.cleanableBytes, isCleanable(again.target, SETTINGS)], [9, 0, false], 'nothing dirty: not due');
});

t.test('producer fields survive; a live producer\'s last batch stays, emptied', async (t) => {
  const log = newLog();
  await append(log, [rec('a', 'a1', 0), rec('b', 'b1', 1)], { producerId: 7, producerEpoch: 3, baseSequence: 100 });
  await append(log, [rec('a', 'a2', 2)], { producerId: 8, producerEpoch: 1, baseSequence: 5 });
  await append(log, [rec('b', 'b2', 3)], { producerId: 8, producerEpoch: 1, baseSequence: 6 });
  log.roll();
  await append(log, [rec('z', 'z', 4)]);
  const txn: CleanerTxnSource = {
    collectAbortedTransactions: () => [],
    lastRecordsOfActiveProducers: () => new Map([[7, { lastDataOffset: 1, producerEpoch: 3 }]]),
  };
  await clean(log, T0 + 10, undefined, txn);
  const [first, ...rest] = batches(log);
  t.same(
    [readInt64(first!, BatchLayout.BASE_OFFSET), first!.readInt32BE(BatchLayout.LAST_OFFSET_DELTA), first!.readInt32BE(BatchLayout.RECORDS_COUNT)],
    [0, 1, 0],
    'producer 7 is live and this is its last batch: kept as an empty batch',
  );
  t.same(
    [readInt64(first!, BatchLayout.PRODUCER_ID), first!.readInt16BE(BatchLayout.PRODUCER_EPOCH), first!.readInt32BE(BatchLayout.BASE_SEQUENCE)],
    [7, 3, 100],
  );
  t.same(rest.map((b) => [readInt64(b, BatchLayout.BASE_OFFSET), readInt64(b, BatchLayout.PRODUCER_ID), b.readInt32BE(BatchLayout.BASE_SEQUENCE)]), [
    [2, 8, 5],
    [3, 8, 6],
    [4, -1, -1],
  ]);
});

t.test('tombstones stay for delete.retention.ms after the first pass, then go', async (t) => {
  const log = newLog();
  await append(log, [rec('a', 'a1', 0), rec('b', 'b1', 1), rec('c', 'c1', 2)]);
  await append(log, [rec('a', null, 3), rec('c', 'c2', 4)]);
  await append(log, [rec('x', 'x', 5)]);
  log.roll();
  await append(log, [rec('y', 'y', 6)]);
  const now = T0 + 50;
  const first = await clean(log, now);
  t.same(await contents(log), [[1, 'b', 'b1'], [3, 'a', null], [4, 'c', 'c2'], [5, 'x', 'x'], [6, 'y', 'y']], 'the tombstone stays');
  const withTombstone = batches(log)[1]!;
  t.ok((withTombstone.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.DELETE_HORIZON) !== 0, 'its batch now has a delete horizon');
  t.equal(readInt64(withTombstone, BatchLayout.BASE_TIMESTAMP), now + SETTINGS.deleteRetentionMs, 'now + delete.retention.ms, in baseTimestamp');
  t.equal(first.result.nextDeleteHorizon, now + SETTINGS.deleteRetentionMs);
  t.equal((await readRecords(withTombstone))[1]!.timestamp, T0 + 4, 'record timestamps are unchanged');

  await clean(log, now + SETTINGS.deleteRetentionMs - 1, first.result.endOffset);
  t.same((await contents(log)).length, 5, 'not yet');
  const last = await clean(log, now + SETTINGS.deleteRetentionMs, first.result.endOffset);
  t.same(await contents(log), [[1, 'b', 'b1'], [4, 'c', 'c2'], [5, 'x', 'x'], [6, 'y', 'y']], 'gone once the horizon has passed');
  t.equal(last.result.nextDeleteHorizon, null);
});

t.test('compressed batches are rebuilt with their codec', async (t) => {
  for (const codec of [CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]) {
    const log = newLog();
    await append(log, [rec('a', 'a1', 0), rec('b', 'b1', 1), rec('a', 'a2', 2)], { compression: codec });
    await append(log, [rec('b', 'b2', 3)], { compression: codec });
    log.roll();
    await append(log, [rec('z', 'z', 4)]);
    await clean(log, T0 + 10);
    const b = batches(log)[0]!;
    t.equal(b.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.COMPRESSION_MASK, codec, `codec ${codec} kept`);
    t.same(await contents(log), [[2, 'a', 'a2'], [3, 'b', 'b2'], [4, 'z', 'z']]);
  }
});

t.test('aborted transactions go; markers stay until safe, then for delete.retention.ms', async (t) => {
  const log = newLog();
  // Producer 5 aborts (offsets 0-1, marker 2); producer 6 commits (3, marker 4); data after.
  await append(log, [rec('a', 'aborted', 0)], { producerId: 5, producerEpoch: 0, baseSequence: 0, transactional: true });
  await append(log, [rec('b', 'aborted', 1)], { producerId: 5, producerEpoch: 0, baseSequence: 1, transactional: true });
  appendControl(log, ControlRecordType.ABORT, 5);
  await append(log, [rec('a', 'committed', 3)], { producerId: 6, producerEpoch: 0, baseSequence: 0, transactional: true });
  appendControl(log, ControlRecordType.COMMIT, 6);
  await append(log, [rec('c', 'c', 5)]);
  log.roll();
  await append(log, [rec('z', 'z', 6)]);
  const txn: CleanerTxnSource = {
    collectAbortedTransactions: (start, upper) => (0 < upper && 2 >= start ? [{ producerId: 5, firstOffset: 0, lastOffset: 2 }] : []),
    lastRecordsOfActiveProducers: () => new Map(),
  };
  const types = () => batches(log).map((b) => [readInt64(b, BatchLayout.BASE_OFFSET), (b.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.CONTROL) !== 0]);

  const first = await clean(log, T0 + 10, undefined, txn);
  t.same(await contents(log), [[3, 'a', 'committed'], [5, 'c', 'c'], [6, 'z', 'z']], 'aborted data gone; committed data kept');
  t.same(types(), [[2, true], [3, false], [4, true], [5, false], [6, false]], 'both markers kept for now');

  const second = await clean(log, T0 + 20, first.result.endOffset, txn);
  const abortMarker = batches(log)[0]!;
  t.ok((abortMarker.readInt16BE(BatchLayout.ATTRIBUTES) & BatchAttribute.DELETE_HORIZON) !== 0, 'the ABORT marker, its data gone, got a delete horizon');
  t.equal(second.result.nextDeleteHorizon, T0 + 20 + SETTINGS.deleteRetentionMs);

  await clean(log, T0 + 20 + SETTINGS.deleteRetentionMs, second.result.endOffset, txn);
  t.same(types(), [[3, false], [4, true], [5, false], [6, false]], 'then removed once its horizon passed; the COMMIT marker stays while its data does');
});

t.test('the cleanable range: last stable offset, compaction lags, dirty ratio', async (t) => {
  const clock = new ManualClock(T0);
  const log = newLog(clock);
  for (let s = 0; s < 4; s++) {
    await append(log, [rec('k', `v${s}`, s * 1000)]);
    log.roll();
  }
  await append(log, [rec('k', 'active', 5000)]);
  // Segments at 0, 1, 2, 3; active at 4.
  t.same(logToClean(log, undefined, SETTINGS, T0 + 10_000).firstUncleanableOffset, 4, 'up to the active segment');
  log.setFirstUnstableOffset(2);
  t.same(logToClean(log, undefined, SETTINGS, T0 + 10_000).firstUncleanableOffset, 2, 'never at or above the last stable offset');
  log.setFirstUnstableOffset(null);
  const lagged = { ...SETTINGS, minCompactionLagMs: 7500 };
  t.same(logToClean(log, undefined, lagged, T0 + 10_000).firstUncleanableOffset, 3, 'segments newer than min.compaction.lag.ms wait');

  const lazy = { ...SETTINGS, minCleanableRatio: 0.99 };
  await clean(log, T0 + 10_000);
  const target = logToClean(log, 4, lazy, T0 + 10_000);
  t.same([target.cleanableBytes, isCleanable(target, lazy)], [0, false]);
  await append(log, [rec('k', 'more', 6000)]);
  log.roll();
  await append(log, [rec('k', 'active2', 7000)]);
  const dirty = logToClean(log, 4, lazy, T0 + 10_000);
  t.ok(dirty.cleanableRatio > 0 && dirty.cleanableRatio < 0.99 && !isCleanable(dirty, lazy), 'below the ratio: not due');
  const overdue = { ...lazy, maxCompactionLagMs: 3000 };
  t.ok(isCleanable(logToClean(log, 4, overdue, T0 + 10_000), overdue), 'unless a dirty record is older than max.compaction.lag.ms');
});

t.test('a pass that the log changes under is aborted and swaps nothing', async (t) => {
  const log = newLog();
  for (let i = 0; i < 3; i++) {
    await append(log, [rec('a', `a${i}`, i), rec('b', `b${i}`, i)]);
    log.roll();
  }
  await append(log, [rec('z', 'z', 9)]);
  const target = logToClean(log, undefined, SETTINGS, T0 + 10);
  const segmentsBefore = [...log.segments];
  let pauses = 0;
  // A one-byte slice pauses after every batch; segment.bytes of one byte cleans each segment alone.
  const result = await cleanLog(log, target, { ...SETTINGS, segmentBytes: 1 }, T0 + 10, NO_TRANSACTIONS, async () => {
    if (++pauses === 1) log.deleteRecordsBefore(4);
  }, 1);
  t.equal(result.aborted, true, 'DeleteRecords dropped segments of the pass: aborted');
  t.same(log.segmentBaseOffsets(), [4, 6], 'retention won');
  t.equal(log.segments[0], segmentsBefore[2], 'the remaining segment was not swapped');
  t.same(await contents(log), [[4, 'a', 'a2'], [5, 'b', 'b2'], [6, 'z', 'z']]);
});
