/**
 * OffsetFetch (key 9), v1-10 (v0 read ZooKeeper and is gone). A partition without a committed
 * offset answers -1 with no error, also for a group that does not exist; a null topic list means
 * every committed offset of the group.
 *
 * Versions: v2+ allow the null topic list and add a top-level error (v1 puts a group error on
 * each partition, as Kafka does); v5+ leader epochs; v7+ requireStable (a partition with a
 * transactional offset still pending answers UNSTABLE_OFFSET_COMMIT, and the client retries); v8+ several groups per request, answered per
 * group; v9+ member id and epoch (checked for consumer groups: UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH
 * as a group error; ignored for classic groups, as Kafka does); v10 topic
 * ids (UNKNOWN_TOPIC_ID for an id this cluster does not know).
 */
import { OffsetFetchApi } from '../../protocol/messages/offset-fetch.js';
import type { OffsetFetchResponse, OffsetFetchResponseGroup, OffsetFetchResponseTopic } from '../../protocol/messages/offset-fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import { AclOperation, ResourceType, authorize, authorizedNames } from './authorize.js';
import type { RequestContext } from './handler.js';
import type { FetchedGroup } from '../coordinators/group/group-coordinator.js';
import { coordinatesGroup } from './group-support.js';

interface GroupQuery {
  readonly groupId: string;
  /** null: all committed offsets. */
  readonly topics: readonly { readonly name: string; readonly topicId: string; readonly partitionIndexes: readonly number[] }[] | null;
  /** v9+: who asks (a consumer-group member, or null and -1). */
  readonly member?: { readonly memberId: string | null; readonly memberEpoch: number };
}

function fetchGroup(ctx: RequestContext, q: GroupQuery, requireStable: boolean): FetchedGroup {
  if (!coordinatesGroup(ctx, q.groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
  const gc = ctx.groups;
  if (q.topics === null) return gc.fetchOffsets(q.groupId, null, requireStable, q.member);
  if (ctx.apiVersion < 10) return gc.fetchOffsets(q.groupId, q.topics, requireStable, q.member);
  // v10: resolve ids; an unknown id answers UNKNOWN_TOPIC_ID for each of its partitions.
  const registry = ctx.cluster.topics;
  const resolved = q.topics.map((t) => ({ ...t, name: t.topicId === ZERO_UUID ? '' : (registry.getById(t.topicId)?.name ?? '') }));
  const fetched = gc.fetchOffsets(q.groupId, resolved.filter((t) => t.name !== ''), requireStable, q.member);
  // A group error (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID...) answers the group alone, without topics, as Kafka does.
  if (fetched.errorCode !== ErrorCode.NONE) return fetched;
  const byName = new Map(fetched.topics.map((t) => [t.name, t]));
  return {
    errorCode: fetched.errorCode,
    topics: resolved.map((t) =>
      t.name === ''
        ? { name: '', partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID })) }
        : byName.get(t.name)!,
    ),
  };
}

/**
 * KafkaApis.handleOffsetFetchRequest's checks around the fetch: DESCRIBE on the group
 * (GROUP_AUTHORIZATION_FAILED), and on each topic: a requested topic the principal may not
 * describe is not fetched and answers TOPIC_AUTHORIZATION_FAILED per partition; when all offsets
 * are asked for, such topics are left out.
 */
function authorizedFetchGroup(ctx: RequestContext, q: GroupQuery, requireStable: boolean): FetchedGroup {
  if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, q.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  if (ctx.authorizer === null) return fetchGroup(ctx, q, requireStable);
  if (q.topics === null) {
    const fetched = fetchGroup(ctx, q, requireStable);
    const allowed = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, fetched.topics.map((t) => t.name));
    return { errorCode: fetched.errorCode, topics: fetched.topics.filter((t) => allowed.has(t.name)) };
  }
  const registry = ctx.cluster.topics;
  // v10 names topics by id; an id that resolves to nothing is left to the fetch (UNKNOWN_TOPIC_ID).
  const nameOf = (t: { name: string; topicId: string }) => (ctx.apiVersion >= 10 ? (registry.getById(t.topicId)?.name ?? '') : t.name);
  const allowed = authorizedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, q.topics.map(nameOf).filter((n) => n !== ''));
  const permitted = (t: { name: string; topicId: string }) => nameOf(t) === '' || allowed.has(nameOf(t));
  const fetched = fetchGroup(ctx, { ...q, topics: q.topics.filter(permitted) }, requireStable);
  // As KafkaApis.fetchOffsetsForGroup: a group error is the whole answer (no per-topic ones).
  if (fetched.errorCode !== ErrorCode.NONE) return fetched;
  let next = 0;
  return {
    errorCode: fetched.errorCode,
    topics: q.topics.map((t) =>
      permitted(t)
        ? fetched.topics[next++]!
        : { name: nameOf(t), partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) },
    ),
  };
}

function groupResponse(ctx: RequestContext, groupId: string, q: GroupQuery | null, fetched: FetchedGroup): OffsetFetchResponseGroup {
  const registry = ctx.cluster.topics;
  const topics = fetched.topics.map((t, i) => {
    // v10 names topics by id: the request's id when it asked for topics, else the registry's.
    const topicId = q?.topics?.[i]?.topicId ?? registry.get(t.name)?.id ?? ZERO_UUID;
    return { name: t.name, topicId, partitions: t.partitions };
  });
  // v10 cannot name a topic it has no id for (deleted since the commit): leave it out.
  const shown = ctx.apiVersion >= 10 ? topics.filter((t) => t.topicId !== ZERO_UUID || t.partitions.some((p) => p.errorCode !== ErrorCode.NONE)) : topics;
  return { groupId, topics: shown, errorCode: fetched.errorCode };
}

/** The single-group layout of v1-7. */
function legacyResponse(version: number, fetched: FetchedGroup): OffsetFetchResponse {
  const topics: OffsetFetchResponseTopic[] = fetched.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) =>
      // v1 has no top-level error code: a group error goes on every partition.
      version < 2 && fetched.errorCode !== ErrorCode.NONE
        ? { partitionIndex: p.partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: fetched.errorCode }
        : { ...p },
    ),
  }));
  return { throttleTimeMs: 0, topics, errorCode: fetched.errorCode, groups: [] };
}

export const offsetFetchHandler = defineHandler(OffsetFetchApi, {
  minVersion: 1,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    if (v < 8) {
      const q: GroupQuery = { groupId: req.groupId, topics: req.topics?.map((t) => ({ name: t.name, topicId: ZERO_UUID, partitionIndexes: t.partitionIndexes })) ?? null };
      let fetched = authorizedFetchGroup(ctx, q, req.requireStable);
      // v1 cannot carry a group error without partitions: answer the requested ones with it.
      if (v < 2 && fetched.errorCode !== ErrorCode.NONE && q.topics) {
        fetched = { errorCode: fetched.errorCode, topics: q.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 })) })) };
      }
      return legacyResponse(v, fetched);
    }
    const groups = req.groups.map((g) => {
      const q: GroupQuery = v >= 9 ? { groupId: g.groupId, topics: g.topics, member: { memberId: g.memberId, memberEpoch: g.memberEpoch } } : { groupId: g.groupId, topics: g.topics };
      return groupResponse(ctx, g.groupId, q, authorizedFetchGroup(ctx, q, req.requireStable));
    });
    return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(ctx, req, code) {
    if (ctx.apiVersion < 8) return legacyResponse(ctx.apiVersion, { errorCode: code, topics: [] });
    return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode: code })) };
  },
});
