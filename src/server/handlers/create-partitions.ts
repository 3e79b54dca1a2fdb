/**
 * CreatePartitions (key 37), v0-3.
 *
 * Behaviour (ControllerApis.createPartitions and ReplicationControlManager.createPartitions):
 * - a name given twice: one INVALID_REQUEST "Duplicate topic name." result, first, and no change;
 * - unknown topic: UNKNOWN_TOPIC_OR_PARTITION with a null message (Kafka's exception has none);
 * - the count must grow: INVALID_PARTITIONS "Topic already has N partition(s)." when equal, "The
 *   topic T currently has N partition(s); M would not be an increase." when smaller;
 * - assignments, when given, must be one per new partition ("Attempted to add N additional
 *   partition(s), but only M assignment(s) were specified.") and each valid with the topic's
 *   replica count (see validateManualAssignment), else INVALID_REPLICA_ASSIGNMENT;
 * - validateOnly: every check, no change;
 * - more than 10000 new partitions in one request: POLICY_VIOLATION for every topic, as Kafka's
 *   controller bounds one operation.
 *
 * - ACLs: ALTER on the topic, else TOPIC_AUTHORIZATION_FAILED with a null message.
 *
 * Deviation: assignments are validated but placement stays the Cluster's (replication is not
 * modelled); timeoutMs is not used, the partitions exist when the response is sent.
 */
import { CreatePartitionsApi } from '../../protocol/messages/create-partitions.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse, CreatePartitionsResponseCreatePartitionsTopicResult, CreatePartitionsRequestCreatePartitionsTopic } from '../../protocol/messages/create-partitions.js';
import { ErrorCode, KafkaError, errorCodeOf } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Topic } from '../cluster/topics.js';
import { validateManualAssignment } from '../cluster/topic-create.js';
import { MAX_RECORDS_PER_OPERATION } from './create-topics.js';
import { AclOperation, ResourceType, authorizedNames } from './authorize.js';

export const createPartitionsHandler = defineHandler(CreatePartitionsApi, {
  handle(ctx, req) {
    const cluster = ctx.cluster;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    for (const [name, n] of counts) if (n > 1) results.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });

    // ControllerApis.createPartitions: ALTER on each topic, checked before existence.
    const alterable = authorizedNames(ctx, AclOperation.ALTER, ResourceType.TOPIC, [...counts].flatMap(([name, n]) => (n === 1 ? [name] : [])));
    const growths: { topic: Topic; count: number; assignments: (readonly number[])[] | null }[] = [];
    let added = 0;
    for (const t of req.topics) {
      if (counts.get(t.name)! > 1) continue;
      if (!alterable.has(t.name)) {
        results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
        continue;
      }
      try {
        const topic = check(cluster, t);
        growths.push({ topic, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null });
        added += t.count - topic.partitions.length;
        results.push({ name: t.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        results.push({ name: t.name, errorCode: errorCodeOf(e), errorMessage: e.message === '' ? null : e.message });
      }
    }
    if (added > MAX_RECORDS_PER_OPERATION) return failAll(req, ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
    if (!req.validateOnly) {
      for (const g of growths) {
        const before = g.topic.partitions.length;
        cluster.topics.addPartitions(g.topic, g.count);
        cluster.replicas.addPartitions(g.topic, before, g.assignments);
        cluster.logger.info(`topic ${g.topic.name}: partitions ${before} -> ${g.count}`);
      }
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(_ctx, req, code) {
    return failAll(req, code, null);
  },
});

/** Kafka's checks, in its order; throws a KafkaError with its message. */
function check(cluster: Cluster, t: CreatePartitionsRequestCreatePartitionsTopic): Topic {
  const topic = cluster.topics.get(t.name);
  // Kafka's UnknownTopicOrPartitionException here has no message: the result's message is null.
  if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', '');
  const current = topic.partitions.length;
  if (t.count === current) throw new KafkaError('INVALID_PARTITIONS', `Topic already has ${current} partition(s).`);
  if (t.count < current) throw new KafkaError('INVALID_PARTITIONS', `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`);
  const additional = t.count - current;
  if (t.assignments !== null) {
    if (t.assignments.length !== additional) {
      throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `Attempted to add ${additional} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`);
    }
    const replicas = cluster.replicasFor(topic, 0).length;
    for (const a of t.assignments) validateManualAssignment(cluster, a.brokerIds, replicas);
  }
  return topic;
}

/** CreatePartitionsRequest.getErrorResponse: every requested topic with one code. */
function failAll(req: CreatePartitionsRequest, code: number, message: string | null): CreatePartitionsResponse {
  return { throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: message })) };
}
