// The memory budget of an in-memory log (src/log/spill/): batches past it spill to files and are
// read back byte for byte; with spilling off, or a full disk, appends are refused with
// KAFKA_STORAGE_ERROR and nothing already appended is lost.
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { PartitionLog } from '../../../src/log/partition-log.js';
import { MemoryBudget } from '../../../src/log/spill/memory-budget.js';
import { SpillDirectory } from '../../../src/log/spill/spill-directory.js';
import { SpillStorage } from '../../../src/log/spill/spill-storage.js';
import { MemoryFileSystem } from '../../../src/log/disk/memory-file-system.js';
import type { Fd } from '../../../src/log/disk/file-system.js';
import { createLogger } from '../../../src/util/logger.js';
import { parseByteSize, formatByteSize } from '../../../src/util/byte-size.js';
import { appendBatch, baseOf, bases } from './helpers.js';
import { NO_TRANSACTIONS, cleanLog, logToClean } from '../../../src/log/log-cleaner.js';
import { buildBatchSync, readRecords } from '../../../src/protocol/records/index.js';

const KIB = 1024;

function setUp(budgetBytes: number, opts: { spill?: boolean; fs?: MemoryFileSystem; segmentBytes?: number } = {}) {
  const lines: string[] = [];
  const budget = new MemoryBudget({ budgetBytes, spill: opts.spill ?? true, logger: createLogger('error', (l) => lines.push(l)) });
  const fs = opts.fs ?? new MemoryFileSystem();
  const dir = new SpillDirectory(budget, { fs, dir: '/spill' });
  const storage = new SpillStorage(dir);
  const log = (): PartitionLog => new PartitionLog({ clock: new ManualClock(), storage, config: { segmentBytes: opts.segmentBytes ?? 64 * KIB } });
  return { budget, dir, fs, log, lines };
}

function readAll(log: PartitionLog): number[] {
  const out: number[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 10 * KIB, { minOneBatch: true });
    for (const b of r.batches) {
      out.push(baseOf(b));
      if (b.length !== KIB) throw new Error(`batch at ${baseOf(b)} is ${b.length} bytes`);
      if (b[b.length - 1] !== 0xab) throw new Error(`batch at ${baseOf(b)} lost its bytes`);
    }
    offset = baseOf(r.batches[r.batches.length - 1]!) + 1;
  }
  return out;
}

t.test('past the budget the oldest batches spill, of every partition, and read back whole', async (t) => {
  const { budget, dir, fs, log } = setUp(16 * KIB);
  const a = log();
  const b = log();
  for (let i = 0; i < 200; i++) appendBatch(i % 2 === 0 ? a : b, { size: KIB });
  t.ok(budget.bytes <= 16 * KIB, `held ${budget.bytes} bytes, budget 16 KiB`);
  t.ok(budget.peakBytes <= 16 * KIB, `peak ${budget.peakBytes}`);
  t.equal(budget.spilledBytes, 200 * KIB - budget.bytes, 'everything not held was spilled');
  t.equal(dir.path, '/spill');
  t.ok(dir.openFiles >= 2, 'a spill file per segment that spilled');
  t.strictSame(readAll(a), Array.from({ length: 100 }, (_, i) => i));
  t.strictSame(readAll(b), Array.from({ length: 100 }, (_, i) => i));
  t.ok(budget.bytes <= 16 * KIB, 'reads keep read-ahead only within the budget');
  dir.close();
  t.equal(fs.exists('/spill'), false, 'close removes the directory');
});

t.test('deleted segments give their bytes back and delete their files', async (t) => {
  const { budget, dir, log } = setUp(8 * KIB, { segmentBytes: 4 * KIB });
  const l = log();
  for (let i = 0; i < 40; i++) appendBatch(l, { size: KIB });
  const files = dir.openFiles;
  t.ok(files > 1);
  l.updateHighWatermark(l.logEndOffset);
  l.deleteRecordsBefore(l.highWatermark);
  t.ok(dir.openFiles < files, `spill files ${files} -> ${dir.openFiles}`);
  t.ok(budget.bytes <= KIB, `held after deleting everything: ${budget.bytes}`);
  l.discard();
  t.equal(dir.openFiles, 0);
  t.equal(budget.bytes, 0);
  // The budget's queue still names the deleted segments; appending again must not spill them.
  const spilled = budget.spilledBytes;
  const m = log();
  for (let i = 0; i < 8; i++) appendBatch(m, { size: KIB });
  t.equal(budget.spilledBytes, spilled, 'nothing dead was written');
  t.strictSame(bases(m.read(0, 100 * KIB, { minOneBatch: true }).batches), [0, 1, 2, 3, 4, 5, 6, 7]);
});

t.test('truncation of spilled and held batches keeps the count and the file in step', async (t) => {
  const { budget, log } = setUp(4 * KIB);
  const l = log();
  for (let i = 0; i < 10; i++) appendBatch(l, { size: KIB });
  l.truncateTo(3);
  t.equal(l.logEndOffset, 3);
  t.ok(budget.bytes <= 4 * KIB);
  for (let i = 0; i < 10; i++) appendBatch(l, { size: KIB });
  t.strictSame(readAll(l), Array.from({ length: 13 }, (_, i) => i));
});

t.test('with spilling off, appends past the budget fail with KAFKA_STORAGE_ERROR and are logged once', async (t) => {
  const { budget, log, lines, dir } = setUp(4 * KIB, { spill: false });
  const l = log();
  for (let i = 0; i < 4; i++) appendBatch(l, { size: KIB });
  for (let i = 0; i < 3; i++) {
    t.throws(() => appendBatch(l, { size: KIB }), { name: 'KafkaError', errorName: 'KAFKA_STORAGE_ERROR' });
  }
  t.equal(l.logEndOffset, 4, 'the refused batch is not in the log');
  t.equal(lines.length, 1, 'one log line per episode');
  t.match(lines[0], /KAFKA_STORAGE_ERROR.*memory budget is 4096 bytes.*spilling to disk is off/);
  t.equal(budget.bytes, 4 * KIB);
  t.equal(dir.path, null, 'nothing touched the disk');
  t.strictSame(readAll(l), [0, 1, 2, 3]);
});

t.test('a full disk refuses the append, keeps every acknowledged batch readable', async (t) => {
  const fs = new MemoryFileSystem();
  let room = 3 * KIB;
  const write = fs.write.bind(fs);
  fs.write = (fd: Fd, data: Uint8Array, position: number): void => {
    if (data.length > room) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    room -= data.length;
    write(fd, data, position);
  };
  const { log, lines } = setUp(4 * KIB, { fs });
  const l = log();
  for (let i = 0; i < 7; i++) appendBatch(l, { size: KIB });
  t.throws(() => appendBatch(l, { size: KIB }), { name: 'KafkaError', errorName: 'KAFKA_STORAGE_ERROR', message: /ENOSPC/ });
  t.equal(l.logEndOffset, 7);
  t.equal(lines.length, 1);
  t.match(lines[0], /spilling the in-memory log to disk failed \(ENOSPC/);
  t.strictSame(readAll(l), [0, 1, 2, 3, 4, 5, 6], 'held and spilled batches all read back');
  room = 100 * KIB;
  appendBatch(l, { size: KIB });
  t.strictSame(readAll(l), [0, 1, 2, 3, 4, 5, 6, 7], 'appends resume once the disk has room');
});

t.test('sizes', async (t) => {
  t.equal(parseByteSize('512m'), 512 * 1024 * 1024);
  t.equal(parseByteSize('2G'), 2 * 1024 ** 3);
  t.equal(parseByteSize('1.5GiB'), 1.5 * 1024 ** 3);
  t.equal(parseByteSize('65536'), 65536);
  t.equal(parseByteSize('12 kb'), 12 * 1024);
  t.equal(parseByteSize('lots'), null);
  t.equal(parseByteSize('-1m'), null);
  t.equal(formatByteSize(512 * 1024 * 1024), '512 MiB');
  t.equal(formatByteSize(1.5 * 1024 ** 3), '1.5 GiB');
  t.equal(formatByteSize(900), '900 bytes');
});

t.test('the cleaner compacts spilled segments; the replaced ones give their memory and files back', async (t) => {
  const { budget, dir, log } = setUp(2 * KIB);
  const l = log();
  const T0 = 1_700_000_000_000;
  const add = (key: string, value: string, i: number) => {
    const base = l.logEndOffset;
    const batch = buildBatchSync([{ key: Buffer.from(key), value: Buffer.from(value.padEnd(600, '.')), timestamp: T0 + i }], { baseOffset: base });
    l.append(batch, { baseOffset: base, lastOffset: base, maxTimestamp: T0 + i });
    l.updateHighWatermark(l.logEndOffset);
  };
  for (let i = 0; i < 12; i++) add(`k${i % 3}`, `v${i}`, i);
  l.roll();
  add('k0', 'last', 12);
  t.ok(budget.spilledBytes > 0, 'the sealed segment spilled');
  const settings = { deleteRetentionMs: 1000, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, minCleanableRatio: 0.5, segmentBytes: 1 << 30, maxMapEntries: 1000 };
  const result = await cleanLog(l, logToClean(l, undefined, settings, T0 + 100), settings, T0 + 100, NO_TRANSACTIONS, () => Promise.resolve());
  t.equal(result.aborted, false);
  const values: string[] = [];
  for (const b of l.read(0, 1 << 20, { minOneBatch: true }).batches) for (const r of await readRecords(b)) values.push(`${r.offset}:${r.key!.toString()}=${r.value!.toString().replace(/\.+$/, '')}`);
  t.strictSame(values, ['9:k0=v9', '10:k1=v10', '11:k2=v11', '12:k0=last'], 'latest per key below the active segment, read back through the spill files');
  t.ok(budget.bytes <= 2 * KIB, `held ${budget.bytes} bytes`);
  t.equal(dir.openFiles <= 2, true, `spill files of replaced segments deleted (${dir.openFiles} open)`);
});
