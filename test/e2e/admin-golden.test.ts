// Golden replay: the Metadata, CreateTopics and DeleteTopics requests real clients sent to Apache
// Kafka 4.4 (fixtures/captures, see fixtures/README.md) are sent again, in order, to a fresh
// minikafka, and each answer must equal Kafka's once the values that differ on every run are
// masked (topic ids, cluster id, host, port, throttle time).
//
// Two differences are expected and tolerated: the reference broker had an __consumer_offsets topic
// that a fresh minikafka does not (listings of all topics differ by it), and minikafka returns an
// auto-created topic ready where Kafka answers UNKNOWN_TOPIC_OR_PARTITION (DEVIATIONS.md).
import t from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { Reader } from '../../src/protocol/reader.js';
import { CreateTopicsApi, DeleteTopicsApi, MetadataApi, apiByKey, readResponseHeader, responseHeaderVersion } from '../../src/protocol/messages/index.js';
import type { MetadataResponse } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { INTERNAL_TOPICS } from '../../src/server/cluster/topics.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';

const CAPTURES = fileURLToPath(new URL('../../../fixtures/captures', import.meta.url));
const APIS = { 3: MetadataApi, 19: CreateTopicsApi, 20: DeleteTopicsApi } as const;
type ReplayedKey = keyof typeof APIS;

interface IndexLine {
  readonly apiKey?: number;
  readonly version?: number;
  readonly file?: string;
}

function decode(frame: Buffer, apiKey: ReplayedKey, version: number): unknown {
  const r = new Reader(frame);
  readResponseHeader(r, responseHeaderVersion(apiByKey.get(apiKey)!, version));
  return APIS[apiKey].readResponse(r, version);
}

/** Masks what differs between runs and brokers, keeping every field that is behaviour (unknown tagged fields too). */
function mask(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => {
      if (typeof v === 'bigint') return String(v);
      if (k === 'topicId') return v === ZERO_UUID ? v : 'ID';
      if (k === 'clusterId' || k === 'host' || k === 'port' || k === 'throttleTimeMs') return 'X';
      return v;
    }),
  );
}

/** Applies the two tolerated differences to a Metadata pair. */
function reconcileMetadata(kafka: MetadataResponse, ours: MetadataResponse): void {
  kafka.topics = kafka.topics.filter((x) => !(x.name !== null && INTERNAL_TOPICS.has(x.name) && x.errorCode === ErrorCode.NONE));
  ours.topics = ours.topics.filter((x) => !(x.name !== null && INTERNAL_TOPICS.has(x.name) && x.errorCode === ErrorCode.NONE));
  for (const k of kafka.topics) {
    const o = ours.topics.find((x) => x.name === k.name);
    const pending = k.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || k.errorCode === ErrorCode.LEADER_NOT_AVAILABLE;
    if (o && pending && o.errorCode === ErrorCode.NONE) Object.assign(k, o);
  }
}

const clients = existsSync(CAPTURES) ? readdirSync(CAPTURES).filter((d) => existsSync(`${CAPTURES}/${d}/index.jsonl`)) : [];
if (clients.length === 0) t.comment('no captures in fixtures/captures: nothing to replay');

for (const client of clients) {
  t.test(`${client}: admin and metadata answers equal Kafka 4.4's`, async (t) => {
    const dir = `${CAPTURES}/${client}`;
    const lines = readFileSync(`${dir}/index.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as IndexLine);
    await using kafka = await MiniKafka.start();
    const c = await WireClient.connect(kafka.bootstrapServers);
    t.teardown(() => c.close());
    let compared = 0;
    for (const line of lines) {
      if (line.file === undefined || line.apiKey === undefined || line.version === undefined || !(line.apiKey in APIS)) continue;
      const responseFile = `${dir}/${line.file.replace(/\.bin$/, '-response.bin')}`;
      if (!existsSync(responseFile)) continue;
      const apiKey = line.apiKey as ReplayedKey;
      const kafkaAnswer = mask(decode(readFileSync(responseFile).subarray(4), apiKey, line.version));
      const ourAnswer = mask(decode(await c.sendFrame(readFileSync(`${dir}/${line.file}`)), apiKey, line.version));
      if (apiKey === 3) reconcileMetadata(kafkaAnswer as MetadataResponse, ourAnswer as MetadataResponse);
      t.strictSame(ourAnswer, kafkaAnswer, line.file);
      compared++;
    }
    t.ok(compared > 0, `${compared} answers compared`);
  });
}
