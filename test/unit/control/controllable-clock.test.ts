import t from 'tap';
import { ControllableClock, ManualClock } from '../../../src/util/clock.js';

// The "real" clock is a ManualClock, so that real time passing is itself under the test's control.
function clocks(start = 1_000_000): { real: ManualClock; clock: ControllableClock } {
  const real = new ManualClock(start);
  return { real, clock: new ControllableClock(real) };
}

t.test('follows real time while running, and its timers fire on real time', async (t) => {
  const { real, clock } = clocks();
  t.equal(clock.now(), real.now());
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(clock.now()), 100);
  real.advance(99);
  t.same(fired, []);
  t.equal(clock.now(), real.now());
  real.advance(1);
  t.same(fired, [1_000_100]);
  t.equal(real.pendingTimers, 0, 'no real timer is left armed once nothing is pending');
});

t.test('frozen: time stands still and timers wait; advance moves it and fires them in order', async (t) => {
  const { real, clock } = clocks();
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
  clock.freeze();
  t.equal(real.pendingTimers, 0, 'a frozen clock arms no real timer');
  real.advance(10_000);
  t.equal(clock.now(), 1_000_000);
  t.same(fired, []);
  clock.advance(150);
  t.same(fired, ['a@1000100']);
  t.equal(clock.now(), 1_000_150);
  clock.advance(7 * 24 * 3600 * 1000);
  t.same(fired, ['a@1000100', 'b@1000200']);
  t.equal(clock.state().frozen, true);
});

t.test('resume keeps the offset gained while frozen', async (t) => {
  const { real, clock } = clocks();
  clock.freeze();
  real.advance(5_000); // real time passes; the clock does not
  clock.advance(60_000);
  clock.resume();
  t.equal(clock.now(), 1_060_000);
  t.equal(clock.state().offsetMs, 1_060_000 - 1_005_000);
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(clock.now()), 1_000);
  real.advance(999);
  t.same(fired, []);
  real.advance(1);
  t.same(fired, [1_061_000], 'timers set after resume run on real time from the new virtual time');
});

t.test('advance while running fires due timers at their due times and keeps running ahead', async (t) => {
  const { real, clock } = clocks(0);
  const fired: string[] = [];
  clock.setTimeout(() => {
    fired.push(`first@${clock.now()}`);
    // Re-armed from the firing time, as ManualClock and real time do.
    clock.setTimeout(() => fired.push(`second@${clock.now()}`), 10);
  }, 5_000);
  clock.advance(6_000);
  t.same(fired, ['first@5000', 'second@5010']);
  t.equal(clock.now(), 6_000);
  real.advance(500);
  t.equal(clock.now(), 6_500);
});

t.test('a cleared timer never fires and releases the real timer', async (t) => {
  const { real, clock } = clocks();
  let n = 0;
  const h = clock.setTimeout(() => n++, 50);
  t.equal(real.pendingTimers, 1);
  clock.clearTimeout(h);
  t.equal(real.pendingTimers, 0);
  real.advance(100);
  clock.advance(100);
  t.equal(n, 0);
});

t.test('an earlier timer re-arms the real timer sooner', async (t) => {
  const { real, clock } = clocks(0);
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(clock.now()), 1_000);
  clock.setTimeout(() => fired.push(clock.now()), 10);
  real.advance(10);
  t.same(fired, [10]);
  real.advance(990);
  t.same(fired, [10, 1_000]);
});

t.test('refuses to go back or to move by a non-number', async (t) => {
  const { clock } = clocks();
  t.throws(() => clock.advance(-1), RangeError);
  t.throws(() => clock.advance(Number.NaN), RangeError);
  t.throws(() => clock.advance(Infinity), RangeError);
});

t.test('freeze and resume are idempotent', async (t) => {
  const { real, clock } = clocks();
  clock.freeze();
  clock.freeze();
  real.advance(100);
  t.equal(clock.now(), 1_000_000);
  clock.resume();
  clock.resume();
  real.advance(100);
  t.equal(clock.now(), 1_000_100);
});

t.test('onTimersFired: called once per advance that fired timers, in real time or frozen; removable', async (t) => {
  const { real, clock } = clocks();
  let calls = 0;
  const remove = clock.onTimersFired(() => calls++);
  clock.setTimeout(() => {}, 100);
  clock.setTimeout(() => {}, 100);
  real.advance(50);
  t.equal(calls, 0, 'nothing fired yet');
  real.advance(50);
  t.equal(calls, 1, 'two timers fired on real time: one call');
  clock.freeze();
  clock.setTimeout(() => {}, 10);
  clock.advance(5);
  t.equal(calls, 1, 'an advance that fires nothing does not call');
  clock.advance(5);
  t.equal(calls, 2, 'a frozen advance that fires a timer calls');
  remove();
  clock.setTimeout(() => {}, 1);
  clock.advance(1);
  t.equal(calls, 2, 'removed');
});
