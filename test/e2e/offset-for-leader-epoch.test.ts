// OffsetForLeaderEpoch and InitProducerId over the wire.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { fetchOne, produceOne } from '../helpers/data-path.js';
import { InitProducerIdApi, OffsetForLeaderEpochApi } from '../../src/protocol/messages/index.js';
import type { OffsetForLeaderEpochResponseEpochEndOffset } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync, readBatchHeader } from '../../src/protocol/records/index.js';
import { batchesOf } from '../helpers/data-path.js';

function batch(n: number, producer: { producerId: number; producerEpoch: number; baseSequence: number } | object = {}): Buffer {
  return buildBatchSync(Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`) })), producer);
}

async function epochEnd(c: WireClient, topic: string, leaderEpoch: number, currentLeaderEpoch = -1, version = 4, partition = 0): Promise<OffsetForLeaderEpochResponseEpochEndOffset> {
  const resp = await c.request(OffsetForLeaderEpochApi, version, {
    replicaId: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }],
  });
  return resp.topics[0]!.partitions[0]!;
}

t.test('end offsets per leader epoch', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['ep'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const partition = kafka.broker.cluster.topics.partition('ep', 0)!;

  const fresh = await epochEnd(c, 'ep', 0);
  t.strictSame([fresh.errorCode, fresh.leaderEpoch, fresh.endOffset], [0, 0, 0n], 'the current epoch of an empty log ends at 0');

  await produceOne(c, 'ep', batch(3));
  partition.bumpLeaderEpoch();
  await produceOne(c, 'ep', batch(2));
  partition.bumpLeaderEpoch();
  partition.bumpLeaderEpoch();
  await produceOne(c, 'ep', batch(1));

  const stored = batchesOf((await fetchOne(c, { topic: 'ep' })).records).map((b) => readBatchHeader(b).partitionLeaderEpoch);
  t.strictSame(stored, [0, 1, 3], 'batches are stamped with the leader epoch that wrote them');

  const ask = async (epoch: number) => {
    const r = await epochEnd(c, 'ep', epoch);
    return [r.errorCode, r.leaderEpoch, Number(r.endOffset)];
  };
  t.strictSame(await ask(0), [0, 0, 3], 'epoch 0 ends where epoch 1 starts');
  t.strictSame(await ask(1), [0, 1, 5], 'epoch 1 ends where epoch 3 starts');
  t.strictSame(await ask(2), [0, 1, 5], 'an epoch without data answers the largest epoch below it');
  t.strictSame(await ask(3), [0, 3, 6], 'the current epoch ends at the log end');
  t.strictSame(await ask(4), [0, -1, -1], 'a future epoch is unknown, without error');
  t.strictSame(await ask(-1), [0, -1, -1], 'epoch -1');

  const v2 = await epochEnd(c, 'ep', 1, -1, 2);
  t.strictSame([v2.leaderEpoch, v2.endOffset], [1, 5n], 'v2 answers the same');
});

t.test('errors', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['ep'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  kafka.broker.cluster.topics.partition('ep', 0)!.bumpLeaderEpoch();
  const fenced = await epochEnd(c, 'ep', 0, 0);
  t.strictSame([fenced.errorCode, fenced.leaderEpoch, fenced.endOffset], [ErrorCode.FENCED_LEADER_EPOCH, -1, -1n], 'an older current epoch is fenced');
  t.equal((await epochEnd(c, 'ep', 0, 2)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH, 'a newer one is unknown');
  t.equal((await epochEnd(c, 'ep', 0, 1)).errorCode, ErrorCode.NONE, 'the current one passes');
  t.equal((await epochEnd(c, 'none', 0)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic');
  t.equal((await epochEnd(c, 'ep', 0, -1, 4, 5)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown partition');
});

t.test('InitProducerId: fresh ids for idempotent producers; a transactional id starts at epoch 0', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['idem'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const init = (v: number, transactionalId: string | null, producerId = -1n, producerEpoch = -1) =>
    c.request(InitProducerIdApi, v, { transactionalId, transactionTimeoutMs: 60000, producerId, producerEpoch, enable2Pc: false, keepPreparedTxn: false });

  const a = await init(4, null);
  const b = await init(0, null);
  t.strictSame([a.errorCode, a.producerEpoch], [0, 0], 'allocated, epoch 0');
  t.not(a.producerId, b.producerId, 'every call gets a new id');
  t.ok(a.producerId >= 0n && b.producerId >= 0n, 'ids are non-negative');
  const bump = await init(5, null, a.producerId, 0);
  t.strictSame([bump.errorCode, bump.producerEpoch], [0, 0], 'an epoch bump of an idempotent producer gets a fresh id, as Kafka');
  t.not(bump.producerId, a.producerId, 'a different id');
  t.equal((await init(5, null, 7n, -1)).errorCode, ErrorCode.INVALID_REQUEST, 'producer id without epoch');

  const txn = await init(4, 'my-txn');
  t.strictSame([txn.errorCode, txn.producerEpoch], [ErrorCode.NONE, 0], 'a transactional id gets an id at epoch 0 (see transactions.test.ts)');
  t.equal((await init(4, '')).errorCode, ErrorCode.INVALID_REQUEST, 'an empty transactional id');

  const produced = await produceOne(c, 'idem', batch(2, { producerId: Number(a.producerId), producerEpoch: 0, baseSequence: 0 }));
  t.equal(produced.errorCode, ErrorCode.NONE, 'an idempotent batch with the allocated id is accepted');
});
