/**
 * Quota checks of Produce and Fetch, as KafkaApis makes them when it answers: the bytes are
 * recorded against the byte-rate quota and the handling time against request_percentage; the
 * larger throttle time goes into the response's throttle_time_ms and mutes the connection for
 * that long (v2+ clients also back off on their own, KIP-219).
 *
 * Request time is the handler's own time on this event loop (Kafka: the request handler thread's
 * time), as a percentage of one second: 100 is one thread busy for the whole window.
 */
import type { RequestContext } from './handler.js';
import { ANONYMOUS_USER } from '../cluster/quotas/client-quota-manager.js';

/** Kafka's ClientRequestQuotaManager.nanosToPercentage, from milliseconds. */
function msToPercentage(ms: number): number {
  return (ms * 100) / 1000;
}

function throttleConnection(ctx: RequestContext, ms: number): number {
  if (ms > 0) ctx.connection.throttle?.(ms);
  return ms;
}

/** Records a produce request; returns its throttle time (handleProduceRequest's sendResponseCallback). */
export function produceThrottleMs(ctx: RequestContext, acks: number, handlingMs: number): number {
  const now = ctx.clock.now();
  const clientId = ctx.clientId ?? '';
  const bandwidth = ctx.quotas.produce.record(ANONYMOUS_USER, clientId, ctx.requestSize, now);
  // acks=0 requests are not charged request time (Kafka: "no response is sent").
  const request = acks === 0 ? 0 : ctx.quotas.request.record(ANONYMOUS_USER, clientId, msToPercentage(handlingMs), now);
  return throttleConnection(ctx, Math.max(bandwidth, request));
}

/** Whether a fetch of this client is under a byte-rate quota (its response size is then measured). */
export function fetchQuotaApplies(ctx: RequestContext): boolean {
  return ctx.quotas.fetch.quotaFor(ANONYMOUS_USER, ctx.clientId ?? '') !== null;
}

/** A fetch's byte limit under its quota: what one quota window allows (getMaxValueInQuotaWindow). */
export function fetchQuotaMaxBytes(ctx: RequestContext): number {
  return ctx.quotas.fetch.maxValueInQuotaWindow(ANONYMOUS_USER, ctx.clientId ?? '');
}

/**
 * Records a consumer fetch's response size; returns its throttle time. When throttled, the bytes
 * are taken back, since Kafka then answers with no data (handleFetchRequest).
 */
export function fetchThrottleMs(ctx: RequestContext, responseBytes: number, handlingMs: number): number {
  const now = ctx.clock.now();
  const clientId = ctx.clientId ?? '';
  const request = ctx.quotas.request.record(ANONYMOUS_USER, clientId, msToPercentage(handlingMs), now);
  const bandwidth = ctx.quotas.fetch.record(ANONYMOUS_USER, clientId, responseBytes, now);
  const throttle = Math.max(bandwidth, request);
  if (throttle > 0) ctx.quotas.fetch.unrecord(ANONYMOUS_USER, clientId, responseBytes, now);
  return throttleConnection(ctx, throttle);
}
