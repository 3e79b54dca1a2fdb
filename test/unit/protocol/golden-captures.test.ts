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
  const clients = existsSync(capturesDir) ? readdirSync(capturesDir) : [];
  t.strictSame(REQUIRED.filter((c) => !clients.includes(c)), [], 'fixtures/captures holds every required client');
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

/**
 * Everything wrong with one client's captures, as one line per problem: a frame that does not
 * decode and re-encode byte for byte, a client that does not name itself, an API it did not send.
 * One assertion per client (strictSame with []), so that the pass count reflects the clients
 * checked rather than the number of captured files.
 */
function problemsOf(client: string, frames: readonly Frame[]): string[] {
  const problems: string[] = [];
  if (frames.length <= 4) problems.push(`only ${frames.length} frames`);
  let checked = 0;
  let firstApiVersions: ApiVersionsRequest | null = null;
  for (const fr of frames) {
    const api = apiByKey.get(fr.apiKey);
    if (!api) {
      problems.push(`${fr.file}: unknown api key ${fr.apiKey}`);
      continue;
    }
    if (fr.bytes.readInt32BE(0) !== fr.bytes.length - 4) problems.push(`${fr.file}: size prefix ${fr.bytes.readInt32BE(0)}, frame ${fr.bytes.length - 4} bytes`);
    if (fr.version < api.minVersion || fr.version > api.maxVersion) {
      // A client's first try at a version newer than the specs (ApiVersions v5): the broker
      // answers UNSUPPORTED_VERSION with its range, and the client retries; nothing to decode.
      if (api.name !== 'ApiVersions') problems.push(`${fr.file}: ${api.name} v${fr.version} is outside ${api.minVersion}-${api.maxVersion}`);
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
      if (header.requestApiVersion !== fr.version) problems.push(`${fr.file}: header says v${header.requestApiVersion}`);
      writeRequestHeader(w, hv, header);
      const body = api.readRequest(r, fr.version);
      if (api.name === 'ApiVersions' && firstApiVersions === null) firstApiVersions = body as ApiVersionsRequest;
      api.writeRequest(w, fr.version, body as never);
    }
    if (r.remaining !== 0) problems.push(`${fr.file}: ${r.remaining} bytes left unread`);
    if (!w.toBuffer().equals(fr.bytes.subarray(4))) problems.push(`${fr.file}: re-encoding differs`);
    else checked++;
  }
  if (checked === 0) problems.push('no frame re-encoded identically');
  const expectedName = SOFTWARE_NAME[client];
  const name = (firstApiVersions as ApiVersionsRequest | null)?.clientSoftwareName;
  if (expectedName !== null && expectedName !== undefined && name !== expectedName) problems.push(`names itself ${JSON.stringify(name)} in ApiVersions, not ${JSON.stringify(expectedName)}`);
  const names = new Set<string | undefined>(frames.filter((f) => !f.response).map((f) => apiByKey.get(f.apiKey)?.name));
  for (const needed of ['ApiVersions', 'Metadata', 'CreateTopics', 'Produce', 'ListOffsets', 'Fetch', 'DeleteTopics']) {
    if (!names.has(needed)) problems.push(`sent no ${needed}`);
  }
  return problems;
}

for (const client of existsSync(capturesDir) ? readdirSync(capturesDir).sort() : []) {
  t.test(`${client}: frames decode and re-encode byte for byte`, async (t) => {
    const frames = framesOf(client);
    t.strictSame(problemsOf(client, frames), [], `every frame of ${client} (${frames.length}) round-trips; it names itself and sent every scenario API`);
  });
}
