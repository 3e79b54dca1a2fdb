import t from 'tap';
import { readVarint, readVarlong, varintSize, varlongSize, writeVarint, writeVarlong } from '../../../src/protocol/records/index.js';
import { errorNameOf } from './helpers.js';

const cursor = (bytes: number[] | Buffer) => {
  const buf = Buffer.from(bytes);
  return { buf, pos: 0, end: buf.length };
};

t.test('known zigzag encodings', async (t) => {
  const cases: Array<[number, number[]]> = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-2, [0x03]],
    [63, [0x7e]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [v, bytes] of cases) {
    const out = Buffer.alloc(10);
    const end = writeVarint(out, 0, v);
    t.strictSame([...out.subarray(0, end)], bytes, `encode ${v}`);
    t.equal(varintSize(v), bytes.length, `size ${v}`);
    const c = cursor(bytes);
    t.equal(readVarint(c), v, `decode ${v}`);
    t.equal(c.pos, bytes.length);
  }
});

t.test('varlong round trip across the int32 boundary and beyond', async (t) => {
  const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 5, -(2 ** 40) - 7, 1_700_000_000_000, -1_700_000_000_000, 2 ** 52 - 1, -(2 ** 52)];
  for (const v of values) {
    const out = Buffer.alloc(12);
    const end = writeVarlong(out, 0, v);
    t.equal(end, varlongSize(v), `size ${v}`);
    const c = { buf: out, pos: 0, end };
    t.equal(readVarlong(c), v, `round trip ${v}`);
    t.equal(c.pos, end);
    // Reference encoding from BigInt zigzag.
    const big = BigInt(v);
    let z = (big << 1n) ^ (big >> 63n);
    if (z < 0n) z += 1n << 64n;
    const ref: number[] = [];
    while (z >= 0x80n) {
      ref.push(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    ref.push(Number(z));
    t.strictSame([...out.subarray(0, end)], ref, `reference bytes ${v}`);
  }
});

t.test('malformed varints are INVALID_RECORD, never a read past the end', async (t) => {
  t.equal(errorNameOf(() => readVarint(cursor([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))), 'INVALID_RECORD', '6-byte varint');
  t.equal(errorNameOf(() => readVarint(cursor([0x80, 0x80]))), 'INVALID_RECORD', 'truncated varint');
  t.equal(errorNameOf(() => readVarint(cursor([]))), 'INVALID_RECORD', 'empty');
  t.equal(errorNameOf(() => readVarlong(cursor(new Array(11).fill(0x80)))), 'INVALID_RECORD', '11-byte varlong');
  t.equal(errorNameOf(() => readVarlong(cursor([0xff, 0xff, 0xff, 0xff, 0xff]))), 'INVALID_RECORD', 'truncated varlong');
  // end is honoured even when the buffer continues
  const c = { buf: Buffer.from([0x80, 0x01]), pos: 0, end: 1 };
  t.equal(errorNameOf(() => readVarint(c)), 'INVALID_RECORD', 'end bound respected');
  t.equal(readVarlong(cursor([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), 0, '10-byte varlong is legal');
});
