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
 */
import { ApiVersionsApi } from '../../protocol/messages/api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';

export const apiVersionsHandler = defineHandler(ApiVersionsApi, {
  maxVersion: 4, // v5 (KIP-1242: ClusterId/NodeId check, REBOOTSTRAP_REQUIRED) is not implemented
  handle(ctx, req) {
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
