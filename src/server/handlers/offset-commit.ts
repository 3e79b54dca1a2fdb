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
import { AclOperation, ResourceType, authorize, authorizedNames } from './authorize.js';
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
    // KafkaApis.handleOffsetCommitRequest: READ on the group, then READ on each topic; refused
    // topics are not committed and answer TOPIC_AUTHORIZATION_FAILED (topics that resolve to no
    // name are left to the coordinator's UNKNOWN_TOPIC_ID).
    if (!authorize(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, topics: allFailed(req, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    if (!coordinatesGroup(ctx, req.groupId)) return { throttleTimeMs: 0, topics: allFailed(req, ErrorCode.NOT_COORDINATOR) };
    const resolved = resolveTopics(ctx, req);
    const allowed = authorizedNames(ctx, AclOperation.READ, ResourceType.TOPIC, resolved.flatMap((t) => (t.name === '' ? [] : [t.name])));
    const permitted = req.topics.filter((_, i) => resolved[i]!.name === '' || allowed.has(resolved[i]!.name));
    if (permitted.length === req.topics.length) return { throttleTimeMs: 0, topics: ctx.groups.commitOffsets(req, resolved, ctx.apiVersion) };
    const refused = allFailed({ ...req, topics: req.topics.filter((t) => !permitted.includes(t)) }, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const narrowed = { ...req, topics: permitted };
    const committed = permitted.length === 0 ? [] : ctx.groups.commitOffsets(narrowed, resolveTopics(ctx, narrowed), ctx.apiVersion);
    return { throttleTimeMs: 0, topics: [...refused, ...committed] };
  },
  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, topics: allFailed(req, code) };
  },
});
