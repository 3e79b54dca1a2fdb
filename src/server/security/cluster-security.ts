/**
 * What one cluster's brokers share of security, as Kafka's controller keeps it in the metadata
 * log for every broker: the SCRAM credentials (UserScramCredentialRecords), the PLAIN users, the
 * ACLs and their authorizer (AccessControlEntryRecords), the OAUTHBEARER validator, and the
 * throwaway certificate authority, so that a client trusts one CA for every broker and listener.
 * Made once per cluster from its first broker's configs (Kafka names) and the fixture's options;
 * each broker's listeners (listener-security.ts) authenticate against it.
 *
 * Configs read: PLAIN users from any `...plain.sasl.jaas.config` (user_<name>="<password>"),
 * authorizer.class.name (any value turns on the StandardAuthorizer), super.users,
 * allow.everyone.if.no.acl.found.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardAuthorizer } from './authorizer/standard-authorizer.js';
import type { AclBinding } from './authorizer/acl-types.js';
import type { AuditLogger } from './authorizer/audit-log.js';
import { ScramCredentialStore } from './sasl/scram-credentials.js';
import { SCRAM_SHA_256, SCRAM_SHA_512 } from './sasl/scram-formatter.js';
import type { TokenValidator } from './oauth/jws.js';
import { createThrowawayTls, type ThrowawayTls } from './tls/throwaway-tls.js';
import { issueServerCertificate } from './tls/certificates.js';
import { securityStateSections, type StateSection } from './persisted-state.js';

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

export function intConfig(configs: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const raw = configs.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new SecurityConfigError(`${key} must be a non-negative integer, got '${raw}'`);
  return n;
}

/** user_<name>="<password>" options of JAAS texts (Kafka's PlainLoginModule users). */
export function jaasPlainUsers(configs: ReadonlyMap<string, string>): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of configs) {
    if (!/(^|\.)plain\.sasl\.jaas\.config$/.test(key) && key !== 'sasl.jaas.config') continue;
    for (const m of value.matchAll(/user_([^=\s]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) users.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
  }
  return users;
}

export class ClusterSecurity {
  readonly authorizer: StandardAuthorizer | null;
  readonly scramCredentials = new ScramCredentialStore();
  readonly plainUsers: Map<string, string>;
  readonly tokenValidator: TokenValidator | undefined;
  /** What durable mode saves (ACLs, SCRAM credentials): once per cluster, not per broker. */
  readonly stateSections: readonly StateSection[];
  readonly #tlsDir: string | undefined;
  #tls: ThrowawayTls | null = null;
  #tlsHosts = new Set<string>();

  constructor(
    configs: ReadonlyMap<string, string>,
    options: SecurityOptions,
    readonly now: () => number,
  ) {
    this.plainUsers = jaasPlainUsers(configs);
    for (const [user, password] of Object.entries(options.users ?? {})) this.plainUsers.set(user, password);
    for (const [user, password] of this.plainUsers) {
      this.scramCredentials.addPassword(user, SCRAM_SHA_256, password);
      this.scramCredentials.addPassword(user, SCRAM_SHA_512, password);
    }
    this.tokenValidator = options.tokenValidator;
    this.#tlsDir = options.tlsDir;

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
    this.stateSections = securityStateSections(this.scramCredentials, this.authorizer);
  }

  /** The throwaway CA, once made (by the first listener that needed it); null otherwise. */
  get throwawayTls(): ThrowawayTls | null {
    return this.#tls;
  }

  /**
   * The throwaway CA and a server certificate for these host names: the CA is made once per
   * cluster; a broker whose hosts the first certificate does not name gets its own, from that CA.
   */
  throwawayTlsFor(hosts: readonly string[]): ThrowawayTls {
    if (this.#tls === null) {
      this.#tls = createThrowawayTls(this.#tlsDir ?? mkdtempSync(join(tmpdir(), 'minikafka-tls-')), hosts);
      this.#tlsHosts = new Set(hosts);
      return this.#tls;
    }
    if (hosts.every((h) => this.#tlsHosts.has(h))) return this.#tls;
    return { ...this.#tls, server: issueServerCertificate(this.#tls.ca, hosts) };
  }
}
