/**
 * PushTelemetry (key 72), v0 (KIP-714): a client instance pushes the metrics it was asked for (an
 * OTLP MetricsData message, compressed as it chose). Checks, codes and order are Kafka's
 * ClientMetricsManager's (cluster/telemetry.ts); a payload that passes them is decompressed and
 * kept, bounded, for tests (MiniKafka.telemetry()), where Kafka hands it to an exporter plugin.
 *
 * Deviation: advertised although no exporter plugin is configured, see get-telemetry-subscriptions.ts.
 */
import { PushTelemetryApi } from '../../protocol/messages/push-telemetry.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineHandler } from './handler.js';
import { telemetryClientOf } from './telemetry-support.js';

export const pushTelemetryHandler = defineHandler(PushTelemetryApi, {
  async handle(ctx, req) {
    try {
      await ctx.cluster.telemetry.push(req, telemetryClientOf(ctx));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, errorCode: e.code };
    }
  },
  errorResponse: (_ctx, _req, code) => ({ throttleTimeMs: 0, errorCode: code }),
});
