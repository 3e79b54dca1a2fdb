import type { Test } from 'tap';
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import type { RecordTimestampSearch } from '../../../src/log/partition-log.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { appendBatch, baseOf, bases, fakeBatch } from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;

function outOfRange(t: Test, fn: () => unknown, what: string): void {
  t.throws(fn, { name: 'KafkaError', code: 1, errorName: 'OFFSET_OUT_OF_RANGE' }, what);
}

t.test('an empty log', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  t.equal(log.logStartOffset, 0);
  t.equal(log.logEndOffset, 0);
  t.equal(log.highWatermark, 0);
  t.equal(log.lastStableOffset, 0);
  t.equal(log.size, 0);
  t.same(log.read(0, 1000, { minOneBatch: true }), { batches: [], bytes: 0 });
  outOfRange(t, () => log.read(1, 1000, { minOneBatch: true }), 'past the end');
  t.equal(log.offsetForTimestamp(0), null);
  t.equal(log.maxTimestampOffset(), null);

  const later = new PartitionLog({ clock: new ManualClock(), logStartOffset: 42 });
  t.equal(later.logEndOffset, 42);
  t.equal(appendBatch(later), 42);
});

t.test('append and read return the very Buffers appended, whole batches', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  const appended: Buffer[] = [];
  for (let i = 0; i < 3; i++) {
    const base = log.logEndOffset;
    const b = fakeBatch(base, 100);
    appended.push(b);
    log.append(b, { baseOffset: base, lastOffset: base + 4, maxTimestamp: -1 });
  }
  t.equal(log.logEndOffset, 15);
  t.equal(log.size, 300);

  const all = log.read(0, 10_000, { minOneBatch: false });
  t.equal(all.bytes, 300);
  t.equal(all.batches.length, 3);
  all.batches.forEach((b, i) => t.equal(b, appended[i], `batch ${i} is the same Buffer`));

  // An offset inside a batch returns that whole batch (the consumer skips the early records).
  t.same(bases(log.read(7, 10_000, { minOneBatch: false }).batches), [5, 10]);
  t.same(bases(log.read(14, 10_000, { minOneBatch: false }).batches), [10]);
  t.same(log.read(15, 10_000, { minOneBatch: true }).batches, [], 'at the log end: nothing yet');
  outOfRange(t, () => log.read(16, 10_000, { minOneBatch: true }), 'beyond the log end');
});

t.test('maxBytes and the at-least-one-batch rule', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  for (let i = 0; i < 4; i++) appendBatch(log, { size: 100 });

  t.same(bases(log.read(0, 250, { minOneBatch: false }).batches), [0, 1], 'stops before exceeding');
  t.same(bases(log.read(0, 300, { minOneBatch: false }).batches), [0, 1, 2], 'exact fit is taken');
  t.same(log.read(0, 99, { minOneBatch: false }), { batches: [], bytes: 0 }, 'first batch too big');
  const one = log.read(0, 99, { minOneBatch: true });
  t.same(bases(one.batches), [0], 'minOneBatch returns the oversized first batch');
  t.equal(one.bytes, 100);
  t.same(bases(log.read(1, 0, { minOneBatch: true }).batches), [1], 'even with maxBytes 0');
  t.same(bases(log.read(0, 150, { minOneBatch: true }).batches), [0], 'but only one');
});

t.test('maxOffset (high watermark / LSO) bounds the read, exclusive', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  for (let i = 0; i < 5; i++) appendBatch(log, { records: 2 }); // 0,2,4,6,8; LEO 10
  t.same(bases(log.read(0, 10_000, { minOneBatch: false, maxOffset: 6 }).batches), [0, 2, 4]);
  t.same(bases(log.read(0, 10_000, { minOneBatch: false, maxOffset: 7 }).batches), [0, 2, 4, 6]);
  t.same(log.read(6, 10_000, { minOneBatch: true, maxOffset: 6 }).batches, [], 'at the bound');
  t.same(log.read(8, 10_000, { minOneBatch: true, maxOffset: 6 }).batches, [], 'past the bound, below LEO');
  t.same(bases(log.read(0, 10_000, { minOneBatch: false, maxOffset: 99 }).batches), [0, 2, 4, 6, 8]);
});

t.test('segments roll on segment.bytes and reads cross them', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 250 } });
  for (let i = 0; i < 7; i++) appendBatch(log, { size: 100, records: 3 });
  t.same(log.segmentBaseOffsets(), [0, 6, 12, 18], 'two 100-byte batches per 250-byte segment');
  t.equal(log.logEndOffset, 21);
  t.same(bases(log.read(0, 10_000, { minOneBatch: false }).batches), [0, 3, 6, 9, 12, 15, 18]);
  for (let offset = 0; offset < 21; offset++) {
    const { batches } = log.read(offset, 250, { minOneBatch: false });
    const first = offset - (offset % 3);
    t.same(bases(batches), [first, first + 3].filter((b) => b < 21), `read at ${offset}`);
  }
  t.throws(() => appendBatch(log, { size: 251 }), { errorName: 'RECORD_LIST_TOO_LARGE', code: 18 });
  t.equal(log.logEndOffset, 21, 'rejected batch left no trace');
});

t.test('segments roll on segment.ms: record time when batches have timestamps', async (t) => {
  const clock = new ManualClock(1_000_000);
  const log = new PartitionLog({ clock, config: { segmentMs: 1000 } });
  appendBatch(log, { timestamp: 5000 });
  appendBatch(log, { timestamp: 6000 }); // waited exactly 1000: not more than segment.ms
  t.same(log.segmentBaseOffsets(), [0]);
  appendBatch(log, { timestamp: 6001 });
  t.same(log.segmentBaseOffsets(), [0, 2]);
  clock.advance(10 * DAY); // clock time does not matter while batches carry timestamps
  appendBatch(log, { timestamp: 6002 });
  t.same(log.segmentBaseOffsets(), [0, 2]);
});

t.test('segments roll on segment.ms: clock time when batches have none', async (t) => {
  const clock = new ManualClock(0);
  const log = new PartitionLog({ clock, config: { segmentMs: 1000 } });
  clock.advance(5000); // an empty segment never rolls, however old
  appendBatch(log);
  t.same(log.segmentBaseOffsets(), [0]);
  clock.advance(1);
  appendBatch(log);
  t.same(log.segmentBaseOffsets(), [0, 1], 'segment created at 0, now 5001 > 1000');
  clock.advance(1000);
  appendBatch(log);
  t.same(log.segmentBaseOffsets(), [0, 1]);
  clock.advance(1);
  appendBatch(log);
  t.same(log.segmentBaseOffsets(), [0, 1, 3]);
});

t.test('append rejects offsets that go backwards; a gap starts the batch where it says', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  appendBatch(log, { records: 5 });
  t.throws(() => log.append(fakeBatch(3), { baseOffset: 3, lastOffset: 3, maxTimestamp: -1 }), RangeError);
  t.throws(() => log.append(fakeBatch(5), { baseOffset: 5, lastOffset: 4, maxTimestamp: -1 }), RangeError);
  // A follower copying a compacted leader may skip offsets.
  log.append(fakeBatch(9), { baseOffset: 9, lastOffset: 10, maxTimestamp: -1 });
  t.equal(log.logEndOffset, 11);
  t.same(bases(log.read(6, 10_000, { minOneBatch: false }).batches), [9], 'an offset in the gap reads the next batch');
});

t.test('offsetForTimestamp finds the first batch reaching the timestamp', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 350 } });
  // Out of order on purpose: producers may send older timestamps later.
  const ts = [100, 300, 200, 300, 500, 400, 700];
  for (const timestamp of ts) appendBatch(log, { timestamp, records: 2 });
  t.same(log.segmentBaseOffsets(), [0, 6, 12]);
  const expect = (target: number, offset: number | null, timestamp?: number): void => {
    const r = log.offsetForTimestamp(target);
    if (offset === null) t.equal(r, null, `ts ${target}: none`);
    else t.match(r, { offset, timestamp }, `ts ${target}`);
  };
  expect(0, 0, 100);
  expect(100, 0, 100);
  expect(101, 2, 300);
  expect(250, 2, 300);
  expect(300, 2, 300);
  expect(301, 8, 500);
  expect(450, 8, 500);
  expect(501, 12, 700);
  expect(700, 12, 700);
  expect(701, null);
  t.equal(log.offsetForTimestamp(300)!.leaderEpoch, -1, 'no epochs recorded');
});

t.test('offsetForTimestamp and maxTimestampOffset ignore what lies below the log start', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  for (const timestamp of [900, 100, 200, 300]) appendBatch(log, { timestamp, records: 2 });
  log.updateHighWatermark(log.logEndOffset);
  t.match(log.maxTimestampOffset(), { offset: 0, timestamp: 900 });
  log.deleteRecordsBefore(1); // inside the first batch: it stays, clipped
  t.match(log.offsetForTimestamp(50), { offset: 1, timestamp: 900 });
  t.match(log.maxTimestampOffset(), { offset: 1, timestamp: 900 });
  log.deleteRecordsBefore(2);
  t.match(log.offsetForTimestamp(50), { offset: 2, timestamp: 100 });
  t.match(log.offsetForTimestamp(250), { offset: 6, timestamp: 300 });
  t.match(log.maxTimestampOffset(), { offset: 6, timestamp: 300 });
});

t.test('maxTimestampOffset picks the first batch with the largest timestamp', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 250 } });
  for (const timestamp of [10, 50, 20, 50, 30]) appendBatch(log, { timestamp });
  t.match(log.maxTimestampOffset(), { offset: 1, timestamp: 50 });
  const none = new PartitionLog({ clock: new ManualClock() });
  appendBatch(none); // no timestamp
  t.equal(none.maxTimestampOffset(), null);
});

t.test('a RecordTimestampSearch makes timestamp lookups exact', async (t) => {
  // Fake record format: batch of 4 records; record i has timestamp base*10 + i.
  const search: RecordTimestampSearch = {
    firstAtOrAfter(batch, target, minOffset) {
      const base = baseOf(batch);
      for (let i = 0; i < 4; i++) {
        const ts = base * 10 + i;
        if (ts >= target && base + i >= minOffset) return { offset: base + i, timestamp: ts };
      }
      return null;
    },
    offsetOfMaxTimestamp: (batch) => baseOf(batch) + 3,
  };
  const log = new PartitionLog({ clock: new ManualClock(), recordSearch: search });
  for (let i = 0; i < 3; i++) {
    const base = log.logEndOffset;
    log.append(fakeBatch(base), { baseOffset: base, lastOffset: base + 3, maxTimestamp: base * 10 + 3 });
  }
  t.match(log.offsetForTimestamp(42), { offset: 6, timestamp: 42 });
  t.match(log.offsetForTimestamp(0), { offset: 0, timestamp: 0 });
  t.match(log.maxTimestampOffset(), { offset: 11, timestamp: 83 });
});

t.test('sparse indexes answer exactly like dense ones', async (t) => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const dense = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 5000 } });
  const sparse = new PartitionLog({
    clock: new ManualClock(),
    config: { segmentBytes: 5000, indexIntervalBytes: 700 },
  });
  const stamps: number[] = [];
  for (let i = 0; i < 300; i++) {
    const spec = { size: 20 + rand(300), records: 1 + rand(5), timestamp: 1000 + rand(5000) };
    stamps.push(spec.timestamp);
    appendBatch(dense, spec);
    appendBatch(sparse, spec);
  }
  t.ok(dense.numberOfSegments > 5, 'several segments');
  let mismatches = 0;
  for (let offset = 0; offset < dense.logEndOffset; offset += 1 + rand(3)) {
    const a = dense.read(offset, 900, { minOneBatch: true });
    const b = sparse.read(offset, 900, { minOneBatch: true });
    if (bases(a.batches).join() !== bases(b.batches).join()) mismatches++;
  }
  for (let target = 900; target <= 6100; target += 37) {
    const a = dense.offsetForTimestamp(target);
    const b = sparse.offsetForTimestamp(target);
    // Brute force: first batch whose max timestamp >= target.
    const i = stamps.findIndex((s) => s >= target);
    if (JSON.stringify(a) !== JSON.stringify(b)) mismatches++;
    if ((i < 0 ? null : stamps[i]) !== (a === null ? null : a.timestamp)) mismatches++;
  }
  t.equal(mismatches, 0);
});

t.test('deleteRecordsBefore moves the log start and drops whole segments', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 250 } });
  for (let i = 0; i < 5; i++) appendBatch(log, { records: 2 }); // batches 0,2,4,6,8; LEO 10
  t.same(log.segmentBaseOffsets(), [0, 4, 8]);
  outOfRange(t, () => log.deleteRecordsBefore(1), 'above the high watermark (still 0)');
  log.updateHighWatermark(10);

  t.equal(log.deleteRecordsBefore(3), 3);
  t.equal(log.logStartOffset, 3);
  t.same(log.segmentBaseOffsets(), [0, 4, 8], 'segment 0 still holds offset 3');
  outOfRange(t, () => log.read(2, 1000, { minOneBatch: true }), 'below the log start');
  t.same(bases(log.read(3, 1000, { minOneBatch: false }).batches), [2, 4, 6, 8], 'whole batch holding 3');

  t.equal(log.deleteRecordsBefore(4), 4);
  t.same(log.segmentBaseOffsets(), [4, 8]);
  t.equal(log.size, 300);
  t.equal(log.deleteRecordsBefore(1), 4, 'moving backwards does nothing');
  outOfRange(t, () => log.deleteRecordsBefore(11), 'past the high watermark');
  t.equal(log.deleteRecordsBefore(-1), 10, '-1 means the high watermark');
  t.same(log.segmentBaseOffsets(), [10], 'nothing live is left: a fresh active segment');
  t.equal(log.size, 0);
  t.same(log.read(10, 1000, { minOneBatch: true }).batches, [], 'the log end is still readable');
  outOfRange(t, () => log.read(9, 1000, { minOneBatch: true }), 'offset 9 is gone');
});

t.test('deleting up to the log end frees the active segment too', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  for (let i = 0; i < 3; i++) appendBatch(log);
  log.updateHighWatermark(3);
  t.equal(log.deleteRecordsBefore(3), 3);
  t.same(log.segmentBaseOffsets(), [3]);
  t.equal(log.size, 0);
  t.equal(appendBatch(log), 3, 'appends continue at the log end');
});

t.test('retention by time (ManualClock) deletes expired segments oldest first', async (t) => {
  const clock = new ManualClock(0);
  const log = new PartitionLog({ clock, config: { segmentBytes: 250, retentionMs: DAY } });
  const now = 8.5 * DAY;
  // Segments: [ts 1d,2d] [ts 8d,3d] [ts 5d,9d] [active: ts 9.5d]
  for (const ts of [1, 2, 8, 3, 5, 9, 9.5]) appendBatch(log, { timestamp: ts * DAY });
  t.same(log.segmentBaseOffsets(), [0, 2, 4, 6]);
  log.updateHighWatermark(log.logEndOffset);

  t.equal(log.applyRetention({ now }), 1, 'segment 0 (newest 2d) expired; segment 2 (newest 8d) is not');
  t.same(log.segmentBaseOffsets(), [2, 4, 6]);
  t.equal(log.logStartOffset, 2);

  t.equal(log.applyRetention({ now: 9 * DAY + 1 }), 1, 'segment 2 (newest 8d) now expired');
  t.same(log.segmentBaseOffsets(), [4, 6]);

  clock.advanceTo(11 * DAY);
  t.equal(log.applyRetention(), 2, 'everything expired: config retention.ms and clock time');
  t.same(log.segmentBaseOffsets(), [7], 'a fresh active segment at the log end');
  t.equal(log.logStartOffset, 7);
  t.equal(log.logEndOffset, 7);
  t.equal(log.size, 0);
  t.equal(log.applyRetention(), 0, 'an empty active segment is never deleted');
});

t.test('retention falls back to last-modified time when batches carry no timestamp', async (t) => {
  const clock = new ManualClock(0);
  const log = new PartitionLog({ clock, config: { segmentBytes: 150, retentionMs: 1000 } });
  appendBatch(log);
  clock.advance(500);
  appendBatch(log);
  appendBatch(log);
  log.updateHighWatermark(log.logEndOffset);
  t.same(log.segmentBaseOffsets(), [0, 1, 2]);
  clock.advanceTo(1400);
  t.equal(log.applyRetention(), 1);
  t.same(log.segmentBaseOffsets(), [1, 2]);
});

t.test('retention never deletes data at or above the high watermark', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 150 } });
  for (let i = 0; i < 4; i++) appendBatch(log, { timestamp: 1 });
  log.updateHighWatermark(2);
  t.equal(log.applyRetention({ retentionMs: 0, now: 1_000_000 }), 2);
  t.same(log.segmentBaseOffsets(), [2, 3]);
  t.equal(log.logStartOffset, 2);
});

t.test('retention by size deletes oldest segments until under retention.bytes', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 250, retentionMs: -1 } });
  for (let i = 0; i < 7; i++) appendBatch(log); // segments of 200,200,200,100 bytes
  log.updateHighWatermark(log.logEndOffset);
  t.equal(log.size, 700);
  t.equal(log.applyRetention({ retentionBytes: 800 }), 0);
  // Dropping one 200-byte segment leaves 500; dropping the next would go below 450.
  t.equal(log.applyRetention({ retentionBytes: 450 }), 1);
  t.same(log.segmentBaseOffsets(), [2, 4, 6]);
  t.equal(log.size, 500);
  log.updateConfig({ retentionBytes: 100 });
  t.equal(log.applyRetention(), 2);
  t.same(log.segmentBaseOffsets(), [6]);
  t.equal(log.logStartOffset, 6);
  t.equal(log.applyRetention({ retentionBytes: 0 }), 1, 'zero keeps nothing');
  t.same(log.segmentBaseOffsets(), [7]);
  t.equal(log.size, 0);
});

t.test('truncateTo removes the tail, whole batches, across segments', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), config: { segmentBytes: 250 } });
  for (let i = 0; i < 6; i++) appendBatch(log, { records: 2, leaderEpoch: i < 3 ? 0 : 1, timestamp: 100 + i });
  log.updateHighWatermark(12);
  t.same(log.segmentBaseOffsets(), [0, 4, 8]);
  t.same(log.leaderEpochCache.entries(), [
    { epoch: 0, startOffset: 0 },
    { epoch: 1, startOffset: 6 },
  ]);

  log.truncateTo(7); // inside batch 6..7: it goes whole
  t.equal(log.logEndOffset, 6);
  t.equal(log.highWatermark, 6);
  t.same(log.segmentBaseOffsets(), [0, 4]);
  t.same(bases(log.read(0, 10_000, { minOneBatch: false }).batches), [0, 2, 4]);
  t.equal(log.size, 300);
  t.same(log.leaderEpochCache.entries(), [{ epoch: 0, startOffset: 0 }]);
  t.match(log.maxTimestampOffset(), { offset: 4, timestamp: 102 });

  log.truncateTo(100);
  t.equal(log.logEndOffset, 6, 'past the end: nothing to do');
  t.equal(appendBatch(log), 6, 'appends resume at the new end');

  log.truncateTo(4);
  t.equal(log.logEndOffset, 4);
  t.same(log.segmentBaseOffsets(), [0, 4], 'the segment starting at the cut stays, empty');
  t.equal(appendBatch(log), 4);
});

t.test('truncateTo below the first segment restarts the log', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock(), logStartOffset: 10 });
  appendBatch(log, { leaderEpoch: 3 });
  log.truncateTo(5);
  t.equal(log.logStartOffset, 5);
  t.equal(log.logEndOffset, 5);
  t.equal(log.size, 0);
  t.equal(log.leaderEpochCache.size, 0);
});

t.test('lastStableOffset follows the high watermark, or the first unstable offset below it', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  for (let i = 0; i < 5; i++) appendBatch(log);
  t.equal(log.updateHighWatermark(99), 5, 'clamped to the log end');
  t.equal(log.lastStableOffset, 5);
  log.setFirstUnstableOffset(2);
  t.equal(log.lastStableOffset, 2);
  log.setFirstUnstableOffset(null);
  t.equal(log.lastStableOffset, 5);
});

t.test('append records leader epochs carried by batches', async (t) => {
  const log = new PartitionLog({ clock: new ManualClock() });
  appendBatch(log, { leaderEpoch: 0 });
  appendBatch(log, { leaderEpoch: 0 });
  appendBatch(log, { leaderEpoch: 2 });
  appendBatch(log, { leaderEpoch: -1 }); // no epoch (old format): ignored
  t.same(log.leaderEpochCache.entries(), [
    { epoch: 0, startOffset: 0 },
    { epoch: 2, startOffset: 2 },
  ]);
  t.equal(log.maxTimestampOffset(), null);
});
