// Every API, every served version, request and response (and every header, data and coordinator
// record schema, from the 4.4, 4.3 and 2024 spec layers): a value with every field set writes, reads
// back equal, and writes the same bytes.
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import * as messages from '../../../src/protocol/messages/index.js';
import * as records from '../../../src/protocol/coordinator-records/index.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { schemas, sampleMessage } from './sample-values.js';

type ReadFn = (r: Reader, v: number) => unknown;
type WriteFn = (w: Writer, v: number, m: unknown) => void;
const codecs = { ...messages, ...records } as unknown as Record<string, ReadFn | WriteFn>;

/** The value without properties set to undefined (an absent optional struct reads back as undefined). */
function definedOnly(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(definedOnly);
  if (x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return x;
  return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined).map(([k, v]) => [k, definedOnly(v)]));
}

t.test('every message schema has a generated reader and writer', async (t) => {
  t.ok(schemas.length > 250, `${schemas.length} schemas`);
  const missing = schemas.flatMap((s) => [`read${s.name}`, `write${s.name}`]).filter((fn) => typeof codecs[fn] !== 'function');
  t.strictSame(missing, [], 'no schema lacks its reader or writer');
});

// One assertion per message schema (all its versions), so the count says how many messages are
// proved, not how many fields or versions they have; a failure names the version and what broke.
t.test('write -> read -> write is identical for every version', async (t) => {
  let cases = 0;
  for (const s of schemas) {
    const read = codecs[`read${s.name}`] as ReadFn;
    const write = codecs[`write${s.name}`] as WriteFn;
    const failures: string[] = [];
    for (let v = s.min; v <= s.max; v++) {
      const value = sampleMessage(s, v, s.name.length * 1000 + v);
      const w1 = new Writer();
      write(w1, v, value);
      const bytes1 = w1.toBuffer();
      const r = new Reader(bytes1);
      const back = read(r, v);
      const w2 = new Writer();
      write(w2, v, back);
      const bytes2 = w2.toBuffer();
      if (r.remaining !== 0 || !bytes1.equals(bytes2)) failures.push(`v${v}: ${r.remaining} bytes unread, re-encoding ${bytes1.equals(bytes2) ? 'equal' : 'differs'}`);
      else if (!isDeepStrictEqual(definedOnly(back), definedOnly(value))) failures.push(`v${v}: reads back a different value`);
      else cases++;
    }
    t.strictSame(failures, [], `${s.name} v${s.min}-${s.max} round-trips`);
  }
  const expected = schemas.reduce((n, s) => n + s.max - s.min + 1, 0);
  t.equal(cases, expected, `all ${expected} message versions round-tripped`);
  t.ok(expected > 750, 'the specs give over 750 message versions');
});

t.test('the API table covers every API key in the specs with sane ranges', async (t) => {
  const apiSchemas = schemas.filter((s) => s.apiKey !== undefined && s.type === 'request');
  t.equal(messages.apiTable.length, apiSchemas.length);
  t.strictSame(
    messages.apiTable.filter((api) => !(api.minVersion <= api.maxVersion)).map((api) => api.name),
    [],
    'every API has a non-empty version range',
  );
  t.strictSame(
    messages.apiInfos.map((a) => a.apiKey),
    messages.apiTable.map((a) => a.apiKey),
    'the routing table (api-table.ts) lists every generated API',
  );
  t.equal(messages.apiByKey.get(0)?.name, 'Produce');
  t.equal(messages.apiByKey.get(0)?.maxVersion, 13, 'Produce up to v13 from the 4.4 specs');
  t.strictSame([messages.apiByKey.get(88)?.name, messages.apiByKey.get(88)?.maxVersion], ['StreamsGroupHeartbeat', 1], 'APIs only in the 4.4 specs are generated');
  t.equal(messages.apiByKey.get(74)?.maxVersion, 1, 'ListConfigResources v1 from the 4.4 specs');
  t.equal(messages.apiByKey.get(1)?.maxVersion, 18, 'Fetch up to v18');
  t.equal(messages.responseHeaderVersion(messages.apiByKey.get(18)!, 4), 0, 'ApiVersions answers with header v0');
  t.equal(messages.responseHeaderVersion(messages.apiByKey.get(3)!, 12), 1);
  t.equal(messages.requestHeaderVersion(messages.apiByKey.get(3)!, 12), 2);
  t.equal(messages.requestHeaderVersion(messages.apiByKey.get(3)!, 8), 1);
});

t.test('a field a version cannot carry is refused unless ignorable', async (t) => {
  // IncludeClusterAuthorizedOperations exists in v8-10 only and is not ignorable.
  const r = messages.defaultMetadataRequest();
  r.includeClusterAuthorizedOperations = true;
  t.doesNotThrow(() => messages.writeMetadataRequest(new Writer(), 10, r), 'v10 carries it');
  t.throws(() => messages.writeMetadataRequest(new Writer(), 11, r), { name: 'UnsupportedFieldError' });
  // FetchResponse LastStableOffset is ignorable: v3 silently drops it.
  const f = messages.defaultFetchResponse();
  f.responses.push({ ...messages.defaultFetchResponseFetchableTopicResponse(), partitions: [{ ...messages.defaultFetchResponsePartitionData(), lastStableOffset: 10n }] });
  t.doesNotThrow(() => messages.writeFetchResponse(new Writer(), 3, f));
});
