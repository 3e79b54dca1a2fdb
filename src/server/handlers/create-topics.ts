/**
 * CreateTopics (key 19), v0-7 (Kafka 4.x serves v2-7; v0-1 are the same layout and cost nothing).
 *
 * Behaviour (ControllerApis.createTopics and ReplicationControlManager.createTopics):
 * - each topic is validated and created on its own (see topic-create.ts for the order and the
 *   messages); one topic failing does not fail the others;
 * - a name given twice is not created: one INVALID_REQUEST "Duplicate topic name." result per
 *   such name, after the other results, as Kafka orders them;
 * - __cluster_metadata: INVALID_REQUEST "Creation of internal topic __cluster_metadata is prohibited.";
 * - numPartitions / replicationFactor -1 mean the broker defaults (all versions, as KRaft does);
 * - validateOnly: everything is checked and the response is the one a real creation would give
 *   (including a fresh topic id, as Kafka), but nothing is created;
 * - v5+: numPartitions, replicationFactor and every topic config with its value and source, sorted
 *   by name; v7+: the topic id. A failed topic keeps the schema defaults (-1, -1, no configs);
 * - a request that would write more than 10000 metadata records (a topic record, its configs and
 *   its partitions, summed over the request) fails every topic with POLICY_VIOLATION, as Kafka's
 *   controller bounds one operation; this also keeps a typo from allocating millions of logs.
 *
 * - ACLs: CREATE on the cluster, or else on the topic (TOPIC_AUTHORIZATION_FAILED "Authorization
 *   failed.", after the other results); configs only with DESCRIBE_CONFIGS on the topic, else
 *   topicConfigErrorCode TOPIC_AUTHORIZATION_FAILED.
 *
 * Deviation: the request's timeoutMs is not used: creation completes before the response.
 * Placement and replication are the Cluster's (see topic-create.ts).
 */
import { CreateTopicsApi } from '../../protocol/messages/create-topics.js';
import type { CreateTopicsRequest, CreateTopicsResponse, CreateTopicsResponseCreatableTopicResult, CreateTopicsRequestCreatableTopic } from '../../protocol/messages/create-topics.js';
import { ErrorCode, KafkaError, errorCodeOf } from '../../protocol/errors.js';
import { ZERO_UUID, randomUuid } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import { validateTopicCreation } from '../cluster/topic-create.js';
import type { CreateTopicSpec } from '../cluster/topic-create.js';
import { effectiveTopicConfigs } from '../cluster/configs/topic-config-defs.js';
import { AclOperation, ResourceType, authorizeCluster, authorizedNames } from './authorize.js';

/** QuorumController.MAX_RECORDS_PER_USER_OP. */
export const MAX_RECORDS_PER_OPERATION = 10_000;

const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export const createTopicsHandler = defineHandler(CreateTopicsApi, {
  handle(ctx, req) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const allowedNames = req.topics.filter((t) => counts.get(t.name) === 1 && t.name !== CLUSTER_METADATA_TOPIC).map((t) => t.name);
    // ControllerApis.createTopics: CREATE on the cluster, else on each topic; the configs are
    // returned only for topics the principal may DESCRIBE_CONFIGS.
    const creatable = authorizeCluster(ctx, AclOperation.CREATE, { logIfDenied: false })
      ? new Set(allowedNames)
      : authorizedNames(ctx, AclOperation.CREATE, ResourceType.TOPIC, allowedNames);
    const describable = authorizedNames(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, allowedNames, { logIfDenied: false });
    const unique = req.topics.filter((t) => creatable.has(t.name));

    const planned = unique.map((t) => plan(ctx, t));
    const records = planned.reduce((n, p) => n + (p.ok ? 1 + p.configCount + p.partitions : 0), 0);
    if (records > MAX_RECORDS_PER_OPERATION) {
      return failAll(req, ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
    }

    const results: CreateTopicsResponseCreatableTopicResult[] = planned.map((p) => (p.ok ? withoutConfigsUnless(describable, commit(ctx, p, req.validateOnly)) : p.result));
    for (const [name, n] of counts) if (n > 1) results.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
    if (counts.has(CLUSTER_METADATA_TOPIC) && counts.get(CLUSTER_METADATA_TOPIC) === 1) {
      results.push(failed(CLUSTER_METADATA_TOPIC, ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`));
    }
    for (const name of allowedNames) if (!creatable.has(name)) results.push(failed(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
    return { throttleTimeMs: 0, topics: results };
  },
  errorResponse(_ctx, req, code) {
    return failAll(req, code, null);
  },
});

type Plan =
  | { ok: true; spec: CreateTopicSpec; partitions: number; replicationFactor: number; configs: Map<string, string>; configCount: number }
  | { ok: false; result: CreateTopicsResponseCreatableTopicResult };

function plan(ctx: RequestContext, t: CreateTopicsRequestCreatableTopic): Plan {
  const spec: CreateTopicSpec = {
    name: t.name,
    numPartitions: t.numPartitions,
    replicationFactor: t.replicationFactor,
    configs: new Map(t.configs.map((c) => [c.name, c.value])),
    assignments: t.assignments,
  };
  try {
    const v = validateTopicCreation(ctx.cluster, ctx.broker.config, spec);
    return { ok: true, spec, partitions: v.partitions, replicationFactor: v.replicationFactor, configs: v.configs, configCount: v.configs.size };
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return { ok: false, result: failed(t.name, errorCodeOf(e), e.message) };
  }
}

function commit(ctx: RequestContext, p: Extract<Plan, { ok: true }>, validateOnly: boolean): CreateTopicsResponseCreatableTopicResult {
  const cluster = ctx.cluster;
  let topicId: string;
  if (validateOnly) {
    topicId = randomUuid();
  } else {
    // Validated above in this same synchronous turn, so nothing can have changed in between,
    // except an earlier topic of this request colliding with this one ('a.b' then 'a_b').
    try {
      validateTopicCreation(cluster, ctx.broker.config, p.spec);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return failed(p.spec.name, errorCodeOf(e), e.message);
    }
    const topic = cluster.topics.create(p.spec.name, p.partitions, p.configs);
    cluster.replicas.place(topic, p.replicationFactor, p.spec.assignments);
    cluster.logger.info(`created topic ${topic.name} (${p.partitions} partitions, id ${topic.id})`);
    topicId = topic.id;
  }
  return {
    name: p.spec.name,
    topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: p.partitions,
    replicationFactor: p.replicationFactor,
    configs: effectiveTopicConfigs(p.configs, ctx.cluster.configs.layersFor(ctx.broker.nodeId)).map((c) => ({
      name: c.name,
      value: c.isSensitive ? null : c.value,
      readOnly: c.readOnly,
      configSource: c.source,
      isSensitive: c.isSensitive,
    })),
  };
}

/** ReplicationControlManager: a created topic the principal may not DESCRIBE_CONFIGS gets no configs. */
function withoutConfigsUnless(describable: ReadonlySet<string>, r: CreateTopicsResponseCreatableTopicResult): CreateTopicsResponseCreatableTopicResult {
  if (r.errorCode !== ErrorCode.NONE || describable.has(r.name)) return r;
  return { ...r, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, configs: [] };
}

function failed(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.NONE, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** CreateTopicsRequest.getErrorResponse: every requested topic with one code. */
function failAll(req: CreateTopicsRequest, code: number, message: string | null): CreateTopicsResponse {
  return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, code, message)) };
}
