/**
 * What the fixture hands a test for authenticating clients: client certificates from the throwaway
 * CA (mTLS), and the built-in OAuth issuer (a token endpoint for Kafka's client-credentials login,
 * and a JWKS validator with issuer and audience on the broker).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { issueCertificate, type SubjectAttributes } from './server/security/tls/certificates.js';
import type { ThrowawayTls } from './server/security/tls/throwaway-tls.js';
import { pkcs12Keystore } from './server/security/tls/truststore.js';
import { TokenIssuer, type MintOptions } from './server/security/oauth/token-issuer.js';
import { JwksTokenValidator } from './server/security/oauth/jwks-validator.js';
import { startTokenEndpoint, type TokenEndpoint } from './server/security/oauth/token-endpoint.js';
import type { TokenValidator } from './server/security/oauth/jws.js';

export interface ClientCertificate {
  /** Kafka's PEM keystore (ssl.keystore.type=PEM, ssl.keystore.location): the key, then the chain. */
  readonly keystore: string;
  readonly keyPem: string;
  /** The client certificate, then the CA's (ssl.keystore.certificate.chain). */
  readonly certificateChain: string;
  /** The same key and chain in a PKCS12 keystore (ssl.keystore.type=PKCS12), with `password` for the store and the key. */
  readonly pkcs12: string;
  readonly password: string;
  /** The subject as Kafka's principal builder reads it (RFC 2253), e.g. "CN=alice,OU=eng,O=acme". */
  readonly subject: string;
}

const SHORT_NAMES = new Set(['C', 'ST', 'L', 'O', 'OU', 'CN']);

/** "CN=alice,OU=eng" (RFC 2253 order: most specific first) or a bare common name. */
function subjectAttributes(subject: string): SubjectAttributes {
  if (!subject.includes('=')) return [{ shortName: 'CN', value: subject }];
  const attrs = subject.split(',').map((part) => {
    const eq = part.indexOf('=');
    const shortName = part.slice(0, eq).trim().toUpperCase();
    if (!SHORT_NAMES.has(shortName)) throw new Error(`subject attribute ${shortName} is not one of ${[...SHORT_NAMES].join(', ')}`);
    return { shortName: shortName as SubjectAttributes[number]['shortName'], value: part.slice(eq + 1).trim() };
  });
  // A certificate's Name runs from the least specific attribute; RFC 2253 text from the most.
  return attrs.reverse();
}

/** A client certificate signed by the throwaway CA, written next to its files as `client-<subject>.pem` and `.p12`. */
export function issueClientCertificate(tls: ThrowawayTls, subject: string, nowMs: number): ClientCertificate {
  const attrs = subjectAttributes(subject);
  const cert = issueCertificate(tls.ca, { subject: attrs, clientAuth: true, nowMs });
  const rfc2253 = [...attrs].reverse().map((a) => `${a.shortName}=${a.value}`).join(',');
  const file = rfc2253.replace(/[^A-Za-z0-9_.-]+/g, '_');
  const keystore = join(dirname(tls.files.caPem), `client-${file}.pem`);
  const certificateChain = cert.certPem + tls.ca.certPem;
  writeFileSync(keystore, cert.keyPem + certificateChain, { mode: 0o600 });
  const pkcs12 = join(dirname(tls.files.caPem), `client-${file}.p12`);
  const password = randomBytes(12).toString('hex');
  writeFileSync(pkcs12, pkcs12Keystore(cert.keyPem, [cert.certPem, tls.ca.certPem], password, 'client'), { mode: 0o600 });
  return { keystore, keyPem: cert.keyPem, certificateChain, pkcs12, password, subject: rfc2253 };
}

export interface OAuthOptions {
  /** Client id -> secret: who may get a token from the endpoint (the token's `sub` is the client id). */
  readonly clients: Readonly<Record<string, string>>;
  /** `iss` of the tokens and the broker's expected issuer (default "minikafka"). */
  readonly issuer?: string;
  /** `aud` of the tokens and the broker's expected audience (default "minikafka"). */
  readonly audience?: string;
  /** Lifetime of the tokens the endpoint issues (default one hour). */
  readonly tokenLifetimeMs?: number;
}

export interface OAuthView {
  /** sasl.oauthbearer.token.endpoint.url for Kafka's client-credentials login. */
  readonly tokenEndpointUrl: string;
  /** sasl.oauthbearer.jwks.endpoint.url for a broker that verifies these tokens. */
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** A token signed by the issuer, `iat` from the broker's clock unless `nowMs` is given. */
  mint(options: MintOptions): string;
}

/**
 * The issuer and the broker's validator are made at once (the brokers need the validator when they
 * are built); the endpoint listens on `start`, with the brokers, so that a broker that fails to
 * build leaves no server behind.
 */
export class OAuthService {
  readonly validator: TokenValidator;
  readonly #issuer: TokenIssuer;
  readonly #issuerName: string;
  readonly #audience: string;
  #endpoint: TokenEndpoint | null = null;

  constructor(
    private readonly options: OAuthOptions,
    private readonly now: () => number,
  ) {
    this.#issuerName = options.issuer ?? 'minikafka';
    this.#audience = options.audience ?? 'minikafka';
    this.#issuer = new TokenIssuer(this.#issuerName);
    this.validator = new JwksTokenValidator({ jwks: this.#issuer.jwks(), expectedIssuer: this.#issuerName, expectedAudience: [this.#audience] });
  }

  async start(): Promise<void> {
    this.#endpoint = await startTokenEndpoint({
      issuer: this.#issuer,
      clients: this.options.clients,
      audience: this.#audience,
      now: this.now,
      ...(this.options.tokenLifetimeMs !== undefined ? { lifetimeMs: this.options.tokenLifetimeMs } : {}),
    });
  }

  get view(): OAuthView {
    const endpoint = this.#endpoint;
    if (endpoint === null) throw new Error('the OAuth token endpoint is not started');
    const [issuer, audience, now] = [this.#issuer, this.#audience, this.now];
    return {
      tokenEndpointUrl: endpoint.tokenUrl,
      jwksUrl: endpoint.jwksUrl,
      issuer: this.#issuerName,
      audience,
      mint: (o) => issuer.mint({ audience, ...o, nowMs: o.nowMs ?? now() }),
    };
  }

  async close(): Promise<void> {
    await this.#endpoint?.close();
    this.#endpoint = null;
  }
}
