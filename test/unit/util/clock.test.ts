import t from 'tap';
import { ManualClock, systemClock } from '../../../src/util/clock.js';

t.test('ManualClock starts where told and only moves on advance', async (t) => {
  const c = new ManualClock(1000);
  t.equal(c.now(), 1000);
  c.advance(250);
  t.equal(c.now(), 1250);
  c.advanceTo(2000);
  t.equal(c.now(), 2000);
  t.throws(() => c.advance(-1), RangeError);
  t.throws(() => c.advanceTo(1999), RangeError);
});

t.test('timers fire in due order, ties in scheduling order, each seeing its due time', async (t) => {
  const c = new ManualClock(0);
  const fired: string[] = [];
  c.setTimeout(() => fired.push(`c@${c.now()}`), 30);
  c.setTimeout(() => fired.push(`a@${c.now()}`), 10);
  c.setTimeout(() => fired.push(`b1@${c.now()}`), 20);
  c.setTimeout(() => fired.push(`b2@${c.now()}`), 20);
  t.equal(c.pendingTimers, 4);
  c.advance(25);
  t.same(fired, ['a@10', 'b1@20', 'b2@20']);
  t.equal(c.now(), 25);
  t.equal(c.pendingTimers, 1);
  c.advance(5);
  t.same(fired, ['a@10', 'b1@20', 'b2@20', 'c@30']);
  t.equal(c.pendingTimers, 0);
});

t.test('zero delay fires only on advance, synchronously', async (t) => {
  const c = new ManualClock();
  let n = 0;
  c.setTimeout(() => n++, 0);
  c.setTimeout(() => n++, -5);
  t.equal(n, 0);
  c.advance(0);
  t.equal(n, 2);
});

t.test('clearTimeout cancels; clearing twice or after firing is harmless', async (t) => {
  const c = new ManualClock();
  let fired = 0;
  const h1 = c.setTimeout(() => fired++, 10);
  const h2 = c.setTimeout(() => fired++, 20);
  c.clearTimeout(h1);
  c.clearTimeout(h1);
  t.equal(c.pendingTimers, 1);
  c.advance(100);
  t.equal(fired, 1);
  c.clearTimeout(h2);
  t.equal(c.pendingTimers, 0);
});

t.test('timers scheduled by callbacks within the window fire in the same advance', async (t) => {
  const c = new ManualClock();
  const at: number[] = [];
  const tick = (): void => {
    at.push(c.now());
    if (at.length < 5) c.setTimeout(tick, 10);
  };
  c.setTimeout(tick, 10);
  c.advance(35);
  t.same(at, [10, 20, 30]);
  c.advance(100);
  t.same(at, [10, 20, 30, 40, 50]);
});

t.test('a callback can cancel a timer due in the same advance', async (t) => {
  const c = new ManualClock();
  let second = false;
  const h = c.setTimeout(() => (second = true), 20);
  c.setTimeout(() => c.clearTimeout(h), 10);
  c.advance(50);
  t.equal(second, false);
  t.equal(c.pendingTimers, 0);
});

t.test('runAll drains every timer and stops a runaway loop', async (t) => {
  const c = new ManualClock();
  const seen: number[] = [];
  c.setTimeout(() => seen.push(c.now()), 5000);
  c.setTimeout(() => c.setTimeout(() => seen.push(c.now()), 100), 10);
  c.runAll();
  t.same(seen, [110, 5000]);
  t.equal(c.now(), 5000);

  const loop = new ManualClock();
  const again = (): void => void loop.setTimeout(again, 1);
  loop.setTimeout(again, 1);
  t.throws(() => loop.runAll(50));

  const tight = new ManualClock();
  const rearm = (): void => void tight.setTimeout(rearm, 0);
  tight.setTimeout(rearm, 0);
  t.throws(() => tight.advance(0), /timer loop/, 'a zero-delay loop fails instead of hanging');
});

t.test('many timers stay ordered (heap)', async (t) => {
  const c = new ManualClock();
  const order: number[] = [];
  const delays = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
  const handles = delays.map((d, i) => c.setTimeout(() => order.push(i), d));
  for (let i = 0; i < 500; i += 3) c.clearTimeout(handles[i]!);
  c.advance(1000);
  const expected = delays
    .map((d, i) => ({ d, i }))
    .filter(({ i }) => i % 3 !== 0)
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map(({ i }) => i);
  t.same(order, expected);
});

t.test('systemClock', async (t) => {
  const before = Date.now();
  t.ok(systemClock.now() >= before);
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
  let fired = false;
  const h = systemClock.setTimeout(() => (fired = true), 1);
  systemClock.clearTimeout(h);
  // Node runs due timers in the order of their due times: once a 5 ms timer has fired, the
  // cleared 1 ms one would have too (a bare sleep would pass when the timer just ran late).
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
  t.equal(fired, false);
});
