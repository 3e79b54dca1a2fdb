/**
 * The built-in OAuth token endpoint (oauth/token-endpoint.ts) as Kafka's client-credentials login
 * (HttpAccessTokenRetriever) calls it, and the fixture's client certificates for mTLS.
 */
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { certificatesFromPkcs12 } from '../../../src/server/security/tls/truststore.js';
import { startTokenEndpoint } from '../../../src/server/security/oauth/token-endpoint.js';
import { TokenIssuer } from '../../../src/server/security/oauth/token-issuer.js';
import { JwksTokenValidator } from '../../../src/server/security/oauth/jwks-validator.js';
import { parseCompactJws } from '../../../src/server/security/oauth/jws.js';
import { ManualClock } from '../../../src/util/clock.js';
import { MiniKafka } from '../../../src/index.js';

const clock = new ManualClock(1_700_000_000_000);

/** Kafka's request: Basic with id and secret form-urlencoded, then base64; a form body. */
function basic(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
}

t.test('client_credentials: a token for the client id, verified by the JWKS the endpoint serves', async (t) => {
  const issuer = new TokenIssuer('test-issuer');
  const endpoint = await startTokenEndpoint({ issuer, clients: { 'app one': 's3cr:et', other: 'x' }, audience: 'kafka', lifetimeMs: 600_000, now: () => clock.now() });
  t.teardown(() => endpoint.close());
  const post = (headers: Record<string, string>, body: string) =>
    fetch(endpoint.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  const ok = await post({ authorization: basic('app one', 's3cr:et') }, 'grant_type=client_credentials&scope=kafka+read');
  t.equal(ok.status, 200);
  const body = (await ok.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
  t.equal(body.token_type, 'Bearer');
  t.equal(body.expires_in, 600);
  t.equal(body.scope, 'kafka read');
  const claims = parseCompactJws(body.access_token).claims;
  t.match(claims, { sub: 'app one', iss: 'test-issuer', aud: 'kafka', iat: 1_700_000_000, exp: 1_700_000_600, scope: 'kafka read' });

  const jwks = (await (await fetch(endpoint.jwksUrl)).json()) as ConstructorParameters<typeof JwksTokenValidator>[0]['jwks'];
  const validator = new JwksTokenValidator({ jwks, expectedIssuer: 'test-issuer', expectedAudience: ['kafka'] });
  const v = validator.validate(body.access_token, clock.now());
  t.ok(v.ok && v.token.principal === 'app one', 'the JWKS from the endpoint verifies its tokens');
  t.notOk(validator.validate(body.access_token, clock.now() + 700_000).ok, 'expired after its lifetime');

  // Credentials in the body (RFC 6749 2.3.1 allows it) work too.
  t.equal((await post({}, 'grant_type=client_credentials&client_id=other&client_secret=x')).status, 200);
});

t.test('refusals: RFC 6749 errors with the status codes Kafka treats as final', async (t) => {
  const endpoint = await startTokenEndpoint({ issuer: new TokenIssuer(), clients: { app: 'secret' }, now: () => clock.now() });
  t.teardown(() => endpoint.close());
  const post = async (headers: Record<string, string>, body: string) => {
    const r = await fetch(endpoint.tokenUrl, { method: 'POST', headers, body });
    return [r.status, ((await r.json()) as { error: string }).error];
  };
  t.strictSame(await post({ authorization: basic('app', 'wrong') }, 'grant_type=client_credentials'), [401, 'invalid_client']);
  t.strictSame(await post({ authorization: basic('nobody', 'secret') }, 'grant_type=client_credentials'), [401, 'invalid_client']);
  t.strictSame(await post({ authorization: basic('constructor', '') }, 'grant_type=client_credentials'), [401, 'invalid_client'], 'no inherited names');
  t.strictSame(await post({}, 'grant_type=client_credentials'), [401, 'invalid_client']);
  t.strictSame(await post({ authorization: basic('app', 'secret') }, 'grant_type=password'), [400, 'unsupported_grant_type']);
  t.strictSame(await post({ authorization: basic('app', 'secret') }, 'x'.repeat(17 * 1024)), [400, 'invalid_request']);
  const get = await fetch(endpoint.tokenUrl);
  t.equal(get.status, 404);
  await get.body?.cancel();
});

t.test('fixture: oauth issues tokens the broker accepts; issueClientCertificate signs with the throwaway CA', async (t) => {
  await using kafka = await MiniKafka.start({ listener: 'SSL://127.0.0.1:0', oauth: { clients: { app: 'secret' } } });
  const oauth = kafka.oauth!;
  t.equal(oauth.issuer, 'minikafka');
  t.equal(oauth.audience, 'minikafka');
  t.match(oauth.tokenEndpointUrl, /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/);
  const r = await fetch(oauth.tokenEndpointUrl, { method: 'POST', headers: { authorization: basic('app', 'secret') }, body: 'grant_type=client_credentials' });
  t.equal(r.status, 200);
  t.match(parseCompactJws(oauth.mint({ subject: 'bob' })).claims, { iss: 'minikafka', aud: 'minikafka', sub: 'bob' });
  await r.body?.cancel();

  const cert = kafka.issueClientCertificate('CN=dave,OU=eng,O=acme');
  t.equal(cert.subject, 'CN=dave,OU=eng,O=acme');
  const pem = readFileSync(cert.keystore, 'utf8');
  t.ok(pem.startsWith('-----BEGIN PRIVATE KEY-----'), 'a PEM keystore: the key first');
  const leaf = new X509Certificate(cert.certificateChain);
  t.ok(leaf.verify(new X509Certificate(kafka.tls!.caPem).publicKey), 'signed by the throwaway CA');
  t.equal(leaf.subject, 'O=acme\nOU=eng\nCN=dave');
  // The PKCS12 keystore: OpenSSL (Node's TLS) opens it with its password, and it holds the chain.
  const p12 = readFileSync(cert.pkcs12);
  t.doesNotThrow(() => createSecureContext({ pfx: p12, passphrase: cert.password }));
  t.throws(() => createSecureContext({ pfx: p12, passphrase: 'wrong' }));
  t.strictSame(certificatesFromPkcs12(p12, cert.password).map((p) => new X509Certificate(p).subject), ['O=acme\nOU=eng\nCN=dave', new X509Certificate(kafka.tls!.caPem).subject]);
  t.equal(kafka.issueClientCertificate('carol').subject, 'CN=carol');
  t.throws(() => kafka.issueClientCertificate('X=1'), /subject attribute X/);
  await t.rejects(MiniKafka.start({ oauth: { clients: {} }, tokenValidator: new JwksTokenValidator({ jwks: { keys: [] } }) }), /oauth or tokenValidator/);
});
