// A durable partition on the in-memory filesystem: files as Kafka names them, batches read back
// from the files once the tail cache lets them go, a clean restart that comes back identical.
import t from 'tap';
import { MemoryFileSystem } from '../../../src/log/disk/memory-file-system.js';
import { create, recover, produce, stored, marker, DIR } from './helpers.js';

t.test('segments roll into Kafka-named files and come back after a clean shutdown', async (t) => {
  const fs = new MemoryFileSystem();
  const { partition: p, storage } = create(fs);
  for (let id = 0; id < 30; id++) produce(p, { id, records: 2, producerId: 7, producerEpoch: 0, sequence: id * 2 });
  t.ok(p.log.numberOfSegments > 3, `${p.log.numberOfSegments} segments`);
  const names = fs.list(DIR).sort();
  t.ok(names.includes('00000000000000000000.log'));
  t.ok(names.includes('00000000000000000000.index'));
  t.ok(names.includes('00000000000000000000.timeindex'));
  t.ok(names.includes('partition.metadata'));
  t.ok(names.some((n) => n.endsWith('.snapshot')), 'a snapshot at each roll');
  const before = stored(p);
  t.equal(before.length, 30);
  t.same(before.map((b) => b.id), [...Array(30).keys()]);
  storage.close();
  t.ok(fs.list(DIR).includes('leader-epoch-checkpoint'));

  const again = recover(fs, { cleanShutdown: true });
  const q = again.partition;
  t.notOk(q.log.segments.some((s) => s.isLoaded), 'segments load on first use');
  t.equal(q.log.logEndOffset, 60);
  t.equal(q.log.highWatermark, 60);
  t.equal(q.leaderEpoch, 1, 'a restart is a new leader epoch');
  t.same(stored(q), before);
  t.ok(q.log.segments.every((s) => s.isLoaded), 'reading loaded them');
  t.equal(q.producerState.lastEntry(7)?.lastSeq, 59, 'producer state from the snapshot');
  t.equal(again.report?.truncated, null);
  t.equal(again.report?.indexesRebuilt, 0, 'the index files were right');
  t.equal(again.report?.segmentsRead, 0, 'after a clean shutdown no segment is read at start');
  // Appends continue where the log ended, in the new epoch.
  produce(q, { id: 30, producerId: 7, producerEpoch: 0, sequence: 60 });
  t.equal(stored(q).at(-1)?.id, 30);
  t.same(q.log.leaderEpochCache.entries().map((e) => e.epoch), [0, 1]);
});

t.test('aborted transactions come back, from the snapshot and from the tail', async (t) => {
  const fs = new MemoryFileSystem();
  const { partition: p, storage } = create(fs);
  produce(p, { id: 1, producerId: 9, producerEpoch: 0, sequence: 0, transactional: true });
  marker(p, 9, 0, false);
  for (let id = 2; id < 20; id++) produce(p, { id, records: 3 });
  produce(p, { id: 20, producerId: 9, producerEpoch: 0, sequence: 1, transactional: true });
  marker(p, 9, 0, false);
  produce(p, { id: 21, producerId: 9, producerEpoch: 0, sequence: 2, transactional: true });
  const aborted = p.txnIndex.entries().map((e) => [e.firstOffset, e.lastOffset]);
  t.equal(aborted.length, 2);
  const lso = p.log.lastStableOffset;
  t.ok(lso < p.log.logEndOffset, 'an open transaction holds the LSO');
  storage.flushSync();
  // A crash (no close): the tail after the last snapshot is replayed.
  const q = recover(fs.afterCrash({ mode: 'process' })).partition;
  t.same(q.txnIndex.entries().map((e) => [e.firstOffset, e.lastOffset]), aborted);
  t.equal(q.log.lastStableOffset, lso, 'the open transaction still holds the LSO');
  t.ok(q.producerState.hasOngoingTransaction(9, 0));
  void storage;
});

t.test('reads past the tail cache come from the files', async (t) => {
  const fs = new MemoryFileSystem();
  const { partition: p } = create(fs, { cacheBytes: 300 });
  for (let id = 0; id < 40; id++) produce(p, { id });
  t.same(stored(p).map((b) => b.id), [...Array(40).keys()]);
});
