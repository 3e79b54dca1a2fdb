import t from 'tap';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  OAuthBearerSaslServer,
  oauthBearerInitialResponse,
} from '../../../src/server/security/sasl/oauthbearer.js';
import { clientFailureMessage, IllegalSaslStateError, SaslAuthenticationError, SaslError } from '../../../src/server/security/sasl/sasl-errors.js';
import { UnsecuredTokenValidator } from '../../../src/server/security/oauth/unsecured-validator.js';
import { JwksTokenValidator } from '../../../src/server/security/oauth/jwks-validator.js';
import { mintUnsecuredToken, TokenIssuer } from '../../../src/server/security/oauth/token-issuer.js';
import { encodeJsonPart, MAX_TOKEN_LENGTH } from '../../../src/server/security/oauth/jws.js';
import { ManualClock } from '../../../src/util/clock.js';

const clock = new ManualClock(1_700_000_000_000);
const now = () => clock.now();

t.test('unsecured token: Kafka default validation succeeds, principal from sub, expiry from exp', async (t) => {
  const token = mintUnsecuredToken({ subject: 'alice', nowMs: now(), lifetimeMs: 60_000 });
  const details: string[] = [];
  const s = new OAuthBearerSaslServer(new UnsecuredTokenValidator(), now, (d) => details.push(d));
  t.equal(s.evaluate(oauthBearerInitialResponse(token, new Map([['traceId', 'x1']]))).length, 0);
  t.ok(s.complete);
  t.equal(s.authorizationId(), 'alice');
  t.equal(s.credentialExpiryMs(), Math.floor((now() + 60_000) / 1000) * 1000);
  t.strictSame([...s.extensions], [['traceId', 'x1']]);
  t.strictSame(details, []);
  t.throws(() => s.evaluate(oauthBearerInitialResponse(token)), IllegalSaslStateError);
});

t.test('rejected tokens: JSON error challenge, then failure on the %x01 acknowledgement', async (t) => {
  const v = new UnsecuredTokenValidator({ requiredScope: ['kafka'] });
  const header = encodeJsonPart({ alg: 'none' });
  const cases: [string, string, RegExp][] = [
    ['expired', mintUnsecuredToken({ subject: 'a', nowMs: now(), lifetimeMs: -1000, scope: ['kafka'] }), /was on or after the Expiration Time/],
    ['issued in the future', mintUnsecuredToken({ subject: 'a', nowMs: now() + 120_000, scope: ['kafka'] }), /Issued At value .* was after the indicated time/],
    ['no sub', `${header}.${encodeJsonPart({ exp: now() / 1000 + 60, scope: 'kafka' })}.`, /Required claim missing: sub/],
    ['sub not a string', `${header}.${encodeJsonPart({ sub: 5, exp: now() / 1000 + 60 })}.`, /sub claim had the incorrect type/],
    ['no exp', `${header}.${encodeJsonPart({ sub: 'a', scope: 'kafka' })}.`, /Required claim missing: exp/],
    ['signed (alg not none)', `${encodeJsonPart({ alg: 'HS256' })}.${encodeJsonPart({ sub: 'a', exp: now() / 1000 + 60 })}.c2ln`, /must have 'none'/],
    ['not JSON', `${header}.bm90IGpzb24.`, /not JSON/],
    ['missing scope', mintUnsecuredToken({ subject: 'a', nowMs: now() }), /missing a required scope \(kafka\)/],
  ];
  for (const [name, token, detail] of cases) {
    const details: string[] = [];
    const s = new OAuthBearerSaslServer(v, now, (d) => details.push(d));
    const challenge = s.evaluate(oauthBearerInitialResponse(token)).toString();
    const status = name === 'missing scope' ? '{"status":"insufficient_scope", "scope":"[kafka]"}' : '{"status":"invalid_token"}';
    t.equal(challenge, status, `${name}: challenge`);
    t.match(details[0], detail, `${name}: log detail`);
    t.notOk(s.complete);
    const err = t.throws(() => s.evaluate(Buffer.from([0x01]))) as unknown;
    t.ok(err instanceof SaslAuthenticationError, `${name}: failure is client-visible`);
    t.equal(clientFailureMessage('OAUTHBEARER', err), status);
  }
});

t.test('malformed initial responses and oversized tokens fail as Kafka does', async (t) => {
  const v = new UnsecuredTokenValidator();
  const bad: [Buffer, RegExp][] = [
    [Buffer.from('n,,auth=Bearer abc'), /^Invalid OAUTHBEARER client first message$/],
    [Buffer.from('n,,\u0001foo=bar\u0001\u0001'), /'auth' not specified/],
    [Buffer.from('n,,\u0001auth=Bearer\u0001\u0001'), /invalid 'auth' format/],
    [Buffer.from('n,,\u0001auth=Basic abc\u0001\u0001'), /Invalid scheme in OAUTHBEARER client first message: Basic/],
    [oauthBearerInitialResponse('a'.repeat(MAX_TOKEN_LENGTH + 10_000)), /client first message/],
  ];
  for (const [input, message] of bad) {
    const s = new OAuthBearerSaslServer(v, now);
    const err = t.throws(() => s.evaluate(input)) as unknown;
    t.ok(err instanceof SaslError, String(message));
    t.match((err as Error).message, message);
  }
  // A token just under the parse bound but over the JWS bound is rejected by the validator.
  const s = new OAuthBearerSaslServer(v, now);
  t.equal(s.evaluate(oauthBearerInitialResponse('a'.repeat(MAX_TOKEN_LENGTH + 1))).toString(), '{"status":"invalid_token"}');
});

t.test('authzid must equal the principal', async (t) => {
  const token = mintUnsecuredToken({ subject: 'alice', nowMs: now() });
  const s = new OAuthBearerSaslServer(new UnsecuredTokenValidator(), now);
  const err = t.throws(() => s.evaluate(Buffer.from(`n,a=bob,\u0001auth=Bearer ${token}\u0001\u0001`))) as unknown;
  t.equal(
    clientFailureMessage('OAUTHBEARER', err),
    "Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)",
  );
});

t.test('JWKS validation: issuer tokens verify; issuer, audience, expiry, key and signature are checked', async (t) => {
  const issuer = new TokenIssuer('https://issuer.test');
  const jwks = issuer.jwks();
  const v = new JwksTokenValidator({ jwks, expectedIssuer: 'https://issuer.test', expectedAudience: ['kafka'] });
  const good = issuer.mint({ subject: 'svc-orders', nowMs: now(), audience: 'kafka', scope: ['a', 'b'] });
  const ok = v.validate(good, now());
  t.ok(ok.ok);
  if (ok.ok) {
    t.equal(ok.token.principal, 'svc-orders');
    t.strictSame(ok.token.scope, ['a', 'b']);
  }
  const s = new OAuthBearerSaslServer(v, now);
  s.evaluate(oauthBearerInitialResponse(good));
  t.equal(s.authorizationId(), 'svc-orders');

  const other = new TokenIssuer('https://issuer.test');
  const rejections: [string, string, RegExp][] = [
    ['wrong audience', issuer.mint({ subject: 'x', nowMs: now(), audience: 'other' }), /Audience/],
    ['no audience', issuer.mint({ subject: 'x', nowMs: now() }), /Audience/],
    ['expired', issuer.mint({ subject: 'x', nowMs: now() - 7_200_000, audience: 'kafka' }), /no longer valid/],
    ['other key', other.mint({ subject: 'x', nowMs: now(), audience: 'kafka' }), /No key in the JWKS/],
    ['unsecured', mintUnsecuredToken({ subject: 'x', nowMs: now() }), /Unsupported or disallowed JWS algorithm: none/],
    ['tampered claims', good.replace(/\.[^.]+\./, `.${encodeJsonPart({ sub: 'root', iat: now() / 1000, exp: now() / 1000 + 60, aud: 'kafka', iss: 'https://issuer.test' })}.`), /signature verification failed/],
  ];
  for (const [name, token, detail] of rejections) {
    const r = v.validate(token, now());
    t.notOk(r.ok, name);
    if (!r.ok) t.match(r.rejection.detail, detail, name);
  }
  const wrongIssuer = new JwksTokenValidator({ jwks, expectedIssuer: 'https://elsewhere' });
  const r = wrongIssuer.validate(good, now());
  t.notOk(r.ok);
  if (!r.ok) t.match(r.rejection.detail, /Issuer \(iss\) claim value \(https:\/\/issuer.test\)/);
  // Within the 30 s default clock skew an expired token still passes; beyond it, not.
  const justExpired = issuer.mint({ subject: 'x', nowMs: now(), lifetimeMs: 1000, audience: 'kafka' });
  t.ok(v.validate(justExpired, now() + 20_000).ok);
  t.notOk(v.validate(justExpired, now() + 40_000).ok);
});

t.test('JWKS validation with EC (ES256) and RSA-PSS keys from another signer', async (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = {
    keys: [
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec1' },
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa1' },
    ],
  };
  const v = new JwksTokenValidator({ jwks });
  const claims = encodeJsonPart({ sub: 'eve', iat: Math.floor(now() / 1000), exp: Math.floor(now() / 1000) + 60 });
  const es = `${encodeJsonPart({ alg: 'ES256', kid: 'ec1' })}.${claims}`;
  const esSig = sign('sha256', Buffer.from(es), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  t.ok(v.validate(`${es}.${esSig}`, now()).ok, 'ES256');
  const ps = `${encodeJsonPart({ alg: 'PS256', kid: 'rsa1' })}.${claims}`;
  const psSig = sign('sha256', Buffer.from(ps), { key: rsa.privateKey, padding: 6, saltLength: 32 }).toString('base64url');
  t.ok(v.validate(`${ps}.${psSig}`, now()).ok, 'PS256');
  const wrongKid = `${encodeJsonPart({ alg: 'ES256', kid: 'rsa1' })}.${claims}`;
  t.notOk(v.validate(`${wrongKid}.${esSig}`, now()).ok, 'a kid naming a key of another type');
});
