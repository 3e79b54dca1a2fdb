/**
 * ApiVersions (key 18). The list is derived from the handler registry, so it always says exactly
 * what is served. Produce is advertised from v0 although only v3+ is accepted, as Kafka 4.x does:
 * librdkafka refuses a broker whose Produce range does not start at 0 (KAFKA-18659).
 *
 * Features (KIP-584), as a Kafka 4.x broker reports them: `group.version` supported 0-1 and
 * finalized at 1, which says the consumer group protocol (KIP-848) is enabled; Kafka also gates
 * ConsumerGroupHeartbeat on it. The finalized-features epoch is a constant: Kafka reports the
 * metadata log offset of the last feature change, and clients only compare epochs to keep the
 * newest answer. The other features Kafka 4.x reports (metadata.version, kraft.version,
 * transaction.version, share.version, streams.version, eligible.leader.replicas.version) are not
 * advertised, since nothing here implements what they gate.
 */
import { ApiVersionsApi } from '../../protocol/messages/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import type { ApiVersionsResponseFinalizedFeatureKey, ApiVersionsResponseSupportedFeatureKey } from '../../protocol/messages/api-versions.js';

/** Features this broker supports, with their version ranges. */
export const SUPPORTED_FEATURES: readonly ApiVersionsResponseSupportedFeatureKey[] = [{ name: 'group.version', minVersion: 0, maxVersion: 1 }];
/** Features in force, at the level a freshly formatted Kafka 4.x cluster finalizes them. */
export const FINALIZED_FEATURES: readonly ApiVersionsResponseFinalizedFeatureKey[] = [{ name: 'group.version', maxVersionLevel: 1, minVersionLevel: 1 }];
export const FINALIZED_FEATURES_EPOCH = 1n;

export const apiVersionsHandler = defineHandler(ApiVersionsApi, {
  maxVersion: 4, // v5 (KIP-1242: ClusterId/NodeId check, REBOOTSTRAP_REQUIRED) is not implemented
  handle(ctx) {
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: ctx.broker.advertisedApis(),
      throttleTimeMs: 0,
      supportedFeatures: SUPPORTED_FEATURES.map((f) => ({ ...f })),
      finalizedFeaturesEpoch: FINALIZED_FEATURES_EPOCH,
      finalizedFeatures: FINALIZED_FEATURES.map((f) => ({ ...f })),
      zkMigrationReady: false,
    };
  },
});
