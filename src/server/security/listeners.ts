/**
 * Kafka's listener configs: `listeners` (NAME://host:port, comma-separated),
 * `advertised.listeners` (same form, per listener name), and `listener.security.protocol.map`
 * (NAME:PROTOCOL pairs; by default each protocol name maps to itself). A listener whose name is
 * not in the map and is not a protocol name is a configuration error, as in Kafka.
 *
 * Checked as Kafka's KafkaConfig checks them, with its messages: listener names and non-zero
 * ports distinct, advertised names a subset of the listeners, no advertised 0.0.0.0, and
 * `inter.broker.listener.name` (when set) one of the listeners. Per-listener settings use Kafka's
 * prefix `listener.name.<lower-case name>.<config>` (see `listenerConfigs`).
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
  /** From advertised.listeners, else '' (the bound host, or the broker's advertised host). */
  readonly advertisedHost: string;
  /** From advertised.listeners when not 0, else null (the bound port). */
  readonly advertisedPort: number | null;
}

export class ListenerConfigError extends Error {
  override readonly name = 'ListenerConfigError';
}

const ENDPOINT = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/;

interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseEndpoint(s: string, key: string): Endpoint {
  const m = ENDPOINT.exec(s);
  if (!m) throw new ListenerConfigError(`Unable to parse ${s} to a broker endpoint (${key}: expected NAME://HOST:PORT, e.g. SASL_SSL://127.0.0.1:9093)`);
  const port = Number(m[3]);
  if (port > 65535) throw new ListenerConfigError(`Invalid port in ${s} (${key}): ports are 0 to 65535`);
  return { name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

function parseEndpoints(value: string, key: string): Endpoint[] {
  return splitList(value).map((s) => parseEndpoint(s, key));
}

function parseProtocolMap(value: string | undefined): Map<string, SecurityProtocolName> {
  const map = new Map<string, SecurityProtocolName>(Object.values(SecurityProtocol).map((p) => [p, p]));
  if (value === undefined || value.trim().length === 0) return map;
  for (const pair of splitList(value)) {
    const [name, proto] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !proto || !isSecurityProtocol(proto)) throw new ListenerConfigError(`Invalid listener.security.protocol.map entry '${pair}': expected NAME:PROTOCOL with PROTOCOL one of ${Object.values(SecurityProtocol).join(', ')}`);
    map.set(name, proto);
  }
  return map;
}

/** "host:port", IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The listeners of a broker. Without a `listeners` config, `defaultListeners` (the broker's
 * PLAINTEXT://host:port, as Kafka's default is PLAINTEXT://:9092), which advertised.listeners
 * may then name; with neither, none.
 */
export function parseListeners(configs: ReadonlyMap<string, string>, defaultListeners?: string): ListenerSpec[] {
  const listeners = configs.get('listeners') ?? defaultListeners;
  if (listeners === undefined) return [];
  const map = parseProtocolMap(configs.get('listener.security.protocol.map'));
  const endpoints = parseEndpoints(listeners, 'listeners');
  if (endpoints.length === 0) throw new ListenerConfigError('listeners is empty: give at least one NAME://HOST:PORT');
  const ports = endpoints.map((e) => e.port).filter((p) => p !== 0);
  if (new Set(ports).size !== ports.length) throw new ListenerConfigError(`Each listener must have a different port, listeners: ${listeners}`);
  if (new Set(endpoints.map((e) => e.name)).size !== endpoints.length) throw new ListenerConfigError(`Each listener must have a different name, listeners: ${listeners}`);
  const names = endpoints.map((e) => e.name);
  const advertisedList = parseEndpoints(configs.get('advertised.listeners') ?? '', 'advertised.listeners');
  const advertised = new Map(advertisedList.map((e) => [e.name, e]));
  const unknown = advertisedList.filter((e) => !names.includes(e.name));
  if (unknown.length > 0) {
    throw new ListenerConfigError(
      `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${advertisedList.map((e) => e.name).join(',')}. The valid options based on the current configuration are ${names.join(',')}`,
    );
  }
  if (advertisedList.some((e) => e.host === '0.0.0.0')) throw new ListenerConfigError('advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.');
  const interBroker = configs.get('inter.broker.listener.name')?.trim().toUpperCase();
  if (interBroker !== undefined && interBroker.length > 0 && !names.includes(interBroker)) {
    throw new ListenerConfigError(`inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${names.join(',')}`);
  }
  return endpoints.map((e) => {
    const securityProtocol = map.get(e.name);
    if (securityProtocol === undefined) throw new ListenerConfigError(`No security protocol defined for listener ${e.name} (name it after a protocol, or map it in listener.security.protocol.map)`);
    const adv = advertised.get(e.name);
    return { ...e, securityProtocol, advertisedHost: adv?.host ?? '', advertisedPort: adv && adv.port !== 0 ? adv.port : null };
  });
}

/**
 * The configs one listener sees: Kafka's `listener.name.<name>.<config>` overrides the plain
 * `<config>` (e.g. listener.name.sasl_ssl.ssl.client.auth=required on that listener only).
 */
export function listenerConfigs(configs: ReadonlyMap<string, string>, listenerName: string): Map<string, string> {
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  const out = new Map(configs);
  for (const [k, v] of configs) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

/**
 * `listeners` / `advertised.listeners` for the i-th broker of a cluster started in one process:
 * every fixed port moved up by i (as --port is for several brokers), port 0 left to pick a free one.
 */
export function offsetListenerPorts(value: string, i: number): string {
  if (i === 0) return value;
  return splitList(value)
    .map((s) => {
      const e = parseEndpoint(s, 'listeners');
      if (e.port === 0) return s;
      if (e.port + i > 65535) throw new ListenerConfigError(`${s}: broker ${i + 1} would need port ${e.port + i}, past 65535`);
      return s.replace(/:\d+$/, `:${e.port + i}`);
    })
    .join(',');
}
