import t from 'tap';
import { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../../../src/log/leader-epoch-cache.js';

const UNDEFINED = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };

function cacheOf(...entries: [number, number][]): LeaderEpochCache {
  const c = new LeaderEpochCache();
  for (const [epoch, start] of entries) c.assign(epoch, start);
  return c;
}

t.test('assign keeps one entry per epoch, ascending', async (t) => {
  const c = new LeaderEpochCache();
  t.equal(c.assign(0, 0), true);
  t.equal(c.assign(0, 5), false, 'same epoch later: no change');
  t.equal(c.assign(2, 10), true);
  t.same(c.entries(), [
    { epoch: 0, startOffset: 0 },
    { epoch: 2, startOffset: 10 },
  ]);
  t.equal(c.latestEpoch(), 2);
  t.same(c.earliestEntry(), { epoch: 0, startOffset: 0 });
  t.same(c.latestEntry(), { epoch: 2, startOffset: 10 });
  t.throws(() => c.assign(-1, 0), RangeError);
  t.throws(() => c.assign(1, -1), RangeError);
});

t.test('a non-monotonic entry evicts the entries it conflicts with', async (t) => {
  const c = cacheOf([1, 0], [3, 10], [5, 20]);
  c.assign(4, 15); // epoch 5 is newer than 4: gone
  t.same(c.entries(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 4, startOffset: 15 },
  ]);
  c.assign(6, 12); // starts before epoch 4 did: 4 goes, 3 stays
  t.same(c.entries(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 6, startOffset: 12 },
  ]);
  c.assign(6, 11); // same epoch moved earlier
  t.same(c.latestEntry(), { epoch: 6, startOffset: 11 });
});

t.test('endOffsetFor follows Kafka', async (t) => {
  const c = cacheOf([2, 10], [4, 30], [7, 50]);
  const leo = 80;
  t.same(c.endOffsetFor(7, leo), { epoch: 7, endOffset: 80 }, 'latest epoch: the log end');
  t.same(c.endOffsetFor(4, leo), { epoch: 4, endOffset: 50 }, 'known epoch: start of the next');
  t.same(c.endOffsetFor(2, leo), { epoch: 2, endOffset: 30 });
  t.same(c.endOffsetFor(5, leo), { epoch: 4, endOffset: 50 }, 'unknown epoch: largest epoch below it');
  t.same(c.endOffsetFor(6, leo), { epoch: 4, endOffset: 50 });
  t.same(c.endOffsetFor(3, leo), { epoch: 2, endOffset: 30 });
  t.same(c.endOffsetFor(1, leo), { epoch: 1, endOffset: 10 }, 'below the first: requested epoch, first start');
  t.same(c.endOffsetFor(0, leo), { epoch: 0, endOffset: 10 });
  t.same(c.endOffsetFor(8, leo), UNDEFINED, 'above the latest');
  t.same(c.endOffsetFor(UNDEFINED_EPOCH, leo), UNDEFINED, 'undefined epoch');
  t.same(new LeaderEpochCache().endOffsetFor(0, leo), UNDEFINED, 'empty cache');
});

t.test('epochForOffset', async (t) => {
  const c = cacheOf([2, 10], [4, 30]);
  t.equal(c.epochForOffset(5), UNDEFINED_EPOCH);
  t.equal(c.epochForOffset(10), 2);
  t.equal(c.epochForOffset(29), 2);
  t.equal(c.epochForOffset(30), 4);
  t.equal(c.epochForOffset(1000), 4);
});

t.test('truncateFromEnd drops epochs starting at or after the new end', async (t) => {
  const c = cacheOf([2, 10], [4, 30], [7, 50]);
  c.truncateFromEnd(51);
  t.equal(c.size, 3, 'epoch 7 still has offset 50');
  c.truncateFromEnd(30);
  t.same(c.entries(), [{ epoch: 2, startOffset: 10 }]);
  c.truncateFromEnd(-1);
  t.equal(c.size, 1, 'negative: ignored');
});

t.test('truncateFromStart collapses the head onto the new log start', async (t) => {
  const c = cacheOf([2, 10], [4, 30], [7, 50]);
  c.truncateFromStart(5);
  t.equal(c.size, 3, 'before every entry: nothing to do');
  c.truncateFromStart(35);
  t.same(c.entries(), [
    { epoch: 4, startOffset: 35 },
    { epoch: 7, startOffset: 50 },
  ]);
  c.truncateFromStart(50);
  t.same(c.entries(), [{ epoch: 7, startOffset: 50 }]);
  c.clear();
  t.equal(c.size, 0);
  t.equal(c.latestEpoch(), UNDEFINED_EPOCH);
});
