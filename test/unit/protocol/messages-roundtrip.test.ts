// Every API, every served version, request and response (and every header, data and coordinator
// record schema): a value with every field set writes, reads back equal, and writes the same bytes.
import t from 'tap';
import * as messages from '../../../src/protocol/messages/index.js';
import * as records from '../../../src/protocol/coordinator-records/index.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { schemas, sampleMessage } from './sample-values.js';

type ReadFn = (r: Reader, v: number) => unknown;
type WriteFn = (w: Writer, v: number, m: unknown) => void;
const codecs = { ...messages, ...records } as unknown as Record<string, ReadFn | WriteFn>;

t.test('every message schema has a generated reader and writer', async (t) => {
  t.ok(schemas.length > 200, `${schemas.length} schemas`);
  for (const s of schemas) {
    t.type(codecs[`read${s.name}`], 'function', `read${s.name}`);
    t.type(codecs[`write${s.name}`], 'function', `write${s.name}`);
  }
});

t.test('write -> read -> write is identical for every version', async (t) => {
  let cases = 0;
  for (const s of schemas) {
    const read = codecs[`read${s.name}`] as ReadFn;
    const write = codecs[`write${s.name}`] as WriteFn;
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
      if (r.remaining !== 0 || !bytes1.equals(bytes2)) {
        t.fail(`${s.name} v${v}: ${r.remaining} bytes unread, re-encoding ${bytes1.equals(bytes2) ? 'equal' : 'differs'}`);
        continue;
      }
      t.same(back, value, `${s.name} v${v} reads back what was written`, { diagnostic: false });
      cases++;
    }
  }
  const expected = schemas.reduce((n, s) => n + s.max - s.min + 1, 0);
  t.equal(cases, expected, `all ${expected} message versions round-tripped`);
  t.ok(expected > 700, 'the specs give over 700 message versions');
});

t.test('the API table covers every API key in the specs with sane ranges', async (t) => {
  const apiSchemas = schemas.filter((s) => s.apiKey !== undefined && s.type === 'request');
  t.equal(messages.apiTable.length, apiSchemas.length);
  for (const api of messages.apiTable) {
    t.ok(api.minVersion <= api.maxVersion, `${api.name} ${api.minVersion}-${api.maxVersion}`);
  }
  t.equal(messages.apiByKey.get(0)?.name, 'Produce');
  t.equal(messages.apiByKey.get(0)?.maxVersion, 13, 'Produce up to v13 from the 4.3 specs');
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
