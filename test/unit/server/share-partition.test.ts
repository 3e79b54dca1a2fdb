// The share-partition state machine on a ManualClock: the record-lock window
// (group.share.partition.max.record.locks), GAP acknowledgements, malformed acknowledgements,
// a member's records released when it goes (the acquisition uncounted, as Kafka), lock expiry
// archiving at the delivery limit, and the in-flight ranges staying few when a whole batch is settled record by record.
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { Partition } from '../../../src/log/partition.js';
import { buildBatchSync } from '../../../src/protocol/records/index.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { AckType, SharePartition } from '../../../src/server/coordinators/share/share-partition.js';
import type { SharePartitionSettings } from '../../../src/server/coordinators/share/share-partition.js';

function setup(over: Partial<SharePartitionSettings> = {}) {
  const clock = new ManualClock(1_000_000);
  const partition = new Partition({ topic: 'q', partition: 0, logOptions: { clock } });
  const settings: SharePartitionSettings = { lockDurationMs: 30_000, deliveryCountLimit: 3, maxRecordLocks: 100, autoOffsetReset: 'earliest', readCommitted: false, ...over };
  let woken = 0;
  const sp = new SharePartition('g', 'topic-id', partition, { clock, settings: () => settings, onAvailable: () => woken++, onChange: () => {} });
  const produce = (n: number) => {
    const base = partition.log.logEndOffset;
    const batch = buildBatchSync(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${base + i}`) })), { baseOffset: base });
    partition.append(batch, { baseOffset: base, lastOffset: base + n - 1, maxTimestamp: -1, recordCount: n });
  };
  return { clock, sp, produce, woken: () => woken };
}

const ranges = (sp: SharePartition) => sp.inFlight.ranges.map((r) => [r.first, r.last, r.state, r.deliveryCount]);

t.test('the in-flight window stops at max.record.locks, and moves on as records settle', async (t) => {
  const { sp, produce } = setup({ maxRecordLocks: 100 });
  produce(80);
  produce(80);
  const a = sp.acquire('m', 1 << 20, 1000, true);
  t.same(a.acquired, [{ firstOffset: 0, lastOffset: 99, deliveryCount: 1 }], 'the second batch is cut at the window');
  t.same(sp.acquire('m', 1 << 20, 1000, true).acquired, [], 'the window is full');
  t.equal(sp.acknowledge('m', [{ firstOffset: 0, lastOffset: 49, acknowledgeTypes: [AckType.ACCEPT] }]), ErrorCode.NONE);
  t.equal(sp.startOffset, 50);
  t.same(sp.acquire('m', 1 << 20, 1000, true).acquired, [{ firstOffset: 100, lastOffset: 149, deliveryCount: 1 }], 'room for 50 more');
});

t.test('GAP archives, malformed batches are INVALID_REQUEST, settled records INVALID_RECORD_STATE', async (t) => {
  const { sp, produce } = setup();
  produce(10);
  sp.acquire('m', 1 << 20, 1000, true);
  t.equal(sp.acknowledge('m', [{ firstOffset: 0, lastOffset: 3, acknowledgeTypes: [1, 1] }]), ErrorCode.INVALID_REQUEST, 'types neither one nor one per record');
  t.equal(sp.acknowledge('m', [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [9] }]), ErrorCode.INVALID_REQUEST, 'unknown type');
  t.equal(sp.acknowledge('m', [{ firstOffset: 5, lastOffset: 4, acknowledgeTypes: [1] }]), ErrorCode.INVALID_REQUEST, 'last before first');
  t.equal(sp.acknowledge('m', [{ firstOffset: 8, lastOffset: 12, acknowledgeTypes: [1] }]), ErrorCode.INVALID_RECORD_STATE, 'beyond the end offset');
  t.equal(sp.acknowledge('m', [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [AckType.GAP, 1, 1, 1, 1, 1, 1, 1, 1, 1] }]), ErrorCode.NONE);
  t.equal(sp.startOffset, 10, 'gap and accepted records are done');
  t.equal(sp.acknowledge('m', [{ firstOffset: 9, lastOffset: 9, acknowledgeTypes: [1] }]), ErrorCode.INVALID_RECORD_STATE, 'below the start offset');
  t.same(ranges(sp), [], 'nothing left in flight');
});

t.test("a member's records go back when it goes, uncounted; lock expiry at the delivery limit archives", async (t) => {
  const { clock, sp, produce, woken } = setup({ deliveryCountLimit: 2 });
  produce(4);
  sp.acquire('a', 1 << 20, 1000, true);
  sp.releaseMember('a');
  t.equal(woken(), 1, 'waiting fetches are woken');
  t.same(ranges(sp), [[0, 3, 0, 0]], 'Available with the acquisition taken back (Kafka: DeliveryCountOps.DECREASE)');
  t.same(sp.acquire('b', 1 << 20, 1000, true).acquired, [{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }]);
  t.equal(sp.acknowledge('b', [{ firstOffset: 1, lastOffset: 1, acknowledgeTypes: [AckType.ACCEPT] }]), ErrorCode.NONE);
  clock.advance(30_000);
  t.equal(woken(), 2, "b's expired locks, below the limit, made records available");
  t.same(sp.acquire('c', 1 << 20, 1000, true).acquired, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 2 }, { firstOffset: 2, lastOffset: 3, deliveryCount: 2 }]);
  clock.advance(30_000);
  t.same(ranges(sp), [], 'the expired locks at the limit archived everything');
  t.equal(sp.startOffset, 4);
  t.equal(woken(), 2, 'nothing became available');
});

t.test('members leaving in turn never archive what they held: the limit counts deliveries, not departures', async (t) => {
  const { sp, produce } = setup({ deliveryCountLimit: 2 });
  produce(3);
  for (const member of ['a', 'b', 'c', 'd', 'e']) {
    t.same(sp.acquire(member, 1 << 20, 1000, true).acquired, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }], `${member} gets the records as a first delivery`);
    sp.releaseMember(member);
  }
  t.same(sp.acquire('f', 1 << 20, 1000, true).acquired, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]);
  t.equal(sp.acknowledge('f', [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [AckType.RELEASE] }]), ErrorCode.NONE, 'an explicit RELEASE is a delivery');
  t.same(sp.acquire('g', 1 << 20, 1000, true).acquired, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 2 }]);
  sp.releaseMember('g');
  t.same(ranges(sp), [[0, 2, 0, 1]], 'released at the limit by a departure: Available, back to the one counted delivery');
});

t.test('per-record acknowledgements of a whole batch leave one range per state run', async (t) => {
  const { sp, produce } = setup({ maxRecordLocks: 10_000 });
  produce(1000);
  sp.acquire('m', 1 << 20, 5000, true);
  const types = Array.from({ length: 1000 }, (_, i) => (i < 500 ? AckType.ACCEPT : i < 900 ? AckType.RELEASE : AckType.REJECT));
  t.equal(sp.acknowledge('m', [{ firstOffset: 0, lastOffset: 999, acknowledgeTypes: types }]), ErrorCode.NONE);
  t.same(ranges(sp), [
    [500, 899, 0, 1],
    [900, 999, 4, 1],
  ]);
  t.equal(sp.nextFetchOffset(), 500);
});
