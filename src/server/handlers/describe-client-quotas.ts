/**
 * DescribeClientQuotas (key 48), v0-1: the quotas matching a filter, from the cluster's quota
 * store (Kafka answers from its metadata image: ClientQuotasImage.describe via KafkaApis).
 *
 * A bad filter fails the whole request with entries null and Kafka's code and message: an empty
 * entity type, a type given twice, exact match without a name, default or specified match with a
 * name, an unknown match type or an ip component with user/client-id: INVALID_REQUEST; an entity
 * type other than user, client-id, ip: UNSUPPORTED_VERSION "Unsupported entity type x".
 * strict keeps only entities with exactly the filter's types.
 *
 * Deviations: entries come in the order entities were first set (Kafka: hash-map order).
 *
 * ACLs: DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { DescribeClientQuotasApi } from '../../protocol/messages/describe-client-quotas.js';
import type { DescribeClientQuotasResponse } from '../../protocol/messages/describe-client-quotas.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';

export const describeClientQuotasHandler = requireClusterOperation(AclOperation.DESCRIBE_CONFIGS, defineHandler(DescribeClientQuotasApi, {
  handle(ctx, req): DescribeClientQuotasResponse {
    try {
      const entries = ctx.cluster.quotas.describe(req.components, req.strict);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, errorCode: e.code, errorMessage: e.message, entries: null };
    }
  },

  errorResponse(_ctx, _req, code) {
    return { throttleTimeMs: 0, errorCode: code, errorMessage: null, entries: null };
  },
}));
