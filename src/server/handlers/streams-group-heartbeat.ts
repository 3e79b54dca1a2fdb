/**
 * StreamsGroupHeartbeat (key 88), v0-1: the Streams rebalance protocol (KIP-1071). A member joins
 * with epoch 0 and its application's topology, heartbeats with its epoch (reporting the tasks it
 * owns when they change), and leaves with -1; answers carry its epoch, its active, standby and
 * warm-up tasks when they changed, the partitions every member's endpoint serves (interactive
 * queries) when the member's endpoint epoch is behind, and the group's statuses (missing topics,
 * stale topology, shutdown requested). The group logic is coordinators/streams/.
 *
 * As Kafka's KafkaApis, the internal topics (repartition and changelog) the heartbeat found
 * missing are created by the broker once the heartbeat is answered; that heartbeat says
 * MISSING_INTERNAL_TOPICS and a later one sees the topics. A creation that fails is logged and
 * retried on the next heartbeat. v1 answers with AcceptableRecoveryLag as an int64 and
 * TopologyDescriptionRequired (always false: no topology description plugin).
 *
 * streams.version 0 turns the protocol off: UNSUPPORTED_VERSION, as Kafka.
 */
import { StreamsGroupHeartbeatApi } from '../../protocol/messages/streams-group-heartbeat.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import type { RequestContext } from './handler.js';
import { clientInfoOf, coordinatesGroup } from './group-support.js';
import { Feature } from '../cluster/features.js';
import { createTopic } from '../cluster/topic-create.js';
import { streamsHeartbeatError } from '../coordinators/streams/streams-groups.js';
import type { TopicToCreate } from '../coordinators/streams/streams-topology.js';

function createInternalTopics(ctx: RequestContext, topics: readonly TopicToCreate[]): void {
  for (const t of topics) {
    if (ctx.cluster.topics.get(t.name)) continue;
    try {
      createTopic(ctx.cluster, ctx.broker.config, { name: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor, configs: t.configs });
      ctx.logger.info(`streams internal topic ${t.name} created with ${t.partitions} partitions`);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      ctx.logger.warn(`streams internal topic ${t.name} could not be created: ${e.message}`);
    }
  }
}

export const streamsGroupHeartbeatHandler = defineHandler(StreamsGroupHeartbeatApi, {
  handle(ctx, req) {
    if (ctx.cluster.features.level(Feature.STREAMS_VERSION) < 1) return streamsHeartbeatError(ErrorCode.UNSUPPORTED_VERSION, null);
    if (req.groupId.trim() !== '' && !coordinatesGroup(ctx, req.groupId)) return streamsHeartbeatError(ErrorCode.NOT_COORDINATOR, null);
    const result = ctx.groups.streams.heartbeat(req, clientInfoOf(ctx));
    if (result.toCreate.length > 0) createInternalTopics(ctx, result.toCreate);
    return result.response;
  },
  errorResponse(_ctx, _req, code) {
    return streamsHeartbeatError(code, null);
  },
});
