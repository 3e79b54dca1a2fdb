// ListOffsets over the wire: every special timestamp, record-exact lookups by time (plain and
// compressed batches), version gating of the sentinels, and the per-partition errors.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { listOffset, produceOne } from '../helpers/data-path.js';
import { ListOffsetsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CompressionCodec, buildBatch, buildBatchSync } from '../../src/protocol/records/index.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const EARLIEST_PENDING_UPLOAD = -6n;

/** A base time an hour ago: inside Kafka's timestamp window, and far from "now". */
const T = Date.now() - 3600_000;

async function setup(t: { teardown(fn: () => void): void }, compression: CompressionCodec = CompressionCodec.NONE) {
  const kafka = await MiniKafka.start({ topics: ['lo'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });
  // Offsets 0-2 at T+1000, +2000, +3000; offsets 3-5 at T+4000, T+2500 (out of order), T+5000.
  const ts = (deltas: number[]) => deltas.map((d, i) => ({ value: Buffer.from(`r${i}`), timestamp: T + d }));
  for (const deltas of [[1000, 2000, 3000], [4000, 2500, 5000]]) {
    const batch = compression === CompressionCodec.ZSTD ? await buildBatch(ts(deltas), { compression }) : buildBatchSync(ts(deltas), { compression });
    const r = await produceOne(c, 'lo', batch);
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`produce failed: ${r.errorCode}`);
  }
  return { kafka, c };
}

t.test('special timestamps', async (t) => {
  const { kafka, c } = await setup(t);
  const latest = await listOffset(c, 'lo', LATEST);
  t.strictSame([latest.errorCode, latest.offset, latest.timestamp, latest.leaderEpoch], [0, 6n, -1n, 0], 'LATEST: the high watermark, epoch 0');
  const earliest = await listOffset(c, 'lo', EARLIEST);
  t.strictSame([earliest.offset, earliest.timestamp, earliest.leaderEpoch], [0n, -1n, 0], 'EARLIEST: the log start');
  const local = await listOffset(c, 'lo', EARLIEST_LOCAL, { version: 8 });
  t.strictSame([local.errorCode, local.offset], [0, 0n], 'EARLIEST_LOCAL: the log start too (no tiered storage)');
  const max = await listOffset(c, 'lo', MAX_TIMESTAMP, { version: 7 });
  t.strictSame([max.offset, max.timestamp, max.leaderEpoch], [5n, BigInt(T + 5000), 0], 'MAX_TIMESTAMP: the record with the largest timestamp');
  const tiered = await listOffset(c, 'lo', LATEST_TIERED, { version: 9 });
  t.strictSame([tiered.errorCode, tiered.offset, tiered.timestamp, tiered.leaderEpoch], [0, -1n, -1n, -1], 'LATEST_TIERED: -1 without tiered storage');
  const pending = await listOffset(c, 'lo', EARLIEST_PENDING_UPLOAD, { version: 11 });
  t.strictSame([pending.errorCode, pending.offset], [0, -1n], 'EARLIEST_PENDING_UPLOAD: -1 without tiered storage');

  const v3 = await listOffset(c, 'lo', LATEST, { version: 3 });
  t.strictSame([v3.offset, v3.leaderEpoch], [6n, -1], 'no leader epoch before v4');

  kafka.broker.cluster.topics.partition('lo', 0)!.log.deleteRecordsBefore(2);
  t.equal((await listOffset(c, 'lo', EARLIEST)).offset, 2n, 'EARLIEST follows the log start');
});

t.test('sentinels need their version; other negatives are refused', async (t) => {
  const { c } = await setup(t);
  t.equal((await listOffset(c, 'lo', MAX_TIMESTAMP, { version: 6 })).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'MAX_TIMESTAMP before v7');
  t.equal((await listOffset(c, 'lo', EARLIEST_LOCAL, { version: 7 })).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'EARLIEST_LOCAL before v8');
  t.equal((await listOffset(c, 'lo', LATEST_TIERED, { version: 8 })).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'LATEST_TIERED before v9');
  t.equal((await listOffset(c, 'lo', EARLIEST_PENDING_UPLOAD, { version: 10 })).errorCode, ErrorCode.UNSUPPORTED_VERSION, 'EARLIEST_PENDING_UPLOAD before v11');
  const bad = await listOffset(c, 'lo', -7n, { version: 11 });
  t.strictSame([bad.errorCode, bad.offset, bad.timestamp], [ErrorCode.UNSUPPORTED_VERSION, -1n, -1n], 'an unknown sentinel');
});

for (const [name, codec] of [['uncompressed', CompressionCodec.NONE], ['gzip', CompressionCodec.GZIP], ['lz4', CompressionCodec.LZ4]] as const) {
  t.test(`by timestamp, record-exact (${name})`, async (t) => {
    const { c } = await setup(t, codec);
    const at = async (delta: number) => {
      const r = await listOffset(c, 'lo', BigInt(T + delta));
      return [Number(r.offset), Number(r.timestamp) === -1 ? -1 : Number(r.timestamp) - T];
    };
    t.strictSame(await at(0), [0, 1000], 'before everything: the first record');
    t.strictSame(await at(1000), [0, 1000], 'an exact match');
    t.strictSame(await at(1500), [1, 2000], 'inside the first batch: the record, not the batch start');
    t.strictSame(await at(2200), [2, 3000], 'the first record at or after, in offset order');
    t.strictSame(await at(3500), [3, 4000], 'into the second batch');
    t.strictSame(await at(4500), [5, 5000], 'skipping an out-of-order record');
    t.strictSame(await at(6000), [-1, -1], 'after everything: -1');
  });
}

t.test('zstd batches answer at batch granularity', async (t) => {
  const { c } = await setup(t, CompressionCodec.ZSTD);
  const r = await listOffset(c, 'lo', BigInt(T + 3500));
  t.strictSame([r.offset, r.timestamp], [3n, BigInt(T + 5000)], 'the batch start and its max timestamp');
  const max = await listOffset(c, 'lo', MAX_TIMESTAMP);
  t.equal(max.offset, 3n, 'MAX_TIMESTAMP: the batch start');
});

t.test('isolation, replica ids and visibility', async (t) => {
  const { kafka, c } = await setup(t);
  const log = kafka.broker.cluster.topics.partition('lo', 0)!.log;
  log.setFirstUnstableOffset(3);
  t.equal((await listOffset(c, 'lo', LATEST, { isolationLevel: 1 })).offset, 3n, 'read_committed LATEST: the last stable offset');
  t.equal((await listOffset(c, 'lo', LATEST, { isolationLevel: 0 })).offset, 6n, 'read_uncommitted LATEST: the high watermark');
  t.equal((await listOffset(c, 'lo', BigInt(T + 3500), { isolationLevel: 1 })).offset, -1n, 'a timestamp hit past the LSO is not revealed');
  t.equal((await listOffset(c, 'lo', MAX_TIMESTAMP, { isolationLevel: 1 })).offset, -1n, 'nor is a MAX_TIMESTAMP hit');
  t.equal((await listOffset(c, 'lo', LATEST, { isolationLevel: 1, replicaId: -2 })).offset, 6n, 'the debugging replica id sees the log end');
});

t.test('errors', async (t) => {
  const { kafka, c } = await setup(t);
  t.equal((await listOffset(c, 'none', LATEST)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic');
  t.equal((await listOffset(c, 'lo', LATEST, { partition: 1 })).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown partition');
  t.equal((await listOffset(c, 'lo', LATEST, { currentLeaderEpoch: 3 })).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH, 'newer leader epoch');
  kafka.broker.cluster.topics.partition('lo', 0)!.bumpLeaderEpoch();
  const fenced = await listOffset(c, 'lo', LATEST, { currentLeaderEpoch: 0 });
  t.strictSame([fenced.errorCode, fenced.offset, fenced.leaderEpoch], [ErrorCode.FENCED_LEADER_EPOCH, -1n, -1], 'older leader epoch');
  const ok = await listOffset(c, 'lo', LATEST, { currentLeaderEpoch: 1 });
  t.strictSame([ok.errorCode, ok.leaderEpoch], [0, 1], 'the current epoch');

  const dup = await c.request(ListOffsetsApi, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 'lo', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: LATEST, maxNumOffsets: 1 }, { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: EARLIEST, maxNumOffsets: 1 }] }],
    timeoutMs: 0,
  });
  t.strictSame(dup.topics[0]!.partitions.map((p) => p.errorCode), [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST], 'a partition asked twice');
});

t.test('an empty partition', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['empty'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  t.strictSame((await listOffset(c, 'empty', LATEST)).offset, 0n, 'LATEST 0');
  t.strictSame((await listOffset(c, 'empty', EARLIEST)).offset, 0n, 'EARLIEST 0');
  const max = await listOffset(c, 'empty', MAX_TIMESTAMP);
  t.strictSame([max.errorCode, max.offset, max.timestamp], [0, -1n, -1n], 'MAX_TIMESTAMP: none');
  t.strictSame((await listOffset(c, 'empty', 0n)).offset, -1n, 'by timestamp: none');
});
