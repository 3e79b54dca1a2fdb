import { pathToFileURL } from 'node:url';
import type { RecordInput } from '../src/protocol/records/index.js';
import {
  CompressionCodec,
  buildBatch,
  codecName,
  recordsSection,
  validateAndAssignOffsets,
  verifyBatchCrc,
} from '../src/protocol/records/index.js';
import { makeRng, makeValue } from './payload.js';

/**
 * Produce-path cost of the record layer versus a plain memory copy.
 *
 * Input: `totalBytes` of 1 KiB text-like records in batches of 16 (~16 KiB,
 * a typical client linger batch), one Buffer per batch as a Produce request
 * hands them over per partition. "validate+patch" is what the broker does per
 * batch on produce (scan, CRC-32C, header checks, assign base offset and
 * leader epoch); compressed batches are validated on their compressed bytes.
 * "validate+decompress" adds decompressing the records section, which the
 * produce path does not do (compaction / tests would).
 */

export interface Row {
  codec: string;
  /** What was measured: 'memcpy', 'validate+patch' or 'validate+decompress'. */
  op: string;
  /** Bytes on the wire / in the log (compressed size for compressed codecs). */
  wireBytes: number;
  /** Uncompressed record bytes represented. */
  logicalBytes: number;
  /** Throughput over wireBytes, MB/s (10^6 bytes). */
  wireMBps: number;
  /** Throughput over logicalBytes, MB/s. */
  logicalMBps: number;
  /** wireMBps / memcpy MB/s, for rates over the same kind of bytes. */
  ratioToMemcpy: number;
}

export interface RecordsBenchOptions {
  totalBytes?: number;
  recordSize?: number;
  recordsPerBatch?: number;
  /** Timed repetitions per measurement; the median is reported. */
  repeats?: number;
}

const CODECS = [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeMs(repeats: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up: JIT, page faults on fresh buffers
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export async function runRecordsBench(opts: RecordsBenchOptions = {}): Promise<Row[]> {
  const totalBytes = opts.totalBytes ?? 64 * 1024 * 1024;
  const recordSize = opts.recordSize ?? 1024;
  const perBatch = opts.recordsPerBatch ?? 16;
  const repeats = opts.repeats ?? 5;
  const batchCount = Math.max(1, Math.round(totalBytes / (recordSize * perBatch)));
  const logicalBytes = batchCount * perBatch * recordSize;

  const rng = makeRng(0x5eed);
  const recordBatches: RecordInput[][] = [];
  const now = 1_700_000_000_000;
  for (let b = 0; b < batchCount; b++) {
    const records: RecordInput[] = [];
    for (let i = 0; i < perBatch; i++) {
      records.push({ key: Buffer.from(`user-${Math.floor(rng() * 1e6)}`), value: makeValue(rng, recordSize), timestamp: now + b * perBatch + i });
    }
    recordBatches.push(records);
  }

  const rows: Row[] = [];
  let memcpyMBps = 0;
  for (const codec of CODECS) {
    const batches: Buffer[] = [];
    for (let b = 0; b < batchCount; b++) {
      batches.push(await buildBatch(recordBatches[b]!, { compression: codec, producerId: 1000, producerEpoch: 0, baseSequence: b * perBatch }));
    }
    const wireBytes = batches.reduce((n, b) => n + b.length, 0);
    const name = codecName(codec);

    if (codec === CompressionCodec.NONE) {
      const src = Buffer.concat(batches);
      const dst = Buffer.alloc(src.length);
      const ms = await timeMs(repeats, () => src.copy(dst));
      memcpyMBps = mbps(wireBytes, ms);
      rows.push({ codec: name, op: 'memcpy', wireBytes, logicalBytes, wireMBps: memcpyMBps, logicalMBps: mbps(logicalBytes, ms), ratioToMemcpy: 1 });
    }

    let nextOffset = 0;
    const validateMs = await timeMs(repeats, () => {
      for (const batch of batches) {
        nextOffset = validateAndAssignOffsets(batch, { firstOffset: nextOffset, partitionLeaderEpoch: 5 }).lastOffset + 1;
      }
    });
    const wire = mbps(wireBytes, validateMs);
    rows.push({ codec: name, op: 'validate+patch', wireBytes, logicalBytes, wireMBps: wire, logicalMBps: mbps(logicalBytes, validateMs), ratioToMemcpy: wire / memcpyMBps });

    if (codec !== CompressionCodec.NONE) {
      const decMs = await timeMs(repeats, async () => {
        for (const batch of batches) {
          verifyBatchCrc(batch, 0);
          await recordsSection(batch, 0);
        }
      });
      const w = mbps(wireBytes, decMs);
      rows.push({ codec: name, op: 'validate+decompress', wireBytes, logicalBytes, wireMBps: w, logicalMBps: mbps(logicalBytes, decMs), ratioToMemcpy: w / memcpyMBps });
    }
  }
  return rows;
}

export function formatRecordsBench(rows: Row[]): string {
  const f = (n: number) => n.toFixed(0);
  const lines = [
    '| codec | op | wire MiB | wire MB/s | logical MB/s | wire rate / memcpy |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.codec} | ${r.op} | ${(r.wireBytes / 2 ** 20).toFixed(1)} | ${f(r.wireMBps)} | ${f(r.logicalMBps)} | ${r.ratioToMemcpy.toFixed(2)} |`);
  }
  const none = rows.find((r) => r.codec === 'none' && r.op === 'validate+patch');
  if (none) {
    const target = none.ratioToMemcpy >= 0.25 ? 'meets' : 'MISSES';
    lines.push('', `uncompressed validate+patch / memcpy = ${none.ratioToMemcpy.toFixed(2)} (${target} the >= 0.25 target)`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mib = Number(process.env.RECORDS_BENCH_MIB ?? 64);
  const rows = await runRecordsBench({ totalBytes: mib * 1024 * 1024 });
  console.log(`records bench: ${mib} MiB of 1 KiB records, 16 records/batch, median of 5\n`);
  console.log(formatRecordsBench(rows));
}
