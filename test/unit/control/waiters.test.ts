// Waits wake on change events (a request, a timer), not on a fast poll: the event subscription is
// held only while a wait is pending, and a wait resolves in the turn after the event.
import t from 'tap';
import { Waiters } from '../../../src/server/control/waiters.js';
import type { GroupSnapshot, WaitSource } from '../../../src/server/control/waiters.js';

function fixture() {
  let group: GroupSnapshot | null = null;
  const source: WaitSource = { group: () => group, transaction: () => null, partition: () => undefined };
  const wakes = new Set<() => void>();
  let subscriptions = 0;
  const waiters = new Waiters(source, (wake) => {
    subscriptions++;
    wakes.add(wake);
    return () => wakes.delete(wake);
  });
  return {
    waiters,
    setGroup: (g: GroupSnapshot | null) => (group = g),
    fire: () => wakes.forEach((w) => w()),
    listening: () => wakes.size,
    subscriptions: () => subscriptions,
  };
}

const stable: GroupSnapshot = { groupId: 'g', state: 'Stable', members: 2, type: 'classic' };

t.test('a group wait resolves on the event that follows the change, well before the fallback re-check', async (t) => {
  const f = fixture();
  t.equal(f.listening(), 0, 'no subscription without a wait');
  let resolvedAt = 0;
  const wait = f.waiters.group('g', { members: 2, timeoutMs: 5_000 }).then((g) => ((resolvedAt = performance.now()), g));
  t.equal(f.listening(), 1, 'a pending wait subscribes');
  const second = f.waiters.group('g', { members: 2, timeoutMs: 5_000 });
  t.equal(f.subscriptions(), 1, 'one subscription however many waits');
  f.setGroup(stable);
  const firedAt = performance.now();
  f.fire();
  f.fire();
  t.same(await wait, stable);
  t.same(await second, stable);
  // The fallback re-checks every 100 ms; the event wakes the wait within the next turn.
  t.ok(resolvedAt - firedAt < 90, `resolved ${(resolvedAt - firedAt).toFixed(1)} ms after the event`);
  t.equal(f.listening(), 0, 'the subscription goes with the last wait');
});

t.test('without an event, the fallback re-check still sees the change', async (t) => {
  const f = fixture();
  const wait = f.waiters.group('g', { state: 'Stable', timeoutMs: 5_000 });
  f.setGroup(stable);
  t.same(await wait, stable);
  t.equal(f.listening(), 0);
});

t.test('a wait that times out also ends its subscription', async (t) => {
  const f = fixture();
  await t.rejects(f.waiters.group('g', { members: 3, timeoutMs: 20 }), { code: 'TIMEOUT' });
  t.equal(f.listening(), 0);
});
