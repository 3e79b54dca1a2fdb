/**
 * Metadata (key 3), v0-13: brokers, cluster id, controller and topic/partition leadership.
 *
 * Behaviour (KafkaApis.handleTopicMetadataRequest and KRaftMetadataCache):
 * - topics null: every topic; an empty list: none (v0: every topic, as v0 had no null);
 *   duplicate names are answered once;
 * - by id (v12+): when any non-zero id is present, names are ignored as in Kafka; an unknown id is
 *   UNKNOWN_TOPIC_ID with a null name; v10-11 may not use ids (INVALID_REQUEST for every topic);
 * - an unknown name: INVALID_TOPIC_EXCEPTION if the name is invalid, else it is created when the
 *   broker (auto.create.topics.enable) and the request (AllowAutoTopicCreation, always true
 *   before v4) allow it and it is not an internal topic, else UNKNOWN_TOPIC_OR_PARTITION;
 * - partitions carry leader, leader epoch, replicas, ISR and (v5+) offline replicas [];
 * - authorized operations: the schema default unless asked for (topics v8+, cluster v8-10), then
 *   every supported operation, as Kafka without an authorizer answers;
 * - cost: O(requested topics and their partitions); only a request for all topics walks them all.
 *
 * Deviation: Kafka 4.x creates topics asynchronously through the controller and answers a topic it
 * has just auto-created with UNKNOWN_TOPIC_OR_PARTITION (LEADER_NOT_AVAILABLE in 3.x), so clients
 * retry their metadata request. Creation is synchronous here, so the new topic is returned ready
 * with its partitions: every client accepts that, and producers skip a metadata round trip.
 * Controller id: Kafka's brokers answer a random live broker; we answer the lowest node id so that
 * the answer is stable.
 */
import { MetadataApi } from '../../protocol/messages/metadata.js';
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic, MetadataResponsePartition } from '../../protocol/messages/metadata.js';
import { ErrorCode, KafkaError, errorCodeOf } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import { topicNameProblem, INTERNAL_TOPICS } from '../cluster/topics.js';
import type { Topic } from '../cluster/topics.js';
import type { Cluster } from '../cluster/cluster.js';
import { createTopic, mayAutoCreate } from '../cluster/topic-create.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_AUTHORIZED_OPERATIONS, TOPIC_AUTHORIZED_OPERATIONS } from './authorized-operations.js';
import { authorize, authorizedOperations } from './authorize.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/authorizer/acl-types.js';

export const metadataHandler = defineHandler(MetadataApi, {
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const cluster = ctx.cluster;
    if (v < 12 && req.topics?.some((t) => t.topicId !== ZERO_UUID || t.name === null)) {
      // KafkaApis throws InvalidRequestException: "Topic IDs are not supported in requests for version N".
      return errorResponse(req, ErrorCode.INVALID_REQUEST);
    }
    const allTopics = req.topics === null || (v === 0 && req.topics.length === 0);
    // With an authorizer, a listing shows only the topics the principal may DESCRIBE (denials not audited).
    const topics: MetadataResponseTopic[] = allTopics
      ? [...cluster.topics.all()].filter((t) => authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name, { logIfDenied: false })).map((t) => topicMetadata(cluster, t))
      : requestedTopics(ctx, req);
    if (v >= 8 && req.includeTopicAuthorizedOperations) {
      // As Kafka: every topic from the lookup, error or not, but not the unknown ids.
      for (const t of topics) {
        if (t.errorCode !== ErrorCode.UNKNOWN_TOPIC_ID && t.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED && t.name !== null) {
          t.topicAuthorizedOperations = authorizedOperations(ctx, true, TOPIC_AUTHORIZED_OPERATIONS, ResourceType.TOPIC, t.name);
        }
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: cluster.brokersOn(ctx.connection.listenerName).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: cluster.clusterId,
      controllerId: cluster.controllerId,
      topics,
      // v11 removed the field from the response: it is only written for v8-10.
      clusterAuthorizedOperations: authorizedOperations(ctx, v >= 8 && v <= 10 && req.includeClusterAuthorizedOperations, CLUSTER_AUTHORIZED_OPERATIONS, ResourceType.CLUSTER, CLUSTER_NAME),
      errorCode: ErrorCode.NONE,
    };
  },
  errorResponse(_ctx, req, code) {
    return errorResponse(req, code);
  },
});

function requestedTopics(ctx: RequestContext, req: MetadataRequest): MetadataResponseTopic[] {
  const cluster = ctx.cluster;
  const out: MetadataResponseTopic[] = [];
  const requested = req.topics ?? [];
  const ids = requested.filter((t) => t.topicId !== ZERO_UUID);
  if (ids.length > 0) {
    const seen = new Set<string>();
    for (const { topicId } of ids) {
      if (seen.has(topicId)) continue;
      seen.add(topicId);
      const topic = cluster.topics.getById(topicId);
      if (topic && !authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name)) {
        out.push(emptyTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, topicId, false));
        continue;
      }
      out.push(topic ? topicMetadata(cluster, topic) : emptyTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, topicId, false));
    }
    return out;
  }
  const autoCreate = ctx.broker.config.autoCreateTopics && req.allowAutoTopicCreation;
  const seen = new Set<string>();
  for (const { name } of requested) {
    if (name === null || seen.has(name)) continue;
    seen.add(name);
    // KafkaApis: a topic the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED, existing or not.
    if (!authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
      out.push(emptyTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, ZERO_UUID, false));
      continue;
    }
    const topic = cluster.topics.get(name);
    if (topic) {
      out.push(topicMetadata(cluster, topic));
      continue;
    }
    if (topicNameProblem(name) !== null) {
      out.push(emptyTopic(ErrorCode.INVALID_TOPIC_EXCEPTION, name, ZERO_UUID, INTERNAL_TOPICS.has(name)));
    } else if (autoCreate && mayAutoCreate(ctx.broker.config, name)) {
      // Auto-creation needs CREATE on the cluster or the topic, else TOPIC_AUTHORIZATION_FAILED.
      const mayCreate = authorize(ctx, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME, { logIfDenied: false }) || authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, name);
      out.push(mayCreate ? autoCreated(ctx, name) : emptyTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, ZERO_UUID, INTERNAL_TOPICS.has(name)));
    } else {
      out.push(emptyTopic(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, ZERO_UUID, INTERNAL_TOPICS.has(name)));
    }
  }
  return out;
}

function autoCreated(ctx: RequestContext, name: string): MetadataResponseTopic {
  const cluster = ctx.cluster;
  try {
    const topic = createTopic(cluster, ctx.broker.config, { name });
    return topicMetadata(cluster, topic);
  } catch (e) {
    // A name that passes the syntax check can still collide with an existing one ('.' vs '_').
    if (!(e instanceof KafkaError)) throw e;
    cluster.logger.info(`auto-creation of topic ${name} failed: ${e.message}`);
    return emptyTopic(errorCodeOf(e), name, ZERO_UUID, INTERNAL_TOPICS.has(name));
  }
}

function topicMetadata(cluster: Cluster, topic: Topic): MetadataResponseTopic {
  const partitions: MetadataResponsePartition[] = [];
  for (const p of topic.partitions) {
    const leaderId = cluster.leaderFor(topic, p.partition);
    partitions.push({
      // Kafka's MetadataCache: a partition without a live leader is LEADER_NOT_AVAILABLE.
      errorCode: leaderId < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: cluster.replicasFor(topic, p.partition),
      isrNodes: cluster.isrFor(topic, p.partition),
      offlineReplicas: cluster.offlineReplicasFor(topic, p.partition),
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.internal,
    partitions,
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function emptyTopic(errorCode: number, name: string | null, topicId: string, isInternal: boolean): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

/** MetadataRequest.getErrorResponse: every requested topic with the code, nothing else. */
function errorResponse(req: MetadataRequest, code: number): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => emptyTopic(code, t.name ?? '', t.topicId, false)),
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    errorCode: ErrorCode.NONE,
  };
}
