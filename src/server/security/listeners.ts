/**
 * Kafka's listener configs: `listeners` (NAME://host:port, comma-separated),
 * `advertised.listeners` (same form, per listener name), and `listener.security.protocol.map`
 * (NAME:PROTOCOL pairs; by default each protocol name maps to itself). A listener whose name is
 * not in the map and is not a protocol name is a configuration error, as in Kafka.
 */
export const SecurityProtocol = { PLAINTEXT: 'PLAINTEXT', SSL: 'SSL', SASL_PLAINTEXT: 'SASL_PLAINTEXT', SASL_SSL: 'SASL_SSL' } as const;
export type SecurityProtocolName = (typeof SecurityProtocol)[keyof typeof SecurityProtocol];

export function isSecurityProtocol(s: string): s is SecurityProtocolName {
  return Object.hasOwn(SecurityProtocol, s);
}

export interface ListenerSpec {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: SecurityProtocolName;
  readonly advertisedHost: string;
  readonly advertisedPort: number | null;
}

export class ListenerConfigError extends Error {
  override readonly name = 'ListenerConfigError';
}

const ENDPOINT = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/;

interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

function parseEndpoints(value: string, key: string): Endpoint[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = ENDPOINT.exec(s);
      if (!m) throw new ListenerConfigError(`Unable to parse ${s} to a broker endpoint (${key})`);
      const port = Number(m[3]);
      if (port > 65535) throw new ListenerConfigError(`Invalid port in ${s} (${key})`);
      return { name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port };
    });
}

function parseProtocolMap(value: string | undefined): Map<string, SecurityProtocolName> {
  const map = new Map<string, SecurityProtocolName>(Object.values(SecurityProtocol).map((p) => [p, p]));
  if (value === undefined || value.trim().length === 0) return map;
  for (const pair of value.split(',')) {
    const [name, proto] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !proto || !isSecurityProtocol(proto)) throw new ListenerConfigError(`Invalid listener.security.protocol.map entry '${pair}'`);
    map.set(name, proto);
  }
  return map;
}

export function parseListeners(configs: ReadonlyMap<string, string>): ListenerSpec[] {
  const listeners = configs.get('listeners');
  if (listeners === undefined) return [];
  const map = parseProtocolMap(configs.get('listener.security.protocol.map'));
  const advertised = new Map(parseEndpoints(configs.get('advertised.listeners') ?? '', 'advertised.listeners').map((e) => [e.name, e]));
  const endpoints = parseEndpoints(listeners, 'listeners');
  const names = new Set<string>();
  return endpoints.map((e) => {
    if (names.has(e.name)) throw new ListenerConfigError(`Each listener must have a different name, listeners: ${listeners}`);
    names.add(e.name);
    const securityProtocol = map.get(e.name);
    if (securityProtocol === undefined) throw new ListenerConfigError(`No security protocol defined for listener ${e.name}`);
    const adv = advertised.get(e.name);
    return { ...e, securityProtocol, advertisedHost: adv?.host || e.host, advertisedPort: adv && adv.port !== 0 ? adv.port : null };
  });
}
