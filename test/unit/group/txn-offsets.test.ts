// Transactional offset commits in the group coordinator: pending until the marker, the order
// between transactional and plain commits (the record written last wins, as Kafka), the member
// checks of a transactional commit, and the producer epoch on the __consumer_offsets partition.
import t from 'tap';
import { ZERO_UUID } from '../../../src/protocol/uuid.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { OffsetCommitRequest, TxnOffsetCommitRequest } from '../../../src/protocol/messages/index.js';
import type { CommitTopic } from '../../../src/server/coordinators/group/group-coordinator.js';
import { commitReq, setup, stableSingleMember } from './helpers.js';
import type { Setup } from './helpers.js';

function txnReq(groupId: string, producerId: number, offset: bigint, over: Partial<TxnOffsetCommitRequest> = {}): TxnOffsetCommitRequest {
  return {
    transactionalId: `tx-${producerId}`,
    groupId,
    producerId: BigInt(producerId),
    producerEpoch: 0,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
    ...over,
  };
}

function txnCommit(s: Setup, req: TxnOffsetCommitRequest): number | number[] {
  const r = s.gc.commitTransactionalOffsets(req, req.topics);
  return typeof r === 'number' ? r : r.flatMap((x) => x.partitions.map((p) => p.errorCode));
}

function plainCommit(s: Setup, req: OffsetCommitRequest): void {
  const topics: CommitTopic[] = req.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions }));
  s.gc.commitOffsets(req, topics, 9);
}

function end(s: Setup, groupId: string, producerId: number, commit: boolean, producerEpoch = 0): number {
  return s.gc.completeTransaction(s.gc.offsetsPartitionOf(groupId).partition, { producerId, producerEpoch, coordinatorEpoch: 0, commit });
}

function committed(s: Setup, groupId: string, requireStable = false): [number, bigint] {
  const p = s.gc.fetchOffsets(groupId, [{ name: 'orders', partitionIndexes: [0] }], requireStable).topics[0]!.partitions[0]!;
  return [p.errorCode, p.committedOffset];
}

function withTopic(): Setup {
  const s = setup();
  s.cluster.topics.create('orders', 1);
  return s;
}

t.test('pending until the marker: COMMIT makes the offset visible, ABORT drops it', async (t) => {
  const s = withTopic();
  t.same(txnCommit(s, txnReq('g', 7, 10n)), [0]);
  t.same(committed(s, 'g', true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1n]);
  t.same(committed(s, 'g'), [0, -1n]);
  const partition = s.gc.offsetsPartitionOf('g');
  t.equal(partition.log.lastStableOffset, partition.log.logEndOffset - 1, 'the offsets record is an open transaction on __consumer_offsets');
  t.equal(end(s, 'g', 7, true), ErrorCode.NONE);
  t.same(committed(s, 'g', true), [0, 10n]);
  t.equal(partition.log.lastStableOffset, partition.log.logEndOffset, 'the marker closed it');
  t.same(txnCommit(s, txnReq('g', 7, 20n)), [0]);
  t.equal(end(s, 'g', 7, false), ErrorCode.NONE);
  t.same(committed(s, 'g', true), [0, 10n], 'aborted: the committed offset stays');
});

t.test('the offset whose record comes last wins', async (t) => {
  const s = withTopic();
  txnCommit(s, txnReq('g', 1, 10n));
  plainCommit(s, commitReq('g', -1, '', [{ name: 'orders', partitions: [0], offset: 15n }]));
  end(s, 'g', 1, true);
  t.same(committed(s, 'g'), [0, 15n], 'a plain commit written after the pending one is kept');

  txnCommit(s, txnReq('g', 2, 30n));
  txnCommit(s, txnReq('g', 3, 40n));
  end(s, 'g', 3, true);
  end(s, 'g', 2, true);
  t.same(committed(s, 'g'), [0, 40n], 'a transaction written earlier but committed later does not go back');

  txnCommit(s, txnReq('g', 4, 50n));
  txnCommit(s, txnReq('g', 5, 60n));
  end(s, 'g', 4, true);
  t.same(committed(s, 'g', true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1n], 'still pending for producer 5');
  end(s, 'g', 5, true);
  t.same(committed(s, 'g'), [0, 60n], 'committed in record order: the later record wins');
});

t.test('member checks of a transactional commit', async (t) => {
  const s = withTopic();
  t.equal(txnCommit(s, txnReq('nope', 1, 1n, { generationIdOrMemberEpoch: 3 })), ErrorCode.ILLEGAL_GENERATION, 'an unknown group with a generation');
  const { memberId, generation } = await stableSingleMember(s, 'live');
  t.same(txnCommit(s, txnReq('live', 1, 1n)), [0], 'generation -1 and no member: accepted even on a live group (old clients)');
  t.equal(txnCommit(s, txnReq('live', 1, 1n, { generationIdOrMemberEpoch: generation, memberId: 'stranger' })), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(txnCommit(s, txnReq('live', 1, 1n, { generationIdOrMemberEpoch: generation + 1, memberId })), ErrorCode.ILLEGAL_GENERATION);
  t.same(txnCommit(s, txnReq('live', 1, 1n, { generationIdOrMemberEpoch: generation, memberId })), [0], 'the member at its generation');
});

t.test('the producer epoch is checked on the __consumer_offsets partition', async (t) => {
  const s = withTopic();
  t.same(txnCommit(s, txnReq('g', 9, 1n, { producerEpoch: 3 })), [0]);
  t.equal(end(s, 'g', 9, false, 2), ErrorCode.INVALID_PRODUCER_EPOCH, 'a marker with an older epoch is refused');
  t.equal(end(s, 'g', 9, false, 3), ErrorCode.NONE);
  t.equal(txnCommit(s, txnReq('g', 9, 1n, { producerEpoch: 2 })), ErrorCode.INVALID_PRODUCER_EPOCH, 'a commit with an older epoch');
  const tooLarge = txnCommit(s, {
    ...txnReq('g', 9, 1n, { producerEpoch: 3 }),
    topics: [{ name: 'orders', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] }],
  });
  t.same(tooLarge, [ErrorCode.OFFSET_METADATA_TOO_LARGE]);
});
