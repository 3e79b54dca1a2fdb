/**
 * JWS compact serialization (RFC 7515): `base64url(header) "." base64url(claims) "." base64url(sig)`.
 * Parsing only: header and claims must be JSON objects. Oversized tokens are refused before any
 * decoding (MAX_TOKEN_LENGTH), so a 100 MB token costs one length check.
 */
export class IllegalTokenError extends Error {
  override readonly name = 'IllegalTokenError';
}

/** Far above any real token (a few KB); below sasl.server.max.receive.size. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

export type Claims = Readonly<Record<string, unknown>>;

export interface CompactJws {
  readonly header: Claims;
  readonly claims: Claims;
  /** base64url parts as received: the signing input is parts[0] + "." + parts[1]. */
  readonly parts: readonly [string, string, string];
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJsonPart(part: string, what: string): Claims {
  if (!BASE64URL.test(part)) throw new IllegalTokenError(`Malformed ${what}: not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new IllegalTokenError(`Malformed ${what}: not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IllegalTokenError(`Malformed ${what}: not a JSON object`);
  }
  return value as Claims;
}

export function parseCompactJws(token: string): CompactJws {
  if (token.length > MAX_TOKEN_LENGTH) throw new IllegalTokenError(`Token of ${token.length} characters exceeds ${MAX_TOKEN_LENGTH}`);
  if (token.includes('..')) throw new IllegalTokenError("Malformed compact serialization contains '..'");
  const parts = token.split('.');
  // An unsecured JWS ends in "." (empty signature): split gives three parts, the last empty.
  if (parts.length !== 3) throw new IllegalTokenError(`Malformed compact serialization: ${parts.length} parts, expected 3`);
  const [h, c, s] = parts as [string, string, string];
  if (!BASE64URL.test(s)) throw new IllegalTokenError('Malformed signature: not base64url');
  return { header: decodeJsonPart(h, 'header'), claims: decodeJsonPart(c, 'claims'), parts: [h, c, s], signature: Buffer.from(s, 'base64url') };
}

export function encodeJsonPart(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A claim that must be a number (seconds since the epoch), or undefined when absent. */
export function numericClaim(claims: Claims, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new IllegalTokenError(`The ${name} claim had the incorrect type: ${typeof v}`);
  return v;
}

/** The scope claim: a space-delimited string or a list of strings (Kafka's OAuthBearerScopeUtils). */
export function scopeClaim(claims: Claims, name: string): string[] {
  const v = claims[name];
  if (typeof v === 'string') return v.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return [];
}

/** A validated token: what the SASL server needs from it. */
export interface ValidatedToken {
  readonly principal: string;
  /** exp in epoch ms. */
  readonly expiresAtMs: number;
  readonly scope: readonly string[];
  readonly claims: Claims;
}

/**
 * A failed validation as Kafka's OAuthBearerValidatorCallback.error reports it: the status that
 * reaches the client in `{"status":"..."}` and a detail for the broker's log only.
 */
export interface TokenRejection {
  readonly status: 'invalid_token' | 'insufficient_scope';
  readonly scope?: string;
  readonly detail: string;
}

export type TokenValidation = { readonly ok: true; readonly token: ValidatedToken } | { readonly ok: false; readonly rejection: TokenRejection };

export interface TokenValidator {
  validate(token: string, nowMs: number): TokenValidation;
}

export function rejected(detail: string, status: TokenRejection['status'] = 'invalid_token', scope?: string): TokenValidation {
  return { ok: false, rejection: scope === undefined ? { status, detail } : { status, detail, scope } };
}
