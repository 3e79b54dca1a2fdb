// Streams groups (KIP-1071) without the wire: the topology configured against topics (partition
// counts of internal topics, copartitioning, missing topics), the sticky task assignor (balance,
// stickiness, standbys on other processes) and the member reconciliation (revoke before assign).
import t from 'tap';
import { ManualClock } from '../../../src/util/clock.js';
import { createLogger } from '../../../src/util/logger.js';
import { Cluster } from '../../../src/server/cluster/cluster.js';
import { defaultBrokerConfig } from '../../../src/server/cluster/broker-config.js';
import { configureTopology, StreamsStatus } from '../../../src/server/coordinators/streams/streams-topology.js';
import type { StreamsTopology, Subtopology } from '../../../src/server/coordinators/streams/streams-topology.js';
import { assignTasks } from '../../../src/server/coordinators/streams/sticky-task-assignor.js';
import type { AssignorMember } from '../../../src/server/coordinators/streams/sticky-task-assignor.js';
import { freshStreamsMember, MemberState, reconcileStreamsMember } from '../../../src/server/coordinators/streams/streams-member.js';
import type { TaskHolders, TaskTuple } from '../../../src/server/coordinators/streams/streams-member.js';

function cluster(topics: Record<string, number>): Cluster {
  const clock = new ManualClock(0);
  const c = new Cluster('c', clock, createLogger('error'), defaultBrokerConfig());
  c.registerBroker({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null });
  for (const [name, n] of Object.entries(topics)) c.topics.create(name, n);
  return c;
}

function sub(id: string, over: Partial<Subtopology>): Subtopology {
  return { id, sourceTopics: [], repartitionSinkTopics: [], stateChangelogTopics: [], repartitionSourceTopics: [], copartitionGroups: [], ...over };
}

const info = (name: string, partitions = 0) => ({ name, partitions, replicationFactor: 0, configs: new Map<string, string>() });

t.test('internal topics take their partition counts from the sources, as Kafka decides them', async (t) => {
  const topology: StreamsTopology = {
    epoch: 0,
    subtopologies: [
      sub('0', { sourceTopics: ['a', 'b'], repartitionSinkTopics: ['r'] }),
      sub('1', { repartitionSourceTopics: [info('r')], stateChangelogTopics: [info('s-changelog')] }),
    ],
  };
  const c = cluster({ a: 2, b: 5 });
  const configured = configureTopology(topology, c.topics);
  t.strictSame(configured.toCreate.map((x) => [x.name, x.partitions]), [['r', 5], ['s-changelog', 5]], 'the repartition topic takes the largest writer source; the changelog the task count');
  t.strictSame(configured.status, { code: StreamsStatus.MISSING_INTERNAL_TOPICS, detail: 'Internal topics are missing: r, s-changelog' });
  t.strictSame([...configured.subtopologies!.values()].map((s) => [s.id, s.numTasks, s.stateful]), [['0', 5, false], ['1', 5, true]]);

  c.topics.create('r', 5);
  c.topics.create('s-changelog', 3);
  const wrong = configureTopology(topology, c.topics);
  t.strictSame(wrong.status, { code: StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, detail: 'Existing topic s-changelog has different number of partitions: expected 5, found 3' });
  t.equal(wrong.subtopologies, null);

  const missing = configureTopology({ epoch: 0, subtopologies: [sub('0', { sourceTopics: ['x', 'a', 'w'] })] }, c.topics);
  t.strictSame(missing.status, { code: StreamsStatus.MISSING_SOURCE_TOPICS, detail: 'Source topics w, x are missing.' });

  const copartitioned = configureTopology({ epoch: 0, subtopologies: [sub('0', { sourceTopics: ['a', 'b'], copartitionGroups: [['a', 'b']] })] }, c.topics);
  t.equal(copartitioned.status?.code, StreamsStatus.INCORRECTLY_PARTITIONED_TOPICS, 'a copartition group of 2 and 5 partitions');
});

const none = new Map<string, Set<number>>();
function member(memberId: string, processId: string, active: Record<string, number[]> = {}, standby: Record<string, number[]> = {}): AssignorMember {
  const m = (r: Record<string, number[]>) => new Map(Object.entries(r).map(([k, v]) => [k, new Set(v)]));
  return { memberId, processId, active: m(active), standby: m(standby), warmup: none };
}
const subs = [
  { id: '0', numTasks: 4, inputTopics: ['in'], stateful: false },
  { id: '1', numTasks: 4, inputTopics: ['r'], stateful: true },
];
const flat = (m: Map<string, Set<number>>) => [...m].flatMap(([s, ps]) => [...ps].map((p) => `${s}_${p}`)).sort();

t.test('the sticky task assignor balances, keeps owners, and puts standbys on other processes', async (t) => {
  const first = assignTasks([member('a', 'p1'), member('b', 'p2')], subs, 1);
  const a = first.get('a')!;
  const b = first.get('b')!;
  t.equal(flat(a.active).length, 4);
  t.equal(flat(b.active).length, 4);
  t.equal(flat(a.active).filter((x) => x.startsWith('1_')).length, 2, 'stateful tasks balanced on their own');
  t.strictSame(flat(a.standby), flat(b.active).filter((x) => x.startsWith('1_')), "a's standbys are b's stateful actives");
  t.strictSame(flat(b.standby), flat(a.active).filter((x) => x.startsWith('1_')));

  // A third member on p1: tasks move only as needed, previous owners keep theirs up to the quota.
  const rec = (x: Map<string, Set<number>>) => Object.fromEntries([...x].map(([k, v]) => [k, [...v]]));
  const second = assignTasks([member('a', 'p1', rec(a.active), rec(a.standby)), member('b', 'p2', rec(b.active), rec(b.standby)), member('c', 'p1')], subs, 1);
  const kept = flat(second.get('a')!.active).filter((x) => flat(a.active).includes(x)).length + flat(second.get('b')!.active).filter((x) => flat(b.active).includes(x)).length;
  t.ok(kept >= 6, `most active tasks stay with their owner (${kept} of 8)`);
  const counts = ['a', 'b', 'c'].map((m) => flat(second.get(m)!.active).length).sort();
  t.strictSame(counts, [2, 3, 3], 'balanced over three members');
  for (const task of ['1_0', '1_1', '1_2', '1_3']) {
    const activeOn = ['a', 'b', 'c'].find((m) => flat(second.get(m)!.active).includes(task))!;
    const standbyOn = ['a', 'b', 'c'].filter((m) => flat(second.get(m)!.standby).includes(task));
    const proc = (m: string) => (m === 'b' ? 'p2' : 'p1');
    t.ok(standbyOn.length === 1 && proc(standbyOn[0]!) !== proc(activeOn), `${task}: one standby, on the other process`);
  }
  t.strictSame(flat(assignTasks([member('a', 'p1')], subs, 1).get('a')!.standby), [], 'no standby without another process');
});

t.test('reconciliation: revoke first, then take tasks once released', async (t) => {
  const noHolders: TaskHolders = { activeProcess: () => undefined, standbyProcesses: () => new Set(), warmupProcesses: () => new Set() };
  const tuple = (active: Record<string, number[]>): TaskTuple => ({ active: new Map(Object.entries(active).map(([k, v]) => [k, new Set(v)])), standby: new Map(), warmup: new Map() });
  const m = { ...freshStreamsMember('m'), processId: 'p', memberEpoch: 1, assigned: tuple({ '0': [0, 1] }) };
  const revoking = reconcileStreamsMember(m, 2, tuple({ '0': [0, 2] }), null, noHolders);
  t.match(revoking, { state: MemberState.UNREVOKED_TASKS, memberEpoch: 1 });
  t.strictSame(flat(revoking.pendingRevocation.active), ['0_1']);
  t.strictSame(flat(revoking.assigned.active), ['0_0'], 'the new task waits for the revocation');
  t.equal(reconcileStreamsMember(revoking, 2, tuple({ '0': [0, 2] }), tuple({ '0': [0, 1] }), noHolders), revoking, 'still owned: no progress');
  const held: TaskHolders = { ...noHolders, activeProcess: (s, p) => (s === '0' && p === 2 ? 'other' : undefined) };
  const waiting = reconcileStreamsMember(revoking, 2, tuple({ '0': [0, 2] }), tuple({ '0': [0] }), held);
  t.match(waiting, { state: MemberState.UNRELEASED_TASKS, memberEpoch: 2, previousMemberEpoch: 1 });
  t.strictSame(flat(waiting.assigned.active), ['0_0'], 'task 2 is still active elsewhere');
  const done = reconcileStreamsMember(waiting, 2, tuple({ '0': [0, 2] }), null, noHolders);
  t.match(done, { state: MemberState.STABLE, memberEpoch: 2 });
  t.strictSame(flat(done.assigned.active), ['0_0', '0_2']);
});
