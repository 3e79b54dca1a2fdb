// The native bench scenario's logic: reading rdkafka_performance's output (fixtures captured from
// the real binary built by bench/rdkafka/setup.sh, run against minikafka: a 100 B lz4 produce of
// 2,000,000 records and a 1 KiB consume of 200,000), the checks that a run moved exactly the
// records asked for, the configurations' sizes, and the receive floor's buffer handling.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../../../bench/brokers.js';
import { NATIVE_CONFIGS, configLabel, recordsFor } from '../../../bench/native-bench.js';
import { NATIVE_CPU, NATIVE_MEMORY, NATIVE_THROUGHPUT, publishedRows } from '../../../bench/published.js';
import { checkConsumed, checkProduced, consumeArgs, parseConsumeSummary, parseProduceSummary, produceArgs } from '../../../bench/rdkafka-perf.js';
import { ChunkReceiver } from '../../../bench/receive-floor.js';
import { crc } from '../../../src/protocol/records/native-codecs.js';
import { stat } from '../../../bench/stats.js';
import type { Measure } from '../../../bench/stats.js';

const fixture = (name: string) => readFileSync(join(repoRoot, 'test/unit/bench/fixtures', name), 'utf8');

t.test("the producer's last summary line, not the per-second one before it", async (t) => {
  const s = parseProduceSummary(fixture('rdkafka-performance-produce.txt'));
  t.same(s, { produced: 2_000_000, bytes: 200_000_000, delivered: 2_000_000, failed: 0, ms: 1165 });
  const run = checkProduced(s, 2_000_000, 100);
  t.equal(run.bytes, 200_000_000);
  t.equal(run.mbPerSec.toFixed(2), '171.67', 'bytes / ms, not the printed 2-decimal MB/s');
  t.throws(() => checkProduced(s, 2_000_001, 100), /delivered 2000000 of 2000000/, 'fewer records than asked for');
  t.throws(() => checkProduced({ ...s, delivered: 1_999_999, failed: 1 }, 2_000_000, 100), /1 failed/);
  t.throws(() => parseProduceSummary('% Sending 10 messages of size 100 bytes\n'), /no producer summary/);
});

t.test("the consumer's last summary line", async (t) => {
  const s = parseConsumeSummary(fixture('rdkafka-performance-consume.txt'));
  t.same(s, { consumed: 200_000, bytes: 204_800_000, ms: 191 });
  t.equal(checkConsumed(s, 200_000, 1024).mbPerSec.toFixed(1), '1072.3');
  t.throws(() => checkConsumed(s, 200_000, 100), /expected 200000 of 100 bytes/, 'other record sizes than produced');
  t.throws(() => parseConsumeSummary(fixture('rdkafka-performance-produce.txt')), /no consumer summary/);
});

t.test('client arguments: acks=all, linger 5 ms, every partition from the beginning', async (t) => {
  t.same(produceArgs('h:1', 'tp', 10, { size: 100, compression: 'lz4' }), ['-P', '-t', 'tp', '-b', 'h:1', '-s', '100', '-c', '10', '-a', '-1', '-z', 'lz4', '-X', 'linger.ms=5']);
  t.same(consumeArgs('h:1', 'tp', 10, 3), ['-C', '-t', 'tp', '-b', 'h:1', '-p', '0', '-p', '1', '-p', '2', '-o', 'beginning', '-c', '10']);
});

t.test('configurations: 1 KiB and 100 B, none and lz4; half the bytes for 100 B records', async (t) => {
  t.same(NATIVE_CONFIGS.map(configLabel), ['1 KiB, none', '1 KiB, lz4', '100 B, none', '100 B, lz4']);
  t.equal(recordsFor({ size: 1024, compression: 'none' }, 1e9), 976_563);
  t.equal(recordsFor({ size: 100, compression: 'lz4' }, 1e9), 5_000_000);
});

t.test("the native rows of the README's table come from the scenario's measures", async (t) => {
  const m = (name: string, unit: string, mk: number, k: number | null): Measure => ({ name, unit, minikafka: stat(name, unit, [mk]), kafka: k === null ? null : stat(name, unit, [k]) });
  const rows = publishedRows(
    [{ id: 'native', title: '', notes: [], targets: [], measures: [m(NATIVE_CPU, 's/GB', 1.06, 4.2), m(NATIVE_THROUGHPUT, 'MB/s', 300, 150), m(NATIVE_MEMORY, 'ratio', 1.071, null)] }],
    { latencyRate: 5000, scaleParts: '1,000 partitions', scaleConnections: 200 },
  );
  const native = rows.filter((r) => r.scenario === 'native');
  t.equal(native[0]?.result, '1.06 s/GB (Kafka 4.20); 300 vs 150 MB/s: 2.00');
  t.equal(native.find((r) => r.measure.startsWith('memory held'))?.result, '1.07');
  t.equal(native.find((r) => r.measure.startsWith('the same records consumed'))?.result, '– vs – MB/s: –', 'not measured: dashes');
});

t.test('receive floor: reads of any size fill whole buffers, kept fresh or read into again', async (t) => {
  const data = Buffer.from(Array.from({ length: 40 }, (_, i) => i));
  const feed = (r: ChunkReceiver, sizes: number[]) => {
    let at = 0;
    for (const n of sizes) {
      const into = r.nextBuffer();
      t.ok(into.length >= n, 'the buffer offered has room for the read');
      data.copy(into, 0, at, at + n);
      r.onRead(n);
      at += n;
    }
    r.finish();
  };
  const fresh = new ChunkReceiver('fresh-crc', 16);
  feed(fresh, [5, 11, 16, 3, 5]);
  t.same(
    fresh.kept.map((b) => [...b]),
    [[...data.subarray(0, 16)], [...data.subarray(16, 32)], [...data.subarray(32, 40)]],
    'two full buffers and the partial last one, in order',
  );
  t.equal(fresh.crcs, fresh.kept.map((b) => crc().crc32c(b)).reduce((a, b) => a ^ b), 'each buffer CRC-checked once');
  t.equal(fresh.received, 40);
  const reused = new ChunkReceiver('reused-crc', 16);
  const first = reused.nextBuffer();
  feed(reused, [16, 16, 8]);
  t.equal(reused.kept.length, 0, 'nothing kept');
  t.equal(reused.nextBuffer().buffer, first.buffer, 'the same memory read into again');
  t.equal(reused.crcs, crc().crc32c(data.subarray(0, 16)) ^ crc().crc32c(data.subarray(16, 32)) ^ crc().crc32c(data.subarray(32, 40)));
  const plain = new ChunkReceiver('fresh', 16);
  feed(plain, [16]);
  t.equal(plain.crcs, 0, 'no CRC in the plain mode');
  t.equal(plain.kept.length, 1);
});
