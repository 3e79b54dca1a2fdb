// The record-level timestamp search the log uses for ListOffsets.
import t from 'tap';
import { recordTimestampSearch as search } from '../../../src/server/cluster/record-timestamp-search.js';
import { BatchLayout, CompressionCodec, TimestampType, buildBatch, buildBatchSync } from '../../../src/protocol/records/index.js';

const T = 1_700_000_000_000;
const values = (deltas: number[]) => deltas.map((d, i) => ({ value: Buffer.from(`r${i}`), timestamp: T + d }));

t.test('firstAtOrAfter: the first record at or after the target, from minOffset on', async (t) => {
  const batch = buildBatchSync(values([10, 30, 20, 40]), { baseOffset: 100 });
  t.same(search.firstAtOrAfter(batch, T + 15, 0), { offset: 101, timestamp: T + 30 }, 'offset order, not timestamp order');
  t.same(search.firstAtOrAfter(batch, T + 20, 0), { offset: 101, timestamp: T + 30 }, 'the first at or after, even if a later one matches exactly');
  t.same(search.firstAtOrAfter(batch, T, 102), { offset: 102, timestamp: T + 20 }, 'records below minOffset (deleted) are skipped');
  t.equal(search.firstAtOrAfter(batch, T + 41, 0), null, 'none');
});

t.test('offsetOfMaxTimestamp: the first record carrying the max', async (t) => {
  t.equal(search.offsetOfMaxTimestamp(buildBatchSync(values([10, 40, 20, 40]), { baseOffset: 7 })), 8, 'first of two maxima');
  const lat = buildBatchSync(values([10, 40]), { baseOffset: 7, timestampType: TimestampType.LOG_APPEND_TIME, logAppendTime: T + 99 });
  t.equal(search.offsetOfMaxTimestamp(lat), 7, 'LogAppendTime: every record has the batch time, so the first');
  t.same(search.firstAtOrAfter(lat, T + 50, 0), { offset: 7, timestamp: T + 99 }, 'LogAppendTime records read the batch time');
});

t.test('batches that cannot be decoded synchronously answer at batch granularity', async (t) => {
  const zstd = await buildBatch(values([10, 30]), { baseOffset: 5, compression: CompressionCodec.ZSTD });
  t.same(search.firstAtOrAfter(zstd, T + 20, 0), { offset: 5, timestamp: T + 30 }, 'zstd: batch start, max timestamp');
  t.same(search.firstAtOrAfter(zstd, T + 20, 6), { offset: 6, timestamp: T + 30 }, 'but not below minOffset');
  t.equal(search.offsetOfMaxTimestamp(zstd), 5, 'zstd max: batch start');
  const broken = buildBatchSync(values([10, 30]), { baseOffset: 5, compression: CompressionCodec.GZIP });
  broken.fill(0, BatchLayout.RECORDS + 2);
  t.same(search.firstAtOrAfter(broken, T + 20, 0), { offset: 5, timestamp: T + 30 }, 'a payload that does not decode');
  t.equal(search.firstAtOrAfter(Buffer.alloc(20), 0, 0), null, 'not a batch at all');
});
