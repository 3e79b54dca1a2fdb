import t from 'tap';
import { TimeIndex } from '../../../src/log/time-index.js';

t.test('TimeIndex: only a growing maximum is recorded', async (t) => {
  const idx = new TimeIndex(0);
  t.equal(idx.lastEntry(), null);
  idx.maybeAppend(100, 0);
  idx.maybeAppend(90, 5); // not a new maximum
  idx.maybeAppend(200, 8);
  t.equal(idx.entries, 2);
  t.same(idx.lookup(50), { timestamp: -1, offset: 0 });
  t.same(idx.lookup(150), { timestamp: 100, offset: 0 });
  t.same(idx.lookup(200), { timestamp: 200, offset: 8 });
  t.same(idx.lastEntry(), { timestamp: 200, offset: 8 });
  idx.truncateTo(8);
  t.same(idx.lastEntry(), { timestamp: 100, offset: 0 });
});

t.test('TimeIndex: a compacted (sealed) index starts lookups no later than the full one', async (t) => {
  const full = new TimeIndex(0);
  const sealed = new TimeIndex(0);
  for (let i = 0; i < 100; i++) {
    full.maybeAppend(1000 + i * 3, i * 10);
    sealed.maybeAppend(1000 + i * 3, i * 10);
  }
  sealed.compact();
  t.ok(sealed.entries < full.entries / 8, `${sealed.entries} of ${full.entries} entries kept`);
  t.same(sealed.lastEntry(), full.lastEntry(), 'the last entry stays');
  for (let ts = 990; ts < 1310; ts++) {
    const a = full.lookup(ts);
    const b = sealed.lookup(ts);
    t.ok(b.offset <= a.offset && b.timestamp <= a.timestamp, `${ts}: from ${b.offset}, not past ${a.offset}`);
  }
  // Unsealed (a truncation), it takes entries again.
  sealed.truncateTo(500);
  sealed.maybeAppend(5000, 600);
  t.same(sealed.lastEntry(), { timestamp: 5000, offset: 600 });
});
