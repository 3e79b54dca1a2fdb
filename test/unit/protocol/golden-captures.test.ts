// Golden bytes: request and response frames of real clients talking to a real Apache Kafka,
// captured by scripts/capture-proxy.mjs (see fixtures/README.md). Each frame our codecs serve must
// decode and re-encode byte for byte; the first ApiVersions of each client must say who it is.
import t from 'tap';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { apiByKey, readRequestHeader, writeRequestHeader, readResponseHeader, writeResponseHeader, requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/messages/index.js';
import type { ApiVersionsRequest } from '../../../src/protocol/messages/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const capturesDir = join(root, 'fixtures/captures');

/** What each client calls itself in ApiVersions v3+ (java and franz-go first try v5, newer than ours). */
const SOFTWARE_NAME: Record<string, string | null> = {
  'confluent-kafka-python': 'confluent-kafka-python',
  'kafka-python': 'kafka-python',
  'platformatic-kafka': 'platformatic-kafka',
  sarama: 'sarama',
  kafkajs: '', // ApiVersions v2 carries no name
  java: null,
  'franz-go': null,
};

/** The clients whose captures the protocol issue requires. */
const REQUIRED = ['java', 'confluent-kafka-python', 'franz-go', 'kafkajs'];

t.test('captures exist for the required clients', async (t) => {
  t.ok(existsSync(capturesDir), 'fixtures/captures exists');
  const clients = readdirSync(capturesDir);
  for (const c of REQUIRED) t.ok(clients.includes(c), `captures of ${c}`);
});

interface Frame {
  file: string;
  apiKey: number;
  version: number;
  response: boolean;
  bytes: Buffer;
}

function framesOf(client: string): Frame[] {
  const dir = join(capturesDir, client);
  const out: Frame[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^\d+-(\w+)-v(\d+)(-response)?\.bin$/.exec(f);
    if (!m) continue;
    const bytes = readFileSync(join(dir, f));
    const body = bytes.subarray(4);
    const apiKey = m[3] ? -1 : body.readInt16BE(0);
    out.push({ file: f, apiKey, version: Number(m[2]), response: !!m[3], bytes });
  }
  // Responses carry no api key: take it from the request with the same sequence number.
  for (const fr of out) {
    if (!fr.response) continue;
    const req = out.find((o) => !o.response && o.file === fr.file.replace('-response', ''));
    fr.apiKey = req ? req.apiKey : -1;
  }
  return out;
}

for (const client of existsSync(capturesDir) ? readdirSync(capturesDir).sort() : []) {
  t.test(`${client}: frames decode and re-encode byte for byte`, async (t) => {
    const frames = framesOf(client);
    t.ok(frames.length > 4, `${frames.length} frames`);
    let checked = 0;
    let firstApiVersions: ApiVersionsRequest | null = null;
    for (const fr of frames) {
      const api = apiByKey.get(fr.apiKey);
      if (!api) {
        t.fail(`${fr.file}: unknown api key ${fr.apiKey}`);
        continue;
      }
      t.equal(fr.bytes.readInt32BE(0), fr.bytes.length - 4, `${fr.file}: size prefix`);
      if (fr.version < api.minVersion || fr.version > api.maxVersion) {
        // A client's first try at a version newer than the specs (ApiVersions v5): the broker
        // answers UNSUPPORTED_VERSION with its range, and the client retries; nothing to decode.
        t.equal(api.name, 'ApiVersions', `${fr.file}: only ApiVersions may be newer than we serve`);
        continue;
      }
      const r = new Reader(fr.bytes, 4);
      const w = new Writer();
      if (fr.response) {
        const hv = responseHeaderVersion(api, fr.version);
        writeResponseHeader(w, hv, readResponseHeader(r, hv));
        api.writeResponse(w, fr.version, api.readResponse(r, fr.version) as never);
      } else {
        const hv = requestHeaderVersion(api, fr.version);
        const header = readRequestHeader(r, hv);
        t.equal(header.requestApiVersion, fr.version, `${fr.file}: header version`);
        writeRequestHeader(w, hv, header);
        const body = api.readRequest(r, fr.version);
        if (api.name === 'ApiVersions' && firstApiVersions === null) firstApiVersions = body as ApiVersionsRequest;
        api.writeRequest(w, fr.version, body as never);
      }
      t.equal(r.remaining, 0, `${fr.file}: every byte read`);
      const again = w.toBuffer();
      if (!again.equals(fr.bytes.subarray(4))) t.fail(`${fr.file}: re-encoding differs`);
      else checked++;
    }
    t.ok(checked > 0, `${checked} frames re-encoded identically`);
    const expectedName = SOFTWARE_NAME[client];
    if (expectedName !== null && expectedName !== undefined) {
      t.equal((firstApiVersions as ApiVersionsRequest | null)?.clientSoftwareName, expectedName, `${client} names itself in ApiVersions`);
    }
    const names = new Set<string | undefined>(frames.filter((f) => !f.response).map((f) => apiByKey.get(f.apiKey)?.name));
    for (const needed of ['ApiVersions', 'Metadata', 'CreateTopics', 'Produce', 'ListOffsets', 'Fetch', 'DeleteTopics']) {
      t.ok(names.has(needed), `${client} sent ${needed}`);
    }
  });
}
