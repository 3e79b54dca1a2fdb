// The fetch session cache on its own: epochs, forgetting, what an incremental answer keeps, the
// round-robin order that records buy, and eviction on a manual clock.
import t from 'tap';
import { FetchSessionCache } from '../../../src/server/cluster/fetch-sessions.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ZERO_UUID } from '../../../src/protocol/uuid.js';
import type { FetchRequest, FetchResponse, FetchResponsePartitionData } from '../../../src/protocol/messages/index.js';

function request(sessionId: number, sessionEpoch: number, partitions: number[], forgotten: number[] = []): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: partitions.length === 0 ? [] : [{ topic: 't', topicId: ZERO_UUID, partitions: partitions.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: ZERO_UUID, highWatermark: -1n })) }],
    forgottenTopicsData: forgotten.length === 0 ? [] : [{ topic: 't', topicId: ZERO_UUID, partitions: forgotten }],
    rackId: '',
  };
}

function data(partitionIndex: number, highWatermark: bigint, records: Buffer[]): FetchResponsePartitionData {
  return { partitionIndex, errorCode: 0, highWatermark, lastStableOffset: highWatermark, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records };
}

function response(parts: FetchResponsePartitionData[]): FetchResponse {
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', topicId: ZERO_UUID, partitions: parts }], nodeEndpoints: [] };
}

const order = (s: { topics(): { partitions: { partition: number }[] }[] }) => s.topics().flatMap((x) => x.partitions.map((p) => p.partition));

t.test('epochs, forgetting, selection and round-robin order', async (t) => {
  const cache = new FetchSessionCache(new ManualClock(0), () => 10);
  const full = cache.open(request(0, 0, [0, 1, 2]), 12);
  if (full.kind !== 'session') throw new Error('no session');
  const s = full.session;
  t.equal(full.incremental, false);
  t.same(order(s), [0, 1, 2]);
  const first = s.select(response([data(0, 5n, [Buffer.alloc(1)]), data(1, 0n, []), data(2, 0n, [])]), false);
  t.same(first.responses[0]!.partitions.map((p) => p.partitionIndex), [0, 1, 2], 'a full answer keeps everything');
  t.equal(first.sessionId, s.id);
  t.same(order(s), [1, 2, 0], 'the partition that returned records goes to the end');

  const inc = cache.open(request(s.id, 1, []), 12);
  t.equal(inc.kind, 'session');
  const second = s.select(response([data(1, 0n, []), data(2, 3n, []), data(0, 5n, [])]), true);
  t.same(second.responses[0]!.partitions.map((p) => p.partitionIndex), [2], 'only the moved high watermark is news');
  const third = s.select(response([data(1, 0n, []), data(2, 3n, []), data(0, 5n, [])]), true);
  t.same(third.responses, [], 'nothing new: no topics at all');

  t.same(cache.open(request(s.id, 1, []), 12), { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH }, 'an old epoch');
  t.same(cache.open(request(s.id, 2, [], [1]), 12).kind, 'session');
  t.same(order(s), [2, 0], 'forgotten partition 1 left');
  t.same(cache.open(request(s.id, 3, []), 13), { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR }, 'topic ids into a session of names');
  t.same(cache.open(request(s.id, -1, [0]), 12), { kind: 'sessionless' }, 'the final epoch closes');
  t.equal(cache.size, 0);
});

t.test('a full cache evicts only a session idle for 120 s', async (t) => {
  const clock = new ManualClock(1000);
  const cache = new FetchSessionCache(clock, () => 1);
  const a = cache.open(request(0, 0, [0]), 12);
  t.equal(a.kind, 'session');
  clock.advance(119_999);
  t.same(cache.open(request(0, 0, [0]), 12), { kind: 'sessionless' }, 'no room yet');
  clock.advance(2);
  const b = cache.open(request(0, 0, [0]), 12);
  t.equal(b.kind, 'session', 'the idle one was evicted');
  t.equal(cache.size, 1);
  t.same(cache.open(request(0, 0, [0]), 7).kind, 'sessionless', 'v7 full fetch with the cache full: no session');
  t.same(cache.open(request(0, 0, [0]), 6), { kind: 'sessionless' }, 'below v7 there are no sessions');
});
