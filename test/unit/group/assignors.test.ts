// The server-side assignors: balance, no overlap and no gap, stickiness, co-partitioning.
import t from 'tap';
import type { Test } from 'tap';
import { uniformAssignor } from '../../../src/server/coordinators/group/assignors/uniform.js';
import { rangeAssignor } from '../../../src/server/coordinators/group/assignors/range.js';
import type { AssignmentSpec, AssignorMember, TopicPartitions } from '../../../src/server/coordinators/group/assignors/assignor.js';

const topics = new Map([
  ['A', { id: 'A', name: 'a', numPartitions: 6 }],
  ['B', { id: 'B', name: 'b', numPartitions: 3 }],
]);

function member(memberId: string, subscribed: string[], current: Record<string, number[]> = {}, instanceId: string | null = null): AssignorMember {
  return { memberId, instanceId, rackId: null, subscribedTopicIds: new Set(subscribed), currentAssignment: new Map(Object.entries(current).map(([k, v]) => [k, new Set(v)])) };
}

function flat(a: TopicPartitions | undefined): string[] {
  const out: string[] = [];
  for (const [t, ps] of a ?? new Map()) for (const p of [...ps].sort((x, y) => x - y)) out.push(`${t}${p}`);
  return out.sort();
}

function checkComplete(tt: Test, result: Map<string, TopicPartitions>, expected: string[]): void {
  const all = [...result.values()].flatMap(flat);
  tt.same([...all].sort(), [...expected].sort(), 'every partition exactly once');
}

const ALL_A = [0, 1, 2, 3, 4, 5].map((p) => `A${p}`);

t.test('uniform: three members split six partitions two each, no overlap, no gap', async (t) => {
  const spec: AssignmentSpec = { members: [member('m1', ['A']), member('m2', ['A']), member('m3', ['A'])], topics };
  const r = uniformAssignor.assign(spec);
  checkComplete(t, r, ALL_A);
  t.same([...r.values()].map((a) => flat(a).length), [2, 2, 2]);
  t.same(uniformAssignor.assign(spec), r, 'deterministic');
});

t.test('uniform: sticky when a member joins and when one leaves', async (t) => {
  const two = uniformAssignor.assign({ members: [member('m1', ['A'], { A: [0, 1, 2] }), member('m2', ['A'], { A: [3, 4, 5] })], topics });
  t.same(flat(two.get('m1')), ['A0', 'A1', 'A2'], 'a balanced assignment is kept as is');
  const three = uniformAssignor.assign({ members: [member('m1', ['A'], { A: [0, 1, 2] }), member('m2', ['A'], { A: [3, 4, 5] }), member('m3', ['A'])], topics });
  checkComplete(t, three, ALL_A);
  t.equal(flat(three.get('m3')).length, 2, 'the new member gets its share');
  t.ok(flat(three.get('m1')).every((p) => ['A0', 'A1', 'A2'].includes(p)), 'm1 only gives partitions away');
  t.ok(flat(three.get('m2')).every((p) => ['A3', 'A4', 'A5'].includes(p)), 'm2 only gives partitions away');
  const one = uniformAssignor.assign({ members: [member('m1', ['A'], { A: [0, 1] }), member('m3', ['A'], { A: [4, 5] })], topics });
  checkComplete(t, one, ALL_A);
  t.ok(['A0', 'A1'].every((p) => flat(one.get('m1')).includes(p)) && ['A4', 'A5'].every((p) => flat(one.get('m3')).includes(p)), 'survivors keep what they had');
});

t.test('uniform: invalid current partitions (unsubscribed topic, gone partition, claimed twice) are dropped', async (t) => {
  const r = uniformAssignor.assign({ members: [member('m1', ['A'], { A: [0, 9], B: [0] }), member('m2', ['A'], { A: [0, 1] })], topics });
  checkComplete(t, r, ALL_A);
  t.ok(flat(r.get('m1')).includes('A0'), 'the first claimant keeps a partition claimed twice');
});

t.test('uniform: heterogeneous subscriptions are balanced where they overlap', async (t) => {
  const r = uniformAssignor.assign({ members: [member('m1', ['A', 'B']), member('m2', ['A']), member('m3', ['B'])], topics });
  checkComplete(t, r, [...ALL_A, 'B0', 'B1', 'B2']);
  const loads = [...r.values()].map((a) => flat(a).length);
  t.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced within one: ${loads}`);
  t.ok(flat(r.get('m2')).every((p) => p.startsWith('A')) && flat(r.get('m3')).every((p) => p.startsWith('B')), 'only subscribed topics');
});

t.test('uniform: no members, no topics', async (t) => {
  t.same(uniformAssignor.assign({ members: [], topics }).size, 0);
  t.same(flat(uniformAssignor.assign({ members: [member('m1', [])], topics }).get('m1')), []);
});

t.test('range: contiguous ranges, extra partitions to the first members, co-partitioned topics', async (t) => {
  const r = rangeAssignor.assign({ members: [member('m2', ['A', 'B']), member('m1', ['A', 'B']), member('m3', ['A', 'B'])], topics });
  t.same(flat(r.get('m1')), ['A0', 'A1', 'B0']);
  t.same(flat(r.get('m2')), ['A2', 'A3', 'B1']);
  t.same(flat(r.get('m3')), ['A4', 'A5', 'B2']);
  const four = rangeAssignor.assign({ members: ['m1', 'm2', 'm3', 'm4'].map((m) => member(m, ['A'])), topics });
  t.same(['m1', 'm2', 'm3', 'm4'].map((m) => flat(four.get(m))), [['A0', 'A1'], ['A2', 'A3'], ['A4'], ['A5']]);
});

t.test('range: static members sort first, by instance id; heterogeneous counts subscribers per topic', async (t) => {
  const r = rangeAssignor.assign({ members: [member('a', ['A']), member('z', ['A'], {}, 'i1'), member('y', ['A'], {}, 'i0')], topics });
  t.same(flat(r.get('y')), ['A0', 'A1']);
  t.same(flat(r.get('z')), ['A2', 'A3']);
  t.same(flat(r.get('a')), ['A4', 'A5']);
  const h = rangeAssignor.assign({ members: [member('m1', ['A', 'B']), member('m2', ['B'])], topics });
  t.same(flat(h.get('m1')), ['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'B0', 'B1']);
  t.same(flat(h.get('m2')), ['B2']);
});
