// Retention by time and by size on the broker clock, and DeleteRecords: whole segments go, the
// log start offset moves, and a consumer below it gets OFFSET_OUT_OF_RANGE.
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import type { MiniKafkaOptions } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetchOne, listOffset, produceOne } from '../helpers/data-path.js';
import { DeleteRecordsApi, IncrementalAlterConfigsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const HOUR = 3_600_000;
const CHECK = 300_000; // log.retention.check.interval.ms: Kafka's default

async function setup(t: { teardown(fn: () => void): void }, topics: MiniKafkaOptions['topics']) {
  const clock = new ManualClock(Date.now());
  const kafka = await MiniKafka.start({ clock, topics });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });
  /** One batch of `count` records of `bytes` each, all at `timestamp`. */
  const produce = async (topic: string, count: number, bytes: number, timestamp: number) => {
    const records = Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(bytes, i), timestamp }));
    const r = await produceOne(c, topic, buildBatchSync(records));
    if (r.errorCode !== 0) throw new Error(`produce failed: ${r.errorCode}`);
    return Number(r.baseOffset);
  };
  const log = (topic: string) => kafka.broker.cluster.topics.partition(topic, 0)!.log;
  return { kafka, c, clock, produce, log };
}

t.test('retention by time removes expired segments, never newer data', async (t) => {
  const { c, clock, produce, log } = await setup(t, [{ name: 'rt', configs: { 'retention.ms': HOUR, 'segment.bytes': 1048576 } }]);
  const now = clock.now();
  // Two ~400 KB batches fit a 1 MiB segment: segments [0,1] [2,3], active [4,5].
  await produce('rt', 1, 400_000, now - 3 * HOUR);
  await produce('rt', 1, 400_000, now - 3 * HOUR);
  await produce('rt', 1, 400_000, now - HOUR / 2);
  await produce('rt', 1, 400_000, now - HOUR / 2);
  await produce('rt', 1, 400_000, now);
  await produce('rt', 1, 400_000, now);
  t.strictSame(log('rt').segmentBaseOffsets(), [0, 2, 4]);

  clock.advance(CHECK - 1);
  t.strictSame(log('rt').segmentBaseOffsets(), [0, 2, 4], 'nothing before the first check');
  clock.advance(1);
  t.strictSame(log('rt').segmentBaseOffsets(), [2, 4], 'the segment whose newest record is 3 h old went');
  t.equal(log('rt').logStartOffset, 2);
  t.equal((await listOffset(c, 'rt', -2n)).offset, 2n, 'ListOffsets EARLIEST follows');
  const below = await fetchOne(c, { topic: 'rt', offset: 0 });
  t.equal(below.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, 'a consumer below the log start is out of range (and resets)');
  const at = await fetchOne(c, { topic: 'rt', offset: 2 });
  t.equal(at.logStartOffset, 2n);

  clock.advance(6 * CHECK); // 35 min in: the 30-minute-old segment is now 65 min old
  t.strictSame(log('rt').segmentBaseOffsets(), [4], 'then the next one, on a later check');
  clock.advance(6 * CHECK); // 65 min in: the active segment expired too
  t.strictSame([log('rt').segmentBaseOffsets(), log('rt').logStartOffset, log('rt').logEndOffset], [[6], 6, 6], 'as Kafka, an expired active segment goes too, after a roll');
});

t.test('retention by size, and a retention change applies to an existing topic', async (t) => {
  const { c, clock, produce, log } = await setup(t, [{ name: 'rs', configs: { 'retention.bytes': 1_000_000, 'segment.bytes': 1048576 } }]);
  const now = clock.now();
  for (let i = 0; i < 8; i++) await produce('rs', 1, 300_000, now);
  t.strictSame(log('rs').segmentBaseOffsets(), [0, 3, 6], 'three ~300 KB batches per segment');
  clock.advance(CHECK);
  t.strictSame(log('rs').segmentBaseOffsets(), [3, 6], 'the oldest segment went; another would take the log below retention.bytes');
  t.ok(log('rs').size <= 2_000_000);

  const r = await c.request(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: 2, resourceName: 'rs', configs: [{ name: 'retention.bytes', configOperation: 0, value: '500000' }] }],
    validateOnly: false,
  });
  t.equal(r.responses[0]!.errorCode, 0);
  clock.advance(CHECK);
  t.strictSame(log('rs').segmentBaseOffsets(), [6], 'the new retention.bytes at the next check');
  t.equal((await listOffset(c, 'rs', -2n)).offset, 6n);
});

t.test('compact-only topics keep their segments', async (t) => {
  const { clock, produce, log } = await setup(t, [{ name: 'ck', configs: { 'cleanup.policy': 'compact', 'retention.ms': 1000, 'segment.bytes': 1048576 } }]);
  for (let i = 0; i < 4; i++) await produce('ck', 1, 400_000, clock.now() - 3 * HOUR);
  clock.advance(CHECK);
  t.strictSame(log('ck').logStartOffset, 0, 'retention.ms does not apply without the delete policy');
});

t.test('DeleteRecords', async (t) => {
  const { kafka, c, clock, produce } = await setup(t, [
    { name: 'dr', partitions: 2 },
    { name: 'dr-compact', configs: { 'cleanup.policy': 'compact' } },
    { name: 'dr-both', configs: { 'cleanup.policy': 'compact,delete' } },
  ]);
  for (let i = 0; i < 3; i++) await produce('dr', 5, 10, clock.now());
  const del = async (topic: string, partition: number, offset: bigint, version = 2) => {
    const r = await c.request(DeleteRecordsApi, version, { topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset }] }], timeoutMs: 1000 });
    const p = r.topics[0]!.partitions[0]!;
    return [p.errorCode, p.lowWatermark];
  };
  t.strictSame(await del('dr', 0, 7n), [0, 7n], 'the low watermark is the new log start');
  t.equal((await fetchOne(c, { topic: 'dr', offset: 6 })).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  t.equal((await listOffset(c, 'dr', -2n)).offset, 7n);
  t.strictSame(await del('dr', 0, 3n), [0, 7n], 'moving back does nothing');
  t.strictSame(await del('dr', 0, 16n), [ErrorCode.OFFSET_OUT_OF_RANGE, -1n], 'above the high watermark');
  t.strictSame(await del('dr', 0, -2n), [ErrorCode.OFFSET_OUT_OF_RANGE, -1n]);
  t.strictSame(await del('dr', 0, -1n, 0), [0, 15n], '-1 is the high watermark (v0)');
  t.strictSame(kafka.broker.cluster.topics.partition('dr', 0)!.log.numberOfSegments, 1, 'whole segments below it are gone');
  t.strictSame(await del('dr', 1, 0n, 1), [0, 0n], 'an empty partition (v1)');
  t.strictSame(await del('dr', 2, 0n), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]);
  t.strictSame(await del('nope', 0, 0n), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]);
  t.strictSame(await del('dr-compact', 0, 0n), [ErrorCode.POLICY_VIOLATION, -1n], 'compact-only topics refuse it');
  t.strictSame(await del('dr-both', 0, 0n), [0, 0n], 'compact,delete accepts it');
  kafka.createTopic('__consumer_offsets', 1);
  t.strictSame(await del('__consumer_offsets', 0, 0n), [ErrorCode.INVALID_TOPIC_EXCEPTION, -1n], 'internal topics refuse it');
});
