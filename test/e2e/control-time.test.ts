// Virtual time and waits through the HTTP control API: a group member expired by a clock advance
// past its session timeout (no real waiting), a 7-day retention deleting a segment after a 7-day
// advance, and long polls on a group, a partition offset and a transaction instead of sleeps.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { listOffset, produceOne } from '../helpers/data-path.js';
import { addPartitions, endTxn, transactionalProducer } from '../helpers/transactions.js';
import { JoinGroupApi, SyncGroupApi } from '../../src/protocol/messages/index.js';
import type { JoinGroupRequest } from '../../src/protocol/messages/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const DAY = 86_400_000;

async function setup(t: { teardown(fn: () => Promise<void>): void }, topics: MiniKafkaOptions['topics']) {
  const kafka = await MiniKafka.start({ controlPort: 0, topics });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(async () => {
    c.close();
    await kafka.stop();
  });
  const ctl = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${kafka.controlUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { kafka, c, ctl };
}

// 2 minutes: far more than any real wait a loaded machine adds to the test, so that "no real
// waiting" can be checked with a generous wall-clock bound (60 s) and still mean something.
const SESSION_MS = 120_000;

function join(memberId: string): JoinGroupRequest {
  return { groupId: 'g', sessionTimeoutMs: SESSION_MS, rebalanceTimeoutMs: 20_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null };
}

t.test('a clock advance past session.timeout.ms expires a member, seen by a long poll', async (t) => {
  const { c, ctl } = await setup(t, ['orders']);
  await ctl('POST', '/clock/freeze');
  const m = (await c.request(JoinGroupApi, 9, join(''))).memberId;
  const joined = c.request(JoinGroupApi, 9, join(m));
  // group.initial.rebalance.delay.ms (3 s) runs on the broker clock: advanced, not waited for.
  await ctl('POST', '/clock/advance', { duration: '3s' });
  t.equal((await joined).errorCode, 0);
  await c.request(SyncGroupApi, 5, { groupId: 'g', generationId: 1, memberId: m, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: m, assignment: Buffer.from('a') }] });
  const stable = await ctl('GET', '/wait/group/g?members=1&timeoutMs=5000');
  t.match(stable, { status: 200, body: { groupId: 'g', state: 'Stable', members: 1, type: 'classic' } });

  const started = Date.now();
  const empty = ctl('GET', '/wait/group/g?state=Empty&members=0&timeoutMs=60000');
  await ctl('POST', '/clock/advance', { ms: SESSION_MS - 1 });
  t.equal((await ctl('GET', '/wait/group/g?members=1&timeoutMs=0')).status, 200, 'still a member 1 ms before the timeout');
  await ctl('POST', '/clock/advance', { ms: 1 });
  t.match(await empty, { status: 200, body: { state: 'Empty', members: 0 } });
  t.ok(Date.now() - started < 60_000, `no real waiting for the 2 min session timeout (${Date.now() - started} ms)`);
});

t.test('a wait that does not happen answers 408 with what it saw', async (t) => {
  const { ctl } = await setup(t, ['orders']);
  const r = await ctl('GET', '/wait/group/nobody?members=2&timeoutMs=50');
  t.equal(r.status, 408);
  t.match(r.body, { error: 'TIMEOUT', message: /group nobody Stable with 2 members/ });
  t.equal((await ctl('GET', '/wait/offset/orders/0?offset=1&timeoutMs=999999')).status, 400, 'timeouts are bounded');
});

t.test('retention by time deletes a segment after a 7-day advance, in milliseconds of wall time', async (t) => {
  const { kafka, c, ctl } = await setup(t, [{ name: 'events', configs: { 'retention.ms': 7 * DAY } }]);
  await ctl('POST', '/clock/freeze');
  const now = (await ctl('GET', '/clock')).body.now as number;
  for (let i = 0; i < 3; i++) t.equal((await produceOne(c, 'events', buildBatchSync([{ key: null, value: Buffer.from(`e${i}`), timestamp: now }]))).errorCode, 0);
  const log = kafka.broker.cluster.topics.partition('events', 0)!.log;
  const started = Date.now();
  await ctl('POST', '/clock/advance', { duration: '7d' });
  t.equal(log.logStartOffset, 0, 'exactly 7 days old is not yet past retention');
  // log.retention.check.interval.ms (5 min) later the check finds records older than 7 days.
  await ctl('POST', '/clock/advance', { duration: '5m' });
  t.equal(log.logStartOffset, 3, 'the expired segment is gone (the active one, after a roll, as Kafka)');
  t.equal((await listOffset(c, 'events', -2n)).offset, 3n, 'ListOffsets EARLIEST agrees');
  // The 5 min check interval alone would take 5 min of real time: 60 s is generous on a loaded
  // 2-core machine and still tells the broker clock from the wall clock.
  t.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms of wall time`);
});

t.test('waits on a partition offset and on a transaction resolve on the event', async (t) => {
  const { kafka, c, ctl } = await setup(t, ['orders']);
  const reached = ctl('GET', '/wait/offset/orders/0?offset=2&timeoutMs=10000');
  await produceOne(c, 'orders', buildBatchSync([{ key: null, value: Buffer.from('1'), timestamp: Date.now() }]));
  let settled = false;
  void reached.then(() => (settled = true));
  // At offset 1 another wait for offset 2 runs out its timeout (408), an answer to await instead of
  // a sleep; had the first wait wrongly ended at offset 1, it would have done so by then.
  const early = await ctl('GET', '/wait/offset/orders/0?offset=2&timeoutMs=100');
  t.match(early, { status: 408, body: { error: 'TIMEOUT', message: /now: high watermark 1\)/ } }, 'a wait for offset 2 times out at offset 1');
  t.notOk(settled, 'not at offset 1');
  await produceOne(c, 'orders', buildBatchSync([{ key: null, value: Buffer.from('2'), timestamp: Date.now() }]));
  t.match(await reached, { status: 200, body: { topic: 'orders', partition: 0, highWatermark: 2 } });

  const p = await transactionalProducer(c, 'tx');
  await addPartitions(c, p, 'orders', [0]);
  const done = kafka.waitFor.transaction('tx', 10_000);
  t.equal((await endTxn(c, p, true)).errorCode, 0);
  t.match(await done, { transactionalId: 'tx', state: 'CompleteCommit' });
});
