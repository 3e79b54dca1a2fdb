// Log compaction end to end: 100,000 updates over 1,000 keys, some of them deleted, compact in the
// background to one record per live key, read back over Fetch at the offsets they were written
// at; the tombstones vanish once delete.retention.ms has passed on the broker clock. And compacted
// topics refuse records without a key, as Kafka does.
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { batchesOf, fetchOne, listOffset, produceOne } from '../helpers/data-path.js';
import { IncrementalAlterConfigsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { CompressionCodec, buildBatch, buildBatchSync, readRecords } from '../../src/protocol/records/index.js';
import type { RecordInput } from '../../src/protocol/records/index.js';
import { logMaintenanceOf } from '../../src/server/broker.js';

const KEYS = 1000;
const UPDATES = 100_000;
const PER_BATCH = 1000;
const SEGMENT_MS = 600_000;
const DELETE_RETENTION_MS = 60_000;
const BACKOFF = 15_000; // log.cleaner.backoff.ms
const CODECS = [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD];

interface Written {
  offset: number;
  value: string | null;
  i: number;
}

t.test('100,000 updates over 1,000 keys compact to the latest value of each live key', async (t) => {
  const clock = new ManualClock(Date.now());
  const kafka = await MiniKafka.start({
    clock,
    topics: [{ name: 'state', configs: { 'cleanup.policy': 'compact', 'segment.bytes': 1048576, 'segment.ms': SEGMENT_MS, 'delete.retention.ms': DELETE_RETENTION_MS } }],
  });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });
  const maintenance = logMaintenanceOf(kafka.broker.cluster)!;
  const log = kafka.broker.cluster.topics.partition('state', 0)!.log;

  // Every tenth key's last update is a tombstone.
  const latest = new Map<string, Written>();
  for (let b = 0; b < UPDATES / PER_BATCH; b++) {
    const records: RecordInput[] = [];
    for (let j = 0; j < PER_BATCH; j++) {
      const i = b * PER_BATCH + j;
      const k = i % KEYS;
      const tombstone = k % 10 === 0 && i >= UPDATES - KEYS;
      records.push({ key: Buffer.from(`key-${k}`), value: tombstone ? null : Buffer.from(`value-${i}`), headers: [{ key: 'i', value: Buffer.from(String(i)) }], timestamp: clock.now() });
    }
    const codec = CODECS[b % CODECS.length]!;
    const batch = codec === CompressionCodec.ZSTD ? await buildBatch(records, { compression: codec }) : buildBatchSync(records, { compression: codec });
    const r = await produceOne(c, 'state', batch);
    t.equal(r.errorCode, 0, `batch ${b}`, { diagnostic: r.errorCode !== 0 });
    records.forEach((rec, j) => latest.set(rec.key!.toString(), { offset: Number(r.baseOffset) + j, value: rec.value?.toString() ?? null, i: b * PER_BATCH + j }));
  }
  const sizeBefore = log.size;
  t.ok(log.numberOfSegments >= 2, `${log.numberOfSegments} segments of at most 1 MiB`);

  // Time passes: the next write opens a new segment (segment.ms), leaving every update in
  // segments the cleaner may touch.
  clock.advance(SEGMENT_MS + 1);
  await maintenance.idle();
  const filler = await produceOne(c, 'state', buildBatchSync([{ key: Buffer.from('filler'), value: Buffer.from('x'), timestamp: clock.now() }]));
  const fillerOffset = Number(filler.baseOffset);
  t.equal(log.segments[log.segments.length - 1]!.baseOffset, fillerOffset, 'the filler opened the active segment');
  clock.advance(BACKOFF);
  await maintenance.idle();

  const readAll = async () => {
    const out: { offset: number; key: string; value: string | null; i: string | undefined; timestamp: number }[] = [];
    let offset = 0;
    for (;;) {
      const p = await fetchOne(c, { topic: 'state', offset, partitionMaxBytes: 10 << 20 }, { maxBytes: 10 << 20 });
      t.equal(p.errorCode, 0);
      const batches = batchesOf(p.records);
      if (batches.length === 0) return out;
      for (const b of batches) {
        for (const r of await readRecords(b)) {
          if (r.offset >= offset) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value?.toString() ?? null, i: r.headers[0]?.value?.toString(), timestamp: r.timestamp });
        }
        offset = Number(b.readBigInt64BE(0)) + b.readInt32BE(23) + 1;
      }
    }
  };

  const expected = [...latest.entries()].map(([key, w]) => ({ offset: w.offset, key, value: w.value, i: String(w.i) })).sort((a, b) => a.offset - b.offset);
  const compacted = await readAll();
  t.strictSame(
    compacted.map(({ offset, key, value, i }) => ({ offset, key, value, i })),
    [...expected, { offset: fillerOffset, key: 'filler', value: 'x', i: undefined }],
    'one record per key: the latest, at the offset it was written at, headers kept; tombstones still there',
  );
  t.equal(compacted.filter((r) => r.value === null).length, KEYS / 10, '100 tombstones, for now');
  t.ok(log.size < sizeBefore / 20, `the log shrank from ${sizeBefore} to ${log.size} bytes`);
  t.equal((await listOffset(c, 'state', -2n)).offset, 0n, 'compaction does not move the log start');
  const read = maintenance.passes.reduce((n, p) => n + p.recordsRead, 0);
  t.ok(read >= UPDATES, `${maintenance.passes.length} pass(es) read ${read} records`);

  // delete.retention.ms later the tombstones are gone too.
  clock.advance(DELETE_RETENTION_MS - BACKOFF);
  await maintenance.idle();
  t.equal((await readAll()).filter((r) => r.value === null).length, KEYS / 10, 'not before delete.retention.ms');
  clock.advance(2 * BACKOFF);
  await maintenance.idle();
  const final = await readAll();
  t.strictSame(
    final.map(({ offset, key, value }) => ({ offset, key, value })),
    [...expected.filter((e) => e.value !== null).map(({ offset, key, value }) => ({ offset, key, value })), { offset: fillerOffset, key: 'filler', value: 'x' }],
    '900 live keys and the filler; no tombstone left',
  );
});

t.test('compacted topics refuse records without a key', async (t) => {
  const kafka = await MiniKafka.start({ topics: [{ name: 'ck', configs: { 'cleanup.policy': 'compact' } }, 'plain'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => {
    c.close();
    void kafka.stop();
  });
  const now = Date.now();
  const recs = (keys: (string | null)[]) => keys.map((k) => ({ key: k === null ? null : Buffer.from(k), value: Buffer.from('v'), timestamp: now }));
  const message = 'Compacted topic cannot accept message without key in topic partition ck-0';
  for (const codec of [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.LZ4]) {
    const r = await produceOne(c, 'ck', buildBatchSync(recs(['a', null, 'b', null]), { compression: codec }));
    t.strictSame(
      [r.errorCode, r.logStartOffset, r.recordErrors, r.errorMessage],
      [
        ErrorCode.INVALID_RECORD,
        0n,
        [
          { batchIndex: 1, batchIndexErrorMessage: message },
          { batchIndex: 3, batchIndexErrorMessage: message },
        ],
        `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}'), RecordError(batchIndex=3, message='${message}')]`,
      ],
      `codec ${codec}: Kafka's LogValidator answer`,
    );
  }
  t.equal((await produceOne(c, 'ck', buildBatchSync(recs(['a', 'b'])))).errorCode, 0, 'keyed records are fine');
  t.equal((await produceOne(c, 'plain', buildBatchSync(recs([null])))).errorCode, 0, 'a delete-policy topic takes keyless records');
  const alter = await c.request(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: 2, resourceName: 'plain', configs: [{ name: 'cleanup.policy', configOperation: 0, value: 'compact,delete' }] }],
    validateOnly: false,
  });
  t.equal(alter.responses[0]!.errorCode, 0);
  t.equal((await produceOne(c, 'plain', buildBatchSync(recs([null])))).errorCode, ErrorCode.INVALID_RECORD, 'until it is made compacted');
});
