/**
 * DeleteTopics (key 20), v0-6 (Kafka 4.x serves v1-6; v0 is the same layout).
 *
 * Behaviour (ControllerApis.deleteTopics and ReplicationControlManager.deleteTopic):
 * - by name (all versions) and, from v6, by topic id; an entry with both is INVALID_REQUEST "You
 *   may not specify both topic name and topic id.", with neither "Neither topic name nor id were
 *   specified.";
 * - a name or id given twice is deleted neither time: one INVALID_REQUEST "Duplicate topic name."
 *   (or "Duplicate topic id.") result for it; a name that resolves to an id also given by id is
 *   INVALID_REQUEST "The provided topic name maps to an ID that was already supplied.";
 * - unknown name: UNKNOWN_TOPIC_OR_PARTITION; unknown id: UNKNOWN_TOPIC_ID (null name); both with
 *   Kafka's default message; a deleted topic's result carries its name and id;
 * - delete.topic.enable=false (a broker config): every topic fails with TOPIC_DELETION_DISABLED,
 *   or INVALID_REQUEST before v3, as Kafka;
 * - internal topics (__consumer_offsets, __transaction_state) are deleted like any other: Kafka 4.x's
 *   controller has no check for them either, only __cluster_metadata is special (and never exists);
 * - deletion removes the topic from the registry at once; TopicRegistry.onDeleted listeners (the
 *   long-poll fetch waiters) are told synchronously so that they answer instead of waiting.
 *
 * - ACLs: DELETE on the cluster, or else DESCRIBE (checked before existence) and DELETE on each
 *   topic: TOPIC_AUTHORIZATION_FAILED; a topic given by id keeps its name only if describable.
 *
 * Deviations: results follow request order, where Kafka shuffles them (so that positions do not
 * reveal which topics exist); the request's timeoutMs is not used, deletion is complete when the
 * response is sent.
 */
import { DeleteTopicsApi } from '../../protocol/messages/delete-topics.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopicsResponseDeletableTopicResult } from '../../protocol/messages/delete-topics.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import type { Topic } from '../cluster/topics.js';
import { AclOperation, ResourceType, authorizeCluster, authorizedNames } from './authorize.js';

export const deleteTopicsHandler = defineHandler(DeleteTopicsApi, {
  handle(ctx, req) {
    if (ctx.broker.config.extra.get('delete.topic.enable') === 'false') {
      return failAll(req, ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED, ctx.apiVersion);
    }
    const registry = ctx.cluster.topics;
    const results: DeleteTopicsResponseDeletableTopicResult[] = [];
    const result = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null) =>
      results.push({ name, topicId, errorCode, errorMessage });

    // Count first, so that a duplicate is refused wherever its copies sit in the request.
    const names = new Map<string, number>();
    const ids = new Map<string, number>();
    for (const t of entries(req, ctx.apiVersion)) {
      if (t.name !== null && t.topicId === ZERO_UUID) names.set(t.name, (names.get(t.name) ?? 0) + 1);
      else if (t.name === null && t.topicId !== ZERO_UUID) ids.set(t.topicId, (ids.get(t.topicId) ?? 0) + 1);
    }
    // ControllerApis.deleteTopics: DELETE on the cluster, or else DESCRIBE and DELETE per topic.
    const requestedNames = [...names.keys(), ...[...ids.keys()].flatMap((id) => registry.getById(id)?.name ?? [])];
    const clusterWide = authorizeCluster(ctx, AclOperation.DELETE, { logIfDenied: false });
    const describable = clusterWide ? new Set(requestedNames) : authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, requestedNames);
    const deletable = clusterWide ? describable : authorizedNames(ctx, AclOperation.DELETE, ResourceType.TOPIC, requestedNames);
    const unauthorized = errorInfo(ErrorCode.TOPIC_AUTHORIZATION_FAILED).message;
    const toDelete = new Map<string, Topic>(); // by id
    const reported = new Set<string>();
    for (const t of entries(req, ctx.apiVersion)) {
      if (t.name === null && t.topicId === ZERO_UUID) {
        result(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
      } else if (t.name !== null && t.topicId !== ZERO_UUID) {
        result(t.name, t.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
      } else if (t.name !== null) {
        if (reported.has(`n:${t.name}`)) continue;
        reported.add(`n:${t.name}`);
        if (names.get(t.name)! > 1) {
          result(t.name, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
          continue;
        }
        const topic = registry.get(t.name);
        if (!describable.has(t.name)) {
          // Before the existence check: an undescribable name reveals nothing.
          result(t.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, unauthorized);
        } else if (!topic) {
          result(t.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).message);
        } else if (!deletable.has(t.name)) {
          result(t.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, unauthorized);
        } else if ((ids.get(topic.id) ?? 0) > 0) {
          result(t.name, topic.id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.');
        } else {
          toDelete.set(topic.id, topic);
        }
      } else {
        if (reported.has(`i:${t.topicId}`)) continue;
        reported.add(`i:${t.topicId}`);
        if (ids.get(t.topicId)! > 1) {
          result(null, t.topicId, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.');
          continue;
        }
        const topic = registry.getById(t.topicId);
        if (!topic) {
          result(null, t.topicId, ErrorCode.UNKNOWN_TOPIC_ID, errorInfo(ErrorCode.UNKNOWN_TOPIC_ID).message);
        } else if (!deletable.has(topic.name)) {
          // The name only to a principal that may describe the topic.
          result(describable.has(topic.name) ? topic.name : null, t.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, unauthorized);
        } else {
          // Kafka refuses the id too when its topic was also named in the request.
          const namedToo = (names.get(topic.name) ?? 0) === 1;
          if (!namedToo) toDelete.set(topic.id, topic);
        }
      }
    }
    for (const topic of toDelete.values()) {
      registry.delete(topic);
      ctx.cluster.logger.info(`deleted topic ${topic.name} (id ${topic.id})`);
      result(topic.name, topic.id, ErrorCode.NONE, null);
    }
    return { throttleTimeMs: 0, responses: results };
  },
  errorResponse(ctx, req, code) {
    return failAll(req, code, ctx.apiVersion);
  },
});

/** DeleteTopicsRequest.topics(): v6 entries, or the v0-5 names as entries without ids. */
function entries(req: DeleteTopicsRequest, version: number): { name: string | null; topicId: string }[] {
  return version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

/** DeleteTopicsRequest.getErrorResponse: every entry with one code and no message. */
function failAll(req: DeleteTopicsRequest, code: number, version: number): DeleteTopicsResponse {
  return {
    throttleTimeMs: 0,
    responses: entries(req, version).map((t) => ({ name: t.name, topicId: t.topicId, errorCode: code, errorMessage: null })),
  };
}
