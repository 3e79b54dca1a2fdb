// One byte flipped at several positions of every sealed segment, then a restart (clean, or unclean
// with everything flushed, or unclean with nothing flushed), then the whole log read back offset
// by offset: a read either fails with CORRUPT_MESSAGE (naming the file and position), or returns
// batches that start at or before the offset asked for. Never a gap: no offset below the high
// watermark is skipped silently.
import t from 'tap';
import { MemoryFileSystem } from '../../../src/log/disk/memory-file-system.js';
import { BatchLayout, readInt64 } from '../../../src/protocol/records/index.js';
import { isKafkaError } from '../../../src/protocol/errors.js';
import { DIR, create, produce, recover } from './helpers.js';

function written(): MemoryFileSystem {
  const fs = new MemoryFileSystem();
  const { partition: p, storage } = create(fs);
  for (let id = 0; id < 24; id++) produce(p, { id, records: 1 + (id % 3) });
  storage.close();
  return fs;
}

/** Positions worth flipping in a segment: each field of the second batch's header, and inside its records. */
function positions(file: Buffer): { at: number; what: string }[] {
  const second = BatchLayout.LOG_OVERHEAD + file.readInt32BE(BatchLayout.BATCH_LENGTH);
  const fields: [string, number][] = [
    ['first batch baseOffset', 7],
    ['first batch length', 10],
    ['baseOffset', second + 5],
    ['length', second + BatchLayout.BATCH_LENGTH + 3],
    ['magic', second + BatchLayout.MAGIC],
    ['crc', second + BatchLayout.CRC],
    ['lastOffsetDelta', second + BatchLayout.LAST_OFFSET_DELTA + 3],
    ['records', second + BatchLayout.RECORDS + 4],
    ['last byte', file.length - 1],
  ];
  return fields.filter(([, at]) => at < file.length).map(([what, at]) => ({ at, what }));
}

t.test('a flipped byte in a sealed segment is never skipped silently', async (t) => {
  const original = written();
  const logs = original.list(DIR).filter((n) => n.endsWith('.log')).sort();
  t.ok(logs.length >= 3, `${logs.length} segments`);
  let failures = 0;
  let corruptReads = 0;
  let cases = 0;
  for (const name of logs.slice(0, -1)) {
    const path = `${DIR}/${name}`;
    const bytes = original.readFile(path)!;
    for (const { at, what } of positions(bytes)) {
      for (const restart of ['clean', 'unclean, flushed', 'unclean, unflushed'] as const) {
        const fs = written();
        const flipped = Buffer.from(bytes);
        flipped[at] ^= 0x5a;
        fs.setFile(path, flipped);
        const r = recover(fs, {
          cleanShutdown: restart === 'clean',
          recoveryPoint: restart === 'unclean, flushed' ? Number.MAX_SAFE_INTEGER : 0,
        });
        const log = r.partition.log;
        cases++;
        const label = `${name} ${what} (${at}), ${restart}`;
        for (let offset = log.logStartOffset; offset < log.highWatermark; offset++) {
          try {
            const read = log.read(offset, 1 << 20, { minOneBatch: true, maxOffset: log.highWatermark });
            const first = read.batches[0];
            if (first === undefined) {
              failures++;
              t.fail(`${label}: offset ${offset} below the high watermark ${log.highWatermark} read as nothing`);
              break;
            }
            const base = readInt64(first, BatchLayout.BASE_OFFSET);
            if (base > offset) {
              failures++;
              t.fail(`${label}: asked for ${offset}, got a batch starting at ${base}`);
              break;
            }
          } catch (e) {
            if (!isKafkaError(e) || e.code !== 2) throw e;
            corruptReads++;
            if (!e.message.includes(name) || !/position \d+/.test(e.message)) t.fail(`${label}: the error names no file and position: ${e.message}`);
          }
        }
      }
    }
  }
  t.equal(failures, 0, `${cases} cases: no offset skipped`);
  t.ok(corruptReads > 0, `${corruptReads} reads failed with CORRUPT_MESSAGE`);
});
