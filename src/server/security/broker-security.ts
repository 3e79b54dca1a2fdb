/**
 * A broker's security: its listeners (listeners.ts), each with its own protocol, TLS and SASL
 * settings (listener-security.ts), over the cluster's users, credentials, ACLs and CA
 * (cluster-security.ts). Without a `listeners` config the broker has one PLAINTEXT listener on
 * its host and port. The first listener (or `inter.broker.listener.name`) is the broker's
 * primary one: what `bootstrapServers` and a broker's host and port mean when no listener is named.
 */
import { hostPort, listenerConfigs, parseListeners, type ListenerSpec, type SecurityProtocolName } from './listeners.js';
import type { StandardAuthorizer } from './authorizer/standard-authorizer.js';
import type { ScramCredentialStore } from './sasl/scram-credentials.js';
import type { ThrowawayTls } from './tls/throwaway-tls.js';
import { ListenerSecurity, isTlsProtocol } from './listener-security.js';
import type { ClusterSecurity } from './cluster-security.js';

export { ClusterSecurity, SecurityConfigError, jaasPlainUsers } from './cluster-security.js';
export type { SecurityOptions } from './cluster-security.js';
export { ListenerSecurity } from './listener-security.js';

/** Where a broker listens when it has no `listeners` config, and the host it advertises. */
export interface ListenerDefaults {
  readonly host: string;
  readonly port: number;
  /** --advertised-host: for every listener without its own advertised.listeners entry. */
  readonly advertisedHost?: string | undefined;
}

const UNROUTABLE = new Set(['', '0.0.0.0', '::']);

/** The host clients are told: advertised.listeners, else the broker's advertised host, else the bound one (127.0.0.1 for a wildcard). */
export function advertisedHostOf(spec: ListenerSpec, defaults: ListenerDefaults): string {
  if (spec.advertisedHost !== '') return spec.advertisedHost;
  if (defaults.advertisedHost) return defaults.advertisedHost;
  const h = spec.host || defaults.host;
  return UNROUTABLE.has(h) ? '127.0.0.1' : h;
}

export class BrokerSecurity {
  /** Every listener, the primary one first. */
  readonly listeners: readonly ListenerSecurity[];

  constructor(
    configs: ReadonlyMap<string, string>,
    readonly cluster: ClusterSecurity,
    defaults: ListenerDefaults,
  ) {
    let specs = parseListeners(configs, `PLAINTEXT://${hostPort(defaults.host, defaults.port)}`);
    const primary = configs.get('inter.broker.listener.name')?.trim().toUpperCase();
    if (primary) specs = [...specs.filter((s) => s.name === primary), ...specs.filter((s) => s.name !== primary)];
    // One throwaway certificate names every host of the broker's TLS listeners.
    const tlsHosts = [...new Set(specs.filter((s) => isTlsProtocol(s.securityProtocol)).flatMap((s) => [advertisedHostOf(s, defaults), s.host]))].filter((h) => !UNROUTABLE.has(h));
    this.listeners = specs.map((s) => new ListenerSecurity(s, listenerConfigs(configs, s.name), cluster, tlsHosts));
  }

  /** The primary listener. */
  get listener(): ListenerSpec {
    return this.listeners[0]!.spec;
  }

  get protocol(): SecurityProtocolName {
    return this.listener.securityProtocol;
  }

  get authorizer(): StandardAuthorizer | null {
    return this.cluster.authorizer;
  }

  get scramCredentials(): ScramCredentialStore {
    return this.cluster.scramCredentials;
  }

  /** The cluster's throwaway CA, when a TLS listener made one. */
  get throwawayTls(): ThrowawayTls | null {
    return this.cluster.throwawayTls;
  }
}
