import t from 'tap';
import { crc32 } from '@node-rs/crc32';
import { gzipSync } from 'node:zlib';
import {
  BatchLayout,
  CompressionCodec,
  RecordsError,
  ScanMode,
  buildBatch,
  decodeRecordSet,
  listBatches,
  readRecords,
  recomputeCrc,
  validateAndAssignOffsets,
} from '../../../src/protocol/records/index.js';
import { prng, randInt, randomBytes, textBytes } from './helpers.js';

/**
 * Fixed-seed fuzzing: whatever the bytes, the decoders must either succeed
 * or throw RecordsError, and must return (no hang; tap's timeout guards it).
 */

type Outcome = 'OK' | 'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'UNSUPPORTED_COMPRESSION_TYPE';

async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return 'OK';
  } catch (err) {
    if (err instanceof RecordsError) return err.errorName;
    throw err;
  }
}

async function exercise(buf: Buffer, tally: Map<string, number>, failures: string[], label: string): Promise<void> {
  const runs: Array<[string, () => unknown]> = [
    ['fetch-scan', () => listBatches(buf, ScanMode.FETCH)],
    ['produce-scan', () => listBatches(buf, ScanMode.PRODUCE)],
    ['decode', () => decodeRecordSet(buf, { verifyCrc: false })],
    ['decode-crc', () => decodeRecordSet(buf)],
    ['assign', () => validateAndAssignOffsets(Buffer.from(buf), { firstOffset: 5, partitionLeaderEpoch: 1, logAppendTimeMs: 9 })],
  ];
  for (const [name, fn] of runs) {
    try {
      const o = await outcome(fn);
      tally.set(`${name}:${o}`, (tally.get(`${name}:${o}`) ?? 0) + 1);
    } catch (err) {
      failures.push(`${label} ${name}: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
}

function legacyMessage(offset: number, magic: number, attributes: number, value: Buffer): Buffer {
  const size = 4 + 2 + (magic === 1 ? 8 : 0) + 4 + 4 + value.length;
  const b = Buffer.alloc(12 + size);
  b.writeBigInt64BE(BigInt(offset), 0);
  b.writeInt32BE(size, 8);
  b[16] = magic;
  b[17] = attributes;
  const p = magic === 1 ? 26 : 18;
  b.writeInt32BE(-1, p);
  b.writeInt32BE(value.length, p + 4);
  value.copy(b, p + 8);
  b.writeUInt32BE(crc32(b.subarray(16)), 12);
  return b;
}

async function seeds(): Promise<Buffer[]> {
  const rng = prng(1234);
  const out: Buffer[] = [];
  for (const codec of [0, 1, 2, 3, 4] as const) {
    const records = Array.from({ length: 1 + randInt(rng, 6) }, (_, i) => ({
      key: i % 2 ? null : Buffer.from(`k${i}`),
      value: textBytes(rng, randInt(rng, 200)),
      headers: i % 3 === 0 ? [{ key: 'h', value: Buffer.from('v') }] : [],
      timestamp: 1000 + i,
    }));
    out.push(await buildBatch(records, { compression: codec, producerId: 3, producerEpoch: 0, baseSequence: 0 }));
  }
  out.push(Buffer.concat([out[0]!, out[2]!]));
  const inner = Buffer.concat([legacyMessage(0, 1, 0, Buffer.from('a')), legacyMessage(1, 1, 0, Buffer.from('bb'))]);
  out.push(Buffer.concat([legacyMessage(7, 0, 0, Buffer.from('legacy')), legacyMessage(9, 1, CompressionCodec.GZIP, gzipSync(inner))]));
  return out;
}

t.test('random garbage never throws anything but RecordsError', async (t) => {
  const rng = prng(0xc0ffee);
  const tally = new Map<string, number>();
  const failures: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const len = randInt(rng, 400);
    const buf = randomBytes(rng, len);
    // Half the cases get a plausible header so decoding goes past the first checks.
    if (len >= BatchLayout.HEADER_SIZE && rng() < 0.5) {
      buf.writeInt32BE(len - 12, 8);
      buf[16] = randInt(rng, 3);
      buf.writeInt16BE(randInt(rng, 8), 21);
      buf.writeInt32BE(randInt(rng, 4), 57);
      if (rng() < 0.5) recomputeCrc(buf, 0);
    }
    await exercise(buf, tally, failures, `garbage#${i}`);
  }
  t.strictSame(failures.slice(0, 5), [], 'only RecordsError escapes');
  if (process.env.FUZZ_DEBUG) console.error(Object.fromEntries(tally));
  t.ok((tally.get('fetch-scan:CORRUPT_MESSAGE') ?? 0) > 0, 'some inputs rejected as corrupt');
  t.ok((tally.get('decode:INVALID_RECORD') ?? 0) > 0, 'some inputs reach record decoding and fail there');
  t.ok((tally.get('fetch-scan:OK') ?? 0) > 0, 'some inputs scan fine (e.g. truncated)');
});

t.test('mutated valid batches never throw anything but RecordsError', async (t) => {
  const rng = prng(42);
  const base = await seeds();
  const tally = new Map<string, number>();
  const failures: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const src = base[i % base.length]!;
    const buf = Buffer.from(src);
    const flips = 1 + randInt(rng, 6);
    for (let f = 0; f < flips; f++) {
      const at = rng() < 0.6 ? BatchLayout.RECORDS + randInt(rng, Math.max(1, buf.length - BatchLayout.RECORDS)) : randInt(rng, buf.length);
      if (at < buf.length) buf[at] = rng() < 0.5 ? buf[at]! ^ (1 << randInt(rng, 8)) : randInt(rng, 256);
    }
    let input = buf;
    if (rng() < 0.15) input = buf.subarray(0, randInt(rng, buf.length));
    // Re-sign the first batch half the time so payload damage gets past the CRC.
    if (rng() < 0.5 && input.length >= BatchLayout.HEADER_SIZE && input[16] === 2) {
      const len = input.readInt32BE(8);
      if (len >= BatchLayout.MIN_BATCH_LENGTH && len + 12 <= input.length) recomputeCrc(input, 0);
    }
    await exercise(input, tally, failures, `mutant#${i}(seed ${i % base.length})`);
  }
  t.strictSame(failures.slice(0, 5), [], 'only RecordsError escapes');
  if (process.env.FUZZ_DEBUG) console.error(Object.fromEntries(tally));
  for (const key of ['decode-crc:CORRUPT_MESSAGE', 'decode:INVALID_RECORD', 'decode:OK', 'assign:OK']) {
    t.ok((tally.get(key) ?? 0) > 0, `outcome ${key} was reached`);
  }
});

t.test('garbage compressed payloads behind a valid CRC', async (t) => {
  const rng = prng(7);
  const failures: string[] = [];
  const names = new Set<string>();
  for (let i = 0; i < 1500; i++) {
    const codec = 1 + (i % 4);
    const valid = await buildBatch([{ value: textBytes(rng, 300) }], { compression: codec as 1 | 2 | 3 | 4 });
    const payload = valid.subarray(BatchLayout.RECORDS);
    // keep the codec's magic/header so the decoder gets into the body
    const keep = Math.min(payload.length, randInt(rng, 24));
    const body = Buffer.concat([payload.subarray(0, keep), randomBytes(rng, randInt(rng, 200))]);
    const batch = Buffer.concat([valid.subarray(0, BatchLayout.RECORDS), body]);
    batch.writeInt32BE(batch.length - 12, 8);
    recomputeCrc(batch, 0);
    try {
      names.add(await outcome(() => readRecords(batch)));
    } catch (err) {
      failures.push(`codec ${codec} case ${i}: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  t.strictSame(failures.slice(0, 5), []);
  t.ok(names.has('INVALID_RECORD'), 'decoders report INVALID_RECORD');
});
