import t from 'tap';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BatchLayout,
  Magic,
  batchCrcMatches,
  codecName,
  readBatchHeader,
  readRecords,
  validateProduceBatch,
} from '../../../src/protocol/records/index.js';

/**
 * Real client traffic captured under fixtures/captures/<client>/ (owned by
 * the interop work). Without parsing Produce/Fetch framing we locate v2
 * batches by brute force: magic 2 at +16, a length that fits, and a matching
 * CRC-32C (a chance match is ~2^-32). Every batch found must decode.
 */
const root = fileURLToPath(new URL('../../../../fixtures/captures', import.meta.url));

function findBatches(buf: Buffer): number[] {
  const found: number[] = [];
  for (let p = 0; p + BatchLayout.HEADER_SIZE <= buf.length; p++) {
    if (buf[p + BatchLayout.MAGIC] !== Magic.V2) continue;
    const len = buf.readInt32BE(p + BatchLayout.BATCH_LENGTH);
    if (len < BatchLayout.MIN_BATCH_LENGTH || p + BatchLayout.LOG_OVERHEAD + len > buf.length) continue;
    if (batchCrcMatches(buf, p)) found.push(p);
  }
  return found;
}

if (!existsSync(root)) {
  t.pass('no captures present; nothing to check');
} else {
  for (const client of readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory())) {
    t.test(`captured batches from ${client}`, async (t) => {
      const files = readdirSync(join(root, client)).filter((f) => /-(Produce|Fetch)-v\d+(-response)?\.bin$/.test(f));
      let batches = 0;
      for (const f of files) {
        const buf = readFileSync(join(root, client, f));
        const positions = findBatches(buf);
        const isProduceRequest = /-Produce-v\d+\.bin$/.test(f);
        if (isProduceRequest && positions.length === 0) t.fail(`${f}: produce request without a v2 batch`);
        for (const p of positions) {
          batches++;
          const h = readBatchHeader(buf, p);
          if (isProduceRequest) validateProduceBatch(buf, p);
          const records = await readRecords(buf, p);
          if (records.length !== h.recordsCount) t.fail(`${f}@${p}: ${records.length} records, header says ${h.recordsCount}`);
          for (const r of records) {
            // The capture scenario writes values like "v12|gzip|abc..."; the codec named must be the batch's.
            const m = /^v\d+\|(\w+)\|/.exec(r.value?.toString('latin1') ?? '');
            if (m && m[1] !== codecName(h.compression)) t.fail(`${f}@${p}: value says ${m[1]}, batch is ${codecName(h.compression)}`);
          }
        }
      }
      if (files.length > 0) t.ok(batches > 0, `${batches} batches decoded from ${files.length} files`);
    });
  }
}
