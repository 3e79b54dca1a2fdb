/**
 * OffsetDelete (key 47), v0: deletes a group's committed offsets for some partitions. Refused with
 * GROUP_SUBSCRIBED_TO_TOPIC (per partition) for topics the group's consumers subscribe to, and
 * NON_EMPTY_GROUP (top level) for a non-empty group that does not use the consumer protocol.
 * Unknown topics or partitions get UNKNOWN_TOPIC_OR_PARTITION.
 */
import { OffsetDeleteApi } from '../../protocol/messages/offset-delete.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizedNames } from './authorize.js';
import { coordinatesGroup } from './group-support.js';

export const offsetDeleteHandler = defineHandler(OffsetDeleteApi, {
  handle(ctx, req) {
    // KafkaApis.handleOffsetDeleteRequest: DELETE on the group, then READ on each topic.
    if (!authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    if (req.groupId !== '' && !coordinatesGroup(ctx, req.groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, throttleTimeMs: 0, topics: [] };
    const allowed = authorizedNames(ctx, AclOperation.READ, ResourceType.TOPIC, req.topics.map((t) => t.name));
    const permitted = req.topics.filter((t) => allowed.has(t.name));
    const refused = req.topics
      .filter((t) => !allowed.has(t.name))
      .map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }));
    const resp = ctx.groups.deleteOffsets(req.groupId, permitted);
    return refused.length === 0 ? resp : { ...resp, topics: [...refused, ...resp.topics] };
  },
  errorResponse(_ctx, _req, code) {
    return { errorCode: code, throttleTimeMs: 0, topics: [] };
  },
});
