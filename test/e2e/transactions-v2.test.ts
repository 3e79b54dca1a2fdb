// Transactions V2 (KIP-890 part 2) on the wire, each answer compared with what Apache Kafka 4.4.0
// gave for the same requests (KAFKA_4_4_0 below, recorded with TV2_BOOTSTRAP=127.0.0.1:PORT
// against bench/kafka/start-kafka.sh, which prints what it saw): EndTxn v5 bumps the epoch on every
// commit and abort, retries are answered from the epoch below, an abort with nothing open is a
// transaction of its own; Produce v12 and TxnOffsetCommit v5 add their partitions without
// AddPartitionsToTxn / AddOffsetsToTxn; EndTxn v4 keeps the V1 rules; fencing an open transaction
// bumps the epoch once (the abort that follows the fence does not bump again). Then the same broker downgraded
// to transaction.version 1 (UpdateFeatures), which Java clients read as "use transactions V1".
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { addPartitions, endTxn, initProducerId, send, transactionalProducer, txnOffsetCommit, values } from '../helpers/transactions.js';
import type { Producer } from '../helpers/transactions.js';
import { ApiVersionsApi, CreateTopicsApi, DescribeTransactionsApi, FindCoordinatorApi, UpdateFeaturesApi } from '../../src/protocol/messages/index.js';

/** Apache Kafka 4.4.0's answers to observe(), re-recorded by `npm run record-kafka-answers` (which runs this file with TV2_RECORD). */
const KAFKA_4_4_0 = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/e2e/transactions-v2.kafka-4.4.json', import.meta.url)), 'utf8')) as Record<string, unknown>;

const external = process.env['TV2_BOOTSTRAP'];
/** With TV2_BOOTSTRAP pointing at a real Kafka: the file to write what it answered to (the recorder's mode). */
const record = process.env['TV2_RECORD'];
const run = Math.random().toString(36).slice(2, 8);

async function settled(c: WireClient, id: string): Promise<{ state: string; epoch: number; topics: string[] }> {
  // Kafka writes markers after answering EndTxn: wait for Complete* (at most ~5 s on a loaded machine).
  for (let i = 0; ; i++) {
    const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: [id] })).transactionStates[0]!;
    const view = { state: d.transactionState, epoch: d.producerEpoch, topics: d.topics.flatMap((x) => x.partitions.map((p) => (x.topic === '__consumer_offsets' ? `${x.topic}-P` : `${x.topic.replace(run, 'RUN')}-${p}`))).sort() };
    if (!d.transactionState.startsWith('Prepare') || i >= 100) return view;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function observe(c: WireClient): Promise<Record<string, unknown>> {
  const topic = `tv2-${run}`;
  const created = await c.request(CreateTopicsApi, 5, { topics: [{ name: topic, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30000, validateOnly: false });
  if (created.topics[0]!.errorCode !== 0) throw new Error(`create: ${created.topics[0]!.errorCode}`);
  const out: Record<string, unknown> = {};
  const code = async (p: Promise<{ errorCode: number }>) => (await p).errorCode;
  const sendRetrying = async (p: Producer, partition: number, version: number) => {
    // A new topic's leader may not be known yet on Kafka (NOT_LEADER_OR_FOLLOWER).
    for (let i = 0; ; i++) {
      const r = await send(c, p, topic, partition, values('v', 2), { version });
      if (r.errorCode !== 6 || i >= 50) return r.errorCode;
      await new Promise((res) => setTimeout(res, 100));
    }
  };

  // EndTxn v5 on a transaction begun with AddPartitionsToTxn v3.
  const a = await transactionalProducer(c, `a-${run}`);
  await addPartitions(c, a, topic, [0]);
  out['a.produce'] = await sendRetrying(a, 0, 11);
  const commit = await endTxn(c, a, true, 5);
  out['a.commit'] = [commit.errorCode, commit.producerId === a.producerId, commit.producerEpoch];
  out['a.settled'] = await settled(c, a.transactionalId);
  const retry = await endTxn(c, a, true, 5);
  out['a.commit retry'] = [retry.errorCode, retry.producerEpoch];
  out['a.abort retry of commit'] = await code(endTxn(c, a, false, 5));
  a.producerEpoch = commit.producerEpoch;
  out['a.commit nothing open'] = await code(endTxn(c, a, true, 5));
  const emptyAbort = await endTxn(c, a, false, 5);
  out['a.abort nothing open'] = [emptyAbort.errorCode, emptyAbort.producerEpoch];
  out['a.settled 2'] = await settled(c, a.transactionalId);
  out['a.abort retry'] = (await endTxn(c, a, false, 5)).producerEpoch;
  a.producerEpoch = 0;
  out['a.two epochs below'] = await code(endTxn(c, a, true, 5));

  // Produce v12 adds the partition; the next transaction goes on at the bumped epoch.
  const b = await transactionalProducer(c, `b-${run}`);
  out['b.produce v12'] = await sendRetrying(b, 1, 12);
  out['b.open'] = await settled(c, b.transactionalId);
  const bc = await endTxn(c, b, true, 5);
  out['b.commit'] = [bc.errorCode, bc.producerEpoch];
  await settled(c, b.transactionalId);
  b.producerEpoch = bc.producerEpoch;
  b.sequences.clear();
  out['b.produce v12 next epoch'] = await sendRetrying(b, 1, 12);
  out['b.open 2'] = await settled(c, b.transactionalId);
  out['b.produce v11 not added'] = await sendRetrying(b, 0, 11);
  await endTxn(c, b, false, 5);
  out['b.settled'] = await settled(c, b.transactionalId);

  // TxnOffsetCommit v5 adds the group's __consumer_offsets partition.
  const o = await transactionalProducer(c, `o-${run}`);
  // Kafka creates __consumer_offsets on the first FindCoordinator for a group.
  for (let i = 0; i < 100; i++) {
    const fc = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: [`g-${run}`] });
    if (fc.coordinators[0]!.errorCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const offsetCommit = async (version: number) => {
    // Kafka answers NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS until the group's partition is loaded.
    for (let i = 0; ; i++) {
      const e = await txnOffsetCommit(c, o, `g-${run}`, topic, 0, 5n, version);
      if ((e !== 14 && e !== 16) || i >= 100) return e;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  out['o.txn offset commit v4 not added'] = await offsetCommit(4);
  out['o.txn offset commit v5'] = await offsetCommit(5);
  out['o.open'] = await settled(c, o.transactionalId);
  out['o.commit'] = (await endTxn(c, o, true, 5)).producerEpoch;

  // EndTxn v4: the V1 rules.
  const v = await transactionalProducer(c, `v-${run}`);
  out['v1.abort nothing open'] = await code(endTxn(c, v, false, 4));
  await addPartitions(c, v, topic, [0]);
  const v1 = await endTxn(c, v, true, 4);
  out['v1.commit'] = [v1.errorCode, v1.producerEpoch];
  out['v1.settled'] = await settled(c, v.transactionalId);

  // Fencing an open transaction.
  const z = await transactionalProducer(c, `z-${run}`);
  await addPartitions(c, z, topic, [1]);
  out['z.produce'] = await sendRetrying(z, 1, 11);
  out['z.fence'] = await code(initProducerId(c, z.transactionalId));
  let fresh = await initProducerId(c, z.transactionalId);
  for (let i = 0; fresh.errorCode === 51 && i < 100; i++) fresh = await initProducerId(c, z.transactionalId);
  out['z.new producer'] = [fresh.errorCode, fresh.producerId === z.producerId, fresh.producerEpoch];
  out['z.settled'] = await settled(c, z.transactionalId);
  return out;
}

t.test('transactions V2 answers as Apache Kafka 4.4', async (t) => {
  let bootstrap = external;
  if (bootstrap === undefined) {
    const kafka = await MiniKafka.start({});
    t.teardown(() => kafka.stop());
    bootstrap = kafka.bootstrapServers;
  }
  const c = await WireClient.connect(bootstrap);
  t.teardown(() => c.close());
  const seen = await observe(c);
  if (external !== undefined && record !== undefined) {
    writeFileSync(record, JSON.stringify(seen, null, 2) + '\n');
    t.pass(`Kafka's answers written to ${record}`);
    return;
  }
  if (external !== undefined) t.comment(JSON.stringify(seen, null, 2));
  t.strictSame(seen, KAFKA_4_4_0);
});

t.test('transaction.version 1 (UpdateFeatures downgrade): clients are told, EndTxn v4 does not bump', { skip: external !== undefined }, async (t) => {
  await using kafka = await MiniKafka.start({});
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const level = async () => (await c.request(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 })).finalizedFeatures.find((f) => f.name === 'transaction.version')?.maxVersionLevel;
  t.equal(await level(), 2, 'finalized at 2 on a new cluster');
  const down = await c.request(UpdateFeaturesApi, 1, { timeoutMs: 1000, featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 1, allowDowngrade: false, upgradeType: 2 }], validateOnly: false });
  t.equal(down.errorCode, 0, 'safe downgrade to 1');
  t.equal(await level(), 1, 'ApiVersions reports 1: Java producers use transactions V1 (EndTxn v4, AddPartitionsToTxn)');
  await c.request(CreateTopicsApi, 5, { topics: [{ name: 'd', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30000, validateOnly: false });
  const p = await transactionalProducer(c, 'd-tx');
  await addPartitions(c, p, 'd', [0]);
  t.equal((await send(c, p, 'd', 0, values('x', 1))).errorCode, 0);
  t.equal((await endTxn(c, p, true, 4)).errorCode, 0);
  const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['d-tx'] })).transactionStates[0]!;
  t.strictSame([d.transactionState, d.producerEpoch], ['CompleteCommit', 0], 'EndTxn v4: no bump');
});
