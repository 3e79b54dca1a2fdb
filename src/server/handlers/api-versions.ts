/**
 * ApiVersions (key 18). The list is derived from the handler registry, so it always says exactly
 * what is served. Produce is advertised from v0 although only v3+ is accepted, as Kafka 4.x does:
 * librdkafka refuses a broker whose Produce range does not start at 0 (KAFKA-18659).
 *
 * Features: none are finalized yet, since transactions v2 (KIP-890) and the other feature-gated
 * behaviours are not implemented; clients then fall back to the classic behaviour.
 */
import { ApiVersionsApi } from '../../protocol/messages/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';

export const apiVersionsHandler = defineHandler(ApiVersionsApi, {
  handle(ctx) {
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: ctx.broker.advertisedApis(),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});
