/**
 * ApiVersions (key 18). The list is derived from the handler registry, so it always says exactly
 * what is served. Produce is advertised from v0 although only v3+ is accepted, as Kafka 4.x does:
 * librdkafka refuses a broker whose Produce range does not start at 0 (KAFKA-18659).
 *
 * Features (KIP-584): the cluster's feature registry (cluster/features.ts, where the levels and
 * their differences from Kafka 4.4 are listed): every supported feature with its range, the
 * finalized ones (level > 0) with their level, and the epoch of the last change. Below v4 Kafka
 * leaves out the supported features whose range starts at 0, which older clients cannot parse
 * (KAFKA-17011); so does this handler.
 *
 * Under `--as-version` below 4.0 the features are the emulated release's (cluster/kafka-releases.ts).
 *
 * v3+ requests name the client software; it is kept on the connection, as Kafka's
 * ClientInformation, for client metrics matching (KIP-714).
 *
 * v5 (KIP-1242): a client that knows whom it means to reach names the cluster id and node id.
 * Checked against Kafka 4.4: both absent (null, -1) is answered as before; one without the other is
 * INVALID_REQUEST; both given and either differing (an empty cluster id too) is
 * REBOOTSTRAP_REQUIRED, the client's cue that its bootstrap list points at another broker. The
 * error answers carry no API keys and no features (finalized epoch -1) and leave the connection open.
 */
import { ApiVersionsApi } from '../../protocol/messages/api-versions.js';
import type { ApiVersionsResponse } from '../../protocol/messages/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

/** KIP-1242's check of the cluster and node a v5 client names against this broker's. */
function identityCheck(clusterId: string | null, nodeId: number, ownClusterId: string, ownNodeId: number): number {
  if (clusterId === null && nodeId === -1) return ErrorCode.NONE;
  if (clusterId === null || nodeId === -1) return ErrorCode.INVALID_REQUEST;
  return clusterId === ownClusterId && nodeId === ownNodeId ? ErrorCode.NONE : ErrorCode.REBOOTSTRAP_REQUIRED;
}

function refusal(errorCode: number): ApiVersionsResponse {
  return { errorCode, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false };
}

export const apiVersionsHandler = defineHandler(ApiVersionsApi, {
  handle(ctx, req) {
    if (ctx.apiVersion >= 5) {
      const refused = identityCheck(req.clusterId, req.nodeId, ctx.cluster.clusterId, ctx.broker.nodeId);
      if (refused !== ErrorCode.NONE) return refusal(refused);
    }
    const features = ctx.cluster.features;
    if (ctx.apiVersion >= 3) ctx.connection.clientSoftware = { name: req.clientSoftwareName, version: req.clientSoftwareVersion };
    const release = ctx.broker.releaseFeatures;
    if (release) {
      // An emulated older release (--as-version): its features, at a fresh node's levels.
      return {
        errorCode: ErrorCode.NONE,
        apiKeys: ctx.broker.advertisedApis(),
        throttleTimeMs: 0,
        supportedFeatures: release.filter((f) => ctx.apiVersion >= 4 || f.minVersion > 0).map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
        finalizedFeaturesEpoch: release.some((f) => f.finalized > 0) ? features.epoch : -1n,
        finalizedFeatures: release.filter((f) => f.finalized > 0).map((f) => ({ name: f.name, maxVersionLevel: f.finalized, minVersionLevel: f.finalized })),
        zkMigrationReady: false,
      };
    }
    const supported = features.supported().filter((f) => ctx.apiVersion >= 4 || f.minVersion > 0);
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: ctx.broker.advertisedApis(),
      throttleTimeMs: 0,
      supportedFeatures: supported,
      finalizedFeaturesEpoch: features.epoch,
      finalizedFeatures: features.finalized().map((f) => ({ name: f.name, maxVersionLevel: f.level, minVersionLevel: f.level })),
      zkMigrationReady: false,
    };
  },
});
