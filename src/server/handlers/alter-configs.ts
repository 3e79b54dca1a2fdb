/**
 * AlterConfigs (key 33), v0-2: replaces the whole set of dynamic configs of each resource (topic
 * overrides, or a broker's / the cluster's dynamic broker configs) with the request's. Names left
 * out are removed; validateOnly checks everything and changes nothing. Validation, codes and
 * messages are Kafka's (see src/server/cluster/configs/config-changes.ts); a change takes effect at once
 * for existing partitions (segment and retention settings, max.message.bytes, cleanup.policy, ...).
 *
 * BROKER_LOGGER is not served by this API, as in Kafka ("Unknown resource type 8").
 *
 * Deviations: see config-changes.ts (a repeated resource is answered instead of closing the
 * connection; GROUP resources are not supported). CLIENT_METRICS subscriptions are replaced as a
 * whole, as Kafka does.
 */
import { AlterConfigsApi } from '../../protocol/messages/alter-configs.js';
import type { AlterConfigsResponse } from '../../protocol/messages/alter-configs.js';
import { defineHandler } from './handler.js';
import { alterAuthorizedConfigs } from './authorize.js';
import { alterConfigs } from '../cluster/configs/config-changes.js';

export const alterConfigsHandler = defineHandler(AlterConfigsApi, {
  handle(ctx, req): AlterConfigsResponse {
    // ALTER_CONFIGS on the topic, the group, or the cluster (broker resources): see authorize.ts.
    const responses = alterAuthorizedConfigs(
      ctx,
      req.resources,
      (allowed) => {
        const results = alterConfigs(ctx.cluster, ctx.broker.nodeId, allowed, req.validateOnly);
        return allowed.map((r, i) => ({ ...results[i]!, resourceType: r.resourceType, resourceName: r.resourceName }));
      },
      (r, errorCode) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName }),
    );
    return { throttleTimeMs: 0, responses };
  },

  errorResponse(_ctx, req, code) {
    return { throttleTimeMs: 0, responses: req.resources.map((r) => ({ errorCode: code, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })) };
  },
});
