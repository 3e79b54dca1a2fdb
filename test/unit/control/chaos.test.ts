import t from 'tap';
import { Chaos, parseChaos } from '../../../src/server/control/chaos.js';
import { ApiKey } from '../../../src/protocol/messages/api-table.js';
import { allErrors, errorInfo } from '../../../src/protocol/errors.js';
import { seededRandom } from '../../../src/util/seeded-random.js';

// A request sequence as a client mix would send it: drawn once, replayed to each Chaos.
function sequence(n: number): { broker: number; apiKey: number; canAnswerError: boolean }[] {
  const apis = [ApiKey.Produce, ApiKey.Fetch, ApiKey.Metadata, ApiKey.Heartbeat, ApiKey.OffsetCommit, ApiKey.ApiVersions, ApiKey.CreateTopics];
  const r = seededRandom(7);
  return Array.from({ length: n }, () => {
    const apiKey = apis[Math.floor(r() * apis.length)]!;
    return { broker: 1, apiKey, canAnswerError: apiKey !== ApiKey.CreateTopics };
  });
}

function run(seed: number, rate: number, reqs: ReturnType<typeof sequence>): string[] {
  const c = new Chaos({ rate, seed });
  return reqs.map((q) => {
    const f = c.decide(q.broker, q.apiKey, q.canAnswerError);
    return f === null ? '-' : f.kind === 'error' ? errorInfo(f.code).name : 'disconnect';
  });
}

t.test('same seed and same request sequence: the same faults in the same order', async (t) => {
  const reqs = sequence(5_000);
  const a = run(42, 0.1, reqs);
  const b = run(42, 0.1, reqs);
  t.same(a, b);
  const injected = a.filter((x) => x !== '-').length;
  // 5,000 requests of which 1/7 are ApiVersions (never touched): about 430 faults at 10%.
  t.ok(injected > 300 && injected < 600, `about 10% of eligible requests faulted (${injected})`);
  t.not(run(43, 0.1, reqs).join(), a.join(), 'another seed gives another sequence');
});

t.test('only survivable faults: retriable codes for the API, disconnects; ApiVersions untouched', async (t) => {
  const reqs = sequence(3_000);
  const out = run(5, 0.5, reqs);
  const errors = out.filter((f) => f !== '-' && f !== 'disconnect');
  t.ok(errors.length > 0 && out.includes('disconnect'), 'both kinds occur');
  for (const name of new Set(errors)) {
    const info = allErrors().find((e) => e.name === name);
    t.ok(info?.retriable, `${name} is retriable`);
  }
  reqs.forEach((q, i) => {
    if (q.apiKey === ApiKey.ApiVersions) t.equal(out[i], '-', 'ApiVersions never faulted');
    if (!q.canAnswerError && out[i] !== '-') t.equal(out[i], 'disconnect', 'an API without an error answer only disconnects');
  });
});

t.test('rate 0 never, rate 1 always (eligible requests)', async (t) => {
  const reqs = sequence(500).filter((q) => q.apiKey !== ApiKey.ApiVersions);
  t.ok(run(1, 0, reqs).every((f) => f === '-'));
  t.ok(run(1, 1, reqs).every((f) => f !== '-'));
});

t.test('the events log records what was injected, in order', async (t) => {
  const c = new Chaos({ rate: 1, seed: 9 });
  c.decide(1, ApiKey.ApiVersions, true);
  c.decide(1, ApiKey.Produce, true);
  c.decide(2, ApiKey.Fetch, true);
  const s = c.status();
  t.equal(s.requests, 2, 'ApiVersions is not counted');
  t.equal(s.injected, 2);
  t.same(s.events.map((e) => [e.request, e.broker, e.api]), [
    [1, 1, 'Produce'],
    [2, 2, 'Fetch'],
  ]);
});

t.test('--chaos RATE[,SEED]', async (t) => {
  t.same(parseChaos('0.05,42'), { rate: 0.05, seed: 42 });
  t.same(parseChaos('1'), { rate: 1, seed: 1 });
  t.throws(() => parseChaos('2,1'), /RATE from 0 to 1/);
  t.throws(() => parseChaos('abc'), /RATE/);
});
