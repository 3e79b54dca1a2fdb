// Durable mode through the fixture: what a client wrote and configured is there after a restart
// on the same data directory, clean or not.
import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiniKafka } from '../../src/index.js';
import { MemoryFileSystem } from '../../src/log/disk/memory-file-system.js';
import { WireClient } from '../helpers/wire-client.js';
import { batchesOf, fetchOne, listOffset, produceOne } from '../helpers/data-path.js';
import { DeleteRecordsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, ListGroupsApi, OffsetCommitApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import { buildBatchSync, BatchLayout, readInt64 } from '../../src/protocol/records/index.js';
import { dataDirOf } from '../../src/server/persistence/data-dir.js';
import { logMaintenanceOf } from '../../src/server/broker.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { addPartitions, committedValues, endTxn, initProducerId, send, transactionalProducer, values } from '../helpers/transactions.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'minikafka-durable-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Values are "<label>|" and `pad` bytes, so that a few batches fill a 1 MiB segment (segment.bytes' minimum). */
function batch(values: readonly string[], key = (i: number) => `k${i}`, pad = 0): Buffer {
  return buildBatchSync(values.map((v, i) => ({ key: Buffer.from(key(i)), value: Buffer.from(`${v}|${'x'.repeat(pad)}`), timestamp: Date.now() })));
}

async function readValues(c: WireClient, topic: string, partition = 0, from = 0): Promise<string[]> {
  const out: string[] = [];
  let offset = from;
  for (;;) {
    const r = await fetchOne(c, { topic, partition, offset, partitionMaxBytes: 1 << 20 });
    if (r.errorCode !== 0) throw new Error(`fetch error ${r.errorCode}`);
    const bs = batchesOf(r.records);
    if (bs.length === 0) return out;
    for (const b of bs) {
      const { iterateRecords } = await import('../../src/protocol/records/index.js');
      for (const rec of iterateRecords(b)) if (rec.offset >= offset) out.push(rec.value?.toString().split('|')[0] ?? 'null');
      offset = readInt64(b, BatchLayout.BASE_OFFSET) + b.readInt32BE(BatchLayout.LAST_OFFSET_DELTA) + 1;
    }
  }
}

function commitRequest(group: string, topic: string, offsets: [number, bigint][]) {
  return {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: offsets.map(([p, o]) => ({ partitionIndex: p, committedOffset: o, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: 'm' })) }],
  };
}

t.test('a clean restart keeps topics, ids, configs, records, offsets and the log start', async (t) => {
  const dir = tempDir(t);
  let kafka = await MiniKafka.start({ dataDir: dir, topics: [{ name: 'orders', partitions: 2, configs: { 'segment.bytes': 1048576 } }] });
  let c = await WireClient.connect(kafka.bootstrapServers);
  const ordersId = kafka.broker.cluster.topics.get('orders')!.id;
  for (let i = 0; i < 20; i++) t.equal((await produceOne(c, 'orders', batch([`a${i}`, `b${i}`], undefined, 100_000))).errorCode, 0);
  await produceOne(c, 'orders', batch(['p1']), { partition: 1 });
  const alter = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '86400000' }] }], validateOnly: false });
  t.equal(alter.responses[0]!.errorCode, 0);
  t.equal((await c.request(OffsetCommitApi, 8, commitRequest('billing', 'orders', [[0, 12n], [1, 1n]]))).topics[0]!.partitions[0]!.errorCode, 0);
  const del = await c.request(DeleteRecordsApi, 2, { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 5n }] }], timeoutMs: 1000 });
  t.equal(del.topics[0]!.partitions[0]!.lowWatermark, 5n);
  const segmentsBefore = kafka.broker.cluster.topics.partition('orders', 0)!.log.numberOfSegments;
  t.ok(segmentsBefore > 2, `${segmentsBefore} segments`);
  const epochBefore = kafka.broker.cluster.topics.partition('orders', 0)!.leaderEpoch;
  c.close();
  await kafka.stop();
  t.ok(readdirSync(dir).includes('.kafka_cleanshutdown'));
  t.ok(readdirSync(join(dir, 'orders-0')).includes('00000000000000000000.log') || readdirSync(join(dir, 'orders-0')).some((n) => n.endsWith('.log')));

  kafka = await MiniKafka.start({ dataDir: dir, topics: ['orders'] });
  t.teardown(() => kafka.stop());
  c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const s = dataDirOf(kafka.broker.cluster)!.summary;
  t.equal(s.cleanShutdown, true);
  t.equal(kafka.broker.cluster.topics.get('orders')!.id, ordersId, 'same topic id');
  t.equal(kafka.broker.cluster.topics.get('orders')!.partitions.length, 2);
  t.ok(kafka.broker.cluster.topics.partition('orders', 0)!.leaderEpoch > epochBefore, 'a new leader epoch');
  t.equal((await listOffset(c, 'orders', -1n)).offset, 40n);
  t.equal((await listOffset(c, 'orders', -2n)).offset, 5n, 'DeleteRecords survived');
  const values = await readValues(c, 'orders', 0, 5);
  t.strictSame(values.slice(0, 3), ['b2', 'a3', 'b3']);
  t.equal(values.length, 35);
  t.strictSame(await readValues(c, 'orders', 1), ['p1']);
  const described = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms', 'segment.bytes'] }], includeSynonyms: false, includeDocumentation: false });
  t.strictSame(described.results[0]!.configs.map((x) => [x.name, x.value, x.configSource]), [['retention.ms', '86400000', 1], ['segment.bytes', '1048576', 1]], 'topic configs came back');
  const fetched = await c.request(OffsetFetchApi, 1, { groupId: 'billing', topics: [{ name: 'orders', partitionIndexes: [0, 1] }], groups: [], requireStable: false });
  t.strictSame(fetched.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata]), [[12n, 'm'], [1n, 'm']], 'committed offsets came back');
  const groups = await c.request(ListGroupsApi, 4, { statesFilter: [], typesFilter: [] });
  t.ok(groups.groups.some((g) => g.groupId === 'billing'), 'the group is listed');
  // And the log goes on.
  t.equal((await produceOne(c, 'orders', batch(['after']))).baseOffset, 40n);
});

t.test('a crash (no shutdown) loses nothing that was acknowledged', async (t) => {
  const fs = new MemoryFileSystem();
  const kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: fs, topics: ['events'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  for (let i = 0; i < 50; i++) await produceOne(c, 'events', batch([`e${i}`]));
  await c.request(OffsetCommitApi, 8, commitRequest('g', 'events', [[0, 25n]]));
  // An idempotent producer whose last batch was written but (as far as it knows) not acknowledged.
  const init = await initProducerId(c, null);
  const idem = (seq: number, v: string) => buildBatchSync([{ key: null, value: Buffer.from(v), timestamp: Date.now() }], { producerId: Number(init.producerId), producerEpoch: init.producerEpoch, baseSequence: seq });
  t.equal((await produceOne(c, 'events', idem(0, 'i0'))).baseOffset, 50n);
  t.equal((await produceOne(c, 'events', idem(1, 'i1'))).baseOffset, 51n);
  c.close();
  // SIGKILL: the broker stops answering, the data directory is never closed.
  await kafka.broker.close();
  const image = fs.afterCrash({ mode: 'process' });

  const again = await MiniKafka.start({ dataDir: '/data', fileSystem: image });
  t.teardown(() => again.stop());
  const c2 = await WireClient.connect(again.bootstrapServers);
  t.teardown(() => c2.close());
  t.equal(dataDirOf(again.broker.cluster)!.summary.cleanShutdown, false);
  // The retry after the restart is recognised: the producer state came back from the log.
  const retry = await produceOne(c2, 'events', idem(1, 'i1'));
  t.strictSame([retry.errorCode, retry.baseOffset], [0, 51n], 'a retried batch is a duplicate, answered with its offset');
  t.equal((await produceOne(c2, 'events', idem(2, 'i2'))).baseOffset, 52n, 'and the sequence goes on');
  t.strictSame(await readValues(c2, 'events'), [...Array.from({ length: 50 }, (_, i) => `e${i}`), 'i0', 'i1', 'i2']);
  const fetched = await c2.request(OffsetFetchApi, 1, { groupId: 'g', topics: [{ name: 'events', partitionIndexes: [0] }], groups: [], requireStable: false });
  t.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 25n);
});

t.test('compaction swaps cleaned segments in on disk; its checkpoint survives a restart', async (t) => {
  const dir = tempDir(t);
  let kafka = await MiniKafka.start({
    dataDir: dir,
    topics: [{ name: 'state', configs: { 'cleanup.policy': 'compact', 'segment.bytes': 1048576, 'min.cleanable.dirty.ratio': 0.01 } }],
  });
  let c = await WireClient.connect(kafka.bootstrapServers);
  for (let i = 0; i < 60; i++) await produceOne(c, 'state', batch([`v${i}`], () => `key${i % 5}`, 60_000));
  await logMaintenanceOf(kafka.broker.cluster)!.cleanNow();
  const passes = logMaintenanceOf(kafka.broker.cluster)!.passes;
  t.ok(passes.length > 0, 'the cleaner ran');
  const last = passes.at(-1)!;
  t.match(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8'), new RegExp(`^0\\n\\d+\\n(.*\\n)*state 0 ${last.endOffset}\\n`), "its checkpoint is kept in Kafka's cleaner-offset-checkpoint");
  const before = await readValues(c, 'state');
  t.ok(before.length < 60, `${before.length} records left after compaction`);
  t.notOk(readdirSync(join(dir, 'state-0')).some((n) => n.endsWith('.cleaned') || n.endsWith('.swap')), 'no swap leftovers');
  c.close();
  await kafka.stop();
  kafka = await MiniKafka.start({ dataDir: dir });
  t.teardown(() => kafka.stop());
  c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  t.strictSame(await readValues(c, 'state'), before, 'the compacted log came back as it was');
  for (let i = 60; i < 120; i++) await produceOne(c, 'state', batch([`v${i}`], () => `key${i % 5}`, 60_000));
  await logMaintenanceOf(kafka.broker.cluster)!.cleanNow();
  const next = logMaintenanceOf(kafka.broker.cluster)!.passes[0];
  t.equal(next?.firstDirtyOffset, last.endOffset, 'the first pass after the restart starts at the saved checkpoint, not at the log start');
});

t.test('after a crash a logged commit is completed at start; an open transaction stays open', async (t) => {
  const fs = new MemoryFileSystem();
  const kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: fs, topics: ['tx'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  const committing = await transactionalProducer(c, 'committing');
  await addPartitions(c, committing, 'tx', [0]);
  t.equal((await send(c, committing, 'tx', 0, values('c', 2))).errorCode, 0);
  const open = await transactionalProducer(c, 'open');
  await addPartitions(c, open, 'tx', [0]);
  t.equal((await send(c, open, 'tx', 0, values('o', 1))).errorCode, 0);
  // The coordinator logged PrepareCommit for `committing`, then the broker died before its markers.
  const { transactionCoordinatorOf } = await import('../../src/server/broker.js');
  const coordinator = transactionCoordinatorOf(kafka.broker);
  const meta = coordinator.transaction('committing')!;
  coordinator.stateLog.append('committing', {
    producerId: meta.producerId,
    prevProducerId: -1,
    nextProducerId: -1,
    producerEpoch: meta.producerEpoch,
    lastProducerEpoch: -1,
    clientTransactionVersion: 0,
    txnTimeoutMs: meta.txnTimeoutMs,
    state: 'PrepareCommit',
    partitions: new Map([['tx', new Set([0])]]),
    txnStartTimestamp: Date.now(),
    txnLastUpdateTimestamp: Date.now(),
  });
  c.close();
  await kafka.broker.close();

  const again = await MiniKafka.start({ dataDir: '/data', fileSystem: fs.afterCrash({ mode: 'process' }) });
  t.teardown(() => again.stop());
  const c2 = await WireClient.connect(again.bootstrapServers);
  t.teardown(() => c2.close());
  const summary = dataDirOf(again.broker.cluster)!.summary;
  t.strictSame([summary.transactionsLoaded, summary.transactionsCompleted], [2, 1]);
  const r = await fetchOne(c2, { topic: 'tx', offset: 0 }, { isolationLevel: 1 });
  t.equal(r.lastStableOffset, 2n, 'the open transaction holds the last stable offset');
  t.strictSame(committedValues(r.records, r.abortedTransactions).map((v) => v.value), ['c-0', 'c-1'], 'the logged commit was completed');
  const { transactionCoordinatorOf: coordinatorOf } = await import('../../src/server/broker.js');
  t.strictSame(
    ['committing', 'open'].map((id) => coordinatorOf(again.broker).transaction(id)!.state),
    ['CompleteCommit', 'Ongoing'],
  );
  t.equal((await endTxn(c2, open, false)).errorCode, 0, 'its producer can still abort it');
  const after = await fetchOne(c2, { topic: 'tx', offset: 0 }, { isolationLevel: 1 });
  t.equal(after.lastStableOffset, after.highWatermark, 'nothing is left open');
  t.strictSame(committedValues(after.records, after.abortedTransactions).map((v) => v.value), ['c-0', 'c-1']);
});
