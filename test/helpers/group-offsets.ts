// Committing and reading one partition's offset as a group without members does (a "simple"
// group, as an admin tool or a manual-assignment consumer commits), over the wire.
import type { WireClient } from './wire-client.js';
import { OffsetCommitApi, OffsetFetchApi } from '../../src/protocol/messages/index.js';
import type { OffsetCommitResponse } from '../../src/protocol/messages/index.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** OffsetCommit v8 of partition 0 of `topic`. */
export function commit(c: WireClient, group: string, topic: string, offset: bigint): Promise<OffsetCommitResponse> {
  return c.request(OffsetCommitApi, 8, {
    groupId: group,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: topic, topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
  });
}

/** The group's committed offset of partition 0 of `topic`, -1 when none. */
export async function committed(c: WireClient, group: string, topic: string): Promise<bigint> {
  const f = await c.request(OffsetFetchApi, 1, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], groups: [], requireStable: false });
  return f.topics[0]!.partitions[0]!.committedOffset;
}
