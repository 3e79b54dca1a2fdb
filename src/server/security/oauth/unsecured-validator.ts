/**
 * Kafka's default OAUTHBEARER validation (OAuthBearerUnsecuredValidatorCallbackHandler with
 * OAuthBearerUnsecuredJws): an unsigned JWS (alg "none", empty signature) whose principal claim
 * (default `sub`) is a string, with a numeric `exp` in the future, an `iat` (if present) not in the
 * future and before `exp`, and every required scope. Options by Kafka's JAAS option names.
 * Meant for tests, as in Kafka: anyone can mint such a token.
 */
import {
  IllegalTokenError,
  numericClaim,
  parseCompactJws,
  rejected,
  scopeClaim,
  type TokenValidation,
  type TokenValidator,
} from './jws.js';

export interface UnsecuredValidatorOptions {
  /** unsecuredValidatorPrincipalClaimName (default "sub"). */
  readonly principalClaimName?: string;
  /** unsecuredValidatorScopeClaimName (default "scope"). */
  readonly scopeClaimName?: string;
  /** unsecuredValidatorRequiredScope, already split on spaces. */
  readonly requiredScope?: readonly string[];
  /** unsecuredValidatorAllowableClockSkewMs (default 0). */
  readonly allowableClockSkewMs?: number;
}

/** Seconds printed as Java's %f does (six decimals), for identical log details. */
const f = (s: number) => s.toFixed(6);

export class UnsecuredTokenValidator implements TokenValidator {
  readonly #principalClaim: string;
  readonly #scopeClaim: string;
  readonly #requiredScope: readonly string[];
  readonly #skew: number;

  constructor(options: UnsecuredValidatorOptions = {}) {
    this.#principalClaim = options.principalClaimName?.trim() || 'sub';
    this.#scopeClaim = options.scopeClaimName?.trim() || 'scope';
    this.#requiredScope = options.requiredScope ?? [];
    this.#skew = options.allowableClockSkewMs ?? 0;
    if (this.#skew < 0) throw new RangeError(`Allowable clock skew millis must not be negative: ${this.#skew}`);
  }

  validate(token: string, nowMs: number): TokenValidation {
    try {
      const jws = parseCompactJws(token);
      if (jws.header['alg'] === undefined) return rejected('JWS header must have an Algorithm value');
      if (jws.header['alg'] !== 'none') return rejected("Unsecured JWS must have 'none' for an algorithm");
      if (jws.parts[2].length !== 0) return rejected('Unsecured JWS must not contain a digital signature');
      const c = jws.claims;
      const principal = c[this.#principalClaim];
      if (principal === undefined || principal === null) return rejected(`Required claim missing: ${this.#principalClaim}`);
      if (typeof principal !== 'string') return rejected(`The ${this.#principalClaim} claim had the incorrect type: ${typeof principal}`);
      const iat = numericClaim(c, 'iat');
      if (iat !== undefined && 1000 * iat > nowMs + this.#skew) {
        return rejected(`The Issued At value (${f(iat)} seconds) was after the indicated time (${nowMs} ms) plus allowable clock skew (${this.#skew} ms)`);
      }
      const exp = numericClaim(c, 'exp');
      if (exp === undefined) return rejected('Required claim missing: exp');
      if (nowMs - this.#skew >= 1000 * exp) {
        return rejected(`The indicated time (${nowMs} ms) minus allowable clock skew (${this.#skew} ms) was on or after the Expiration Time value (${f(exp)} seconds)`);
      }
      if (iat !== undefined && exp <= iat) {
        return rejected(`The Expiration Time time (${f(exp)} seconds) was not after the Issued At time (${f(iat)} seconds)`);
      }
      const scope = scopeClaim(c, this.#scopeClaim);
      for (const required of this.#requiredScope) {
        if (!scope.includes(required)) {
          return rejected(
            `The provided scope ([${scope.join(', ')}]) was missing a required scope (${required}).  All required scope elements: [${this.#requiredScope.join(', ')}]`,
            'insufficient_scope',
            `[${this.#requiredScope.join(', ')}]`,
          );
        }
      }
      return { ok: true, token: { principal, expiresAtMs: Math.floor(exp * 1000), scope, claims: c } };
    } catch (err) {
      if (err instanceof IllegalTokenError) return rejected(err.message);
      throw err;
    }
  }
}
