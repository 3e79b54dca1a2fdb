// Restorable state: a watched store is put back only after a change event, a checked one only
// when it says it differs; both report what they restored.
import t from 'tap';
import { captureAll, checkedState, restoreAll, watchedState } from '../../../src/server/control/restorable.js';

class Store {
  value: string[] = ['start'];
  readonly #listeners = new Set<() => void>();
  puts = 0;
  onChange(fn: () => void) {
    this.#listeners.add(fn);
  }
  set(v: string[]) {
    this.value = v;
    this.#listeners.forEach((l) => l());
  }
}

t.test('watched: restored after a change only, to the state taken at start', async (t) => {
  const s = new Store();
  const r = watchedState('store', (fn) => s.onChange(fn), () => [...s.value], (start) => (s.puts++, s.set([...start])));
  t.same(restoreAll([r]), [], 'untouched: nothing to do');
  t.equal(s.puts, 0);
  s.set(['changed']);
  t.same(restoreAll([r]), ['store']);
  t.same(s.value, ['start']);
  t.same(restoreAll([r]), [], 'its own put does not leave it dirty');
  t.equal(s.puts, 1);
});

t.test('checked: asked at each restore', async (t) => {
  let n = 0;
  const r = checkedState('counter', () => n !== 0, () => (n = 0));
  t.same(restoreAll([r]), []);
  n = 3;
  t.same(restoreAll([r]), ['counter']);
  t.equal(n, 0);
});

t.test('captured: put back as taken, any number of times; stores without capture go back to the start', async (t) => {
  const s = new Store();
  const watched = watchedState('store', (fn) => s.onChange(fn), () => [...s.value], (v) => s.set([...v]));
  let n = 0;
  const ephemeral = checkedState('counter', () => n !== 0, () => (n = 0));
  s.set(['prepared']);
  n = 1;
  const put = captureAll([watched, ephemeral]);
  for (const round of [1, 2]) {
    s.set([`changed-${round}`]);
    n = 5;
    t.strictSame(put(), ['counter', 'store'], `round ${round}`);
    t.strictSame(s.value, ['prepared']);
    t.equal(n, 0, 'not captured: as at start');
  }
  // A reset afterwards still goes back to the start, though the captured put fired no change of its own.
  const quiet = watchedState('quiet', () => undefined, () => [...s.value], (v) => (s.value = [...v]));
  const putQuiet = captureAll([quiet]);
  putQuiet();
  s.value = ['other'];
  t.strictSame(restoreAll([quiet]), ['quiet']);
  t.strictSame(s.value, ['prepared'], 'the start of "quiet" was taken when it was made');
});
