/**
 * IncrementalAlterConfigs (key 44), v0-1: SET, DELETE, APPEND and SUBTRACT on the dynamic configs
 * of topics, brokers (this broker's id, or "" for the cluster default) and broker loggers. DELETE
 * of an unset name is a no-op; APPEND adds the values not yet in a list config (starting from its
 * default when unset), SUBTRACT removes them; both are INVALID_CONFIG on other types. Each resource
 * succeeds or fails as a whole; validateOnly changes nothing. Codes and messages are Kafka's (see
 * src/server/cluster/configs/config-changes.ts); changes apply at once to existing partitions.
 *
 * Deviations: a valid broker logger change is refused with INVALID_REQUEST (minikafka's log level
 * is fixed at start; validateOnly succeeds); an unknown operation on a topic is INVALID_REQUEST
 * (Kafka: UNKNOWN_SERVER_ERROR); see config-changes.ts for the rest.
 */
import { IncrementalAlterConfigsApi } from '../../protocol/messages/incremental-alter-configs.js';
import type { IncrementalAlterConfigsResponse } from '../../protocol/messages/incremental-alter-configs.js';
import { defineHandler } from './handler.js';
import { alterAuthorizedConfigs } from './authorize.js';
import { incrementalAlterConfigs } from '../cluster/configs/config-changes.js';

export const incrementalAlterConfigsHandler = defineHandler(IncrementalAlterConfigsApi, {
  handle(ctx, req): IncrementalAlterConfigsResponse {
    // ALTER_CONFIGS on the topic, the group, or the cluster (broker resources): see authorize.ts.
    const responses = alterAuthorizedConfigs(
      ctx,
      req.resources,
      (allowed) => {
        const results = incrementalAlterConfigs(ctx.cluster, ctx.broker.nodeId, allowed, req.validateOnly);
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
