/**
 * The plan of SecureCases.java (test/interop/java): which client configs each step uses. Shared by
 * test/interop/security-java.test.ts (against minikafka) and scripts/record-kafka-security.mjs
 * (against Apache Kafka 4.4), so that the refusals are asked for with the same configs on both.
 */
import { writeFileSync } from 'node:fs';

export type StepKind = 'roundtrip' | 'refused';

export interface PlanStep {
  readonly name: string;
  readonly kind: StepKind;
  readonly topic: string;
  readonly group?: string;
  readonly records?: number;
  /** The Java clients' configs. */
  readonly client: Readonly<Record<string, string>>;
}

/** What a refused step reports: the exception the send failed with, then its causes. */
export interface ErrorLink {
  readonly class: string;
  readonly message: string;
}

export interface StepLine {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: { readonly error?: readonly ErrorLink[]; readonly values?: readonly string[]; readonly committed?: number } & Record<string, unknown>;
}

export interface TlsTrust {
  /** A PKCS12 truststore with the broker's CA. */
  readonly truststore: string;
  readonly truststorePassword: string;
}

const JAAS = {
  scram: (user: string, password: string) => `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
  oauth: (options: string) => `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ${options};`,
};

export function trustConfigs(trust: TlsTrust): Record<string, string> {
  return { 'ssl.truststore.location': trust.truststore, 'ssl.truststore.password': trust.truststorePassword, 'ssl.truststore.type': 'PKCS12' };
}

export function scramConfigs(bootstrap: string, trust: TlsTrust, user: string, password: string): Record<string, string> {
  return { 'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': JAAS.scram(user, password), ...trustConfigs(trust) };
}

/** Kafka's default (unsecured) OAUTHBEARER login: an alg "none" token for `sub`, living `lifetimeSeconds` (negative: already expired). */
export function unsecuredOAuthConfigs(bootstrap: string, trust: TlsTrust, sub: string, lifetimeSeconds = 3600): Record<string, string> {
  const options = `unsecuredLoginStringClaim_sub="${sub}" unsecuredLoginLifetimeSeconds="${lifetimeSeconds}"`;
  return { 'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.jaas.config': JAAS.oauth(options), ...trustConfigs(trust) };
}

/** Kafka's client-credentials login: the token comes from `tokenUrl` (allowed by the system property the plan sets). */
export function clientCredentialsConfigs(bootstrap: string, trust: TlsTrust, tokenUrl: string, clientId: string, secret: string): Record<string, string> {
  return {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'OAUTHBEARER',
    'sasl.login.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
    'sasl.oauthbearer.token.endpoint.url': tokenUrl,
    'sasl.jaas.config': JAAS.oauth(`clientId="${clientId}" clientSecret="${secret}"`),
    ...trustConfigs(trust),
  };
}

/** Kafka's OAUTHBEARER login with the token read from a file (the file: form of the token endpoint URL). */
export function tokenFileConfigs(bootstrap: string, trust: TlsTrust, tokenFileUrl: string): Record<string, string> {
  return {
    'bootstrap.servers': bootstrap,
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'OAUTHBEARER',
    'sasl.login.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
    'sasl.oauthbearer.token.endpoint.url': tokenFileUrl,
    'sasl.jaas.config': JAAS.oauth(''),
    ...trustConfigs(trust),
  };
}

/** mTLS: the client certificate from a PEM keystore (key and chain in one file), or a PKCS12 one with its password. */
export function mtlsConfigs(bootstrap: string, trust: TlsTrust, keystore: string, pkcs12Password?: string): Record<string, string> {
  const store: Record<string, string> = pkcs12Password === undefined
    ? { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': keystore }
    : { 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': keystore, 'ssl.keystore.password': pkcs12Password };
  return { 'bootstrap.servers': bootstrap, 'security.protocol': 'SSL', ...store, ...trustConfigs(trust) };
}

/** Where the refusals are asked for: one broker with a SASL_SSL and an SSL (client auth required) listener. */
export interface RefusalTarget {
  readonly saslSsl: string;
  readonly ssl: string;
  /** The broker's CA. */
  readonly trust: TlsTrust;
  /** Another CA's truststore: the broker's certificate is not trusted with it. */
  readonly otherTrust: TlsTrust;
  /** A PEM keystore whose certificate another CA signed: the broker does not trust it. */
  readonly strangerKeystore: string;
  /** A SCRAM-SHA-512 user the broker knows. */
  readonly user: string;
  readonly password: string;
}

export const REFUSAL_TOPIC = 'secure-java-refused';

/**
 * The refusals compared with Apache Kafka 4.4: a wrong SCRAM-SHA-512 password, an expired
 * unsecured OAUTHBEARER token, a broker certificate the client does not trust (SASL_SSL), a client
 * certificate the broker does not trust (SSL with ssl.client.auth=required).
 */
export function refusalSteps(t: RefusalTarget): PlanStep[] {
  const refused = (name: string, client: Record<string, string>): PlanStep => ({ name, kind: 'refused', topic: REFUSAL_TOPIC, client });
  return [
    refused('wrong_password', scramConfigs(t.saslSsl, t.trust, t.user, `${t.password}-wrong`)),
    refused('expired_token', unsecuredOAuthConfigs(t.saslSsl, t.trust, t.user, -60)),
    refused('untrusted_server_certificate', scramConfigs(t.saslSsl, t.otherTrust, t.user, t.password)),
    refused('untrusted_client_certificate', mtlsConfigs(t.ssl, t.trust, t.strangerKeystore)),
  ];
}

/** java.util.Properties text: backslashes, line breaks and the separators of keys escaped. */
function propertiesLine(key: string, value: string): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `${esc(key).replace(/([=: #!])/g, '\\$1')}=${esc(value).replace(/^ /, '\\ ')}`;
}

/** Writes SecureCases.java's plan file. */
export function writePlan(path: string, steps: readonly PlanStep[], systemProperties: Readonly<Record<string, string>> = {}): void {
  const lines = [propertiesLine('steps', steps.map((s) => s.name).join(','))];
  for (const [k, v] of Object.entries(systemProperties)) lines.push(propertiesLine(`system.${k}`, v));
  for (const s of steps) {
    lines.push(propertiesLine(`${s.name}.kind`, s.kind), propertiesLine(`${s.name}.topic`, s.topic));
    if (s.group !== undefined) lines.push(propertiesLine(`${s.name}.group`, s.group));
    if (s.records !== undefined) lines.push(propertiesLine(`${s.name}.records`, String(s.records)));
    for (const [k, v] of Object.entries(s.client)) lines.push(propertiesLine(`${s.name}.client.${k}`, v));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/**
 * A refused step as it is compared: the error chain with what depends on the run masked (ports,
 * temporary paths). Filled in from what Kafka 4.4's answers show varying.
 */
export function refusalRecord(line: StepLine | undefined): { ok: boolean; error: ErrorLink[] } | null {
  if (line === undefined) return null;
  const mask = (m: string) => m.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/localhost\/127\.0\.0\.1/g, '127.0.0.1');
  return { ok: line.ok, error: (line.detail.error ?? []).map((e) => ({ class: e.class, message: mask(e.message) })) };
}
