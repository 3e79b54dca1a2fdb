// Named snapshots (src/server/control/snapshots.ts): a test prepares a state, saves it, changes
// things, restores; every check goes over the Kafka protocol, as a client would see the cluster.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { commit, committed } from '../helpers/group-offsets.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
import { fetchOne, listOffset, produceOne } from '../helpers/data-path.js';
import { addPartitions, endTxn, entriesOf, initProducerId, readCommitted, send, transactionalProducer, values } from '../helpers/transactions.js';
import type { Producer } from '../helpers/transactions.js';
import {
  CreateAclsApi,
  DescribeAclsApi,
  DeleteTopicsApi,
  DescribeConfigsApi,
  DescribeTransactionsApi,
  IncrementalAlterConfigsApi,
  ListGroupsApi,
  MetadataApi,
} from '../../src/protocol/messages/index.js';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { LEAK_BROKER, LEAK_KINDS, SESSION_TOPIC, leakClients } from '../helpers/leak-kinds.js';

const TOPIC = 2;
const BROKER = 4;
const LATEST = -1n;
const batch = (...vs: string[]) => buildBatchSync(vs.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() })));

async function commitOk(c: WireClient, group: string, topic: string, offset: bigint): Promise<number> {
  return (await commit(c, group, topic, offset)).topics[0]!.partitions[0]!.errorCode;
}

async function topics(c: WireClient): Promise<{ name: string; id: string }[]> {
  const m = await c.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false });
  return m.topics.map((x) => ({ name: x.name!, id: x.topicId })).sort((a, b) => a.name.localeCompare(b.name));
}

async function leaderEpoch(c: WireClient, topic: string): Promise<number> {
  const m = await c.request(MetadataApi, 12, { topics: [{ name: topic, topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, includeClusterAuthorizedOperations: false });
  return m.topics[0]!.partitions[0]!.leaderEpoch;
}

async function alterConfig(c: WireClient, resourceType: number, resourceName: string, name: string, value: string): Promise<number> {
  const r = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType, resourceName, configs: [{ name, configOperation: 0, value }] }], validateOnly: false });
  return r.responses[0]!.errorCode;
}

async function config(c: WireClient, resourceType: number, resourceName: string, name: string): Promise<string | null> {
  const r = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType, resourceName, configurationKeys: [name] }], includeSynonyms: false, includeDocumentation: false });
  return r.results[0]!.configs[0]!.value;
}

async function groups(c: WireClient): Promise<string[]> {
  return (await c.request(ListGroupsApi, 4, { statesFilter: [], typesFilter: [] })).groups.map((g) => g.groupId).sort();
}

async function acls(c: WireClient): Promise<string[]> {
  const r = await c.request(DescribeAclsApi, 3, { resourceTypeFilter: ResourceType.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY });
  return r.resources.flatMap((x) => x.acls.map((a) => `${x.resourceName}:${a.principal}`)).sort();
}

/** The values fetched from `topic` partition `partition`, from offset 0. */
async function read(c: WireClient, topic: string, partition = 0): Promise<string[]> {
  const f = await fetchOne(c, { topic, partition, offset: 0 });
  if (f.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}: error ${f.errorCode}`);
  return entriesOf(f.records).map((e) => ('value' in e ? e.value : `<${e.marker}>`));
}

async function endOffset(c: WireClient, topic: string, partition = 0): Promise<bigint> {
  return (await listOffset(c, topic, LATEST, { partition })).offset;
}

t.test('restore: topics, records, committed offsets, configs, ACLs and producer state as saved; twice', async (t) => {
  await using kafka = await MiniKafka.start({ ...LEAK_BROKER, brokers: 1, topics: ['orders:2'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  // The prepared state: records on both partitions, an idempotent producer's three batches, a
  // group's committed offset, a topic config and a broker config.
  t.equal((await produceOne(c, 'orders', batch('a', 'b'))).errorCode, 0);
  t.equal((await produceOne(c, 'orders', batch('p1'), { partition: 1 })).errorCode, 0);
  const init = await initProducerId(c, null);
  const idem: Producer = { transactionalId: '', producerId: init.producerId, producerEpoch: init.producerEpoch, sequences: new Map() };
  for (const v of ['c', 'd']) t.equal((await send(c, idem, 'orders', 0, values(v, 1), { transactional: false })).errorCode, 0);
  t.equal(await commitOk(c, 'g', 'orders', 3n), 0);
  t.equal(await alterConfig(c, TOPIC, 'orders', 'retention.ms', '123456'), 0);
  t.equal(await alterConfig(c, BROKER, '1', 'message.max.bytes', '2000000'), 0);
  const before = await topics(c);
  let epoch = await leaderEpoch(c, 'orders');
  const info = await kafka.snapshot('prepared');
  t.equal(info.name, 'prepared');
  t.equal(info.batches, 5, 'three batches on orders-0, one on orders-1, the commit on __consumer_offsets');

  // Everything changes: a new topic, more records, new commits, configs, an ACL.
  kafka.createTopic('extra');
  t.equal((await produceOne(c, 'extra', batch('x'))).errorCode, 0);
  t.equal((await send(c, idem, 'orders', 0, values('e', 1), { transactional: false })).errorCode, 0);
  t.equal((await produceOne(c, 'orders', batch('p1-late'), { partition: 1 })).errorCode, 0);
  t.equal(await commitOk(c, 'g', 'orders', 5n), 0);
  t.equal(await commitOk(c, 'late-group', 'orders', 1n), 0);
  t.equal(await alterConfig(c, TOPIC, 'orders', 'retention.ms', '999'), 0);
  t.equal(await alterConfig(c, BROKER, '1', 'message.max.bytes', '3000000'), 0);
  const created = await c.request(CreateAclsApi, 3, {
    creations: [{ resourceType: ResourceType.TOPIC, resourceName: 'orders', resourcePatternType: PatternType.LITERAL, principal: 'User:bob', host: '*', operation: AclOperation.WRITE, permissionType: AclPermissionType.DENY }],
  });
  t.equal(created.results[0]!.errorCode, 0);
  t.strictSame(await acls(c), ['audit:User:admin', 'orders:User:bob']);

  for (const round of [1, 2]) {
    const report = await kafka.restore('prepared');
    const restoredEpoch = await leaderEpoch(c, 'orders');
    t.ok(restoredEpoch > epoch, `round ${round}: a new leader epoch (${restoredEpoch} after ${epoch}), so that clients take the restored metadata`);
    epoch = restoredEpoch;
    t.equal(report.topicsRestored, 2, `round ${round}: orders and __consumer_offsets`);
    t.strictSame(await topics(c), before, `round ${round}: the saved topics, under their saved ids`);
    t.equal(await endOffset(c, 'orders'), 4n, `round ${round}: records appended after the snapshot are gone`);
    t.equal(await endOffset(c, 'orders', 1), 1n);
    t.strictSame(await read(c, 'orders'), ['a', 'b', 'c-0', 'd-0']);
    t.strictSame(await read(c, 'orders', 1), ['p1']);
    t.equal(await committed(c, 'g', 'orders'), 3n, `round ${round}: the commit after the snapshot is reverted`);
    t.equal(await committed(c, 'late-group', 'orders'), -1n);
    t.strictSame(await groups(c), ['g'], `round ${round}: only the group of the snapshot`);
    t.equal(await config(c, TOPIC, 'orders', 'retention.ms'), '123456');
    t.equal(await config(c, BROKER, '1', 'message.max.bytes'), '2000000');
    t.strictSame(await acls(c), ['audit:User:admin'], `round ${round}: the ACL made after the snapshot is gone`);

    // Produce and consume go on from the snapshot's end offset; the idempotent producer's state
    // is the snapshot's: its last batch is a duplicate again, and its next sequence is 2.
    const dup = await send(c, idem, 'orders', 0, values('d', 1), { transactional: false, sequence: 1 });
    t.strictSame([dup.errorCode, dup.baseOffset], [0, 3n], `round ${round}: a retry of the last batch is a duplicate`);
    t.equal(await endOffset(c, 'orders'), 4n);
    const again = await send(c, idem, 'orders', 0, values(`r${round}`, 1), { transactional: false, sequence: 2 });
    t.strictSame([again.errorCode, again.baseOffset], [0, 4n], `round ${round}: the producer's sequence 2 goes on at offset 4`);
    t.strictSame(await read(c, 'orders'), ['a', 'b', 'c-0', 'd-0', `r${round}-0`]);
    t.equal(await commitOk(c, 'g', 'orders', 5n), 0);
    t.equal(await committed(c, 'g', 'orders'), 5n);
  }
  t.equal(kafka.snapshots.get('prepared').batches, info.batches, 'restoring does not change the snapshot');
  t.strictSame(kafka.snapshots.list().map((s) => s.name), ['prepared']);
  t.equal(kafka.snapshots.delete('prepared'), true);
  await t.rejects(kafka.restore('prepared'), { code: 'NOT_FOUND' });
});

t.test('a topic deleted after the snapshot comes back under its id with a leader epoch above any it had', async (t) => {
  await using kafka = await MiniKafka.start({ brokers: 2 });
  kafka.createTopic('orders', 1, {}, 2);
  const c = await WireClient.connect(kafka.brokers[0]!.bootstrapServers);
  t.teardown(() => c.close());
  const id = (await topics(c)).find((x) => x.name === 'orders')!.id;
  await kafka.snapshot('s');
  // Leadership moves twice after the snapshot, then the topic is deleted over the protocol.
  const leader = kafka.partition('orders', 0).leader;
  kafka.moveLeader('orders', 0, leader === 1 ? 2 : 1);
  kafka.moveLeader('orders', 0, leader);
  const seen = await leaderEpoch(c, 'orders');
  t.equal(seen, 2);
  const del = await c.request(DeleteTopicsApi, 6, { topics: [{ name: 'orders', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 5000 });
  t.equal(del.responses[0]!.errorCode, 0);
  await kafka.restore('s');
  t.strictSame((await topics(c)).map((x) => x.id), [id]);
  t.ok((await leaderEpoch(c, 'orders')) > seen, 'above the epoch clients saw before the deletion');
});

t.test('restore puts back everything a reset does (each kind of leaked state)', async (t) => {
  await using kafka = await MiniKafka.start({ ...LEAK_BROKER, topics: [SESSION_TOPIC] });
  const { clientOf, env, close } = leakClients(kafka);
  t.teardown(close);
  const c = await clientOf(1);
  await kafka.snapshot('start');
  for (const [i, kind] of LEAK_KINDS.entries()) await kind.change(c, i, env);
  const report = await kafka.restore('start');
  t.equal(report.brokersStarted, 1, 'the stopped broker runs again');
  const left: Record<string, string> = {};
  for (const kind of LEAK_KINDS) {
    const l = await kind.leftover(c, env);
    if (l !== null) left[kind.name] = l;
  }
  t.strictSame(left, {});
});

t.test('a transaction open at the snapshot comes back open, and its producer can commit it', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders'] });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const p = await transactionalProducer(c, 'tx');
  t.strictSame(await addPartitions(c, p, 'orders', [0]), [0]);
  t.equal((await send(c, p, 'orders', 0, values('t', 2))).errorCode, 0);
  await kafka.snapshot('open');
  t.equal((await endTxn(c, p, false)).errorCode, 0, 'aborted after the snapshot');
  await kafka.restore('open');
  const d = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx'] })).transactionStates[0]!;
  t.strictSame([d.errorCode, d.transactionState], [0, 'Ongoing']);
  t.strictSame(await readCommitted(c, 'orders', 0), { records: [], openTransaction: true }, 'the last stable offset is held again');
  t.equal((await endTxn(c, p, true)).errorCode, 0);
  t.strictSame((await readCommitted(c, 'orders', 0)).records.map((r) => r.value), ['t-0', 't-1']);
});

t.test('snapshots over HTTP: save, list, restore, delete; unknown names answer 404', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  const url = kafka.controlUrl!;
  t.equal((await produceOne(c, 'orders', batch('a'))).errorCode, 0);
  const saved = await fetch(`${url}/snapshots/one`, { method: 'POST' });
  t.equal(saved.status, 201);
  t.match(await saved.json(), { name: 'one', topics: 1, partitions: 1, batches: 1 });
  t.strictSame(((await (await fetch(`${url}/snapshots`)).json()) as { name: string }[]).map((s) => s.name), ['one']);
  t.equal((await produceOne(c, 'orders', batch('b'))).errorCode, 0);
  const restored = await fetch(`${url}/snapshots/one/restore`, { method: 'POST' });
  t.equal(restored.status, 200);
  t.match(await restored.json(), { name: 'one', topicsRestored: 1 });
  t.equal(await endOffset(c, 'orders'), 1n);
  const missing = await fetch(`${url}/snapshots/two/restore`, { method: 'POST' });
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: 'NOT_FOUND', message: /no snapshot 'two'/ });
  const badName = await fetch(`${url}/snapshots/${encodeURIComponent('a b')}`, { method: 'POST' });
  t.equal(badName.status, 400);
  t.equal((await fetch(`${url}/snapshots/one`, { method: 'DELETE' })).status, 204);
  t.equal((await fetch(`${url}/snapshots/one`, { method: 'DELETE' })).status, 404);
  t.equal((await fetch(`${url}/snapshots/one`)).status, 404);
});

t.test('snapshots refuse a durable broker', async (t) => {
  const { MemoryFileSystem } = await import('../../src/log/disk/memory-file-system.js');
  await using kafka = await MiniKafka.start({ dataDir: '/data', fileSystem: new MemoryFileSystem() });
  await t.rejects(kafka.snapshot('s'), { code: 'CONFLICT' });
});
