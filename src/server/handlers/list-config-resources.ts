/**
 * ListConfigResources (key 74), v0-1 (kafka-client-metrics.sh --list, kafka-configs.sh).
 *
 * Behaviour (KafkaApis.handleListConfigResources, checked against Kafka 4.4):
 * - v0 (ListClientMetricsResources before KIP-1142) lists the CLIENT_METRICS subscriptions only;
 * - v1 lists the requested types, every supported one when the list is empty, in Kafka's order:
 *   CLIENT_METRICS (the subscriptions), BROKER_LOGGER and BROKER (this broker's id), TOPIC (every
 *   topic), GROUP (groups with dynamic configs); any other type fails the request with
 *   UNSUPPORTED_VERSION.
 *
 * ACLs: DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { ListConfigResourcesApi } from '../../protocol/messages/list-config-resources.js';
import type { ListConfigResourcesResponseConfigResource } from '../../protocol/messages/list-config-resources.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { ResourceType } from '../cluster/configs/config-changes.js';

const ORDER = [ResourceType.CLIENT_METRICS, ResourceType.BROKER_LOGGER, ResourceType.BROKER, ResourceType.TOPIC, ResourceType.GROUP] as const;

export const listConfigResourcesHandler = requireClusterOperation(AclOperation.DESCRIBE_CONFIGS, defineHandler(ListConfigResourcesApi, {
  handle(ctx, req) {
    const requested = ctx.apiVersion === 0 ? [ResourceType.CLIENT_METRICS] : req.resourceTypes.length === 0 ? ORDER : req.resourceTypes;
    if (requested.some((t) => !(ORDER as readonly number[]).includes(t))) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] };
    const out: ListConfigResourcesResponseConfigResource[] = [];
    const add = (resourceType: number, names: Iterable<string>) => {
      for (const resourceName of names) out.push({ resourceName, resourceType });
    };
    const brokerId = String(ctx.broker.nodeId);
    for (const type of ORDER) {
      if (!requested.includes(type)) continue;
      if (type === ResourceType.CLIENT_METRICS) add(type, ctx.cluster.clientMetrics.names());
      else if (type === ResourceType.BROKER_LOGGER || type === ResourceType.BROKER) add(type, [brokerId]);
      else if (type === ResourceType.TOPIC) add(type, [...ctx.cluster.topics.all()].map((t) => t.name));
      else if (type === ResourceType.GROUP) add(type, ctx.cluster.groupConfigs.names());
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources: out };
  },
  errorResponse: (_ctx, _req, code) => ({ throttleTimeMs: 0, errorCode: code, configResources: [] }),
}));
