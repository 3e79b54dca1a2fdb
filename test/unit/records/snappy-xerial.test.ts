import t from 'tap';
import { compressSync } from 'snappy';
import {
  BatchLayout,
  CompressionCodec,
  buildBatchSync,
  decompressSync,
  isXerialFrame,
  readRecords,
  recomputeCrc,
  snappyDecode,
  xerialDecode,
  xerialEncode,
} from '../../../src/protocol/records/index.js';
import { errorNameOf, prng, textBytes } from './helpers.js';

/** Built from the format description, independently of xerialEncode. */
function handMadeXerial(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])];
  for (const block of blocks) {
    const c = compressSync(block);
    const len = Buffer.alloc(4);
    len.writeInt32BE(c.length);
    parts.push(len, c);
  }
  return Buffer.concat(parts);
}

t.test('hand-built xerial frame with several blocks decodes', async (t) => {
  const rng = prng(11);
  const blocks = [textBytes(rng, 1000), textBytes(rng, 5), Buffer.alloc(0), textBytes(rng, 40000)];
  const frame = handMadeXerial(blocks);
  t.ok(isXerialFrame(frame));
  t.strictSame(xerialDecode(frame), Buffer.concat(blocks));
  t.strictSame(snappyDecode(frame), Buffer.concat(blocks));
  t.strictSame(decompressSync(CompressionCodec.SNAPPY, frame), Buffer.concat(blocks));
});

t.test('xerialEncode output is what the hand-built frame looks like', async (t) => {
  const data = textBytes(prng(3), 70_000);
  const enc = xerialEncode(data);
  t.equal(enc.subarray(0, 16).toString('hex'), '82534e415050590000000001' + '00000001');
  const firstLen = enc.readInt32BE(16);
  t.strictSame(compressSync(data.subarray(0, 32 * 1024)), enc.subarray(20, 20 + firstLen), 'first block = 32 KiB snappy block');
  t.strictSame(xerialDecode(enc), data);
});

t.test('raw snappy block decodes too', async (t) => {
  const data = Buffer.from('raw raw raw raw raw raw snappy');
  t.notOk(isXerialFrame(compressSync(data)));
  t.strictSame(snappyDecode(compressSync(data)), data);
});

t.test('a batch whose payload is a hand-built xerial frame', async (t) => {
  const plain = buildBatchSync([{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: Buffer.from('b'), value: Buffer.from('22') }]);
  const section = plain.subarray(BatchLayout.RECORDS);
  // Split the records section across two blocks the way a streaming writer might.
  const frame = handMadeXerial([section.subarray(0, 5), section.subarray(5)]);
  const batch = Buffer.concat([plain.subarray(0, BatchLayout.RECORDS), frame]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt16BE(CompressionCodec.SNAPPY, 21);
  recomputeCrc(batch, 0);
  t.strictSame((await readRecords(batch)).map((r) => [r.key!.toString(), r.value!.toString()]), [['a', '1'], ['b', '22']]);
});

t.test('damaged xerial frames are INVALID_RECORD', async (t) => {
  const frame = handMadeXerial([Buffer.from('hello hello hello')]);
  const longLen = Buffer.from(frame);
  longLen.writeInt32BE(1000, 16);
  t.equal(errorNameOf(() => xerialDecode(longLen)), 'INVALID_RECORD', 'block length past the end');
  const negLen = Buffer.from(frame);
  negLen.writeInt32BE(-1, 16);
  t.equal(errorNameOf(() => xerialDecode(negLen)), 'INVALID_RECORD', 'negative block length');
  t.equal(errorNameOf(() => xerialDecode(frame.subarray(0, frame.length - 1))), 'INVALID_RECORD', 'short last block');
  t.equal(errorNameOf(() => xerialDecode(Buffer.concat([frame, Buffer.from([0, 0])]))), 'INVALID_RECORD', 'partial length field');
  // claims 2^32-1 bytes uncompressed from a 6-byte block: refused before the native decoder allocates
  t.equal(errorNameOf(() => snappyDecode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]))), 'INVALID_RECORD', 'absurd length claim');
  t.equal(errorNameOf(() => snappyDecode(Buffer.from([0x05, 0xff, 0xff]))), 'INVALID_RECORD', 'garbage block');
});
