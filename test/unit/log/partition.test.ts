import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { Partition } from '../../../src/log/partition.js';
import { fakeBatch } from './helpers.js';

function produce(p: Partition, records = 1): number {
  const base = p.log.logEndOffset;
  p.append(fakeBatch(base), { baseOffset: base, lastOffset: base + records - 1, maxTimestamp: -1 });
  return base;
}

function newPartition(): Partition {
  return new Partition({ topic: 'orders', partition: 3, logOptions: { clock: new ManualClock() } });
}

t.test('a single-replica partition commits every append', async (t) => {
  const p = newPartition();
  t.equal(p.topic, 'orders');
  t.equal(p.partition, 3);
  t.equal(p.leaderEpoch, 0);
  produce(p, 3);
  t.equal(p.log.logEndOffset, 3);
  t.equal(p.log.highWatermark, 3);
  t.equal(p.log.lastStableOffset, 3);
});

t.test('leader epochs reach the epoch cache', async (t) => {
  const p = newPartition();
  t.same(p.log.leaderEpochCache.endOffsetFor(0, p.log.logEndOffset), { epoch: 0, endOffset: 0 }, 'before any write');
  produce(p, 5);
  t.equal(p.bumpLeaderEpoch(), 1);
  produce(p, 2);
  t.same(p.log.leaderEpochCache.entries(), [
    { epoch: 0, startOffset: 0 },
    { epoch: 1, startOffset: 5 },
  ]);
  t.same(p.log.leaderEpochCache.endOffsetFor(0, p.log.logEndOffset), { epoch: 0, endOffset: 5 });
  t.same(p.log.leaderEpochCache.endOffsetFor(1, p.log.logEndOffset), { epoch: 1, endOffset: 7 });
});

t.test('onAppend wakes listeners after the high watermark moved', async (t) => {
  const p = newPartition();
  const seen: number[] = [];
  const off = p.onAppend((part) => seen.push(part.log.highWatermark));
  t.equal(p.listenerCount, 1);
  produce(p);
  produce(p);
  t.same(seen, [1, 2]);
  off();
  off();
  t.equal(p.listenerCount, 0);
  produce(p);
  t.same(seen, [1, 2], 'no calls once removed');
});

t.test('listeners added or removed during a notification', async (t) => {
  const p = newPartition();
  const calls: string[] = [];
  let offB: () => void = () => {};
  p.onAppend(() => {
    calls.push('a');
    offB(); // b must not run this round
    p.onAppend(() => calls.push('late')); // nor this one
  });
  offB = p.onAppend(() => calls.push('b'));
  produce(p);
  t.same(calls, ['a']);
});

t.test('a throwing listener neither fails the append nor starves the others', async (t) => {
  const p = newPartition();
  let other = 0;
  p.onAppend(() => {
    throw new Error('listener bug');
  });
  p.onAppend(() => other++);
  const caught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
  produce(p);
  t.equal(other, 1);
  t.equal(p.log.logEndOffset, 1);
  const err = await caught;
  t.match(err, { message: 'listener bug' }, 'surfaced asynchronously');
});

t.test('many listeners: add and remove stay cheap', async (t) => {
  const p = newPartition();
  const offs = Array.from({ length: 10_000 }, () => p.onAppend(() => {}));
  for (const off of offs) off();
  t.equal(p.listenerCount, 0);
});
