/**
 * Signed-token OAUTHBEARER validation against a JSON Web Key Set, as Kafka's
 * OAuthBearerValidatorCallbackHandler with its default (jose4j) validator does it:
 * - the JWS is signed (alg "none" refused) with a key of the set, chosen by `kid`
 *   (or the only key when the token has no kid), and the signature verifies (node:crypto);
 * - `exp` and `iat` are required; `exp` after now and `iat`/`nbf` not after now, both within
 *   sasl.oauthbearer.clock.skew.seconds (default 30);
 * - `iss` equals sasl.oauthbearer.expected.issuer and `aud` contains one of
 *   sasl.oauthbearer.expected.audience, when those are set;
 * - the subject claim (sasl.oauthbearer.sub.claim.name, default "sub") is a non-empty string.
 * Supported algorithms: RS256/384/512, PS256/384/512, ES256/384/512.
 */
import { createPublicKey, verify, constants, type KeyObject, type JsonWebKey } from 'node:crypto';
import {
  IllegalTokenError,
  numericClaim,
  parseCompactJws,
  rejected,
  scopeClaim,
  type TokenValidation,
  type TokenValidator,
} from './jws.js';

export interface JsonWebKeySet {
  readonly keys: readonly (JsonWebKey & { kid?: string; alg?: string; use?: string })[];
}

export interface JwksValidatorOptions {
  readonly jwks: JsonWebKeySet;
  readonly expectedIssuer?: string;
  readonly expectedAudience?: readonly string[];
  readonly subClaimName?: string;
  readonly scopeClaimName?: string;
  readonly clockSkewSeconds?: number;
}

interface AlgSpec {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly kty: 'RSA' | 'EC';
  readonly pss?: boolean;
}

const ALGS: Readonly<Record<string, AlgSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  PS384: { hash: 'sha384', kty: 'RSA', pss: true },
  PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC' },
  ES384: { hash: 'sha384', kty: 'EC' },
  ES512: { hash: 'sha512', kty: 'EC' },
};

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

interface LoadedKey {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly key: KeyObject;
}

export class JwksTokenValidator implements TokenValidator {
  #keys: LoadedKey[] = [];
  readonly #options: JwksValidatorOptions;

  constructor(options: JwksValidatorOptions) {
    this.#options = options;
    this.setKeys(options.jwks);
  }

  /** Replaces the key set (a refreshed JWKS endpoint answer). Keys that fail to import are skipped. */
  setKeys(jwks: JsonWebKeySet): void {
    const loaded: LoadedKey[] = [];
    for (const jwk of jwks.keys) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        loaded.push({ kid: jwk.kid, kty: String(jwk.kty), key: createPublicKey({ key: jwk, format: 'jwk' }) });
      } catch {
        // A key this runtime cannot import cannot verify anything: leave it out, as jose4j does.
      }
    }
    this.#keys = loaded;
  }

  validate(token: string, nowMs: number): TokenValidation {
    try {
      return this.#validate(token, nowMs);
    } catch (err) {
      if (err instanceof IllegalTokenError) return rejected(err.message);
      throw err;
    }
  }

  #validate(token: string, nowMs: number): TokenValidation {
    const jws = parseCompactJws(token);
    const alg = jws.header['alg'];
    const spec = typeof alg === 'string' ? ALGS[alg] : undefined;
    if (spec === undefined) return rejected(`Unsupported or disallowed JWS algorithm: ${String(alg)}`);
    const kid = jws.header['kid'];
    const candidates = this.#keys.filter((k) => k.kty === spec.kty && (typeof kid !== 'string' || k.kid === kid));
    if (candidates.length === 0) return rejected(`No key in the JWKS matches kid ${String(kid)} and alg ${alg as string}`);
    const input = Buffer.from(`${jws.parts[0]}.${jws.parts[1]}`, 'ascii');
    const verified = candidates.some((k) =>
      verify(
        spec.hash,
        input,
        spec.kty === 'EC'
          ? { key: k.key, dsaEncoding: 'ieee-p1363' }
          : spec.pss
            ? { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[spec.hash] }
            : k.key,
        jws.signature,
      ),
    );
    if (!verified) return rejected('JWS signature verification failed');

    const c = jws.claims;
    const skewMs = (this.#options.clockSkewSeconds ?? 30) * 1000;
    const exp = numericClaim(c, 'exp');
    if (exp === undefined) return rejected('No Expiration Time (exp) claim present.');
    if (nowMs - skewMs >= exp * 1000) return rejected(`The JWT is no longer valid - the evaluation time is on or after the Expiration Time (exp=${exp})`);
    const iat = numericClaim(c, 'iat');
    if (iat === undefined) return rejected('No Issued At (iat) claim present.');
    if (iat * 1000 > nowMs + skewMs) return rejected(`iat ${iat} is in the future`);
    const nbf = numericClaim(c, 'nbf');
    if (nbf !== undefined && nbf * 1000 > nowMs + skewMs) return rejected(`The JWT is not yet valid (nbf=${nbf})`);

    const { expectedIssuer, expectedAudience } = this.#options;
    if (expectedIssuer !== undefined && c['iss'] !== expectedIssuer) {
      return rejected(`Issuer (iss) claim value (${String(c['iss'])}) doesn't match expected value of ${expectedIssuer}`);
    }
    if (expectedAudience !== undefined && expectedAudience.length > 0) {
      const aud = c['aud'];
      const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
      if (!auds.some((a) => expectedAudience.includes(a as string))) {
        return rejected(`Audience (aud) claim ${JSON.stringify(aud)} doesn't contain an acceptable identifier. Expected one of [${expectedAudience.join(', ')}]`);
      }
    }
    const subName = this.#options.subClaimName ?? 'sub';
    const sub = c[subName];
    if (typeof sub !== 'string' || sub.trim().length === 0) return rejected(`The ${subName} claim is missing or not a non-empty string`);
    return { ok: true, token: { principal: sub, expiresAtMs: Math.floor(exp * 1000), scope: scopeClaim(c, this.#options.scopeClaimName ?? 'scope'), claims: c } };
  }
}
