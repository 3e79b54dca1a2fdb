import { pathToFileURL } from 'node:url';
import { PartitionLog } from '../src/log/partition-log.js';
import { NO_TRANSACTIONS, cleanLog, logToClean } from '../src/log/log-cleaner.js';
import type { CleanerSettings } from '../src/log/log-cleaner.js';
import { BatchLayout, CompressionCodec, buildBatch, codecName, readInt64 } from '../src/protocol/records/index.js';
import type { RecordInput } from '../src/protocol/records/index.js';
import { ManualClock } from '../src/util/clock.js';
import { makeRng, makeValue } from './payload.js';

/**
 * Log compaction throughput, in process: a partition log holding `totalBytes` of 1 KiB keyed records
 * (updates over `keys` keys, 16 records per batch, segments of 64 MiB as a compacted topic is often
 * given) is compacted by one cleaner pass exactly as the broker's background cleaner runs it
 * (src/log/log-cleaner.ts, yielding to the event loop between slices). MB/s counts the bytes the
 * pass read (the log as stored: compressed bytes for compressed codecs) over its wall time; the
 * output is what remains, one record per key.
 */

export interface CompactionRow {
  codec: string;
  /** Bytes the pass read (the log below the active segment). */
  readBytes: number;
  /** Bytes it kept. */
  keptBytes: number;
  records: number;
  keys: number;
  ms: number;
  /** readBytes / ms, in MB/s (10^6 bytes). */
  mbps: number;
  recordsPerSec: number;
}

export interface CompactionBenchOptions {
  totalBytes?: number;
  keys?: number;
  codecs?: readonly CompressionCodec[];
}

const RECORD_SIZE = 1024;
const PER_BATCH = 16;
const SEGMENT_BYTES = 64 * 2 ** 20;

export async function runCompactionBench(opts: CompactionBenchOptions = {}): Promise<CompactionRow[]> {
  const totalBytes = opts.totalBytes ?? 128 * 2 ** 20;
  const keys = opts.keys ?? 10_000;
  const codecs = opts.codecs ?? [CompressionCodec.NONE, CompressionCodec.LZ4, CompressionCodec.ZSTD];
  const batches = Math.max(1, Math.round(totalBytes / (RECORD_SIZE * PER_BATCH)));
  const rng = makeRng(0xc0de);
  const values = Array.from({ length: 256 }, () => makeValue(rng, RECORD_SIZE));
  const now = 1_700_000_000_000;
  const rows: CompactionRow[] = [];
  for (const codec of codecs) {
    const clock = new ManualClock(now);
    const log = new PartitionLog({ clock, config: { segmentBytes: SEGMENT_BYTES } });
    for (let b = 0; b < batches; b++) {
      const records: RecordInput[] = [];
      for (let i = 0; i < PER_BATCH; i++) {
        const n = b * PER_BATCH + i;
        records.push({ key: Buffer.from(`key-${Math.floor(rng() * keys)}`), value: values[n % values.length]!, timestamp: now + n });
      }
      const base = log.logEndOffset;
      const batch = await buildBatch(records, { baseOffset: base, compression: codec });
      log.append(batch, { baseOffset: base, lastOffset: base + PER_BATCH - 1, maxTimestamp: readInt64(batch, BatchLayout.MAX_TIMESTAMP) });
    }
    log.updateHighWatermark(log.logEndOffset);
    log.roll();
    const settings: CleanerSettings = {
      deleteRetentionMs: 86_400_000,
      minCompactionLagMs: 0,
      maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
      minCleanableRatio: 0.5,
      segmentBytes: SEGMENT_BYTES,
      maxMapEntries: Math.floor((134217728 / 24) * 0.9),
    };
    const target = logToClean(log, undefined, settings, clock.now());
    const start = process.hrtime.bigint();
    const r = await cleanLog(log, target, settings, clock.now(), NO_TRANSACTIONS, () => new Promise<void>((resolve) => setImmediate(resolve)));
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.aborted) throw new Error('compaction pass aborted');
    rows.push({
      codec: codecName(codec),
      readBytes: r.bytesRead,
      keptBytes: r.bytesWritten,
      records: r.recordsRead,
      keys: r.recordsRetained,
      ms,
      mbps: r.bytesRead / 1e6 / (ms / 1000),
      recordsPerSec: r.recordsRead / (ms / 1000),
    });
  }
  return rows;
}

export function formatCompactionBench(rows: readonly CompactionRow[]): string {
  const lines = ['| codec | log read MiB | kept MiB | records | kept records | ms | MB/s | records/s |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| ${r.codec} | ${(r.readBytes / 2 ** 20).toFixed(1)} | ${(r.keptBytes / 2 ** 20).toFixed(1)} | ${r.records.toLocaleString('en')} | ${r.keys.toLocaleString('en')} | ${r.ms.toFixed(0)} | ${r.mbps.toFixed(0)} | ${Math.round(r.recordsPerSec).toLocaleString('en')} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mib = Number(process.env.COMPACTION_BENCH_MIB ?? 128);
  const rows = await runCompactionBench({ totalBytes: mib * 2 ** 20 });
  console.log(`compaction bench: ${mib} MiB of 1 KiB records over 10,000 keys, 16 records/batch, one cleaner pass\n`);
  console.log(formatCompactionBench(rows));
}
