import t from 'tap';
import { SaslAuthenticator, type AuthStep } from '../../../src/server/security/sasl/sasl-authenticator.js';
import { createSaslServer } from '../../../src/server/security/sasl/mechanisms.js';
import { plainUsersFromMap } from '../../../src/server/security/sasl/plain.js';
import { ScramCredentialStore } from '../../../src/server/security/sasl/scram-credentials.js';
import { SCRAM_SHA_512 } from '../../../src/server/security/sasl/scram-formatter.js';
import { oauthBearerInitialResponse } from '../../../src/server/security/sasl/oauthbearer.js';
import { mintUnsecuredToken } from '../../../src/server/security/oauth/token-issuer.js';
import type { SaslMechanismName } from '../../../src/server/security/sasl/sasl-server.js';
import { ManualClock } from '../../../src/util/clock.js';
import { Reader } from '../../../src/protocol/reader.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { SaslHandshakeApi } from '../../../src/protocol/messages/sasl-handshake.js';
import { SaslAuthenticateApi } from '../../../src/protocol/messages/sasl-authenticate.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../../src/protocol/messages/api-versions.js';
import { MetadataApi } from '../../../src/protocol/messages/metadata.js';
import { apiByKey, readResponseHeader, responseHeaderVersion } from '../../../src/protocol/messages/index.js';
import { WireClient } from '../../helpers/wire-client.js';
import { ScramClient } from './scram-client.js';

const clock = new ManualClock(1_700_000_000_000);
const scram = new ScramCredentialStore();
scram.addPassword('alice', SCRAM_SHA_512, 'alice-secret');

function authenticator(opts: { mechanisms?: SaslMechanismName[]; reauthMs?: number } = {}): SaslAuthenticator {
  return new SaslAuthenticator({
    enabledMechanisms: opts.mechanisms ?? ['PLAIN', 'SCRAM-SHA-512', 'OAUTHBEARER'],
    createServer: (m) => createSaslServer(m, { plainUsers: plainUsersFromMap({ alice: 'alice-secret', bob: 'bob-secret' }), scramCredentials: scram, now: () => clock.now() }),
    connectionsMaxReauthMs: opts.reauthMs ?? 0,
    now: () => clock.now(),
  });
}

const frame = <Req>(api: Parameters<typeof WireClient.frame<Req>>[0], v: number, body: Req) => WireClient.frame(api, v, body).subarray(4);
const handshake = (mechanism: string, v = 1) => frame(SaslHandshakeApi, v, { mechanism });
const authenticate = (token: Buffer, v = 2) => frame(SaslAuthenticateApi, v, { authBytes: token });
const plain = (user: string, pw: string) => Buffer.from(`\u0000${user}\u0000${pw}`);
const metadata = () => frame(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

function decode<Resp>(step: AuthStep, api: { apiKey: number; readResponse: (r: Reader, v: number) => Resp }, v: number): Resp {
  const bytes = step.kind === 'dispatch' ? null : step.bytes;
  if (bytes === null) throw new Error(`no bytes in ${JSON.stringify(step)}`);
  const r = new Reader(bytes.subarray(4));
  readResponseHeader(r, responseHeaderVersion(apiByKey.get(api.apiKey)!, v));
  return api.readResponse(r, v);
}

t.test('ApiVersions, SaslHandshake v1 and SaslAuthenticate v2 with PLAIN, then requests are served', async (t) => {
  const a = authenticator();
  t.equal(a.maxFrameSize, 524288);
  t.strictSame(a.onFrame(frame(ApiVersionsApi, 3, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' })), { kind: 'dispatch' });
  const hs = a.onFrame(handshake('PLAIN'));
  t.equal(hs.kind, 'respond');
  t.strictSame(decode(hs, SaslHandshakeApi, 1), { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-512', 'OAUTHBEARER'], _unknownTaggedFields: undefined });
  const auth = decode(a.onFrame(authenticate(plain('alice', 'alice-secret'))), SaslAuthenticateApi, 2);
  t.equal(auth.errorCode, 0);
  t.equal(auth.sessionLifetimeMs, 0n, 'no re-authentication configured');
  t.ok(a.authenticated);
  t.equal(a.principal, 'User:alice');
  t.equal(a.maxFrameSize, Number.POSITIVE_INFINITY);
  t.strictSame(a.onFrame(metadata()), { kind: 'dispatch' });
  t.strictSame(a.onFrame(authenticate(plain('alice', 'alice-secret'), 0)), { kind: 'dispatch' }, 'SaslAuthenticate after success goes to its handler (ILLEGAL_SASL_STATE)');
});

t.test("failures answer SASL_AUTHENTICATION_FAILED with Kafka's message, then close", async (t) => {
  const a = authenticator();
  a.onFrame(handshake('PLAIN'));
  const step = a.onFrame(authenticate(plain('alice', 'wrong')));
  t.equal(step.kind, 'close');
  const resp = decode(step, SaslAuthenticateApi, 2);
  t.equal(resp.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  t.equal(resp.errorMessage, 'Authentication failed: Invalid username or password');
  t.equal(step.kind === 'close' && step.authFailure, true, 'an authentication failure: its close waits for connection.failed.authentication.delay.ms');
  t.equal(a.onFrame(metadata()).kind, 'close', 'nothing after a failure');

  const s = authenticator();
  s.onFrame(handshake('SCRAM-SHA-512'));
  const client = new ScramClient(SCRAM_SHA_512, 'alice', 'not-her-password');
  const first = decode(s.onFrame(authenticate(client.first())), SaslAuthenticateApi, 2);
  const final = s.onFrame(authenticate(client.final(first.authBytes)));
  t.equal(final.kind, 'close');
  t.equal(decode(final, SaslAuthenticateApi, 2).errorMessage, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
  if (final.kind === 'close') t.notMatch(final.reason, /not-her-password/, 'the log reason holds no secret');
});

t.test('requests before authentication and unknown mechanisms close the connection', async (t) => {
  const a = authenticator();
  const step = a.onFrame(metadata());
  // Kafka's InvalidRequestException, not an authentication failure: closed without the delay.
  t.strictSame(step, { kind: 'close', bytes: null, reason: 'Unexpected Kafka request of type Metadata during SASL handshake.', authFailure: false });
  const b = authenticator({ mechanisms: ['SCRAM-SHA-512'] });
  const hs = b.onFrame(handshake('PLAIN'));
  t.equal(hs.kind, 'close');
  t.strictSame(decode(hs, SaslHandshakeApi, 1).errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  t.equal(hs.kind === 'close' && hs.authFailure, true, "UnsupportedSaslMechanismException is one of Kafka's authentication failures");
  const c = authenticator();
  c.onFrame(handshake('PLAIN'));
  const misplaced = c.onFrame(metadata());
  t.equal(misplaced.kind, 'close', 'a request in place of SaslAuthenticate');
  t.equal(misplaced.kind === 'close' && misplaced.authFailure, true, "IllegalSaslStateException is one of Kafka's authentication failures");
  t.equal(authenticator().onFrame(Buffer.from([0, 1])).kind, 'close', 'a truncated header');
  const d = authenticator();
  d.onFrame(frame(ApiVersionsApi, 3, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
  t.equal(d.onFrame(frame(ApiVersionsApi, 3, { ...defaultApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' })).kind, 'close', 'ApiVersions twice');
});

t.test('SCRAM end to end through the authenticator', async (t) => {
  const a = authenticator();
  a.onFrame(handshake('SCRAM-SHA-512'));
  const client = new ScramClient(SCRAM_SHA_512, 'alice', 'alice-secret');
  const first = decode(a.onFrame(authenticate(client.first(), 1)), SaslAuthenticateApi, 1);
  t.notOk(a.authenticated);
  const final = decode(a.onFrame(authenticate(client.final(first.authBytes), 1)), SaslAuthenticateApi, 1);
  t.ok(client.verifyServerFinal(final.authBytes));
  t.equal(a.principal, 'User:alice');
});

t.test('SaslHandshake v0: raw tokens without Kafka headers', async (t) => {
  const a = authenticator();
  a.onFrame(handshake('PLAIN', 0));
  const step = a.onFrame(plain('bob', 'bob-secret'));
  t.strictSame(step, { kind: 'respond', bytes: Buffer.from([0, 0, 0, 0]) });
  t.equal(a.principal, 'User:bob');
  const b = authenticator();
  b.onFrame(handshake('PLAIN', 0));
  const refused = b.onFrame(plain('bob', 'x'));
  t.strictSame(refused.kind, 'close');
  t.equal(refused.kind === 'close' && refused.authFailure, true, "PLAIN's refusal is a SaslAuthenticationException: the close is delayed");
  // SCRAM's refusal is a SaslException (an IOException to Kafka's Selector): closed at once.
  const s = authenticator();
  s.onFrame(handshake('SCRAM-SHA-512', 0));
  const scram = s.onFrame(Buffer.from('c=biws,r=not-a-first-message,p=AAAA'));
  t.strictSame(scram.kind === 'close' && [scram.bytes, scram.authFailure], [null, false]);
});

t.test('KIP-368: session lifetime, expiry closes, re-authentication renews; principal and mechanism may not change', async (t) => {
  const a = authenticator({ reauthMs: 60_000 });
  a.onFrame(handshake('PLAIN'));
  t.equal(decode(a.onFrame(authenticate(plain('alice', 'alice-secret'))), SaslAuthenticateApi, 2).sessionLifetimeMs, 60_000n);
  clock.advance(30_000);
  t.strictSame(a.onFrame(metadata()), { kind: 'dispatch' });
  // Re-authenticate before expiry.
  t.equal(a.onFrame(handshake('PLAIN')).kind, 'respond');
  t.equal(a.maxFrameSize, 524288, 'bounded again while re-authenticating');
  t.equal(decode(a.onFrame(authenticate(plain('alice', 'alice-secret'))), SaslAuthenticateApi, 2).sessionLifetimeMs, 60_000n);
  clock.advance(59_000);
  t.strictSame(a.onFrame(metadata()), { kind: 'dispatch' }, 'the renewed session is still valid');
  clock.advance(2_000);
  const expired = a.onFrame(metadata());
  t.equal(expired.kind, 'close');

  const b = authenticator({ reauthMs: 60_000 });
  b.onFrame(handshake('PLAIN'));
  b.onFrame(authenticate(plain('alice', 'alice-secret')));
  b.onFrame(handshake('PLAIN'));
  const other = b.onFrame(authenticate(plain('bob', 'bob-secret')));
  t.equal(decode(other, SaslAuthenticateApi, 2).errorMessage, 'Cannot change principals during re-authentication from User:alice: User:bob');
  t.equal(other.kind, 'close');

  const c = authenticator({ reauthMs: 60_000 });
  c.onFrame(handshake('PLAIN'));
  c.onFrame(authenticate(plain('alice', 'alice-secret')));
  t.equal(decode(c.onFrame(handshake('SCRAM-SHA-512')), SaslHandshakeApi, 1).errorCode, 0);
  const bad = c.onFrame(authenticate(Buffer.from('n,,n=alice,r=abc')));
  t.equal(decode(bad, SaslAuthenticateApi, 2).errorMessage, "SASL mechanism 'SCRAM-SHA-512' requested by client is not supported for re-authentication of mechanism 'PLAIN'");

  // A v0 SaslAuthenticate client did not announce re-authentication: its handshake goes to the
  // handler (ILLEGAL_SASL_STATE), and the session stays as it was.
  const d = authenticator();
  d.onFrame(handshake('PLAIN'));
  d.onFrame(authenticate(plain('alice', 'alice-secret'), 0));
  t.strictSame(d.onFrame(handshake('PLAIN')), { kind: 'dispatch' });
  t.ok(d.authenticated);
});

t.test('OAUTHBEARER: the session ends with the token; an expired token fails with the JSON status', async (t) => {
  const a = authenticator({ reauthMs: 3_600_000 });
  a.onFrame(handshake('OAUTHBEARER'));
  const token = mintUnsecuredToken({ subject: 'svc', nowMs: clock.now(), lifetimeMs: 120_000 });
  const resp = decode(a.onFrame(authenticate(oauthBearerInitialResponse(token))), SaslAuthenticateApi, 2);
  t.equal(resp.errorCode, 0);
  t.equal(Number(resp.sessionLifetimeMs), Math.floor((clock.now() + 120_000) / 1000) * 1000 - clock.now(), 'min(token expiry, connections.max.reauth.ms)');
  t.equal(a.principal, 'User:svc');

  const b = authenticator();
  b.onFrame(handshake('OAUTHBEARER'));
  const expired = mintUnsecuredToken({ subject: 'svc', nowMs: clock.now(), lifetimeMs: -1 });
  const challenge = decode(b.onFrame(authenticate(oauthBearerInitialResponse(expired))), SaslAuthenticateApi, 2);
  t.equal(challenge.errorCode, 0, 'RFC 7628: the error comes as a challenge first');
  t.equal(challenge.authBytes.toString(), '{"status":"invalid_token"}');
  const fail = b.onFrame(authenticate(Buffer.from([1])));
  t.equal(fail.kind, 'close');
  t.strictSame(decode(fail, SaslAuthenticateApi, 2).errorMessage, '{"status":"invalid_token"}');
});
