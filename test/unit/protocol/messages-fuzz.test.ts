// Hostile bytes for every message schema and version: truncated, mutated and random input must fail with a
// MalformedError (or parse), never another exception, a hang, or a large allocation. Fixed seeds.
import t from 'tap';
import * as messages from '../../../src/protocol/messages/index.js';
import * as records from '../../../src/protocol/coordinator-records/index.js';
import { Reader, MalformedError } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { schemas, sampleMessage, prng } from './sample-values.js';

type ReadFn = (r: Reader, v: number) => unknown;
type WriteFn = (w: Writer, v: number, m: unknown) => void;
const codecs = { ...messages, ...records } as unknown as Record<string, ReadFn | WriteFn>;

/** Runs a read; returns 'ok' | 'malformed', and fails the test on any other outcome. */
function tryRead(read: ReadFn, bytes: Buffer, v: number): 'ok' | 'malformed' | Error {
  try {
    read(new Reader(bytes), v);
    return 'ok';
  } catch (e) {
    if (e instanceof MalformedError) return 'malformed';
    return e as Error;
  }
}

t.test('every strict truncation of a valid message is malformed', async (t) => {
  let checked = 0;
  for (const s of schemas) {
    const read = codecs[`read${s.name}`] as ReadFn;
    const write = codecs[`write${s.name}`] as WriteFn;
    for (let v = s.min; v <= s.max; v++) {
      const w = new Writer();
      write(w, v, sampleMessage(s, v, v + 17));
      const full = w.toBuffer();
      for (let cut = 0; cut < full.length; cut++) {
        const res = tryRead(read, full.subarray(0, cut), v);
        if (res !== 'malformed') {
          t.fail(`${s.name} v${v} cut at ${cut}/${full.length}: ${res instanceof Error ? res.stack : res}`);
          break;
        }
        checked++;
      }
    }
  }
  t.ok(checked > 10000, `${checked} truncations rejected`);
});

t.test('mutated and random bytes parse or fail as malformed, never otherwise', async (t) => {
  const rnd = prng(0xc0ffee);
  let cases = 0;
  const started = Date.now();
  for (const s of schemas) {
    const read = codecs[`read${s.name}`] as ReadFn;
    const write = codecs[`write${s.name}`] as WriteFn;
    for (let v = s.min; v <= s.max; v++) {
      const w = new Writer();
      write(w, v, sampleMessage(s, v, v));
      const valid = w.toBuffer();
      for (let i = 0; i < 20; i++) {
        const b = Buffer.from(valid);
        const flips = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < flips; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
        const random = Buffer.alloc(Math.floor(rnd() * 64));
        for (let k = 0; k < random.length; k++) random[k] = Math.floor(rnd() * 256);
        for (const input of [b, random]) {
          const res = tryRead(read, input, v);
          if (res instanceof Error) {
            t.fail(`${s.name} v${v} input ${input.toString('hex')}: ${res.stack}`);
            return;
          }
          cases++;
        }
      }
    }
  }
  t.ok(cases > 20000, `${cases} hostile inputs handled`);
  t.ok(Date.now() - started < 60000, 'bounded time');
});

t.test('a huge array length in a tiny frame fails before allocating', async (t) => {
  const w = new Writer();
  w.int32(0x7fffffff); // topics array of 2^31-1 elements in a 4-byte body
  const before = process.memoryUsage().arrayBuffers;
  t.throws(() => messages.readMetadataRequest(new Reader(w.toBuffer()), 4), MalformedError);
  t.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'no large allocation');
});
