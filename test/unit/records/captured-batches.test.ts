// Record batches written by real clients (fixtures/captures, see fixtures/README.md): every batch
// in every captured Produce request decodes and validates, each client used each codec it
// supports, and one flipped byte anywhere in a batch's CRC-covered range is CORRUPT_MESSAGE.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader } from '../../../src/protocol/reader.js';
import { apiByKey, readProduceRequest, readRequestHeader, requestHeaderVersion } from '../../../src/protocol/messages/index.js';
import { BatchCursor, ScanMode, BatchLayout, codecName, readBatchHeader, readRecords, validateProduceBatch, RecordsError } from '../../../src/protocol/records/index.js';
import { prng } from '../protocol/sample-values.js';

const root = fileURLToPath(new URL('../../../../fixtures/captures', import.meta.url));

/** Codecs each client's scenario produced with (kafkajs ships gzip only without plugins). */
const CODECS: Record<string, readonly string[]> = {
  java: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  'franz-go': ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  'confluent-kafka-python': ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  kafkajs: ['none', 'gzip'],
};

function producedBatches(client: string): { file: string; records: Buffer }[] {
  const out: { file: string; records: Buffer }[] = [];
  for (const f of readdirSync(join(root, client)).sort()) {
    if (!/^\d+-Produce-v\d+\.bin$/.test(f)) continue;
    const frame = readFileSync(join(root, client, f));
    const r = new Reader(frame, 4);
    const version = frame.readInt16BE(6);
    readRequestHeader(r, requestHeaderVersion(apiByKey.get(0)!, version));
    const req = readProduceRequest(r, version);
    for (const topic of req.topicData) for (const p of topic.partitionData) if (p.records) out.push({ file: f, records: p.records as Buffer });
  }
  return out;
}

/**
 * Everything wrong with one client's produced batches, one line per problem (a batch whose record
 * count is off, a flipped byte not rejected as CORRUPT_MESSAGE, a codec never seen), so that each
 * client is one assertion however many batches its captures hold.
 */
async function problemsOf(client: string, codecs: readonly string[]): Promise<{ problems: string[]; batches: number }> {
  const problems: string[] = [];
  const seen = new Set<string>();
  let batches = 0;
  const rnd = prng(client.length);
  for (const { file, records } of producedBatches(client)) {
    const cursor = new BatchCursor(records, ScanMode.PRODUCE);
    while (cursor.next()) {
      const pos = cursor.position;
      validateProduceBatch(records, pos);
      const h = readBatchHeader(records, pos);
      seen.add(codecName(h.compression));
      const decoded = await readRecords(records, pos);
      if (decoded.length !== h.recordsCount) problems.push(`${file}: ${decoded.length} records decoded, header says ${h.recordsCount}`);
      batches++;
      // Flip bytes in the CRC-covered range (attributes to the end): always CORRUPT_MESSAGE.
      const end = pos + BatchLayout.LOG_OVERHEAD + records.readInt32BE(pos + BatchLayout.BATCH_LENGTH);
      for (let i = 0; i < 8; i++) {
        const copy = Buffer.from(records.subarray(pos, end));
        const at = BatchLayout.ATTRIBUTES + Math.floor(rnd() * (copy.length - BatchLayout.ATTRIBUTES));
        copy[at] = copy[at]! ^ (1 + Math.floor(rnd() * 255));
        try {
          validateProduceBatch(copy, 0);
          problems.push(`${file}: flipped byte at ${at} not detected`);
        } catch (e) {
          if (!(e instanceof RecordsError) || e.errorName !== 'CORRUPT_MESSAGE') problems.push(`${file}: flipped byte gave ${String(e)}`);
        }
      }
    }
  }
  if (batches === 0) problems.push('no batch');
  for (const c of codecs) if (!seen.has(c)) problems.push(`no ${c} batch`);
  return { problems, batches };
}

for (const [client, codecs] of Object.entries(CODECS)) {
  t.test(`${client}: produced batches decode, validate, and detect corruption`, async (t) => {
    const { problems, batches } = await problemsOf(client, codecs);
    t.strictSame(problems, [], `${batches} batches decode with their record counts, 8 flipped bytes each are CORRUPT_MESSAGE, codecs ${codecs.join(', ')} all seen`);
  });
}
