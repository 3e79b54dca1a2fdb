/**
 * OffsetDelete (key 47), v0: deletes a group's committed offsets for some partitions. Refused with
 * GROUP_SUBSCRIBED_TO_TOPIC (per partition) for topics the group's consumers subscribe to, and
 * NON_EMPTY_GROUP (top level) for a non-empty group that does not use the consumer protocol.
 * Unknown topics or partitions get UNKNOWN_TOPIC_OR_PARTITION.
 */
import { OffsetDeleteApi } from '../../protocol/messages/offset-delete.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { coordinatesGroup } from './group-support.js';

export const offsetDeleteHandler = defineHandler(OffsetDeleteApi, {
  handle(ctx, req) {
    if (req.groupId !== '' && !coordinatesGroup(ctx, req.groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, throttleTimeMs: 0, topics: [] };
    return ctx.groups.deleteOffsets(req.groupId, req.topics);
  },
  errorResponse(_ctx, _req, code) {
    return { errorCode: code, throttleTimeMs: 0, topics: [] };
  },
});
