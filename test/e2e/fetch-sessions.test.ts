// Incremental fetch sessions (KIP-227) as Kafka's FetchManager runs them: a full fetch opens a
// session, incremental fetches name only what changed and are answered with only what changed,
// forgotten partitions leave, epochs are checked, the final epoch closes, a full cache means no
// session.
import t from 'tap';
import { ManualClock, MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { batchesOf, fetch, fetchRequest, produceOne } from '../helpers/data-path.js';
import type { FetchTarget } from '../helpers/data-path.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { buildBatchSync } from '../../src/protocol/records/index.js';
import { FetchApi } from '../../src/protocol/messages/index.js';
import type { FetchResponse } from '../../src/protocol/messages/index.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { until } from '../helpers/until.js';

async function connect(t: { teardown(fn: () => void): void }, kafka: MiniKafka): Promise<WireClient> {
  const c = await WireClient.connect(kafka.bootstrapServers);
  t.teardown(() => c.close());
  return c;
}

const one = (v: string) => buildBatchSync([{ value: Buffer.from(v) }]);

/** "topic/partition" of every partition in a response, in order. */
function answered(r: FetchResponse): string[] {
  return r.responses.flatMap((x) => x.partitions.map((p) => `${x.topic}/${p.partitionIndex}`));
}

t.test('a full fetch opens a session; incremental fetches answer only what changed', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['s:3'] });
  const c = await connect(t, kafka);
  await produceOne(c, 's', one('a'), { partition: 0 });
  const all: FetchTarget[] = [0, 1, 2].map((partition) => ({ topic: 's', partition }));

  const full = await fetch(c, all, { version: 12, sessionId: 0, sessionEpoch: 0 });
  t.equal(full.errorCode, ErrorCode.NONE);
  t.not(full.sessionId, 0, 'a session was created');
  t.strictSame(answered(full), ['s/0', 's/1', 's/2'], 'the full fetch answers every partition');
  const id = full.sessionId;

  // The client took p0's record and names p0 at its new position; nothing else changed, so the
  // fetch waits out maxWait and answers nothing.
  const quiet = await fetch(c, [{ topic: 's', partition: 0, offset: 1 }], { version: 12, sessionId: id, sessionEpoch: 1, maxWaitMs: 50 });
  t.strictSame([quiet.errorCode, quiet.sessionId, answered(quiet)], [ErrorCode.NONE, id, []], 'no change: an empty answer in the same session');

  // An append to a partition the request does not name is still read (the session holds it),
  // and wakes the long poll.
  // maxWaitMs is beyond tap's 30 s test timeout: an answer at all means the append woke the wait.
  const waiting = fetch(c, [], { version: 12, sessionId: id, sessionEpoch: 2, maxWaitMs: 60_000 });
  const p2 = kafka.broker.cluster.topics.partition('s', 2)!;
  await until('the session fetch to wait on p2', () => p2.listenerCount === 1);
  await produceOne(c, 's', one('b'), { partition: 2 });
  const woke = await waiting;
  t.pass('the append woke the wait');
  t.strictSame(answered(woke), ['s/2'], 'only the partition with news is answered');
  t.equal(batchesOf(woke.responses[0]!.partitions[0]!.records).length, 1, 'with its record');
  t.equal(woke.responses[0]!.partitions[0]!.highWatermark, 1n);

  // Until the client names p2 at its new position, the session reads p2 from offset 0 again.
  const repeat = await fetch(c, [], { version: 12, sessionId: id, sessionEpoch: 3, maxWaitMs: 0 });
  t.strictSame(answered(repeat), ['s/2'], 'p2 is read again from the offset the session holds');
  const caughtUp = await fetch(c, [{ topic: 's', partition: 2, offset: 1 }], { version: 12, sessionId: id, sessionEpoch: 4, maxWaitMs: 0 });
  t.strictSame(answered(caughtUp), [], 'named at its new position, p2 has nothing new');

  // Forgetting p0: appends there are no longer read.
  await produceOne(c, 's', one('c'), { partition: 0 });
  const forgot = await fetch(c, [], { version: 12, sessionId: id, sessionEpoch: 5, maxWaitMs: 0, forgotten: [{ topic: 's', partitions: [0] }] });
  t.strictSame(answered(forgot), [], 'a forgotten partition is not answered');

  // Wrong epoch, unknown session.
  const stale = await fetch(c, [], { version: 12, sessionId: id, sessionEpoch: 5 });
  t.strictSame([stale.errorCode, stale.responses.length], [ErrorCode.INVALID_FETCH_SESSION_EPOCH, 0], 'a repeated epoch: INVALID_FETCH_SESSION_EPOCH');
  const unknown = await fetch(c, [], { version: 12, sessionId: id + 1, sessionEpoch: 1 });
  t.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'another id: FETCH_SESSION_ID_NOT_FOUND');

  // Topic ids in a session opened by names: FETCH_SESSION_TOPIC_ID_ERROR.
  const ids = await fetch(c, [], { version: 13, sessionId: id, sessionEpoch: 6 });
  t.equal(ids.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);

  // The final epoch closes the session and is answered in full without one.
  const closing = await fetch(c, [{ topic: 's', partition: 1 }], { version: 12, sessionId: id, sessionEpoch: -1 });
  t.strictSame([closing.errorCode, closing.sessionId, answered(closing)], [ErrorCode.NONE, 0, ['s/1']], 'final epoch: sessionless full answer');
  const gone = await fetch(c, [], { version: 12, sessionId: id, sessionEpoch: 6 });
  t.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'the closed session is gone');

  // A topic named with no partitions is not answered: Kafka answers partitions, and the Java
  // client checks that a full answer names no topic it did not ask for.
  const empty = await c.request(FetchApi, 12, { ...fetchRequest([]), topics: [{ topic: 's', topicId: ZERO_UUID, partitions: [] }] });
  t.strictSame(empty.responses, [], 'no partitions asked, no topic answered');
});

t.test('sessions by topic id (v13+): what the session holds is read, what the client names is updated', async (t) => {
  await using kafka = await MiniKafka.start({ topics: ['u:2'] });
  const c = await connect(t, kafka);
  const topicId = kafka.broker.cluster.topics.get('u')!.id;
  const full = await fetch(c, [0, 1].map((partition) => ({ topic: 'u', topicId, partition })), { version: 17, sessionId: 0, sessionEpoch: 0 });
  t.not(full.sessionId, 0);
  t.strictSame(full.responses.map((x) => x.topicId), [topicId], 'answered by id');
  await produceOne(c, 'u', one('x'), { partition: 0 });
  await produceOne(c, 'u', one('y'), { partition: 1 });
  const both = await fetch(c, [], { version: 17, sessionId: full.sessionId, sessionEpoch: 1 });
  t.strictSame(answered(both), ['/0', '/1'], 'both partitions have records (names are empty from v13)');
  // The client does not advance p1: it is read again, and since p0 and p1 both returned records
  // last time, the session order is unchanged; an append to p0 alone moves only its high watermark
  // into news for p0, while p1 repeats its record.
  await produceOne(c, 'u', one('z'), { partition: 0 });
  const again = await fetch(c, [{ topic: 'u', topicId, partition: 0, offset: 1 }], { version: 17, sessionId: full.sessionId, sessionEpoch: 2 });
  t.strictSame(
    again.responses[0]!.partitions.map((p) => [p.partitionIndex, p.highWatermark, batchesOf(p.records).length]),
    [
      [0, 2n, 1],
      [1, 1n, 1],
    ],
    'p0 from its new offset, p1 from the offset the session holds',
  );
});

t.test('a full cache gives no session; a session idle past the eviction time makes room', async (t) => {
  const clock = new ManualClock(Date.now());
  await using kafka = await MiniKafka.start({ topics: ['v'], clock, config: { 'max.incremental.fetch.session.cache.slots': 1 } });
  const c = await connect(t, kafka);
  const first = await fetch(c, [{ topic: 'v' }], { version: 12, sessionId: 0, sessionEpoch: 0 });
  t.not(first.sessionId, 0, 'the one slot is taken');
  const second = await fetch(c, [{ topic: 'v' }], { version: 12, sessionId: 0, sessionEpoch: 0 });
  t.strictSame([second.errorCode, second.sessionId, answered(second)], [ErrorCode.NONE, 0, ['v/0']], 'no room: answered in full without a session');
  const stillThere = await fetch(c, [], { version: 12, sessionId: first.sessionId, sessionEpoch: 1 });
  t.equal(stillThere.errorCode, ErrorCode.NONE, 'the first session lives on');
  clock.advance(120_001);
  const third = await fetch(c, [{ topic: 'v' }], { version: 12, sessionId: 0, sessionEpoch: 0 });
  t.ok(third.sessionId !== 0 && third.sessionId !== first.sessionId, 'after 120 s idle the old session is evicted for a new one');
  const evicted = await fetch(c, [], { version: 12, sessionId: first.sessionId, sessionEpoch: 2 });
  t.equal(evicted.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'the evicted session is gone');
  const version6 = await fetch(c, [{ topic: 'v' }], { version: 6, sessionEpoch: 0 });
  t.strictSame(answered(version6), ['v/0'], 'v6 has no sessions and is answered in full');
});
