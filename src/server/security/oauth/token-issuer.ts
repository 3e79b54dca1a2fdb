/**
 * A tiny OAuth token issuer for tests: an RSA key pair made at start, RS256 tokens for any
 * principal, and the JWKS that a JwksTokenValidator (or a real Kafka broker's
 * sasl.oauthbearer.jwks.endpoint.url) verifies them with. Also mints Kafka's unsecured tokens
 * (alg "none"), which is what Kafka's default OAUTHBEARER login module sends.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject, type JsonWebKey } from 'node:crypto';
import { encodeJsonPart } from './jws.js';
import type { JsonWebKeySet } from './jwks-validator.js';

export interface MintOptions {
  readonly subject: string;
  /** Lifetime in ms from `nowMs` (default one hour). Negative makes an already expired token. */
  readonly lifetimeMs?: number;
  readonly nowMs?: number;
  readonly scope?: readonly string[];
  readonly audience?: string | readonly string[];
  /** Extra claims, e.g. a custom principal claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

function claimsOf(options: MintOptions, issuer: string | undefined): Record<string, unknown> {
  const now = options.nowMs ?? Date.now();
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = {
    sub: options.subject,
    iat,
    exp: Math.floor((now + (options.lifetimeMs ?? 3_600_000)) / 1000),
    jti: randomUUID(),
  };
  if (issuer !== undefined) claims['iss'] = issuer;
  if (options.audience !== undefined) claims['aud'] = options.audience;
  if (options.scope !== undefined) claims['scope'] = options.scope.join(' ');
  return { ...claims, ...options.claims };
}

/** Kafka's unsecured JWS: header {"alg":"none"}, empty signature. */
export function mintUnsecuredToken(options: MintOptions): string {
  return `${encodeJsonPart({ alg: 'none' })}.${encodeJsonPart(claimsOf(options, undefined))}.`;
}

export class TokenIssuer {
  readonly issuer: string;
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  readonly #publicJwk: JsonWebKey;

  constructor(issuer = 'minikafka') {
    this.issuer = issuer;
    this.keyId = randomUUID();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#privateKey = privateKey;
    this.#publicJwk = publicKey.export({ format: 'jwk' });
  }

  /** An RS256-signed access token for `subject`. */
  mint(options: MintOptions): string {
    const header = encodeJsonPart({ alg: 'RS256', typ: 'JWT', kid: this.keyId });
    const input = `${header}.${encodeJsonPart(claimsOf(options, this.issuer))}`;
    return `${input}.${sign('sha256', Buffer.from(input, 'ascii'), this.#privateKey).toString('base64url')}`;
  }

  jwks(): JsonWebKeySet {
    return { keys: [{ ...this.#publicJwk, kid: this.keyId, alg: 'RS256', use: 'sig' }] };
  }
}
