/**
 * A broker's security, made once from its configs (Kafka's names) and the fixture's options:
 * its listener's security protocol, TLS settings (the user's keystore, or a throwaway CA made at
 * start), the SASL mechanisms with their users and credentials, and the ACL authorizer.
 *
 * Configs read: listeners, advertised.listeners, listener.security.protocol.map,
 * sasl.enabled.mechanisms (default here: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER;
 * Kafka's is GSSAPI, which is not served), connections.max.reauth.ms, sasl.server.max.receive.size,
 * PLAIN users from any `...plain.sasl.jaas.config` (user_<name>="<password>"),
 * authorizer.class.name (any value turns on the StandardAuthorizer), super.users,
 * allow.everyone.if.no.acl.found, ssl.* (see tls/ssl-config.ts), ssl.principal.mapping.rules.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parseListeners, type ListenerSpec, type SecurityProtocolName } from './listeners.js';
import { StandardAuthorizer } from './authorizer/standard-authorizer.js';
import type { AclBinding } from './authorizer/acl-types.js';
import type { AuditLogger } from './authorizer/audit-log.js';
import { SaslAuthenticator } from './sasl/sasl-authenticator.js';
import { createSaslServer } from './sasl/mechanisms.js';
import { plainUsersFromMap } from './sasl/plain.js';
import { ScramCredentialStore } from './sasl/scram-credentials.js';
import { SCRAM_SHA_256, SCRAM_SHA_512 } from './sasl/scram-formatter.js';
import { isSaslMechanismName, type SaslMechanismName } from './sasl/sasl-server.js';
import type { TokenValidator } from './oauth/jws.js';
import { checkClientCertificate, sslServerSettings, type SslServerSettings } from './tls/ssl-config.js';
import { createThrowawayTls, type ThrowawayTls } from './tls/throwaway-tls.js';
import { rfc2253FromNodeSubject, SslPrincipalMapper } from './tls/principal-mapper.js';

export interface SecurityOptions {
  /** PLAIN passwords and SCRAM credentials (both SCRAM mechanisms) for these users. */
  readonly users?: Readonly<Record<string, string>>;
  readonly acls?: readonly AclBinding[];
  /** Where the throwaway CA's files go (default: a new temporary directory). */
  readonly tlsDir?: string;
  /** OAUTHBEARER validation (default: Kafka's unsecured validator). */
  readonly tokenValidator?: TokenValidator;
  readonly audit?: AuditLogger;
}

export class SecurityConfigError extends Error {
  override readonly name = 'SecurityConfigError';
}

const DEFAULT_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
const SASL_PROTOCOLS: ReadonlySet<SecurityProtocolName> = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);
const TLS_PROTOCOLS: ReadonlySet<SecurityProtocolName> = new Set(['SSL', 'SASL_SSL']);

/** user_<name>="<password>" options of JAAS texts (Kafka's PlainLoginModule users). */
export function jaasPlainUsers(configs: ReadonlyMap<string, string>): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of configs) {
    if (!/(^|\.)plain\.sasl\.jaas\.config$/.test(key) && key !== 'sasl.jaas.config') continue;
    for (const m of value.matchAll(/user_([^=\s]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) users.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
  }
  return users;
}

function intConfig(configs: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const raw = configs.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new SecurityConfigError(`${key} must be a non-negative integer, got '${raw}'`);
  return n;
}

export class BrokerSecurity {
  readonly listener: ListenerSpec | null;
  readonly authorizer: StandardAuthorizer | null;
  readonly scramCredentials = new ScramCredentialStore();
  readonly plainUsers: Map<string, string>;
  readonly mechanisms: readonly SaslMechanismName[];
  readonly tls: SslServerSettings | null;
  readonly throwawayTls: ThrowawayTls | null;
  readonly #reauthMs: number;
  readonly #maxReceiveSize: number;
  readonly #mapper: SslPrincipalMapper;
  readonly #tokenValidator: TokenValidator | undefined;
  readonly #now: () => number;

  constructor(configs: ReadonlyMap<string, string>, options: SecurityOptions, now: () => number) {
    this.#now = now;
    const listeners = parseListeners(configs);
    if (listeners.length > 1) throw new SecurityConfigError(`Only one listener per broker is served; got ${listeners.map((l) => l.name).join(', ')}`);
    this.listener = listeners[0] ?? null;
    const protocol = this.protocol;

    this.plainUsers = jaasPlainUsers(configs);
    for (const [user, password] of Object.entries(options.users ?? {})) this.plainUsers.set(user, password);
    for (const [user, password] of this.plainUsers) {
      this.scramCredentials.addPassword(user, SCRAM_SHA_256, password);
      this.scramCredentials.addPassword(user, SCRAM_SHA_512, password);
    }
    const mechanisms = (configs.get('sasl.enabled.mechanisms') ?? DEFAULT_MECHANISMS.join(',')).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    for (const m of mechanisms) {
      if (!isSaslMechanismName(m)) throw new SecurityConfigError(`SASL mechanism ${m} is not supported (GSSAPI is not served); supported: ${DEFAULT_MECHANISMS.join(', ')}`);
    }
    this.mechanisms = mechanisms as SaslMechanismName[];
    this.#reauthMs = intConfig(configs, 'connections.max.reauth.ms', 0);
    this.#maxReceiveSize = intConfig(configs, 'sasl.server.max.receive.size', 524288);
    this.#tokenValidator = options.tokenValidator;
    this.#mapper = new SslPrincipalMapper(configs.get('ssl.principal.mapping.rules') ?? 'DEFAULT');

    const authorizerClass = configs.get('authorizer.class.name');
    if (authorizerClass !== undefined && authorizerClass.trim().length > 0) {
      const superUsers = (configs.get('super.users') ?? '').split(';').map((s) => s.trim()).filter((s) => s.length > 0);
      this.authorizer = new StandardAuthorizer({
        superUsers,
        allowEveryoneIfNoAclFound: configs.get('allow.everyone.if.no.acl.found') === 'true',
        ...(options.audit ? { audit: options.audit } : {}),
      });
      const results = this.authorizer.createAcls(options.acls ?? []);
      const bad = results.find((r) => r.errorCode !== 0);
      if (bad) throw new SecurityConfigError(`Invalid ACL: ${bad.errorMessage}`);
    } else {
      if ((options.acls ?? []).length > 0) throw new SecurityConfigError('ACLs given but no authorizer: set authorizer.class.name');
      this.authorizer = null;
    }

    if (TLS_PROTOCOLS.has(protocol)) {
      const sslKeys = [...configs.keys()].filter((k) => k.startsWith('ssl.'));
      const record = Object.fromEntries(sslKeys.map((k) => [k, configs.get(k)]));
      if (configs.get('ssl.keystore.location') || configs.get('ssl.keystore.key')) {
        this.throwawayTls = null;
        this.tls = sslServerSettings(record);
      } else {
        const dir = options.tlsDir ?? mkdtempSync(join(tmpdir(), 'minikafka-tls-'));
        this.throwawayTls = createThrowawayTls(dir, [this.listener!.advertisedHost, this.listener!.host].filter((h) => h.length > 0 && h !== '0.0.0.0' && h !== '::'));
        this.tls = sslServerSettings({
          ...record,
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.key': this.throwawayTls.server.keyPem,
          'ssl.keystore.certificate.chain': this.throwawayTls.server.certPem,
          // Client certificates for mTLS are trusted when the throwaway CA signed them.
          ...(record['ssl.truststore.location'] || record['ssl.truststore.certificates'] ? {} : { 'ssl.truststore.certificates': this.throwawayTls.ca.certPem }),
        });
      }
    } else {
      this.tls = null;
      this.throwawayTls = null;
    }
  }

  get protocol(): SecurityProtocolName {
    return this.listener?.securityProtocol ?? 'PLAINTEXT';
  }

  get sasl(): boolean {
    return SASL_PROTOCOLS.has(this.protocol);
  }

  /** A new connection's SASL authenticator (SASL listeners only). */
  newAuthenticator(): SaslAuthenticator | null {
    if (!this.sasl) return null;
    const plainUsers = plainUsersFromMap(this.plainUsers);
    return new SaslAuthenticator({
      enabledMechanisms: this.mechanisms,
      createServer: (m) =>
        createSaslServer(m, {
          plainUsers,
          scramCredentials: this.scramCredentials,
          ...(this.#tokenValidator ? { tokenValidator: this.#tokenValidator } : {}),
          now: this.#now,
        }),
      connectionsMaxReauthMs: this.#reauthMs,
      maxReceiveSize: this.#maxReceiveSize,
      now: this.#now,
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
    if (peer === undefined || this.protocol !== 'SSL') return { refusal: null, principal: 'User:ANONYMOUS' };
    try {
      return { refusal: null, principal: `User:${this.#mapper.name(rfc2253FromNodeSubject(peer.subject))}` };
    } catch (err) {
      return { refusal: (err as Error).message, principal: 'User:ANONYMOUS' };
    }
  }
}
