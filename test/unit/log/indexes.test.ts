import t from 'tap';
import { OffsetIndex } from '../../../src/log/offset-index.js';
import { TimeIndex } from '../../../src/log/time-index.js';

t.test('OffsetIndex: floor lookup, segment start when nothing is indexed yet', async (t) => {
  const idx = new OffsetIndex(100);
  t.same(idx.lookup(150), { offset: 100, position: 0 });
  idx.append(110, 3);
  idx.append(130, 7);
  t.same(idx.lookup(105), { offset: 100, position: 0 });
  t.same(idx.lookup(110), { offset: 110, position: 3 });
  t.same(idx.lookup(129), { offset: 110, position: 3 });
  t.same(idx.lookup(1000), { offset: 130, position: 7 });
  t.throws(() => idx.append(130, 9), RangeError);
  idx.truncateTo(130);
  t.equal(idx.entries, 1);
  t.same(idx.lookup(1000), { offset: 110, position: 3 });
});

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
