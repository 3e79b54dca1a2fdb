// A sealed segment keeps its per-batch metadata in compact typed arrays and a sampled time index
// (issue 16: memory that grows with the data stored). Every lookup must answer as before sealing;
// a truncation into a sealed segment makes it growable again; with --data-dir the index entries a
// sealed segment dropped come back from its .log when it is truncated.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LogSegment } from '../../../src/log/log-segment.js';
import type { SegmentFile } from '../../../src/log/log-segment.js';
import { MemoryFileSystem } from '../../../src/log/disk/memory-file-system.js';
import type { SegmentFiles } from '../../../src/log/disk/segment-files.js';
import { create, recover, produce, stored } from '../disk/helpers.js';

interface Spec {
  readonly base: number;
  readonly last: number;
  readonly ts: number;
  readonly size: number;
}

// Offset gaps (a compacted leader's batches), timestamps out of order and repeated, some -1.
function specs(n: number, seed: number): Spec[] {
  let x = seed;
  const rnd = (m: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % m;
  };
  const out: Spec[] = [];
  let offset = 1000 + rnd(50);
  let ts = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    const records = 1 + rnd(5);
    ts += rnd(7) - 2;
    out.push({ base: offset, last: offset + records - 1, ts: rnd(23) === 0 ? -1 : ts, size: 61 + rnd(200) });
    offset += records + (rnd(4) === 0 ? rnd(9) : 0);
  }
  return out;
}

function fill(seg: LogSegment, batches: readonly Spec[]): void {
  for (const b of batches) seg.append(Buffer.alloc(b.size, b.base % 251), b.base, b.last, b.ts, 0);
}

/** Every answer of the segment's lookups over a range of offsets and timestamps. */
function answers(seg: LogSegment, batches: readonly Spec[]): unknown[] {
  const out: unknown[] = [seg.batchCount, seg.nextOffset, seg.size, seg.maxTimestampSoFar, seg.slotOfMaxTimestamp];
  for (let slot = 0; slot < seg.batchCount; slot++) {
    out.push([seg.batchBaseOffset(slot), seg.batchLastOffset(slot), seg.batchMaxTimestamp(slot), seg.batchSize(slot), seg.batch(slot)[0]]);
  }
  const first = batches[0]!.base;
  const end = batches[batches.length - 1]!.last + 3;
  for (let o = first - 2; o <= end; o++) out.push(seg.slotFor(o));
  const tss = batches.map((b) => b.ts);
  const lo = Math.min(...tss.filter((x) => x >= 0));
  const hi = Math.max(...tss);
  for (let ts = lo - 2; ts <= hi + 2; ts++) {
    for (const min of [0, first + 17, Math.floor((first + end) / 2)]) out.push(seg.slotForTimestamp(ts, min));
  }
  for (let slot = 0; slot < seg.batchCount; slot += 7) out.push(seg.slotOfMaxTimestampFrom(slot));
  return out;
}

for (const interval of [0, 300, 4096]) {
  t.test(`index interval ${interval}: a sealed segment answers every lookup as before`, async (t) => {
    const batches = specs(400, 7 + interval);
    const open = new LogSegment(batches[0]!.base, 0, interval);
    const sealed = new LogSegment(batches[0]!.base, 0, interval);
    fill(open, batches);
    fill(sealed, batches);
    sealed.seal();
    t.strictSame(answers(sealed, batches), answers(open, batches), 'same answers');
    t.throws(() => sealed.append(Buffer.alloc(70), 99_999, 99_999, 0, 0), /sealed/, 'a sealed segment takes no appends');

    // Follower divergence: truncated in the middle, then appended to again.
    const more = specs(60, 99).map((b) => ({ ...b, base: b.base + 10_000, last: b.last + 10_000 }));
    for (const seg of [open, sealed]) {
      seg.unseal();
      seg.truncateFromSlot(250);
      fill(seg, more);
    }
    const all = [...batches.slice(0, 250), ...more];
    t.strictSame(answers(sealed, all), answers(open, all), 'same answers after truncation and appends');
    sealed.seal();
    t.strictSame(answers(sealed, all), answers(open, all), 'and when sealed again');
  });
}

t.test('--data-dir: truncating into a sealed segment rebuilds its index entries from the .log', async (t) => {
  const fs = new MemoryFileSystem();
  const { partition: p, storage } = create(fs);
  for (let id = 0; id < 30; id++) produce(p, { id, records: 2 });
  const segs = p.log.segments;
  t.ok(segs.length > 3, `${segs.length} segments`);
  const target = segs[1]!;
  const files = target.file as SegmentFiles;
  const cut = target.batchBaseOffset(Math.floor(target.batchCount / 2));
  // What the index files held while sealed: the entries for offsets below the cut must stay.
  const kept = (suffix: string, size: number, relAt: number) => {
    const bytes = files.readIndexFile(suffix)!;
    let n = 0;
    while (n * size < bytes.length && target.baseOffset + bytes.readInt32BE(n * size + relAt) < cut) n++;
    return bytes.subarray(0, n * size);
  };
  const offsetEntries = kept('.index', 8, 0);
  const timeEntries = kept('.timeindex', 12, 8);
  t.ok(offsetEntries.length > 0 && timeEntries.length > 0, `entries before the cut: ${offsetEntries.length / 8} and ${timeEntries.length / 12}`);
  p.log.truncateTo(cut);
  t.equal(p.log.logEndOffset, cut);
  for (let id = 100; id < 120; id++) produce(p, { id, records: 2 });
  const before = stored(p);
  storage.close();
  t.strictSame(files.readIndexFile('.index')!.subarray(0, offsetEntries.length), offsetEntries, 'offset index entries before the cut kept');
  t.strictSame(files.readIndexFile('.timeindex')!.subarray(0, timeEntries.length), timeEntries, 'time index entries before the cut kept');
  const again = recover(fs, { recoveryPoint: 0 });
  t.strictSame(stored(again.partition), before, 'the same batches after a restart');
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JS heap plus ArrayBuffers (typed arrays keep their elements outside the heap), after full GCs. */
function memoryInUse(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

t.test('a sealed segment keeps about 20 bytes of metadata a batch, far less than an open one', async (t) => {
  // A file that takes every batch and lets the segment hold none: what stays is the metadata.
  let end = 0;
  const file: SegmentFile = {
    append: (batch) => (end += batch.length) - batch.length,
    read: () => Buffer.alloc(0),
    truncate: () => undefined,
    admit: (segment, slot) => void segment.evict(slot),
  };
  const batch = Buffer.alloc(100);
  const SEGMENTS = 20;
  const PER_SEGMENT = 10_000;
  const perBatch = (seal: boolean): number => {
    const before = memoryInUse();
    const segments: LogSegment[] = [];
    let offset = 0;
    for (let s = 0; s < SEGMENTS; s++) {
      const seg = new LogSegment(offset, 0, 0, file);
      for (let i = 0; i < PER_SEGMENT; i++, offset += 2) seg.append(batch, offset, offset + 1, 1_700_000_000_000 + offset, 0);
      if (seal) seg.seal();
      segments.push(seg);
    }
    const bytes = (memoryInUse() - before) / (SEGMENTS * PER_SEGMENT);
    t.equal(segments.length, SEGMENTS);
    return bytes;
  };
  const open = perBatch(false);
  const sealed = perBatch(true);
  t.comment(`bytes a batch: ${open.toFixed(1)} open, ${sealed.toFixed(1)} sealed`);
  // Sealed: two Uint32 offsets, a Float64 timestamp, a Uint32 position, 1/16 of a time index entry.
  t.ok(sealed < 32, `sealed: ${sealed.toFixed(1)} bytes a batch (bound 32)`);
  t.ok(sealed < open / 2, `less than half of an open segment's ${open.toFixed(1)}`);
});
