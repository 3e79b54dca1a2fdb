// The inspector's server side without a browser: the message browser on a partition with a
// compaction gap (a compacted batch keeps its offset range, minus records), and the traffic
// recorder's bounds (the ring keeps the newest TRACE_CAPACITY; bodies are summarised, never kept).
import t from 'tap';
import { Partition } from '../../../../src/log/partition.js';
import { buildBatchSync } from '../../../../src/protocol/records/index.js';
import { browse } from '../../../../src/server/control/ui/record-browser.js';
import { TRACE_CAPACITY, TrafficRecorder, summarize } from '../../../../src/server/control/ui/traffic.js';
import type { Topic } from '../../../../src/server/cluster/topics.js';
import type { ControlledRequest } from '../../../../src/server/control/control-target.js';

function topicWith(p: Partition): Topic {
  return { name: 't', id: 'id', partitions: [p], configs: new Map(), internal: false };
}

/** Offsets 0-2, then a compacted batch covering 3-7 of which only 3 and 7 are left, then 8-9. */
function partition(): Partition {
  const p = new Partition({ topic: 't', partition: 0 });
  const add = (records: { key: string; offsetDelta?: number }[], baseOffset: number, lastOffsetDelta?: number) => {
    const batch = buildBatchSync(
      records.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(`v-${r.key}`), headers: [{ key: 'h', value: Buffer.from('x') }], timestamp: 1000 + baseOffset + (r.offsetDelta ?? 0), ...(r.offsetDelta !== undefined ? { offsetDelta: r.offsetDelta } : {}) })),
      { baseOffset, ...(lastOffsetDelta !== undefined ? { lastOffsetDelta } : {}) },
    );
    const last = baseOffset + (lastOffsetDelta ?? records.length - 1);
    p.append(batch, { baseOffset, lastOffset: last, maxTimestamp: 1000 + last });
  };
  add([{ key: 'a' }, { key: 'b' }, { key: 'c' }], 0);
  add([{ key: 'd', offsetDelta: 0 }, { key: 'e', offsetDelta: 4 }], 3, 4);
  add([{ key: 'f' }, { key: 'a2' }], 8);
  return p;
}

t.test('by offset: from inside a batch, with the gap compaction left', async (t) => {
  const r = await browse(topicWith(partition()), { mode: 'offset', partition: 0, offset: 2, limit: 3 });
  t.same(r.records.map((x) => [x.offset, Buffer.from(x.key!.b64, 'base64').toString(), x.gapBefore]), [[2, 'c', 0], [3, 'd', 0], [7, 'e', 3]]);
  t.same(r.records[0]!.headers.map((h) => [h.key, Buffer.from(h.value!.b64, 'base64').toString()]), [['h', 'x']]);
  t.equal(r.complete, false, 'stopped at the limit');
});

t.test('newest first, by key, by time', async (t) => {
  const topic = topicWith(partition());
  t.same((await browse(topic, { mode: 'newest', limit: 2 })).records.map((x) => x.offset), [9, 8]);
  // The gap leaves 3 records in the last 5 offsets: the browser looks further back.
  t.same((await browse(topic, { mode: 'newest', limit: 4 })).records.map((x) => x.offset), [9, 8, 7, 3]);
  t.same((await browse(topic, { mode: 'key', key: 'a' })).records.map((x) => x.offset), [9, 0], 'every key containing "a", newest first');
  t.same((await browse(topic, { mode: 'time', timestamp: 1006, limit: 2 })).records.map((x) => x.offset), [7, 8]);
});

t.test('bad queries are refused with a reason', async (t) => {
  const topic = topicWith(partition());
  await t.rejects(browse(topic, { mode: 'offset', offset: 1 }), /needs a partition/);
  await t.rejects(browse(topic, { mode: 'offset', partition: 3, offset: 1 }), /no partition 3/);
  await t.rejects(browse(topic, { mode: 'key', key: '' }), /needs a key/);
  await t.rejects(browse(topic, { mode: 'sideways' as never }), /unknown mode/);
});

t.test('the trace ring keeps the newest entries; bodies are summarised', async (t) => {
  const rec = new TrafficRecorder(() => null, () => 42);
  const intercept = rec.interceptor();
  const big = Buffer.alloc(1 << 20);
  const req = (i: number): ControlledRequest => ({
    apiKey: 0,
    apiName: 'Produce',
    apiVersion: 11,
    clientId: `c${i}`,
    body: { topicData: [{ name: 'orders', partitionData: [{ index: 0, records: big }] }] },
    connection: { closed: false, onClose() {}, remoteAddress: '127.0.0.1', remotePort: 5 },
  });
  for (let i = 0; i < TRACE_CAPACITY + 5; i++) {
    const act = (await intercept(req(i))) as { action: 'pass'; after: (r: unknown) => unknown };
    act.after({ errorCode: 0 });
  }
  const all = rec.since(0);
  t.equal(all.length, TRACE_CAPACITY);
  t.equal(all[0]!.seq, 6, 'the oldest five are gone');
  t.equal(all.at(-1)!.clientId, `c${TRACE_CAPACITY + 4}`);
  t.same(all[0]!.topics, ['orders']);
  t.match(all[0]!.summary, /"records":"<1048576 bytes>"/);
  t.ok(all[0]!.summary.length < 1000, 'short');
  t.equal(rec.since(TRACE_CAPACITY + 3).length, 2, 'after a sequence number');
  t.equal(rec.requestsByApi.get('Produce'), TRACE_CAPACITY + 5);
  t.equal(rec.bytesByTopic.get('orders')!.produced, (TRACE_CAPACITY + 5) * big.length);
});

t.test('summaries cut long arrays and deep objects', async (t) => {
  const s = summarize({ list: Array.from({ length: 25 }, (_, i) => i), id: 7n });
  t.equal(s, '{"list":[0,1,2,3,4,5,6,7,8,9,"… 15 more"],"id":7}');
  const deep = summarize({ a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } });
  t.match(deep, /"…"/);
});
