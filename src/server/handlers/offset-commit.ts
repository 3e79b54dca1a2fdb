/**
 * OffsetCommit (key 8), v2-10 (v0-1 were removed in Kafka 4.0, KIP-896). Topic checks first
 * (UNKNOWN_TOPIC_OR_PARTITION; v10 names topics by id: UNKNOWN_TOPIC_ID), then the group's
 * generation and member checks, which fail every remaining partition with one code; see
 * GroupCoordinator.commitOffsets for those rules.
 *
 * Versions: v2-4 carry a retention time (kept in the record as an expire timestamp, not applied);
 * v6+ leader epochs; v7+ group.instance.id; v9+ GROUP_ID_NOT_FOUND for a commit with a generation
 * to a group that does not exist (ILLEGAL_GENERATION before); v10 topic ids.
 */
import { OffsetCommitApi } from '../../protocol/messages/offset-commit.js';
import type { OffsetCommitRequest, OffsetCommitResponseTopic } from '../../protocol/messages/offset-commit.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import type { CommitTopic } from '../coordinators/group/group-coordinator.js';
import { coordinatesGroup } from './group-support.js';

function resolveTopics(ctx: RequestContext, req: OffsetCommitRequest): CommitTopic[] {
  const topics = ctx.cluster.topics;
  return req.topics.map((t) => {
    if (ctx.apiVersion < 10) return { name: t.name, topicId: t.topicId, partitions: t.partitions };
    const name = t.topicId === ZERO_UUID ? '' : (topics.getById(t.topicId)?.name ?? '');
    return { name, topicId: t.topicId, partitions: t.partitions };
  });
}

function allFailed(req: OffsetCommitRequest, code: number): OffsetCommitResponseTopic[] {
  return req.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) }));
}

export const offsetCommitHandler = defineHandler(OffsetCommitApi, {
  minVersion: 2,
  handle(ctx, req) {
    if (!coordinatesGroup(ctx, req.groupId)) return { throttleTimeMs: 0, topics: allFailed(req, ErrorCode.NOT_COORDINATOR) };
    return { throttleTimeMs: 0, topics: ctx.groups.commitOffsets(req, resolveTopics(ctx, req), ctx.apiVersion) };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, topics: allFailed(req, code) };
  },
});
