/** What the telemetry receiver needs to know about the client behind a request. */
import type { RequestContext } from './handler.js';
import type { TelemetryClient } from '../cluster/telemetry.js';

export function telemetryClientOf(ctx: RequestContext): TelemetryClient {
  const conn = ctx.connection;
  return {
    clientId: ctx.clientId,
    softwareName: conn.clientSoftware?.name ?? null,
    softwareVersion: conn.clientSoftware?.version ?? null,
    address: conn.remoteAddress.replace(/^::ffff:/, ''),
    port: conn.remotePort,
    connectionKey: `${ctx.broker.nodeId}/${conn.id}`,
    onClose: (fn) => conn.onClose(fn),
  };
}
