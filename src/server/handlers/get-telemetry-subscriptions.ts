/**
 * GetTelemetrySubscriptions (key 71), v0 (KIP-714): which metrics a client instance should push and
 * how often, from the CLIENT_METRICS subscriptions that match it (cluster/telemetry.ts has the
 * rules: a new instance id for a zero one, THROTTLING_QUOTA_EXCEEDED when asked again within the
 * push interval). Accepted compressions are Kafka's: zstd, lz4, gzip, snappy; telemetry.max.bytes
 * 1 MiB; delta temporality.
 *
 * Deviation: Kafka advertises this API (and PushTelemetry) only when a ClientTelemetry exporter
 * plugin is configured, which a default broker has not; minikafka always does, and keeps what is
 * pushed for tests (MiniKafka.telemetry()). Clients then ask for subscriptions at start and every
 * push interval (5 minutes by default), and push only the metrics a subscription asks for.
 */
import { GetTelemetrySubscriptionsApi } from '../../protocol/messages/get-telemetry-subscriptions.js';
import type { GetTelemetrySubscriptionsResponse } from '../../protocol/messages/get-telemetry-subscriptions.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../protocol/uuid.js';
import { defineHandler } from './handler.js';
import { ACCEPTED_COMPRESSION_TYPES, TELEMETRY_MAX_BYTES } from '../cluster/telemetry.js';
import { telemetryClientOf } from './telemetry-support.js';

function failed(errorCode: number): GetTelemetrySubscriptionsResponse {
  return { throttleTimeMs: 0, errorCode, clientInstanceId: ZERO_UUID, subscriptionId: 0, acceptedCompressionTypes: [], pushIntervalMs: 0, telemetryMaxBytes: 0, deltaTemporality: false, requestedMetrics: [] };
}

export const getTelemetrySubscriptionsHandler = defineHandler(GetTelemetrySubscriptionsApi, {
  handle(ctx, req): GetTelemetrySubscriptionsResponse {
    try {
      const s = ctx.cluster.telemetry.getSubscriptions(req.clientInstanceId, telemetryClientOf(ctx));
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        clientInstanceId: s.clientInstanceId,
        subscriptionId: s.subscriptionId,
        acceptedCompressionTypes: [...ACCEPTED_COMPRESSION_TYPES],
        pushIntervalMs: s.pushIntervalMs,
        telemetryMaxBytes: TELEMETRY_MAX_BYTES,
        deltaTemporality: true,
        requestedMetrics: s.requestedMetrics,
      };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return failed(e.code);
    }
  },
  errorResponse: (_ctx, _req, code) => failed(code),
});
