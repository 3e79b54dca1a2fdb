import t from 'tap';
import { parseFaultSpec, scopeMatches, apiKeyOf, errorCodeOf } from '../../../src/server/control/fault-rules.js';
import type { RequestFacts } from '../../../src/server/control/fault-rules.js';
import { requestTopics } from '../../../src/server/control/request-topics.js';
import { ControlError } from '../../../src/server/control/control-error.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/messages/api-table.js';

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return { broker: 1, apiKey: ApiKey.Produce, clientId: 'app', topics: [{ name: 'orders', partitions: [0, 2] }], ...over };
}

const scopeOf = (spec: object) => parseFaultSpec({ action: 'hang', ...spec }).scope;

t.test('API names resolve as Kafka spells them, in any case, or by key', async (t) => {
  t.equal(apiKeyOf('Produce'), 0);
  t.equal(apiKeyOf('produce'), 0);
  t.equal(apiKeyOf('LIST_OFFSETS'), ApiKey.ListOffsets);
  t.equal(apiKeyOf('consumer-group-heartbeat'), ApiKey.ConsumerGroupHeartbeat);
  t.equal(apiKeyOf(1), 1);
  t.equal(apiKeyOf('1'), 1);
  t.throws(() => apiKeyOf('Produse'), ControlError);
  t.throws(() => apiKeyOf(9999), ControlError);
});

t.test('error names and codes resolve; NONE and unknown ones are refused', async (t) => {
  t.equal(errorCodeOf('NOT_LEADER_OR_FOLLOWER'), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.equal(errorCodeOf('not_leader_or_follower'), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.equal(errorCodeOf(7), ErrorCode.REQUEST_TIMED_OUT);
  t.throws(() => errorCodeOf('NONE'), ControlError);
  t.throws(() => errorCodeOf(0), ControlError);
  t.throws(() => errorCodeOf(31_000), ControlError);
});

t.test('specs are validated with one clear sentence each', async (t) => {
  const bad: [unknown, RegExp][] = [
    [null, /JSON object/],
    [{ api: 'Produce' }, /"action" must be one of/],
    [{ action: 'explode' }, /"action" must be one of/],
    [{ action: 'error' }, /needs "error"/],
    [{ action: 'error', error: 'NOPE' }, /unknown error 'NOPE'/],
    [{ action: 'latency' }, /needs "ms"/],
    [{ action: 'latency', ms: -5 }, /"ms" must be an integer >= 0/],
    [{ action: 'hang', partition: 1 }, /"partition" needs "topic"/],
    [{ action: 'hang', count: 0 }, /"count" must be an integer >= 1/],
    [{ action: 'hang', colour: 'red' }, /unknown field "colour"/],
    [{ action: 'hang', ms: 5 }, /unknown field "ms" for a hang fault/],
    [{ action: 'disconnect', when: 'later' }, /"when" must be "before" or "after"/],
    [{ action: 'hang', topic: 7 }, /"topic" must be a string/],
  ];
  for (const [spec, msg] of bad) t.throws(() => parseFaultSpec(spec), { name: 'ControlError', code: 'BAD_REQUEST', message: msg }, JSON.stringify(spec));
  const ok = parseFaultSpec({ api: 'Produce', topic: 'orders', partition: 2, action: 'error', error: 'NOT_LEADER_OR_FOLLOWER', count: 3, durationMs: 1000 });
  t.same(ok, { scope: { broker: null, apiKey: 0, topic: 'orders', partition: 2, clientId: null }, action: { kind: 'error', code: 6 }, count: 3, durationMs: 1000 });
  t.same(parseFaultSpec({ action: 'disconnect' }).action, { kind: 'disconnect', after: false });
  t.same(parseFaultSpec({ action: 'disconnect', when: 'after' }).action, { kind: 'disconnect', after: true });
});

t.test('scope: each given field must match, missing ones match anything', async (t) => {
  t.ok(scopeMatches(scopeOf({}), facts()), 'empty scope matches everything');
  t.ok(scopeMatches(scopeOf({ broker: 1 }), facts()));
  t.notOk(scopeMatches(scopeOf({ broker: 2 }), facts()));
  t.ok(scopeMatches(scopeOf({ api: 'Produce' }), facts()));
  t.notOk(scopeMatches(scopeOf({ api: 'Fetch' }), facts()));
  t.ok(scopeMatches(scopeOf({ clientId: 'app' }), facts()));
  t.notOk(scopeMatches(scopeOf({ clientId: 'other' }), facts()));
  t.notOk(scopeMatches(scopeOf({ clientId: 'app' }), facts({ clientId: null })));
  t.ok(scopeMatches(scopeOf({ topic: 'orders' }), facts()));
  t.notOk(scopeMatches(scopeOf({ topic: 'payments' }), facts()));
  t.ok(scopeMatches(scopeOf({ topic: 'orders', partition: 2 }), facts()));
  t.notOk(scopeMatches(scopeOf({ topic: 'orders', partition: 1 }), facts()));
  t.notOk(scopeMatches(scopeOf({ topic: 'orders' }), facts({ topics: null })), 'an API naming no topics never matches a topic scope');
  t.ok(scopeMatches(scopeOf({ topic: 'orders', partition: 5 }), facts({ topics: [{ name: 'orders', partitions: null }] })), 'a request naming the whole topic covers every partition');
  t.notOk(scopeMatches(scopeOf({ api: 'Produce', broker: 1, topic: 'orders', partition: 0, clientId: 'nope' }), facts()), 'all fields must match');
});

t.test('request topics are read from the decoded bodies of the APIs that name them', async (t) => {
  const ids = new Map([['id-payments', 'payments']]);
  const nameOf = (id: string) => ids.get(id) ?? null;
  t.same(
    requestTopics(ApiKey.Produce, { topicData: [{ name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 1 }, { index: 3 }] }, { name: '', topicId: 'id-payments', partitionData: [{ index: 0 }] }] }, nameOf),
    [
      { name: 'orders', partitions: [1, 3] },
      { name: 'payments', partitions: [0] },
    ],
  );
  t.same(requestTopics(ApiKey.Fetch, { topics: [{ topic: 'orders', topicId: 'x', partitions: [{ partition: 2 }] }] }, nameOf), [{ name: 'orders', partitions: [2] }]);
  t.same(requestTopics(ApiKey.ListOffsets, { topics: [{ name: 'orders', partitions: [{ partitionIndex: 4 }] }] }, nameOf), [{ name: 'orders', partitions: [4] }]);
  t.same(requestTopics(ApiKey.Metadata, { topics: [{ name: 'orders', topicId: 'x' }] }, nameOf), [{ name: 'orders', partitions: null }]);
  t.same(requestTopics(ApiKey.Metadata, { topics: null }, nameOf), []);
  t.same(requestTopics(ApiKey.OffsetFetch, { topics: null, groups: [{ topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }] }, nameOf), [{ name: 'orders', partitions: [0, 1] }]);
  t.same(requestTopics(ApiKey.AddPartitionsToTxn, { v3AndBelowTopics: [{ name: 'orders', partitions: [7] }], transactions: [] }, nameOf), [{ name: 'orders', partitions: [7] }]);
  t.equal(requestTopics(ApiKey.Heartbeat, { groupId: 'g' }, nameOf), null, 'Heartbeat names no topics');
  t.same(requestTopics(ApiKey.Produce, { topicData: [{ name: '', topicId: 'unknown', partitionData: [] }] }, nameOf), [], 'an unknown topic id names nothing');
});
