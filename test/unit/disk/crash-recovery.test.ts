// Crash at every write boundary of a small workload (appends, flushes, rolls, a transaction, a
// clean shutdown), then recover from what the crash left. After a process crash (SIGKILL) every
// batch whose append returned is there; after a power cut every batch that a flush made durable
// is there; in both cases the log is a prefix of what was written, each batch exactly once, the
// torn tail gone, the index files what the batches say, and the producer state consistent.
import t from 'tap';
import type { Test } from 'tap';
import { MemoryFileSystem, SimulatedCrash, seededRandom } from '../../../src/log/disk/memory-file-system.js';
import type { CrashOptions } from '../../../src/log/disk/memory-file-system.js';
import { create, recover, produce, stored, marker } from './helpers.js';

interface Outcome {
  /** Base offsets of the batches whose append returned, by id. */
  readonly acked: number[];
  /** Every offset below it was flushed. */
  syncedThrough: number;
  done: boolean;
}

const BATCHES = 14;

function workload(fs: MemoryFileSystem, out: Outcome): void {
  const { partition: p, storage } = create(fs);
  let seq = 0;
  for (let id = 0; id < BATCHES; id++) {
    const records = 1 + (id % 3);
    if (id === 6) {
      // A transaction that is aborted: its batch stays in the log, filtered by read_committed.
      out.acked.push(produce(p, { id, records, producerId: 7, producerEpoch: 0, sequence: seq, transactional: true }));
      marker(p, 7, 0, false);
    } else {
      out.acked.push(produce(p, { id, records, producerId: 7, producerEpoch: 0, sequence: seq }));
    }
    seq += records;
    if (id % 4 === 3) {
      storage.flushSync();
      out.syncedThrough = p.log.logEndOffset;
    }
  }
  storage.close();
  out.syncedThrough = p.log.logEndOffset;
  out.done = true;
}

function check(t: Test, fs: MemoryFileSystem, crashOf: () => CrashOptions, out: Outcome, label: string): void {
  const crash = crashOf();
  const image = fs.afterCrash(crash);
  const r = recover(image);
  const got = stored(r.partition).filter((b) => !b.control);
  const ids = got.map((b) => b.id);
  // A prefix of the written sequence, each batch once, at the offset it was given.
  const prefix = ids.every((id, i) => id === i && got[i]!.baseOffset === (out.acked[i] ?? got[i]!.baseOffset));
  if (!prefix) t.fail(`${label}: not a prefix: ${JSON.stringify(ids)}`);
  const lastSynced = out.acked.filter((base) => base < out.syncedThrough).length;
  if (crash.mode === 'process') {
    if (ids.length < out.acked.length || ids.length > out.acked.length + 1) t.fail(`${label}: ${ids.length} batches recovered, ${out.acked.length} acknowledged`);
  } else if (ids.length < lastSynced) t.fail(`${label}: ${ids.length} batches recovered, ${lastSynced} were synced`);
  // The producer state agrees with the last batch recovered.
  const entry = r.partition.producerState.lastEntry(7);
  const lastSeq = ids.length === 0 ? undefined : [...Array(ids.length).keys()].reduce((s, id) => s + 1 + (id % 3), 0) - 1;
  if (entry?.lastSeq !== lastSeq && !(entry === undefined && lastSeq === undefined)) t.fail(`${label}: producer last sequence ${entry?.lastSeq}, expected ${lastSeq}`);
  if (r.partition.log.highWatermark !== r.partition.log.logEndOffset) t.fail(`${label}: HW != LEO`);
  // Recovery left a clean log: a second recovery finds nothing to cut and only the active index to write.
  const first = JSON.stringify(stored(r.partition));
  r.storage.close();
  const again = recover(image, { cleanShutdown: false });
  if (again.report?.truncated !== null) t.fail(`${label}: second recovery truncated ${JSON.stringify(again.report?.truncated)}`);
  if (again.report?.indexesRebuilt !== 1) t.fail(`${label}: second recovery rebuilt ${again.report?.indexesRebuilt} indexes`);
  if (JSON.stringify(stored(again.partition)) !== first) t.fail(`${label}: second recovery differs`);
  if (again.partition.leaderEpoch <= r.partition.leaderEpoch) t.fail(`${label}: leader epoch did not grow`);
  // With the recovery point the data directory would have recorded (what the flushes made
  // durable), the flushed sealed segments are not read at start: same log, read on first use.
  const lazy = recover(fs.afterCrash(crashOf()), { recoveryPoint: out.syncedThrough });
  if (JSON.stringify(stored(lazy.partition)) !== first) t.fail(`${label}: recovery with the recovery point differs`);
  if (lazy.partition.producerState.lastEntry(7)?.lastSeq !== entry?.lastSeq) t.fail(`${label}: producer state differs with the recovery point`);
  lazySegments += lazy.report!.segments - lazy.report!.segmentsRead;
}

let lazySegments = 0;

t.test('crash at every write boundary', async (t) => {
  const full = new MemoryFileSystem();
  const fullOut: Outcome = { acked: [], syncedThrough: 0, done: false };
  workload(full, fullOut);
  const points = full.operations;
  t.ok(points > 50, `${points} write boundaries`);
  let torn = 0;
  for (let k = 0; k <= points; k++) {
    const fs = new MemoryFileSystem();
    fs.crashAfter(k);
    const out: Outcome = { acked: [], syncedThrough: 0, done: false };
    try {
      workload(fs, out);
    } catch (e) {
      if (!(e instanceof SimulatedCrash)) throw e;
    }
    if (k < points && out.done) t.fail(`crash point ${k} did not crash`);
    check(t, fs, () => ({ mode: 'process' }), out, `process crash after ${k}`);
    for (let seed = 0; seed < 3; seed++) {
      check(t, fs, () => ({ mode: 'power', rng: seededRandom(k * 31 + seed) }), out, `power cut after ${k} (seed ${seed})`);
      const r = recover(fs.afterCrash({ mode: 'power', rng: seededRandom(k * 31 + seed) }));
      if (r.report?.truncated) torn++;
    }
  }
  t.ok(torn > 0, `${torn} recoveries cut a torn or corrupt tail`);
  t.ok(lazySegments > 0, `${lazySegments} flushed segments left unread at start, read on first use`);
});
