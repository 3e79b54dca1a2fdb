/**
 * UpdateFeatures (key 57), v0-2: changes finalized feature levels (kafka-features.sh
 * upgrade/downgrade/disable). The rules, codes and messages are Kafka 4.4's (cluster/features.ts):
 * the first invalid update fails the whole request with INVALID_UPDATE_VERSION and the message
 * "The update failed for all features since the following feature had an error: ...", results
 * empty; otherwise every update succeeds (each result's errorMessage is "NONE", as Kafka sends it).
 * validateOnly (v1+) checks and changes nothing.
 *
 * Effects: group.version 0 turns the consumer group protocol off (ConsumerGroupHeartbeat and
 * ConsumerGroupDescribe answer UNSUPPORTED_VERSION, as Kafka's KafkaApis does); the other levels
 * change what ApiVersions reports.
 *
 * Versions: v0's AllowDowngrade is not honoured, as in Kafka 4.4 (the broker forwards the request
 * to its controller at a version without that field), so a downgrade needs v1+. v2 answers no
 * per-feature results (the field is gone from the schema).
 *
 * ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED as the request's error response.
 */
import { UpdateFeaturesApi } from '../../protocol/messages/update-features.js';
import type { UpdateFeaturesResponse } from '../../protocol/messages/update-features.js';
import { ErrorCode, KafkaError, errorInfo } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { AclOperation, requireClusterOperation } from './authorize.js';
import { UpgradeType } from '../cluster/features.js';

function failed(code: number, message: string | null): UpdateFeaturesResponse {
  return { throttleTimeMs: 0, errorCode: code, errorMessage: message, results: [] };
}

export const updateFeaturesHandler = requireClusterOperation(AclOperation.ALTER, defineHandler(UpdateFeaturesApi, {
  handle(ctx, req) {
    const updates = req.featureUpdates.map((u) => ({ feature: u.feature, maxVersionLevel: u.maxVersionLevel, upgradeType: ctx.apiVersion === 0 ? UpgradeType.UPGRADE : u.upgradeType }));
    try {
      ctx.cluster.features.update(updates, ctx.apiVersion >= 1 && req.validateOnly);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return failed(e.code, `The update failed for all features since the following feature had an error: ${e.message}`);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: 'NONE' })) };
  },
  errorResponse(_ctx, _req, code) {
    return failed(code, errorInfo(code).message);
  },
}));
