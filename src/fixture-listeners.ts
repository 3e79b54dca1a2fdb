/**
 * The fixture's listeners: `MiniKafka.start({ listeners: [...] })` in Kafka's form
 * ("SASL_SSL://127.0.0.1:0") or as objects (a name, a protocol, and where to bind and advertise),
 * turned into Kafka's configs (listeners, advertised.listeners, listener.security.protocol.map);
 * and, once started, each listener's bootstrap address over the running brokers.
 */
import type { Broker, BrokerListenerEndpoint } from './server/broker.js';
import { hostPort, isSecurityProtocol, type SecurityProtocolName } from './server/security/listeners.js';

export interface ListenerOptions {
  /** The listener's name (default: the protocol's), e.g. "EXTERNAL". */
  readonly name?: string;
  readonly securityProtocol: SecurityProtocolName;
  /** Address to bind (default: the `host` option, 127.0.0.1). */
  readonly host?: string;
  /** 0 (the default) picks a free port, per broker. */
  readonly port?: number;
  /** What clients are told (advertised.listeners); default: the bound host and port. */
  readonly advertisedHost?: string;
  readonly advertisedPort?: number;
}

/** One listener of a started cluster. */
export interface ListenerView {
  readonly name: string;
  readonly securityProtocol: SecurityProtocolName;
  /** Every running broker's advertised host:port on this listener, comma-separated. */
  readonly bootstrapServers: string;
  readonly brokers: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
}

/** listeners / advertised.listeners / listener.security.protocol.map for the given listeners. */
export function listenerConfigsOf(listeners: readonly (string | ListenerOptions)[], defaultHost: string): Record<string, string> {
  const bound: string[] = [];
  const advertised: string[] = [];
  const map: string[] = [];
  for (const l of listeners) {
    if (typeof l === 'string') {
      bound.push(l);
      continue;
    }
    if (!isSecurityProtocol(l.securityProtocol)) throw new Error(`listener ${l.name ?? ''}: securityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${l.securityProtocol}'`);
    const name = (l.name ?? l.securityProtocol).toUpperCase();
    bound.push(`${name}://${hostPort(l.host ?? defaultHost, l.port ?? 0)}`);
    if (name !== l.securityProtocol) map.push(`${name}:${l.securityProtocol}`);
    if (l.advertisedHost !== undefined || l.advertisedPort !== undefined) advertised.push(`${name}://${hostPort(l.advertisedHost ?? '', l.advertisedPort ?? 0)}`);
  }
  const out: Record<string, string> = { listeners: bound.join(',') };
  if (advertised.length > 0) out['advertised.listeners'] = advertised.join(',');
  if (map.length > 0) out['listener.security.protocol.map'] = map.join(',');
  return out;
}

/** Each listener (the primary one first) over the running brokers (every broker when none runs). */
export function listenerViews(brokers: readonly Broker[]): ListenerView[] {
  const running = brokers.filter((b) => b.listening);
  const shown = running.length > 0 ? running : brokers;
  const byName = new Map<string, { endpoint: BrokerListenerEndpoint; nodes: { nodeId: number; host: string; port: number }[] }>();
  for (const b of shown) {
    for (const e of b.endpoints) {
      let v = byName.get(e.listenerName);
      if (v === undefined) byName.set(e.listenerName, (v = { endpoint: e, nodes: [] }));
      v.nodes.push({ nodeId: b.nodeId, host: e.host, port: e.port });
    }
  }
  return [...byName.values()].map(({ endpoint, nodes }) => ({
    name: endpoint.listenerName,
    securityProtocol: endpoint.securityProtocol,
    bootstrapServers: nodes.map((n) => hostPort(n.host, n.port)).join(','),
    brokers: nodes,
  }));
}
