import { pathToFileURL } from 'node:url';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../src/server/broker.js';
import { defaultBrokerConfig } from '../src/server/cluster/broker-config.js';
import { createTopic } from '../src/server/cluster/topic-create.js';
import { DataDir, CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_CHECKPOINT } from '../src/server/persistence/data-dir.js';
import type { Partition } from '../src/log/partition.js';
import { PartitionLog } from '../src/log/partition-log.js';
import { BatchLayout, buildBatchSync } from '../src/protocol/records/index.js';
import { createLogger } from '../src/util/logger.js';
import { makeRng, makeValue } from './payload.js';

/**
 * Durable mode, in process, on the real filesystem (the OS temp dir): `totalBytes` of 16 KiB
 * batches (16 records of 1 KiB) appended to a 4-partition topic with 256 MiB segments, then:
 *
 * - append: MB/s into the durable log (one write() per batch) and into an in-memory log;
 * - restart: DataDir.open time after a clean shutdown (sealed segments are only sanity-checked
 *   and read on first use; that first use is timed too) and after an unclean one with no
 *   recovery point (every batch read and CRC-checked: the worst case after a crash), as ms per
 *   GiB; the page cache is warm (the data was just written);
 * - read: MB/s of reading the newest batches (in the tail cache) and the oldest (from the files,
 *   through the page cache, in 256 KiB read-ahead chunks).
 */

export interface RestartResult {
  readonly bytes: number;
  readonly batches: number;
  readonly appendDurableMBps: number;
  readonly appendMemoryMBps: number;
  readonly cleanRestartMs: number;
  /** After the clean restart: reading every segment's batch headers, as first use does. */
  readonly firstUseLoadMs: number;
  readonly uncleanRestartMs: number;
  readonly cleanMsPerGiB: number;
  readonly firstUseMsPerGiB: number;
  readonly uncleanMsPerGiB: number;
  readonly readCachedMBps: number;
  readonly readFileMBps: number;
  /** Heap growth per batch held after recovery (metadata arrays), bytes. */
  readonly heapBytesPerBatch: number;
}

const PARTITIONS = 4;
const PER_BATCH = 16;
const RECORD_SIZE = 1024;

function template(): Buffer {
  const rng = makeRng(0xd15c);
  const now = 1_700_000_000_000;
  return buildBatchSync(Array.from({ length: PER_BATCH }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: makeValue(rng, RECORD_SIZE), timestamp: now + i })), { baseTimestamp: now, maxTimestamp: now + PER_BATCH - 1 });
}

/** Appends `n` copies of the template (offsets and epoch patched: the CRC does not cover them). */
function fill(p: Partition, tpl: Buffer, n: number): void {
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(tpl);
    const base = p.log.logEndOffset;
    b.writeBigInt64BE(BigInt(base), BatchLayout.BASE_OFFSET);
    b.writeInt32BE(p.leaderEpoch, BatchLayout.PARTITION_LEADER_EPOCH);
    p.append(b, { baseOffset: base, lastOffset: base + PER_BATCH - 1, maxTimestamp: 1_700_000_000_000 + PER_BATCH - 1, recordCount: PER_BATCH });
  }
}

function newBroker(): Broker {
  const config = defaultBrokerConfig();
  return new Broker({ config, logger: createLogger('warn') });
}

function readMBps(p: Partition, from: number, bytes: number): number {
  // A short pass first, so that the figure is not the JIT's.
  if (bytes > 2 ** 20) readMBps(p, from, 2 ** 20);
  const started = performance.now();
  let offset = from;
  let read = 0;
  while (read < bytes && offset < p.log.logEndOffset) {
    const r = p.log.read(offset, 1 << 20, { minOneBatch: true });
    for (const b of r.batches) {
      read += b.length;
      offset = Number(b.readBigInt64BE(0)) + b.readInt32BE(BatchLayout.LAST_OFFSET_DELTA) + 1;
    }
  }
  return read / 1e6 / ((performance.now() - started) / 1000);
}

export async function runRestartBench(opts: { totalBytes?: number } = {}): Promise<RestartResult> {
  const tpl = template();
  const totalBytes = opts.totalBytes ?? 2 ** 30;
  const perPartition = Math.max(1, Math.round(totalBytes / tpl.length / PARTITIONS));
  const dir = await mkdtemp(join(tmpdir(), 'minikafka-restart-bench-'));
  try {
    // Append into the durable log, then the same into memory.
    let broker = newBroker();
    let dataDir = DataDir.open(broker, { path: dir, flushIntervalMs: 0 });
    const topic = createTopic(broker.cluster, broker.config, { name: 'bench', numPartitions: PARTITIONS, configs: new Map([['segment.bytes', String(256 * 2 ** 20)]]) });
    let started = performance.now();
    for (const p of topic.partitions) fill(p, tpl, perPartition);
    const appendMs = performance.now() - started;
    const bytes = topic.partitions.reduce((n, p) => n + p.log.size, 0);
    const tail = topic.partitions[0]!;
    const readCachedMBps = readMBps(tail, Math.max(0, tail.log.logEndOffset - Math.floor((16 * 2 ** 20) / tpl.length) * PER_BATCH), 16 * 2 ** 20);
    await dataDir.close();
    const memory = new PartitionLog({ config: { segmentBytes: 256 * 2 ** 20 } });
    started = performance.now();
    for (let i = 0; i < perPartition * PARTITIONS; i++) {
      const b = Buffer.from(tpl);
      const base = memory.logEndOffset;
      b.writeBigInt64BE(BigInt(base), BatchLayout.BASE_OFFSET);
      memory.append(b, { baseOffset: base, lastOffset: base + PER_BATCH - 1, maxTimestamp: 0 });
    }
    const memoryMs = performance.now() - started;

    // A clean restart: headers only.
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    broker = newBroker();
    started = performance.now();
    dataDir = DataDir.open(broker, { path: dir, flushIntervalMs: 0 });
    const cleanRestartMs = performance.now() - started;
    started = performance.now();
    let batches = 0;
    for (const p of broker.cluster.topics.get('bench')!.partitions) for (const seg of p.log.segments) batches += seg.batchCount;
    const firstUseLoadMs = performance.now() - started;
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const oldest = broker.cluster.topics.partition('bench', 0)!;
    const readFileMBps = readMBps(oldest, 0, 64 * 2 ** 20);
    await dataDir.close();

    // The worst unclean restart: no clean-shutdown marker, no recovery point, every batch checked.
    await unlink(join(dir, CLEAN_SHUTDOWN_FILE));
    await unlink(join(dir, RECOVERY_POINT_CHECKPOINT));
    broker = newBroker();
    started = performance.now();
    dataDir = DataDir.open(broker, { path: dir, flushIntervalMs: 0 });
    const uncleanRestartMs = performance.now() - started;
    await dataDir.close();

    const gib = bytes / 2 ** 30;
    return {
      bytes,
      batches,
      appendDurableMBps: bytes / 1e6 / (appendMs / 1000),
      appendMemoryMBps: bytes / 1e6 / (memoryMs / 1000),
      cleanRestartMs,
      uncleanRestartMs,
      cleanMsPerGiB: cleanRestartMs / gib,
      firstUseLoadMs,
      firstUseMsPerGiB: firstUseLoadMs / gib,
      uncleanMsPerGiB: uncleanRestartMs / gib,
      readCachedMBps,
      readFileMBps,
      heapBytesPerBatch: (heapAfter - heapBefore) / batches,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatRestartBench(r: RestartResult): string {
  const mib = (r.bytes / 2 ** 20).toFixed(0);
  return [
    '| figure | value |',
    '|---|---:|',
    `| data | ${mib} MiB, ${r.batches.toLocaleString('en')} batches of 16 KiB, 4 partitions |`,
    `| restart after a clean shutdown (sealed segments: index sanity check only) | ${r.cleanRestartMs.toFixed(0)} ms = **${r.cleanMsPerGiB.toFixed(0)} ms/GiB** |`,
    `| then first use of every sealed segment (batch headers read) | ${r.firstUseLoadMs.toFixed(0)} ms = ${r.firstUseMsPerGiB.toFixed(0)} ms/GiB |`,
    `| restart after a crash, nothing flushed (every batch CRC-checked) | ${r.uncleanRestartMs.toFixed(0)} ms = **${r.uncleanMsPerGiB.toFixed(0)} ms/GiB** |`,
    `| append, durable (one write() per batch) | ${r.appendDurableMBps.toFixed(0)} MB/s |`,
    `| append, in memory | ${r.appendMemoryMBps.toFixed(0)} MB/s |`,
    `| read the tail (tail cache) | ${r.readCachedMBps.toFixed(0)} MB/s |`,
    `| read old data (file, page cache, 256 KiB read-ahead) | ${r.readFileMBps.toFixed(0)} MB/s |`,
    `| heap per batch once loaded (metadata arrays) | ${r.heapBytesPerBatch.toFixed(0)} bytes |`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mib = Number(process.env.RESTART_BENCH_MIB ?? 1024);
  const r = await runRestartBench({ totalBytes: mib * 2 ** 20 });
  console.log(`restart bench: ${mib} MiB in the OS temp dir, warm page cache\n`);
  console.log(formatRestartBench(r));
}
