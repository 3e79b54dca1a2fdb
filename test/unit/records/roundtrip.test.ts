import t from 'tap';
import type { RecordInput } from '../../../src/protocol/records/index.js';
import {
  BatchCursor,
  BatchLayout,
  CompressionCodec,
  ScanMode,
  TimestampType,
  batchCrcMatches,
  buildBatch,
  buildBatchSync,
  codecName,
  decodeRecordSet,
  forEachRecord,
  iterateRecords,
  listBatches,
  readBatchHeader,
  readRecords,
  recordsSection,
  validateProduceBatch,
} from '../../../src/protocol/records/index.js';
import { prng, randInt, textBytes } from './helpers.js';

const CODECS = [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD];
const PAYLOAD_MAGIC: Record<number, string> = {
  [CompressionCodec.GZIP]: '1f8b',
  [CompressionCodec.SNAPPY]: '82534e4150505900',
  [CompressionCodec.LZ4]: '04224d18',
  [CompressionCodec.ZSTD]: '28b52ffd',
};

function sampleRecords(seed: number, n: number, base: number): RecordInput[] {
  const rng = prng(seed);
  const out: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 5;
    out.push({
      key: kind === 0 ? null : Buffer.from(`key-${i}`),
      value: kind === 1 ? null : kind === 2 ? Buffer.alloc(0) : textBytes(rng, 1 + randInt(rng, 3000)),
      headers:
        kind === 3
          ? [
              { key: 'trace-id', value: Buffer.from(`t${i}`) },
              { key: 'ünïcode-ключ', value: null },
              { key: '', value: Buffer.alloc(0) },
            ]
          : [],
      timestamp: base + i * 7 - (i === 3 ? 50 : 0),
    });
  }
  return out;
}

for (const codec of CODECS) {
  t.test(`build -> scan -> iterate (${codecName(codec)})`, async (t) => {
    const base = 1_700_000_000_000;
    const inputs = sampleRecords(codec + 1, 40, base);
    const batch = await buildBatch(inputs, {
      compression: codec,
      baseOffset: 1000,
      producerId: 77,
      producerEpoch: 3,
      baseSequence: 12,
      partitionLeaderEpoch: 9,
    });
    if (codec !== CompressionCodec.ZSTD) t.strictSame(buildBatchSync(inputs, { compression: codec, baseOffset: 1000, producerId: 77, producerEpoch: 3, baseSequence: 12, partitionLeaderEpoch: 9 }).length, batch.length, 'sync builder gives the same size');

    // The whole header at once: one assertion for what the builder wrote, field by field.
    const h = readBatchHeader(batch);
    const fields = ['magic', 'compression', 'baseOffset', 'batchLength', 'recordsCount', 'lastOffsetDelta', 'baseTimestamp', 'maxTimestamp', 'producerId', 'producerEpoch', 'baseSequence', 'partitionLeaderEpoch', 'timestampType'] as const;
    t.strictSame(
      Object.fromEntries(fields.map((k) => [k, h[k]])),
      // baseTimestamp is the first record's timestamp, maxTimestamp the largest (7 ms apart).
      { magic: 2, compression: codec, baseOffset: 1000, batchLength: batch.length - 12, recordsCount: 40, lastOffsetDelta: 39, baseTimestamp: base, maxTimestamp: base + 39 * 7, producerId: 77, producerEpoch: 3, baseSequence: 12, partitionLeaderEpoch: 9, timestampType: TimestampType.CREATE_TIME },
      'the header holds what was built',
    );
    t.ok(batchCrcMatches(batch, 0), 'CRC valid');
    if (codec !== CompressionCodec.NONE) {
      const payload = batch.subarray(BatchLayout.RECORDS);
      t.equal(payload.subarray(0, PAYLOAD_MAGIC[codec]!.length / 2).toString('hex'), PAYLOAD_MAGIC[codec], 'payload is in the codec format');
      t.ok(payload.length < (await recordsSection(batch, 0)).length, 'payload actually compressed');
    }

    // Two batches back to back, as a produce request would carry them.
    const second = await buildBatch(sampleRecords(99, 3, base + 10_000), { compression: codec, baseOffset: 0 });
    const set = Buffer.concat([batch, second]);
    const list = listBatches(set, ScanMode.PRODUCE);
    t.strictSame(list.batches.map((b) => [b.position, b.size, b.magic]), [[0, batch.length, 2], [batch.length, second.length, 2]]);
    t.equal(list.truncatedAt, -1);
    for (const b of list.batches) validateProduceBatch(set, b.position);

    const records = await readRecords(set, 0);
    // Every record of the first batch, compared in one assertion: offset, delta, timestamp, key, value, headers.
    t.strictSame(
      records.map((r) => [r.offset, r.offsetDelta, r.timestamp, r.key, r.value, r.headers]),
      inputs.map((want, i) => [1000 + i, i, want.timestamp, want.key ?? null, want.value ?? null, want.headers ?? []]),
      `the ${inputs.length} records read back as written`,
    );
    const tail = await readRecords(set, batch.length);
    t.strictSame(tail.map((r) => r.offset), [0, 1, 2]);
    t.strictSame(tail.map((r) => r.timestamp), [base + 10_000, base + 10_007, base + 10_014]);

    const decoded = await decodeRecordSet(set, { mode: ScanMode.PRODUCE });
    t.equal(decoded.batches.length, 2);
    t.equal(decoded.batches[1]!.records.length, 3);
  });
}

t.test('uncompressed keys and values are views into the batch, not copies', async (t) => {
  const batch = buildBatchSync([{ key: Buffer.from('k'), value: Buffer.from('hello') }]);
  const [r] = [...iterateRecords(batch, 0)];
  t.equal(r!.value!.buffer, batch.buffer, 'value shares the batch memory');
  batch[batch.length - 3] = 'J'.charCodeAt(0); // "hello" is followed by a one-byte header count
  t.equal(r!.value!.toString(), 'helJo');
});

t.test('cursor fast path sees the same records as the generator', async (t) => {
  const inputs = sampleRecords(5, 25, 1000);
  const batch = buildBatchSync(inputs, { compression: CompressionCodec.LZ4 });
  const section = await recordsSection(batch, 0);
  const keys: Array<string | null> = [];
  const n = forEachRecord(batch, 0, section, (c) => {
    keys.push(c.keyLength < 0 ? null : section.toString('utf8', c.keyOffset, c.keyOffset + c.keyLength));
  });
  t.equal(n, 25);
  t.strictSame(keys, inputs.map((r) => (r.key ? r.key.toString() : null)));
});

t.test('LogAppendTime batches report maxTimestamp for every record', async (t) => {
  const batch = buildBatchSync(
    [{ value: Buffer.from('a'), timestamp: 10 }, { value: Buffer.from('b'), timestamp: 20 }],
    { timestampType: TimestampType.LOG_APPEND_TIME, logAppendTime: 5555 },
  );
  t.equal(readBatchHeader(batch).timestampType, TimestampType.LOG_APPEND_TIME);
  t.strictSame([...iterateRecords(batch)].map((r) => r.timestamp), [5555, 5555]);
});

t.test('raw (unframed) snappy output also round-trips', async (t) => {
  const inputs = sampleRecords(7, 10, 0);
  const batch = buildBatchSync(inputs, { compression: CompressionCodec.SNAPPY, snappyFraming: 'raw' });
  t.not(batch.subarray(BatchLayout.RECORDS, BatchLayout.RECORDS + 8).toString('hex'), PAYLOAD_MAGIC[CompressionCodec.SNAPPY]);
  t.strictSame((await readRecords(batch)).map((r) => r.value), inputs.map((r) => r.value ?? null));
});

t.test('empty batch (as left by compaction) scans and yields no records', async (t) => {
  const batch = buildBatchSync([], { lastOffsetDelta: 4, baseOffset: 50, maxTimestamp: 123 });
  const h = readBatchHeader(batch);
  t.equal(h.recordsCount, 0);
  t.equal(h.lastOffsetDelta, 4);
  t.equal(h.baseTimestamp, -1);
  t.equal(batch.length, BatchLayout.HEADER_SIZE);
  const c = new BatchCursor(batch);
  t.ok(c.next());
  t.notOk(c.next());
  t.strictSame([...iterateRecords(batch)], []);
});
