/**
 * ShareAcknowledge (key 79), v1-2: acknowledgements outside a fetch, in the member's share session
 * on this broker (explicit acknowledgement mode commits, and the acknowledgements a closing
 * consumer sends with epoch -1, which also closes the session and releases what it still holds).
 * Epoch 0 is INVALID_SHARE_SESSION_EPOCH (a session is opened by ShareFetch only); the other
 * session and request errors are ShareFetch's (share-fetch.ts). Per partition: the acknowledgement
 * result (INVALID_RECORD_STATE for records the member does not hold, INVALID_REQUEST for malformed
 * batches or RENEW below v2), UNKNOWN_TOPIC_ID, NOT_LEADER_OR_FOLLOWER.
 */
import { ShareAcknowledgeApi } from '../../protocol/messages/share-acknowledge.js';
import type { ShareAcknowledgeResponse, ShareAcknowledgeResponseShareAcknowledgeTopicResponse } from '../../protocol/messages/share-acknowledge.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { acknowledgePartition, checkShareRequest, currentLeader, shareSession, sharePartitionTarget } from './share-support.js';
import { FINAL_EPOCH } from '../coordinators/share/share-sessions.js';

function topLevel(code: number, message: string | null): ShareAcknowledgeResponse {
  return { throttleTimeMs: 0, errorCode: code, errorMessage: message, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

export const shareAcknowledgeHandler = defineHandler(ShareAcknowledgeApi, {
  minVersion: 1,
  maxVersion: 2,

  handle(ctx, req): ShareAcknowledgeResponse {
    const bad = checkShareRequest(ctx, req.groupId, req.memberId);
    if (bad !== null) return topLevel(bad.errorCode, bad.errorMessage);
    const groupId = req.groupId!;
    const memberId = req.memberId!;
    const step = shareSession(ctx, groupId, memberId, req.shareSessionEpoch, false);
    if (step.error !== null) return topLevel(step.error.errorCode, step.error.errorMessage);
    const responses: ShareAcknowledgeResponseShareAcknowledgeTopicResponse[] = [];
    for (const t of req.topics) {
      const topic: ShareAcknowledgeResponseShareAcknowledgeTopicResponse = { topicId: t.topicId, partitions: [] };
      responses.push(topic);
      for (const p of t.partitions) {
        const target = sharePartitionTarget(ctx, t.topicId, p.partitionIndex);
        const code = acknowledgePartition(ctx, groupId, memberId, target, p.acknowledgementBatches);
        topic.partitions.push({ partitionIndex: p.partitionIndex, errorCode: code, errorMessage: null, currentLeader: currentLeader(ctx, target) });
      }
    }
    if (req.shareSessionEpoch === FINAL_EPOCH) ctx.shares.closeSession(step.session);
    const lock = ctx.shares.settings.partition(groupId).lockDurationMs;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, acquisitionLockTimeoutMs: lock, responses, nodeEndpoints: [] };
  },

  errorResponse(_ctx, _req, code) {
    return topLevel(code, null);
  },
});
