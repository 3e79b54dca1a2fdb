// `minikafka consume --group G` joins the consumer group: two CLI consumers share a topic's
// partitions (range assignor), each reads only its own, commits in its generation and leaves.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { KafkaClient } from '../../src/client/client.js';
import { produce } from '../../src/client/producer.js';
import { describeGroup, fetchOffsets } from '../../src/client/admin.js';
import { runCli } from '../helpers/cli-run.js';

const run = runCli;

t.test('two consumers in one group split the partitions, commit and leave', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['jobs:2'], config: { 'group.initial.rebalance.delay.ms': 0 } });
  const b = ['-b', kafka.bootstrapServers];
  const consumers = [0, 1].map(() => run(['consume', 'jobs', '--group', 'workers', '--count', '5', '--output', 'ndjson', ...b]));
  // Both members in one stable generation before anything is produced. A member learns of the
  // second join at its next heartbeat (3 s); 60 s is for a machine at load average 20.
  const g = await kafka.waitFor.group('workers', { members: 2, state: 'Stable', timeoutMs: 60_000 });
  t.equal(g.members, 2);
  const client = await KafkaClient.connect({ bootstrapServers: kafka.bootstrapServers });
  t.teardown(() => client.close());
  for (const p of [0, 1]) await produce(client, 'jobs', Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from(`p${p}-${i}`), partition: p })));
  const results = await Promise.all(consumers);
  const read = results.map((r) => {
    t.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { partition: number; offset: number; value: string });
  });
  const partitionsOf = read.map((rs) => [...new Set(rs.map((r) => r.partition))]);
  t.strictSame(partitionsOf.flat().sort(), [0, 1], 'each consumer read one partition, not the same one');
  for (const rs of read) t.strictSame(rs.map((r) => r.offset), [0, 1, 2, 3, 4], 'its partition in order');
  t.strictSame(read.flat().map((r) => r.value).sort(), ['p0-0', 'p0-1', 'p0-2', 'p0-3', 'p0-4', 'p1-0', 'p1-1', 'p1-2', 'p1-3', 'p1-4']);
  const committed = await fetchOffsets(client, 'workers');
  t.strictSame(committed.map((c) => [c.partition, c.offset]), [[0, 5], [1, 5]], 'both committed what they read');
  const described = await describeGroup(client, 'workers');
  t.equal(described.groupState, 'Empty', 'both left the group');

  // A third run continues from the committed offsets: nothing new, so -e ends at once.
  const again = await run(['consume', 'jobs', '--group', 'workers', '-e', ...b]);
  t.equal(again.status, 0, again.stderr);
  t.equal(again.stdout, '');
});
