// The whole data directory crashed at every write boundary of a small broker workload (topics
// created and deleted, a config change, appends, a committed offset, DeleteRecords, flushes, a
// clean stop), then reopened: what was acknowledged comes back. After a process crash that is
// everything whose call returned; after a power cut, what was made durable (the metadata file is
// written durably before a topic or config change returns; data by the flushes).
import t from 'tap';
import { Broker, configStoreOf, groupCoordinatorOf } from '../../../src/server/broker.js';
import { applyBrokerConfig, defaultBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { createTopic } from '../../../src/server/cluster/topic-create.js';
import { DataDir } from '../../../src/server/persistence/data-dir.js';
import { MemoryFileSystem, SimulatedCrash, seededRandom } from '../../../src/log/disk/memory-file-system.js';
import type { CrashOptions } from '../../../src/log/disk/memory-file-system.js';
import { createLogger } from '../../../src/util/logger.js';
import { produce, stored } from './helpers.js';

const silent = createLogger('error', () => {});

// Brokers of crashed workloads are never closed by the workload: closed at the end (their timers).
const brokers: Broker[] = [];

function open(fs: MemoryFileSystem): { broker: Broker; dir: DataDir } {
  const config = defaultBrokerConfig();
  // One __consumer_offsets partition keeps the workload small: every write is a crash point.
  applyBrokerConfig(config, 'offsets.topic.num.partitions', '1');
  const broker = new Broker({ config, logger: silent });
  brokers.push(broker);
  return { broker, dir: DataDir.open(broker, { path: '/data', fs, flushIntervalMs: 0 }) };
}

interface Acked {
  topicA: string | null;
  batches: number;
  syncedBatches: number;
  retention: boolean;
  committed: boolean;
  syncedCommit: boolean;
  logStart: number;
  topicBDeleted: boolean;
  topicBCreated: boolean;
  done: boolean;
}

async function workload(fs: MemoryFileSystem, a: Acked): Promise<void> {
  const { broker, dir } = open(fs);
  const topic = createTopic(broker.cluster, broker.config, { name: 'a', numPartitions: 2, configs: new Map([['cleanup.policy', 'delete']]) });
  a.topicA = topic.id;
  const p = topic.partitions[0]!;
  for (let id = 0; id < 4; id++) {
    produce(p, { id, records: 2 });
    a.batches++;
  }
  const gc = groupCoordinatorOf(broker);
  gc.commitOffsets(
    { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [] },
    [{ name: 'a', topicId: topic.id, partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: 'x' }] }],
    8,
  );
  a.committed = true;
  await dir.flushAll();
  a.syncedBatches = a.batches;
  a.syncedCommit = true;
  configStoreOf(broker.cluster, broker.config).setTopicConfigs(topic, new Map([['cleanup.policy', 'delete'], ['retention.ms', '3600000']]));
  a.retention = true;
  p.log.deleteRecordsBefore(4);
  a.logStart = 4;
  const b = createTopic(broker.cluster, broker.config, { name: 'b', numPartitions: 1 });
  a.topicBCreated = true;
  produce(b.partitions[0]!, { id: 100 });
  for (let id = 4; id < 7; id++) {
    produce(p, { id });
    a.batches++;
  }
  broker.cluster.topics.delete(b);
  a.topicBDeleted = true;
  await dir.flushAll();
  a.syncedBatches = a.batches;
  await broker.close();
  await dir.close();
  a.done = true;
}

async function check(t: import('tap').Test, fs: MemoryFileSystem, crash: CrashOptions, a: Acked, label: string): Promise<void> {
  const image = fs.afterCrash(crash);
  let reopened;
  try {
    reopened = open(image);
  } catch (e) {
    t.fail(`${label}: reopening failed: ${(e as Error).message}`);
    return;
  }
  const { broker, dir } = reopened;
  const topics = broker.cluster.topics;
  const fail = (what: string) => t.fail(`${label}: ${what}`);
  const ta = topics.get('a');
  if (a.topicA !== null) {
    if (ta === undefined) fail('topic a is gone');
    else if (ta.id !== a.topicA || ta.partitions.length !== 2) fail('topic a changed');
  }
  if (ta !== undefined) {
    const ids = stored(ta.partitions[0]!).map((s) => s.id);
    const firstId = ids[0] ?? 0;
    // A prefix of what was written (from the log start), each batch once.
    if (!ids.every((id, i) => id === firstId + i)) fail(`partition a-0 is not a prefix: ${ids}`);
    const end = firstId + ids.length;
    const mustHave = crash.mode === 'process' ? a.batches : a.syncedBatches;
    if (end < mustHave) fail(`a-0 ends at batch ${end}, ${mustHave} acknowledged`);
    if (ta.partitions[0]!.log.logStartOffset < (crash.mode === 'process' ? a.logStart : 0)) fail('the log start went back');
    if (a.retention && ta.configs.get('retention.ms') !== '3600000') fail('the config change is lost');
    const committed = groupCoordinatorOf(broker).offsets.get('g', 'a', 0);
    if ((crash.mode === 'process' ? a.committed : a.syncedCommit) && committed?.offset !== 3n) fail('the committed offset is lost');
  }
  if (a.topicBDeleted && topics.get('b') !== undefined) fail('deleted topic b came back');
  if (topics.get('b') === undefined && image.exists('/data/b-0') && a.topicBDeleted) fail('b-0 directory left behind');
  await broker.close();
  await dir.close();
}

t.test('a data directory crashed at every write boundary comes back with what was acknowledged', async (t) => {
  const fresh = (): Acked => ({ topicA: null, batches: 0, syncedBatches: 0, retention: false, committed: false, syncedCommit: false, logStart: 0, topicBDeleted: false, topicBCreated: false, done: false });
  const full = new MemoryFileSystem();
  await workload(full, fresh());
  const points = full.operations;
  t.ok(points > 100, `${points} write boundaries`);
  for (let k = 0; k <= points; k++) {
    const fs = new MemoryFileSystem();
    fs.crashAfter(k);
    const a = fresh();
    try {
      await workload(fs, a);
    } catch (e) {
      if (!(e instanceof SimulatedCrash)) throw e;
    }
    await check(t, fs, { mode: 'process' }, a, `process crash after ${k}`);
    await check(t, fs, { mode: 'power', rng: seededRandom(k) }, a, `power cut after ${k}`);
  }
  for (const b of brokers) await b.close();
});

t.test('a directory with partitions but no metadata file is refused, not cleaned up', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/kafka-logs/orders-0');
  fs.setFile('/kafka-logs/orders-0/00000000000000000000.log', Buffer.alloc(0));
  const broker = new Broker({ config: defaultBrokerConfig(), logger: silent });
  t.throws(() => DataDir.open(broker, { path: '/kafka-logs', fs }), { code: 'ERR_DATA_DIR_INVALID' });
  t.ok(fs.exists('/kafka-logs/orders-0/00000000000000000000.log'), 'nothing was removed');
  await broker.close();
});

t.test('a second broker on the same directory is refused', async (t) => {
  const fs = new MemoryFileSystem();
  const first = open(fs);
  const other = new Broker({ config: defaultBrokerConfig(), logger: silent });
  t.throws(() => DataDir.open(other, { path: '/data', fs }), { code: 'ERR_DATA_DIR_IN_USE' });
  await first.broker.close();
  await first.dir.close();
  const again = DataDir.open(other, { path: '/data', fs });
  t.equal(again.summary.cleanShutdown, true, 'after the first closed, it opens (clean shutdown)');
  await other.close();
  await again.close();
});
