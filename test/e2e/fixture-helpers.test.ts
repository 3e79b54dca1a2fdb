// The fixture's data helpers: kafka.createTopic, produce, consume (until N records or a
// predicate, from the beginning or the end, read_committed), waitFor and reset, together as a
// test uses them on one shared broker.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { ApiKey } from '../../src/protocol/messages/api-table.js';

t.test('produce, consume until N or a predicate, waitFor, reset', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['declared:2'] });
  kafka.createTopic('orders', 3);
  const written = await kafka.produce('orders', Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}`, headers: { seq: String(i) } })));
  t.equal(written.reduce((n, p) => n + p.count, 0), 30);
  t.ok(written.length > 1, 'keys spread over partitions by murmur2');
  const all = await kafka.consume('orders', { count: 30 });
  t.strictSame(all.map((r) => r.value!.toString()).sort(), Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
  const byKey = new Map<string, Set<number>>();
  for (const r of all) byKey.set(r.key!.toString(), (byKey.get(r.key!.toString()) ?? new Set()).add(r.partition));
  t.ok([...byKey.values()].every((ps) => ps.size === 1), 'one key, one partition');
  t.strictSame(all.find((r) => r.value!.toString() === 'v7')!.headers.map((h) => [h.key, h.value!.toString()]), [['seq', '7']]);

  const untilV3 = await kafka.consume('orders', { partitions: [all.find((r) => r.value!.toString() === 'v3')!.partition], until: (r) => r.value!.toString() === 'v3' });
  t.equal(untilV3.at(-1)!.value!.toString(), 'v3', 'stops at the first record the predicate accepts');

  // From the end: only what is produced after the call. The consume looks the end up with
  // ListOffsets, then fetches: 'late' is produced once its first Fetch reached the broker, so the
  // end it starts from is known to precede 'late' (a fixed sleep here fails on a loaded machine).
  let firstFetch!: () => void;
  const fetching = new Promise<void>((resolve) => (firstFetch = resolve));
  const stopWatching = kafka.intercept((r) => {
    if (r.apiKey === ApiKey.Fetch) firstFetch();
    return undefined;
  });
  const later = kafka.consume('orders', { from: 'end', count: 1, partitions: [0] });
  await fetching;
  stopWatching();
  await kafka.produce('orders', [{ value: 'late', partition: 0 }]);
  t.strictSame((await later).map((r) => r.value!.toString()), ['late']);
  await kafka.waitFor.offset('orders', 0, 1);

  await t.rejects(kafka.consume('orders', { count: 1000, timeoutMs: 300 }), /consume orders: got 31 records in 300 ms, waiting for 1000 records/);
  await t.rejects(kafka.consume('orders', {}), /consume needs count or until/);

  // Transactions: an aborted write is invisible to read_committed.
  await kafka.produce('declared', [{ value: 'aborted', partition: 0 }], { transactionalId: 'tx-1', abort: true });
  await kafka.produce('declared', [{ value: 'committed', partition: 0 }], { transactionalId: 'tx-1' });
  t.strictSame((await kafka.consume('declared', { partitions: [0], isolation: 'read_committed', count: 1 })).map((r) => r.value!.toString()), ['committed']);

  const report = await kafka.reset();
  t.equal(report.topicsDeleted, 3, 'every topic goes: orders, declared, __transaction_state');
  t.equal(kafka.broker.cluster.topics.get('orders'), undefined, 'orders was not declared: not back');
  t.equal(report.topicsRecreated, 1, 'declared is back, empty');
  await kafka.produce('declared', [{ value: 'after reset', partition: 1 }]);
  t.strictSame((await kafka.consume('declared', { count: 1 })).map((r) => r.value!.toString()), ['after reset']);
});
