/**
 * One listener's security: its protocol, its TLS settings (the user's keystore, or the cluster's
 * throwaway CA), the SASL mechanisms it enables, and how a connection on it authenticates.
 * Users, credentials and ACLs are the cluster's (cluster-security.ts).
 *
 * Configs read (each overridable per listener as listener.name.<name>.<config>):
 * sasl.enabled.mechanisms (default here: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER;
 * Kafka's is GSSAPI, which is not served), connections.max.reauth.ms,
 * sasl.server.max.receive.size, connection.failed.authentication.delay.ms, ssl.* (see
 * tls/ssl-config.ts), ssl.principal.mapping.rules.
 */
import type { TLSSocket } from 'node:tls';
import type { ListenerSpec } from './listeners.js';
import { SaslAuthenticator } from './sasl/sasl-authenticator.js';
import { createSaslServer } from './sasl/mechanisms.js';
import { plainUsersFromMap } from './sasl/plain.js';
import { isSaslMechanismName, type SaslMechanismName } from './sasl/sasl-server.js';
import { checkClientCertificate, sslServerSettings, type SslServerSettings } from './tls/ssl-config.js';
import { rfc2253FromNodeSubject, SslPrincipalMapper } from './tls/principal-mapper.js';
import { intConfig, SecurityConfigError, type ClusterSecurity } from './cluster-security.js';

const DEFAULT_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

export function isSaslProtocol(p: string): boolean {
  return p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
}

export function isTlsProtocol(p: string): boolean {
  return p === 'SSL' || p === 'SASL_SSL';
}

export class ListenerSecurity {
  readonly mechanisms: readonly SaslMechanismName[];
  readonly tls: SslServerSettings | null;
  /** How long a connection whose authentication failed waits before its answer and close. */
  readonly failedAuthenticationDelayMs: number;
  readonly #reauthMs: number;
  readonly #maxReceiveSize: number;
  readonly #mapper: SslPrincipalMapper;

  /**
   * `configs`: this listener's view (listenerConfigs); `tlsHosts`: what a throwaway server
   * certificate must name (the advertised and bound host names).
   */
  constructor(
    readonly spec: ListenerSpec,
    configs: ReadonlyMap<string, string>,
    private readonly cluster: ClusterSecurity,
    tlsHosts: readonly string[],
  ) {
    const mechanisms = (configs.get('sasl.enabled.mechanisms') ?? DEFAULT_MECHANISMS.join(',')).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    for (const m of mechanisms) {
      if (!isSaslMechanismName(m)) throw new SecurityConfigError(`SASL mechanism ${m} is not supported (GSSAPI is not served); supported: ${DEFAULT_MECHANISMS.join(', ')}`);
    }
    this.mechanisms = mechanisms as SaslMechanismName[];
    this.#reauthMs = intConfig(configs, 'connections.max.reauth.ms', 0);
    this.#maxReceiveSize = intConfig(configs, 'sasl.server.max.receive.size', 524288);
    this.failedAuthenticationDelayMs = intConfig(configs, 'connection.failed.authentication.delay.ms', 100);
    this.#mapper = new SslPrincipalMapper(configs.get('ssl.principal.mapping.rules') ?? 'DEFAULT');
    this.tls = isTlsProtocol(spec.securityProtocol) ? tlsSettings(configs, cluster, tlsHosts) : null;
  }

  get sasl(): boolean {
    return isSaslProtocol(this.spec.securityProtocol);
  }

  /** A new connection's SASL authenticator (SASL listeners only). */
  newAuthenticator(): SaslAuthenticator | null {
    if (!this.sasl) return null;
    const cluster = this.cluster;
    const plainUsers = plainUsersFromMap(cluster.plainUsers);
    return new SaslAuthenticator({
      enabledMechanisms: this.mechanisms,
      createServer: (m) =>
        createSaslServer(m, {
          plainUsers,
          scramCredentials: cluster.scramCredentials,
          ...(cluster.tokenValidator ? { tokenValidator: cluster.tokenValidator } : {}),
          now: cluster.now,
        }),
      connectionsMaxReauthMs: this.#reauthMs,
      maxReceiveSize: this.#maxReceiveSize,
      now: cluster.now,
    });
  }

  /**
   * After a TLS handshake: the refusal (null: proceed) and the principal from the client
   * certificate (SSL listeners; on SASL_SSL the SASL identity is the principal).
   */
  tlsPrincipal(socket: TLSSocket): { refusal: string | null; principal: string } {
    const refusal = checkClientCertificate(socket, this.tls!.clientAuth);
    if (refusal !== null) return { refusal, principal: 'User:ANONYMOUS' };
    const peer = socket.getPeerX509Certificate();
    if (peer === undefined || this.spec.securityProtocol !== 'SSL') return { refusal: null, principal: 'User:ANONYMOUS' };
    try {
      return { refusal: null, principal: `User:${this.#mapper.name(rfc2253FromNodeSubject(peer.subject))}` };
    } catch (err) {
      return { refusal: (err as Error).message, principal: 'User:ANONYMOUS' };
    }
  }
}

/** The user's keystore when one is configured, else the cluster's throwaway CA. */
function tlsSettings(configs: ReadonlyMap<string, string>, cluster: ClusterSecurity, hosts: readonly string[]): SslServerSettings {
  const record = Object.fromEntries([...configs].filter(([k]) => k.startsWith('ssl.')));
  if (configs.get('ssl.keystore.location') || configs.get('ssl.keystore.key')) return sslServerSettings(record);
  const tls = cluster.throwawayTlsFor(hosts);
  return sslServerSettings({
    ...record,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.key': tls.server.keyPem,
    'ssl.keystore.certificate.chain': tls.server.certPem,
    // Client certificates for mTLS are trusted when the throwaway CA signed them.
    ...(record['ssl.truststore.location'] || record['ssl.truststore.certificates'] ? {} : { 'ssl.truststore.certificates': tls.ca.certPem }),
  });
}
