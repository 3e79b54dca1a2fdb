// Produce and Fetch over the wire: offsets assigned by patching, byte-identical batches back,
// every error path with Kafka's code, acks=0, the long poll and the KIP-74 size rules.
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { batchesOf, fetch, fetchOne, produceOne, produceRequest } from '../helpers/data-path.js';
import { ApiVersionsApi, ProduceApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  BatchLayout,
  CompressionCodec,
  TimestampType,
  buildBatch,
  buildBatchSync,
  readBatchHeader,
  readRecords,
} from '../../src/protocol/records/index.js';
import type { RecordInput } from '../../src/protocol/records/index.js';
import type { Partition } from '../../src/log/partition.js';
import { until } from '../helpers/until.js';

function records(n: number, prefix = 'v', timestamp = Date.now()): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`), timestamp: timestamp + i }));
}

/** What the broker must store for `sent` appended at `baseOffset` by leader epoch 0. */
function expectedStored(sent: Buffer, baseOffset: number): Buffer {
  const b = Buffer.from(sent);
  b.writeBigInt64BE(BigInt(baseOffset), BatchLayout.BASE_OFFSET);
  b.writeInt32BE(0, BatchLayout.PARTITION_LEADER_EPOCH);
  return b;
}

async function connect(t: { teardown(fn: () => void): void }, kafka: MiniKafka): Promise<WireClient> {
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  return c;
}

t.test('produce assigns offsets; fetch returns the same bytes with those offsets', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders'] });
  const c = await connect(t, kafka);
  const sent = [buildBatchSync(records(2, 'a')), buildBatchSync(records(3, 'b')), buildBatchSync(records(1, 'c'), { compression: CompressionCodec.GZIP })];
  const bases = [];
  for (const [i, b] of sent.entries()) {
    const r = await produceOne(c, 'orders', Buffer.from(b), { version: [3, 9, 11][i]! });
    t.equal(r.errorCode, ErrorCode.NONE, `batch ${i} accepted`);
    t.equal(r.logAppendTimeMs, -1n, 'CreateTime topic: logAppendTimeMs -1');
    t.equal(r.logStartOffset, i === 0 ? -1n : 0n, 'log start offset (a field from v5)');
    bases.push(Number(r.baseOffset));
  }
  t.strictSame(bases, [0, 2, 5], 'base offsets follow record counts');
  const topicId = kafka.broker.cluster.topics.get('orders')!.id;
  for (const v of [4, 11, 12, 16]) {
    const p = await fetchOne(c, { topic: 'orders', topicId, offset: 0 }, { version: v });
    t.equal(p.errorCode, ErrorCode.NONE, `v${v} fetch ok`);
    t.equal(p.highWatermark, 6n, 'high watermark');
    t.equal(p.lastStableOffset, 6n, 'last stable offset');
    t.equal(p.logStartOffset, v >= 5 ? 0n : -1n, 'log start (a field from v5)');
    t.equal(p.abortedTransactions, null, 'read_uncommitted: abortedTransactions null, as Kafka');
    const got = batchesOf(p.records);
    t.equal(got.length, 3, 'three batches');
    for (let i = 0; i < 3; i++) t.ok(got[i]!.equals(expectedStored(sent[i]!, bases[i]!)), `batch ${i} byte-identical but for offset and epoch`);
  }
  const decoded = await readRecords(batchesOf((await fetchOne(c, { topic: 'orders', offset: 2 })).records)[0]!);
  t.strictSame(decoded.map((r) => [r.offset, r.value?.toString()]), [[2, 'b-0'], [3, 'b-1'], [4, 'b-2']], 'records carry their offsets');
  const mid = await fetchOne(c, { topic: 'orders', offset: 3 });
  t.equal(readBatchHeader(batchesOf(mid.records)[0]!).baseOffset, 2, 'a fetch inside a batch returns the whole batch');
  const end = await fetchOne(c, { topic: 'orders', offset: 6 });
  t.equal(end.errorCode, ErrorCode.NONE, 'fetching at the log end is no error');
  t.equal(batchesOf(end.records).length, 0, 'and returns nothing');
});

t.test('v13 addresses topics by id', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['by-id'] });
  const c = await connect(t, kafka);
  const id = kafka.broker.cluster.topics.get('by-id')!.id;
  const r = await c.request(ProduceApi, 13, produceRequest([{ topic: '', topicId: id, records: buildBatchSync(records(2)) }]));
  t.equal(r.responses[0]!.topicId, id, 'response names the topic by id');
  t.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE, 'produce by id');
  const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  const bad = await c.request(ProduceApi, 13, produceRequest([{ topic: '', topicId: unknownId, records: buildBatchSync(records(1)) }]));
  t.equal(bad.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID, 'produce to an unknown id');
  const f = await fetch(c, [{ topic: '', topicId: id }, { topic: '', topicId: unknownId }], { version: 13 });
  t.equal(f.responses[0]!.topicId, id, 'fetch response by id');
  t.equal(batchesOf(f.responses[0]!.partitions[0]!.records).length, 1, 'one batch');
  t.equal(f.responses[1]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID, 'fetch of an unknown id');
  // Empty, never null: Kafka's FetchResponse.toMessage makes null records MemoryRecords.EMPTY.
  t.strictSame(f.responses[1]!.partitions[0]!.records, Buffer.alloc(0), 'no records for an unknown topic, as empty records');
});

t.test('acks=0 gets no response; a failed acks=0 produce closes the connection', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['quiet'] });
  const c = await connect(t, kafka);
  c.send(WireClient.frame(ProduceApi, 9, produceRequest([{ topic: 'quiet', records: buildBatchSync(records(4)) }], { acks: 0 }), 77));
  const av = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 });
  t.equal(av.errorCode, ErrorCode.NONE, 'the next response is the ApiVersions one (its correlation id matched)');
  const p = await fetchOne(c, { topic: 'quiet' });
  t.equal(p.highWatermark, 4n, 'the acks=0 batch was appended');

  const d = await connect(t, kafka);
  d.send(WireClient.frame(ProduceApi, 9, produceRequest([{ topic: 'nope', records: buildBatchSync(records(1)) }], { acks: 0 })));
  await d.waitClosed();
  t.ok(d.closed, 'Kafka closes an acks=0 connection whose produce failed');
});

t.test('produce errors carry Kafka codes', async (t) => {
  await using kafka = await MiniKafka.start({
    topics: ['t', { name: 'small', configs: { 'max.message.bytes': 1000 } }],
    autoCreateTopics: true,
  });
  const c = await connect(t, kafka);
  const ok = () => buildBatchSync(records(2));

  t.equal((await produceOne(c, 'missing', ok())).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic, not auto-created');
  t.notOk(kafka.broker.cluster.topics.get('missing'), 'produce does not create topics');
  t.equal((await produceOne(c, 't', ok(), { partition: 3 })).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown partition');

  const corrupt = ok();
  corrupt[corrupt.length - 1] ^= 0xff;
  const cr = await produceOne(c, 't', corrupt);
  t.equal(cr.errorCode, ErrorCode.CORRUPT_MESSAGE, 'CRC mismatch');
  t.equal(cr.baseOffset, -1n, 'no base offset on error');
  t.equal(cr.logStartOffset, -1n, 'CORRUPT_MESSAGE is an expected failure: no log start offset');

  const shortLength = ok();
  shortLength.writeInt32BE(10, BatchLayout.BATCH_LENGTH);
  t.equal((await produceOne(c, 't', shortLength)).errorCode, ErrorCode.CORRUPT_MESSAGE, 'batch length below the minimum');

  const big = buildBatchSync([{ value: Buffer.alloc(2000, 7) }]);
  t.equal((await produceOne(c, 'small', big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE, 'batch above max.message.bytes');
  t.equal((await produceOne(c, 't', big)).errorCode, ErrorCode.NONE, 'the same batch fits the broker default');

  const zstd = await buildBatch(records(3), { compression: CompressionCodec.ZSTD });
  t.equal((await produceOne(c, 't', zstd, { version: 6 })).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd at v6');
  t.equal((await produceOne(c, 't', zstd, { version: 7 })).errorCode, ErrorCode.NONE, 'zstd at v7');

  const two = Buffer.concat([ok(), ok()]);
  t.equal((await produceOne(c, 't', two)).errorCode, ErrorCode.INVALID_RECORD, 'two batches');
  t.equal((await produceOne(c, 't', Buffer.alloc(0))).errorCode, ErrorCode.INVALID_RECORD, 'no batch');
  t.equal((await produceOne(c, 't', null)).errorCode, ErrorCode.INVALID_RECORD, 'null records');
  const magic1 = ok();
  magic1.writeInt8(1, BatchLayout.MAGIC);
  t.equal((await produceOne(c, 't', magic1)).errorCode, ErrorCode.INVALID_RECORD, 'magic 1 at v3+');
  const magic7 = ok();
  magic7.writeInt8(7, BatchLayout.MAGIC);
  t.equal((await produceOne(c, 't', magic7)).errorCode, ErrorCode.CORRUPT_MESSAGE, 'unknown magic');

  const control = buildBatchSync(records(1), { control: true, transactional: false });
  const ctl = await produceOne(c, 't', control);
  t.equal(ctl.errorCode, ErrorCode.INVALID_RECORD, 'clients may not write control batches');
  t.equal(ctl.logStartOffset, 0n, 'INVALID_RECORD from the validator reports the log start offset');

  const offset7 = buildBatchSync(records(1), { baseOffset: 7 });
  t.equal((await produceOne(c, 't', offset7)).errorCode, ErrorCode.INVALID_RECORD, 'client batch baseOffset must be 0');

  const badAcks = await c.request(ProduceApi, 9, produceRequest([{ topic: 't', records: ok() }, { topic: 'missing', records: ok() }], { acks: 2 }));
  t.equal(badAcks.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS, 'acks=2');
  t.equal(badAcks.responses[1]!.partitionResponses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic still reported first');

  kafka.createTopic('__consumer_offsets', 1);
  t.equal((await produceOne(c, '__consumer_offsets', ok())).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, 'internal topic');

  const txn = buildBatchSync(records(1), { transactional: true, producerId: 5, producerEpoch: 0, baseSequence: 0 });
  t.equal((await produceOne(c, 't', txn)).errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional batch without a transactional id');
  t.equal((await produceOne(c, 't', txn, { transactionalId: 'tx' })).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'with an id the coordinator does not know: verification fails');

  const seqless = buildBatchSync(records(1), { producerId: 5, producerEpoch: 0, baseSequence: -1 });
  t.equal((await produceOne(c, 't', seqless)).errorCode, ErrorCode.INVALID_RECORD, 'producer id without a sequence');

  const p = await fetchOne(c, { topic: 't' });
  t.equal(p.highWatermark, 4n, 'only the accepted batches were appended (big 1 + zstd 3)');
});

t.test('timestamps: the after.max.ms window, and LogAppendTime topics', async (t) => {
  await using kafka = await MiniKafka.start({
    topics: ['ct', { name: 'lat', configs: { 'message.timestamp.type': 'LogAppendTime' } }, { name: 'strict', configs: { 'message.timestamp.before.max.ms': 60000 } }],
  });
  const c = await connect(t, kafka);
  const now = Date.now();
  const future = buildBatchSync([{ value: Buffer.from('ok'), timestamp: now }, { value: Buffer.from('late'), timestamp: now + 2 * 3600_000 }]);
  const r = await produceOne(c, 'ct', future);
  t.equal(r.errorCode, ErrorCode.INVALID_TIMESTAMP, 'two hours ahead: beyond the 1 h default of Kafka 4.x');
  t.equal(r.errorMessage, 'One or more records have been rejected due to invalid timestamp', 'Kafka error message');
  t.strictSame(r.recordErrors.map((e) => e.batchIndex), [1], 'the offending record is listed');
  t.match(r.recordErrors[0]!.batchIndexErrorMessage, /^Timestamp \d+ of message with offset 1 is out of range/, 'record error text');
  t.equal((await produceOne(c, 'ct', buildBatchSync([{ value: Buffer.from('old'), timestamp: now - 30 * 86400_000 }]))).errorCode, ErrorCode.NONE, 'old timestamps are fine by default');
  t.equal((await produceOne(c, 'strict', buildBatchSync([{ value: Buffer.from('old'), timestamp: now - 120_000 }]))).errorCode, ErrorCode.INVALID_TIMESTAMP, 'before.max.ms on the topic');

  const before = Date.now();
  const lat = await produceOne(c, 'lat', buildBatchSync(records(2, 'x', now - 86400_000)));
  t.equal(lat.errorCode, ErrorCode.NONE, 'LogAppendTime topic accepts');
  const stamped = Number(lat.logAppendTimeMs);
  t.ok(stamped >= before && stamped <= Date.now(), 'logAppendTimeMs is the broker time');
  const stored = batchesOf((await fetchOne(c, { topic: 'lat' })).records)[0]!;
  const h = readBatchHeader(stored);
  t.equal(h.timestampType, TimestampType.LOG_APPEND_TIME, 'stored batch is LogAppendTime');
  t.equal(h.maxTimestamp, stamped, 'stamped with that time');
  t.ok((await readRecords(stored)).every((rec) => rec.timestamp === stamped), 'every record reads the append time (CRC was recomputed)');
  const clientLat = buildBatchSync(records(1), { timestampType: TimestampType.LOG_APPEND_TIME, logAppendTime: now });
  t.equal((await produceOne(c, 'lat', clientLat)).errorCode, ErrorCode.INVALID_TIMESTAMP, 'a client may not send LogAppendTime batches');
});

t.test('fetch errors: out of range, unknown topic or partition, leader epochs, sessions', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['f'] });
  const c = await connect(t, kafka);
  await produceOne(c, 'f', buildBatchSync(records(3)));
  const oor = await fetchOne(c, { topic: 'f', offset: 10 });
  t.equal(oor.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, 'past the log end');
  t.equal(oor.highWatermark, -1n, 'Kafka reports -1 offsets with OFFSET_OUT_OF_RANGE');
  t.equal(batchesOf(oor.records).length, 0, 'no records');
  t.equal((await fetchOne(c, { topic: 'f', offset: -1 })).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, 'negative offset');
  t.equal((await fetchOne(c, { topic: 'f', offset: 3 })).errorCode, ErrorCode.NONE, 'the log end itself is in range');

  const f = await fetch(c, [{ topic: 'none' }, { topic: 'f', partition: 9 }, { topic: 'f' }]);
  t.strictSame(
    f.responses.map((r) => r.partitions[0]!.errorCode),
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE],
    'every requested partition is answered, in order',
  );

  const partition = kafka.broker.cluster.topics.partition('f', 0)!;
  t.equal((await fetchOne(c, { topic: 'f', currentLeaderEpoch: 0 })).errorCode, ErrorCode.NONE, 'current epoch');
  t.equal((await fetchOne(c, { topic: 'f', currentLeaderEpoch: 4 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH, 'newer epoch');
  partition.bumpLeaderEpoch();
  const fenced = await fetchOne(c, { topic: 'f', topicId: kafka.broker.cluster.topics.get('f')!.id, currentLeaderEpoch: 0 }, { version: 16 });
  t.equal(fenced.errorCode, ErrorCode.FENCED_LEADER_EPOCH, 'older epoch');
  t.strictSame([fenced.currentLeader?.leaderId, fenced.currentLeader?.leaderEpoch], [kafka.broker.nodeId, 1], 'v16 names the current leader and epoch');

  const diverged = await fetchOne(c, { topic: 'f', offset: 3, lastFetchedEpoch: 5 });
  t.strictSame([diverged.errorCode, diverged.divergingEpoch?.epoch, diverged.divergingEpoch?.endOffset], [ErrorCode.NONE, -1, -1n], 'an epoch the leader never had diverges');

});

t.test('maxBytes, partitionMaxBytes and the first batch that is always returned (KIP-74)', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['sz:2'] });
  const c = await connect(t, kafka);
  const big = () => buildBatchSync([{ value: Buffer.alloc(5000, 1) }]);
  for (let i = 0; i < 3; i++) await produceOne(c, 'sz', big(), { partition: 0 });
  for (let i = 0; i < 3; i++) await produceOne(c, 'sz', big(), { partition: 1 });
  const size = big().length;

  const one = await fetchOne(c, { topic: 'sz', partitionMaxBytes: 100 }, { maxBytes: 100 });
  t.equal(batchesOf(one.records).length, 1, 'a batch larger than both limits still comes back whole');
  const two = await fetchOne(c, { topic: 'sz', partitionMaxBytes: size * 2 + 10 });
  t.equal(batchesOf(two.records).length, 2, 'partitionMaxBytes bounds the batches of a partition');

  const both = await fetch(c, [{ topic: 'sz', partition: 0, partitionMaxBytes: 100 }, { topic: 'sz', partition: 1, partitionMaxBytes: 100 }], { maxBytes: 100 });
  t.strictSame(both.responses.map((r) => batchesOf(r.partitions[0]!.records).length), [1, 0], 'only the first partition gets its oversized batch');

  const budget = await fetch(c, [{ topic: 'sz', partition: 0 }, { topic: 'sz', partition: 1 }], { maxBytes: size * 4 + 10 });
  t.strictSame(budget.responses.map((r) => batchesOf(r.partitions[0]!.records).length), [3, 1], 'maxBytes is shared across partitions in order');

  const empty = await fetch(c, [{ topic: 'sz', partition: 0, offset: 3 }, { topic: 'sz', partition: 1, partitionMaxBytes: 10 }], { maxBytes: 10 });
  t.equal(batchesOf(empty.responses[1]!.partitions[0]!.records).length, 1, 'an empty first partition leaves the at-least-one-batch rule to the next');
});

t.test('read_committed stops at the last stable offset', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['rc'] });
  const c = await connect(t, kafka);
  for (let i = 0; i < 3; i++) await produceOne(c, 'rc', buildBatchSync(records(2)));
  kafka.broker.cluster.topics.partition('rc', 0)!.log.setFirstUnstableOffset(2);
  const rc = await fetchOne(c, { topic: 'rc' }, { isolationLevel: 1 });
  t.equal(rc.lastStableOffset, 2n, 'LSO reported');
  t.equal(rc.highWatermark, 6n, 'HW reported');
  t.strictSame(batchesOf(rc.records).map((b) => readBatchHeader(b).baseOffset), [0], 'only batches below the LSO');
  t.strictSame(rc.abortedTransactions, [], 'read_committed gets a list of aborted transactions (empty)');
  const ru = await fetchOne(c, { topic: 'rc' }, { isolationLevel: 0 });
  t.equal(batchesOf(ru.records).length, 3, 'read_uncommitted sees up to the HW');
});

t.test('long poll: woken by an append, or answered at maxWaitMs', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['lp:2'] });
  const consumer = await connect(t, kafka);
  const producer = await connect(t, kafka);

  const [p0, p1] = [0, 1].map((i) => kafka.broker.cluster.topics.partition('lp', i)!) as [Partition, Partition];
  // Wall-clock bounds: the lower ones hold on any machine (a timer never fires early); the upper
  // one only tells "answered at maxWaitMs" from "never answered" and is 50 times maxWaitMs, so a
  // loaded 2-core machine does not trip it.
  const started = Date.now();
  const timedOut = await fetchOne(consumer, { topic: 'lp' }, { maxWaitMs: 200, minBytes: 1 });
  const elapsed = Date.now() - started;
  t.equal(batchesOf(timedOut.records).length, 0, 'nothing arrived');
  t.ok(elapsed >= 180 && elapsed < 10_000, `answered at maxWaitMs (${elapsed} ms)`);

  // maxWaitMs beyond tap's 30 s test timeout: an answer at all means the append woke the wait.
  const waiting = fetch(consumer, [{ topic: 'lp', partition: 0 }, { topic: 'lp', partition: 1 }], { maxWaitMs: 60_000, minBytes: 1 });
  await until('the fetch to wait on lp-1', () => p1.listenerCount === 1);
  await produceOne(producer, 'lp', buildBatchSync(records(2)), { partition: 1 });
  const woken = await waiting;
  t.equal(batchesOf(woken.responses[1]!.partitions[0]!.records).length, 1, 'woken by the append, with the appended batch');
  t.equal(woken.responses[1]!.partitions[0]!.highWatermark, 2n, 'and the new high watermark');

  // lp-0 gets a record, so that a fetch at offset 1 below parks at its end.
  await produceOne(producer, 'lp', buildBatchSync(records(1)));

  const closing = await connect(t, kafka);
  void fetchOne(closing, { topic: 'lp', offset: 99 }, { maxWaitMs: 60000 }).catch(() => undefined);
  const parked = fetch(closing, [{ topic: 'lp', partition: 0, offset: 1 }], { maxWaitMs: 60000 }).catch(() => 'closed');
  await until('the fetch to park on lp-0', () => p0.listenerCount === 1);
  t.pass('a parked fetch listens for appends');
  closing.close();
  t.equal(await parked, 'closed', 'the client saw its connection close');
  await until('the closed connection\'s fetch to unsubscribe', () => p0.listenerCount === 0);
  t.pass('closing the connection ends the wait and unsubscribes');
});

t.test('long poll: an append short of minBytes does not end the wait; maxWaitMs on the broker clock does', async (t) => {
  // The broker clock is a ManualClock: with 3 s of real time, a loaded machine could run the wait
  // out before the check that it is still waiting.
  const clock = new ManualClock(Date.now());
  await using kafka = await MiniKafka.start({ topics: ['lp'], clock });
  const consumer = await connect(t, kafka);
  const producer = await connect(t, kafka);
  const p0 = kafka.broker.cluster.topics.partition('lp', 0)!;
  const enough = fetchOne(consumer, { topic: 'lp', offset: 0 }, { maxWaitMs: 3000, minBytes: 100000 });
  await until('the fetch to wait on lp-0', () => p0.listenerCount === 1);
  await produceOne(producer, 'lp', buildBatchSync(records(1)));
  t.equal(p0.listenerCount, 1, 'an append short of minBytes does not end the wait');
  clock.advance(2999);
  t.equal(p0.listenerCount, 1, 'nor does 1 ms less than maxWaitMs');
  clock.advance(1);
  const partial = await enough;
  t.equal(p0.listenerCount, 0, 'maxWaitMs ends it');
  t.equal(batchesOf(partial.records).length, 1, 'then answers with what there is');
});

t.test('a small batch is copied out of a large frame; a batch that is most of its frame is kept', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['mem:2'] });
  const c = await connect(t, kafka);
  const big = buildBatchSync([{ value: Buffer.alloc(50000, 3) }]);
  const small = buildBatchSync([{ value: Buffer.from('tiny') }]);
  const resp = await c.request(ProduceApi, 9, produceRequest([{ topic: 'mem', partition: 0, records: big }, { topic: 'mem', partition: 1, records: small }]));
  t.strictSame(resp.responses.map((r) => r.partitionResponses[0]!.errorCode), [0, 0], 'both appended');
  const stored = (p: number) => kafka.broker.cluster.topics.partition('mem', p)!.log.read(0, 1 << 20, { minOneBatch: true }).batches[0]!;
  t.ok(stored(1).buffer.byteLength <= 8192, `the small batch no longer pins the ${big.length}-byte frame (backing ${stored(1).buffer.byteLength} bytes)`);
  t.ok(stored(0).buffer.byteLength < 2 * stored(0).length, 'the large batch is stored without a copy of more than itself');
  t.ok(stored(1).equals(expectedStored(small, 0)), 'the copy holds the patched bytes');
});

t.test('batches that share a large frame evenly (one per partition) are stored as views of it, not copied', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['even:8'] });
  const c = await connect(t, kafka);
  const batches = Array.from({ length: 8 }, (_, p) => buildBatchSync([{ value: Buffer.alloc(16000, p) }]));
  const resp = await c.request(ProduceApi, 9, produceRequest(batches.map((records, partition) => ({ topic: 'even', partition, records }))));
  t.strictSame(resp.responses.flatMap((r) => r.partitionResponses.map((p) => p.errorCode)), new Array(8).fill(0), 'all appended');
  const stored = Array.from({ length: 8 }, (_, p) => kafka.broker.cluster.topics.partition('even', p)!.log.read(0, 1 << 20, { minOneBatch: true }).batches[0]!);
  t.ok(stored.every((b) => b.buffer === stored[0]!.buffer), 'all eight are views of one buffer: the frame');
  t.ok(stored[0]!.buffer.byteLength < 2 * stored.reduce((a, b) => a + b.length, 0), 'which the batches fill more than half of');
  t.ok(stored.every((b, p) => b.equals(expectedStored(batches[p]!, 0))), 'holding the patched bytes');
});

t.test('a large frame arriving in pieces, with small frames around it in the same writes, is stored intact', async (t) => {
  // Plain sockets read the rest of a large frame straight into its own buffer, and everything else
  // into one scratch buffer that the next read overwrites (src/server/net/direct-reads.ts): the
  // stored batch and the small requests' answers must not see each other's bytes.
  await using kafka = await MiniKafka.start({ topics: ['pieces:2'] });
  const c = await connect(t, kafka);
  const big = buildBatchSync([{ value: Buffer.alloc(300_000, 7) }, { value: Buffer.alloc(100_000, 9) }]);
  const small = buildBatchSync([{ value: Buffer.from('small') }]);
  const produce = (partition: number, records: Buffer, correlationId: number) =>
    WireClient.frame(ProduceApi, 9, produceRequest([{ topic: 'pieces', partition, records }]), correlationId);
  const versions = (correlationId: number) => WireClient.frame(ApiVersionsApi, 3, { clientSoftwareName: 'p', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 }, correlationId);
  const bigFrame = produce(0, big, 2);
  const bytes = Buffer.concat([versions(1), bigFrame, produce(1, small, 3), versions(4)]);
  const answers = [1, 2, 3, 4].map(() => c.nextFrame());
  // Cut inside the first frame, inside the large frame's size and header, then in its records.
  const cuts = [5, 40, 60, 70_000, 250_000, bytes.length];
  let from = 0;
  for (const to of cuts) {
    c.send(bytes.subarray(from, to));
    from = to;
    await new Promise((r) => setTimeout(r, 20));
  }
  const frames = await Promise.all(answers);
  t.strictSame(frames.map((f) => f.readInt32BE(0)), [1, 2, 3, 4], 'four answers, in order');
  const stored = (p: number) => kafka.broker.cluster.topics.partition('pieces', p)!.log.read(0, 1 << 20, { minOneBatch: true }).batches[0]!;
  t.ok(stored(0).equals(expectedStored(big, 0)), 'the large batch is stored byte for byte');
  t.ok(stored(1).equals(expectedStored(small, 0)), 'and the small one after it');
});
