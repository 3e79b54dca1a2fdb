// fetch.max.bytes as Kafka applies it: a request's maxBytes is capped by the broker's
// fetch.max.bytes (KafkaApis.handleFetchRequest), each partition by its partitionMaxBytes, and the
// first batch of a response is returned whole even when larger, so a consumer always progresses.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { batchesOf, fetchOne, produceOne } from '../helpers/data-path.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';

const batchOf = (bytes: number) => buildBatchSync([{ key: null, value: Buffer.alloc(bytes, 120), timestamp: Date.now() }]);

t.test("the broker's fetch.max.bytes caps a request's maxBytes; the first batch always comes", async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['big'], config: { 'fetch.max.bytes': 100_000 } });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  for (let i = 0; i < 10; i++) t.equal((await produceOne(c, 'big', batchOf(30_000))).errorCode, ErrorCode.NONE);
  const topicId = kafka.broker.cluster.topics.get('big')!.id;
  const all = await fetchOne(c, { topic: 'big', topicId, offset: 0, partitionMaxBytes: 2 ** 31 - 1 }, { maxBytes: 2 ** 31 - 1 });
  const sizes = batchesOf(all.records).map((b) => b.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  t.equal(sizes.length, 3, `maxBytes 2^31-1 capped at 100,000: ${sizes.length} batches, ${total} bytes`);
  t.ok(total <= 100_000);
  t.equal((await produceOne(c, 'big', batchOf(150_000))).errorCode, ErrorCode.NONE, 'a batch larger than fetch.max.bytes');
  const big = await fetchOne(c, { topic: 'big', topicId, offset: 10, partitionMaxBytes: 1000 }, { maxBytes: 1000 });
  t.equal(batchesOf(big.records).length, 1, 'still returned whole, alone');
});
