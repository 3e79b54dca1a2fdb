// Faults through the HTTP control API, seen by a client on the wire: error answers for N requests
// (per partition for Produce), latency and hang on the broker clock, disconnects before and
// after handling, throttling, limits by count and by duration, and the API's own errors.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { FaultRuleView, ClockState } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { until } from '../helpers/until.js';
import { fetchOne, listOffset, produceOne, produceRequest } from '../helpers/data-path.js';
import { MetadataApi, ProduceApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

interface Ctl {
  (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, opts: Parameters<typeof MiniKafka.start>[0] = {}) {
  const kafka = await MiniKafka.start({ controlPort: 0, ...opts });
  const clients: WireClient[] = [];
  const connect = async () => {
    const c = await WireClient.connect(kafka.bootstrapServers);
    clients.push(c);
    return c;
  };
  t.teardown(async () => {
    for (const c of clients) c.close();
    await kafka.stop();
  });
  const ctl: Ctl = async (method, path, body) => {
    const res = await fetch(`${kafka.controlUrl}${path}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return { kafka, ctl, connect };
}

const batch = (value: string) => buildBatchSync([{ key: null, value: Buffer.from(value), timestamp: Date.now() }]);

/**
 * Whether `answer` is still unanswered while the broker holds its request. A sleep here passed
 * whether or not the request had reached the broker yet (on a loaded machine it often had not),
 * so "no answer" proved nothing and a later hit count could fail. Instead: first wait until the
 * fault rules show the broker took the request (`taken`, polled over the control API), then make
 * one more control API round trip. The broker, the control server and this client share one
 * event loop, so an answer written before that round trip is read during it: still pending after
 * it means no answer was sent, not that it was slow.
 */
async function pending(answer: Promise<unknown>, ctl: Ctl, taken?: (rules: FaultRuleView[]) => boolean): Promise<boolean> {
  let settled = false;
  answer.then(() => (settled = true), () => (settled = true));
  if (taken) await until('the broker to take the request', async () => taken((await ctl('GET', '/faults')).body as FaultRuleView[]));
  await ctl('GET', '/clock');
  return !settled;
}

/** The request was counted by the first rule (one rule listed). */
const hitOnce = (rules: FaultRuleView[]) => rules[0]?.hits === 1;

t.test('three NOT_LEADER_OR_FOLLOWER answers to Produce, then success; the rule is used up', async (t) => {
  const { kafka, ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  const added = await ctl('POST', '/faults', { api: 'Produce', action: 'error', error: 'NOT_LEADER_OR_FOLLOWER', count: 3 });
  t.equal(added.status, 201);
  const rule = added.body as FaultRuleView;
  t.match(rule, { api: 'Produce', action: 'error', error: 'NOT_LEADER_OR_FOLLOWER', remaining: 3, hits: 0 });
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await produceOne(c, 'orders', batch(`v${i}`))).errorCode);
  t.strictSame(codes, [6, 6, 6, 0]);
  t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 1, 'only the accepted produce was appended');
  t.equal((await ctl('GET', `/faults/${rule.id}`)).status, 404, 'a used-up rule is gone');
  t.strictSame((await ctl('GET', '/faults')).body, []);
});

t.test('a partition-scoped error fails that partition only; the others are appended once', async (t) => {
  const { kafka, ctl, connect } = await setup(t, { topics: ['orders:2'] });
  const c = await connect();
  await ctl('POST', '/faults', { api: 'Produce', topic: 'orders', partition: 1, action: 'error', error: 'NOT_LEADER_OR_FOLLOWER' });
  const req = produceRequest([
    { topic: 'orders', partition: 0, records: batch('p0') },
    { topic: 'orders', partition: 1, records: batch('p1') },
  ]);
  req.topicData = [{ ...req.topicData[0]!, partitionData: [...req.topicData[0]!.partitionData, ...req.topicData[1]!.partitionData] }];
  const resp = await c.request(ProduceApi, 9, req);
  const byPartition = Object.fromEntries(resp.responses.flatMap((r) => r.partitionResponses.map((p) => [p.index, p.errorCode])));
  t.strictSame(byPartition, { 0: ErrorCode.NONE, 1: ErrorCode.NOT_LEADER_OR_FOLLOWER });
  t.equal(resp.responses.length, 1, 'one topic entry in the answer, as asked');
  const logs = [0, 1].map((p) => kafka.broker.cluster.topics.partition('orders', p)!.log.logEndOffset);
  t.strictSame(logs, [1, 0]);
  t.equal((await produceOne(c, 'orders', batch('again'), { partition: 0 })).errorCode, 0, 'another partition of the topic is unaffected');
});

t.test('a whole-request error on another API goes through its error response', async (t) => {
  const { ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  await ctl('POST', '/faults', { api: 'Fetch', topic: 'orders', action: 'error', error: 'NOT_LEADER_OR_FOLLOWER', count: 1 });
  t.equal((await fetchOne(c, { topic: 'orders' })).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.equal((await fetchOne(c, { topic: 'orders' })).errorCode, ErrorCode.NONE);
});

t.test('clientId and broker scope', async (t) => {
  const { ctl, connect, kafka } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  await ctl('POST', '/faults', [
    { clientId: 'someone-else', api: 'Produce', action: 'error', error: 'REQUEST_TIMED_OUT' },
    { broker: kafka.broker.nodeId + 1, api: 'Produce', action: 'error', error: 'REQUEST_TIMED_OUT' },
  ]);
  t.equal((await produceOne(c, 'orders', batch('x'))).errorCode, 0, 'wire-test client on this broker is not in scope');
  await ctl('POST', '/faults', { clientId: 'wire-test', api: 'Produce', action: 'error', error: 'REQUEST_TIMED_OUT' });
  t.equal((await produceOne(c, 'orders', batch('x'))).errorCode, ErrorCode.REQUEST_TIMED_OUT);
});

t.test('latency runs on the broker clock: a frozen clock holds the answer until advanced', async (t) => {
  const { ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  t.equal((await ctl('POST', '/clock/freeze')).body.frozen, true);
  await ctl('POST', '/faults', { api: 'Metadata', action: 'latency', ms: 200, count: 1 });
  const answer = c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false });
  // The latency rule (count 1) is gone once it has counted the request.
  t.ok(await pending(answer, ctl, (rules) => rules.length === 0), 'no answer while the clock stands');
  await ctl('POST', '/clock/advance', { ms: 199 });
  t.ok(await pending(answer, ctl), 'nor 1 ms before');
  const state = (await ctl('POST', '/clock/advance', { ms: 1 })).body as ClockState;
  t.equal(state.frozen, true);
  t.equal((await answer).brokers.length, 1, 'answered at 200 ms');
});

t.test('hang holds requests until the rule is removed; then they are handled', async (t) => {
  const { ctl, connect, kafka } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  const rule = (await ctl('POST', '/faults', { api: 'Produce', action: 'hang' })).body as FaultRuleView;
  const answer = produceOne(c, 'orders', batch('held'));
  t.ok(await pending(answer, ctl, hitOnce), 'no answer');
  t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 0, 'not handled yet');
  t.equal((await ctl('DELETE', `/faults/${rule.id}`)).status, 204);
  t.equal((await answer).errorCode, 0);
  t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 1);
});

t.test('hang for a duration: released when the broker clock passes it', async (t) => {
  const { ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  await ctl('POST', '/clock/freeze');
  await ctl('POST', '/faults', { api: 'Fetch', action: 'hang', durationMs: 2000 });
  const answer = fetchOne(c, { topic: 'orders' });
  await until('the broker to hold the fetch', async () => hitOnce((await ctl('GET', '/faults')).body as FaultRuleView[]));
  await ctl('POST', '/clock/advance', { ms: 1999 });
  t.ok(await pending(answer, ctl));
  t.equal((await ctl('GET', '/faults')).body.length, 1);
  await ctl('POST', '/clock/advance', { duration: '1ms' });
  t.equal((await answer).errorCode, 0);
  t.strictSame((await ctl('GET', '/faults')).body, [], 'the rule expired');
});

t.test('a hung request whose connection closes is dropped, not handled', async (t) => {
  const { ctl, connect, kafka } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  await ctl('POST', '/faults', { api: 'Produce', action: 'hang', count: 1 });
  const answer = produceOne(c, 'orders', batch('lost'));
  t.ok(await pending(answer, ctl, hitOnce));
  t.match((await ctl('GET', '/faults')).body, [{ action: 'hang', remaining: 0, hits: 1 }], 'a used-up hang rule stays listed while it holds a request');
  c.close();
  await t.rejects(answer);
  // The client's side rejects at once; the broker learns of the close when it reads the socket.
  await until('the broker to see the connection close', async () => ((await ctl('GET', '/faults')).body as FaultRuleView[]).length === 0);
  t.strictSame((await ctl('GET', '/faults')).body, [], 'and goes with it');
  const c2 = await connect();
  t.equal((await produceOne(c2, 'orders', batch('next'))).baseOffset, 0n, 'the dropped produce never reached the log');
  t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 1);
});

t.test('disconnect before handling loses the request; after handling loses only the answer', async (t) => {
  const { ctl, connect, kafka } = await setup(t, { topics: ['orders'] });
  const leo = () => kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset;
  await ctl('POST', '/faults', { api: 'Produce', action: 'disconnect', count: 1 });
  const c1 = await connect();
  await t.rejects(produceOne(c1, 'orders', batch('a')), /connection closed/);
  t.equal(leo(), 0);
  await ctl('POST', '/faults', { api: 'Produce', action: 'disconnect', when: 'after', count: 1 });
  const c2 = await connect();
  await t.rejects(produceOne(c2, 'orders', batch('b')), /connection closed/);
  t.equal(leo(), 1, 'appended although the client saw no answer');
});

t.test('throttle sets throttle_time_ms on normal answers', async (t) => {
  const { ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  await ctl('POST', '/faults', { api: 'Produce', action: 'throttle', ms: 750, count: 1 });
  const r = await c.request(ProduceApi, 9, produceRequest([{ topic: 'orders', records: batch('t') }]));
  t.equal(r.throttleTimeMs, 750);
  t.equal(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
});

t.test('rules listed with ids and counters; removed one by one or all at once', async (t) => {
  const { ctl, connect } = await setup(t, { topics: ['orders'] });
  const c = await connect();
  const added = (await ctl('POST', '/faults', [
    { api: 'Produce', action: 'latency', ms: 0 },
    { api: 'fetch', action: 'throttle', ms: 10, count: 5 },
  ])).body as FaultRuleView[];
  t.equal(added.length, 2);
  t.ok(added[1]!.id > added[0]!.id, 'ids increase');
  await produceOne(c, 'orders', batch('x'));
  const listed = (await ctl('GET', '/faults')).body as FaultRuleView[];
  t.strictSame(listed.map((r) => [r.id, r.api, r.hits, r.remaining]), [
    [added[0]!.id, 'Produce', 1, null],
    [added[1]!.id, 'Fetch', 0, 5],
  ]);
  t.equal((await ctl('DELETE', `/faults/${added[0]!.id}`)).status, 204);
  t.equal((await ctl('DELETE', `/faults/${added[0]!.id}`)).status, 404);
  t.strictSame((await ctl('DELETE', '/faults')).body, { removed: 1 });
});

t.test('the API answers bad input with a status and a code, never a crash', async (t) => {
  const { ctl } = await setup(t);
  const cases: [string, string, unknown, number, string][] = [
    ['POST', '/faults', '{not json', 400, 'BAD_REQUEST'],
    ['POST', '/faults', { action: 'error', error: 'NOT_AN_ERROR' }, 400, 'BAD_REQUEST'],
    ['POST', '/faults', { api: 'ApiVersions', action: 'error', error: 'NOT_LEADER_OR_FOLLOWER' }, 400, 'BAD_REQUEST'],
    ['POST', '/faults', [{ action: 'hang' }, { action: 'nope' }], 400, 'BAD_REQUEST'],
    ['POST', '/clock/advance', { ms: -1 }, 400, 'BAD_REQUEST'],
    ['POST', '/clock/advance', { duration: 'soon' }, 400, 'BAD_REQUEST'],
    ['GET', '/nowhere', undefined, 404, 'NOT_FOUND'],
    ['PATCH', '/faults', undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['GET', '/wait/offset/none/0', undefined, 400, 'BAD_REQUEST'],
    ['PUT', '/chaos', { rate: 3 }, 400, 'BAD_REQUEST'],
  ];
  for (const [method, path, body, status, code] of cases) {
    const r = await ctl(method, path, body);
    t.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)}`);
    t.equal(r.body?.error, code);
  }
  t.strictSame((await ctl('GET', '/faults')).body, [], 'a failed batch adds nothing');
  const big = await ctl('POST', '/faults', JSON.stringify({ action: 'hang', clientId: 'x'.repeat(70_000) }));
  t.equal(big.status, 400, 'a body over 64 KiB is refused');
});

t.test('a request from a web page of another site is refused; the same site and plain clients are served', async (t) => {
  const { kafka } = await setup(t);
  await fetch(`${kafka.controlUrl}/faults`, { method: 'POST', body: JSON.stringify({ action: 'hang', clientId: 'kept' }) });
  const reset = (origin?: string) => fetch(`${kafka.controlUrl}/reset`, { method: 'POST', headers: origin === undefined ? {} : { origin } });
  const evil = await reset('http://evil.example');
  t.equal(evil.status, 403, 'a cross-site POST /reset is forbidden');
  t.equal(((await evil.json()) as { error: string }).error, 'FORBIDDEN');
  t.equal(kafka.faults.list().length, 1, 'and did nothing');
  t.equal((await reset(new URL(kafka.controlUrl!).origin)).status, 200, 'the same origin (the inspector page) is served');
  t.equal(kafka.faults.list().length, 0, 'and reset');
});

t.test('chaos from the same seed injects the same faults in the same order', async (t) => {
  const runOnce = async () => {
    const { ctl, connect } = await setup(t, { topics: ['orders'] });
    t.equal((await ctl('PUT', '/chaos', { rate: 0.3, seed: 1234 })).status, 200);
    let c = await connect();
    const seen: string[] = [];
    for (let i = 0; i < 60; i++) {
      try {
        seen.push(String((await produceOne(c, 'orders', batch(`r${i}`))).errorCode));
      } catch {
        seen.push('closed');
        c = await connect();
      }
    }
    const status = (await ctl('GET', '/chaos')).body;
    await ctl('DELETE', '/chaos');
    return { seen, events: status.events as unknown[] };
  };
  const a = await runOnce();
  const b = await runOnce();
  t.ok(a.events.length > 5, `chaos injected faults (${a.events.length})`);
  t.strictSame(b.events, a.events, 'same events');
  t.strictSame(b.seen, a.seen, 'the client saw the same answers');
  t.ok(a.seen.includes('closed') && a.seen.some((s) => s !== '0' && s !== 'closed'), 'both disconnects and retriable errors');
});

t.test('chaos from the start (--chaos): a reset restarts its sequence, so a run over produce, fetch and ListOffsets repeats its faults exactly', async (t) => {
  const { kafka, connect } = await setup(t, { topics: ['orders:2'], chaos: { rate: 0.25, seed: 77 } });
  /** One "test": a fixed sequence of requests over three APIs; what the client saw, step by step. */
  const run = async () => {
    let c = await connect();
    const seen: string[] = [];
    const step = async (what: string, request: () => Promise<number>) => {
      try {
        seen.push(`${what}:${await request()}`);
      } catch {
        // A chaos disconnect: the client connects again, as a real one would.
        seen.push(`${what}:closed`);
        c = await connect();
      }
    };
    for (let i = 0; i < 40; i++) {
      const partition = i % 2;
      await step('produce', async () => (await produceOne(c, 'orders', batch(`r${i}`), { partition })).errorCode);
      await step('fetch', async () => (await fetchOne(c, { topic: 'orders', partition })).errorCode);
      await step('list', async () => (await listOffset(c, 'orders', -1n, { partition })).errorCode);
    }
    return { seen, events: kafka.faults.chaosStatus()!.events };
  };
  const first = await run();
  const report = await kafka.reset();
  t.equal(report.faults, 0, 'chaos is not a rule');
  t.match(kafka.faults.chaosStatus(), { rate: 0.25, seed: 77, requests: 0, injected: 0 }, 'chaos as configured at start, from the start of its sequence');
  const second = await run();
  t.ok(first.events.length > 10, `chaos injected faults (${first.events.length})`);
  t.same(new Set(first.events.map((e) => e.api)), new Set(['Produce', 'Fetch', 'ListOffsets']), 'into every API of the run');
  t.same(second.events, first.events, 'the same faults, in the same order, on the same requests');
  t.same(second.seen, first.seen, 'and the client saw the same answers');
});
