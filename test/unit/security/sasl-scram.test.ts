import t from 'tap';
import { ScramSaslServer } from '../../../src/server/security/sasl/scram.js';
import { ScramCredentialStore } from '../../../src/server/security/sasl/scram-credentials.js';
import {
  generateCredential,
  SCRAM_SHA_256,
  SCRAM_SHA_512,
  usernameFromSaslName,
} from '../../../src/server/security/sasl/scram-formatter.js';
import {
  clientFailureMessage,
  IllegalSaslStateError,
  SaslAuthenticationError,
  SaslError,
} from '../../../src/server/security/sasl/sasl-errors.js';
import { ScramClient } from './scram-client.js';

// RFC 7677 section 3: user "user", password "pencil".
const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function rfcServer(): ScramSaslServer {
  const store = new ScramCredentialStore();
  store.upsert('user', 'SCRAM-SHA-256', generateCredential(SCRAM_SHA_256, 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64')));
  return new ScramSaslServer(SCRAM_SHA_256, store, () => RFC.serverNonce);
}

t.test('RFC 7677 test vector: the server answers byte for byte', async (t) => {
  const server = rfcServer();
  t.equal(server.evaluate(Buffer.from(RFC.clientFirst)).toString(), RFC.serverFirst);
  t.notOk(server.complete);
  t.equal(server.evaluate(Buffer.from(RFC.clientFinal)).toString(), RFC.serverFinal);
  t.ok(server.complete);
  t.equal(server.authorizationId(), 'user');
  t.equal(server.credentialExpiryMs(), null);
});

t.test('RFC 7677 vector with one proof bit flipped fails with the generic client message', async (t) => {
  const server = rfcServer();
  server.evaluate(Buffer.from(RFC.clientFirst));
  const badFinal = RFC.clientFinal.replace('p=dHzb', 'p=dHzc');
  const err = t.throws(() => server.evaluate(Buffer.from(badFinal))) as unknown;
  t.ok(err instanceof SaslError);
  t.equal((err as Error).message, 'Invalid client credentials');
  t.equal(
    clientFailureMessage('SCRAM-SHA-256', err),
    'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
  );
  t.equal(server.state, 'FAILED');
});

for (const m of [SCRAM_SHA_256, SCRAM_SHA_512]) {
  t.test(`${m.name}: a full client and server exchange with random nonces and salt`, async (t) => {
    const store = new ScramCredentialStore();
    store.addPassword('alice', m, 'alice-secret', 8192);
    const server = new ScramSaslServer(m, store);
    const client = new ScramClient(m, 'alice', 'alice-secret');
    const serverFirst = server.evaluate(client.first());
    t.match(serverFirst.toString(), new RegExp(`^r=${client.clientNonce.replace(/[+/]/g, '\\$&')}[0-9a-z]+,s=[A-Za-z0-9+/=]+,i=8192$`));
    const serverFinal = server.evaluate(client.final(serverFirst));
    t.ok(client.verifyServerFinal(serverFinal), 'the server signature proves the server knew the credential');
    t.ok(server.complete);
    t.equal(server.authorizationId(), 'alice');
  });

  t.test(`${m.name}: wrong password, unknown user`, async (t) => {
    const store = new ScramCredentialStore();
    store.addPassword('alice', m, 'right');
    const server = new ScramSaslServer(m, store);
    const client = new ScramClient(m, 'alice', 'wrong');
    const sf = server.evaluate(client.first());
    t.throws(() => server.evaluate(client.final(sf)), { name: 'SaslError', message: 'Invalid client credentials' });
    t.notOk(server.complete);

    const s2 = new ScramSaslServer(m, store);
    t.throws(() => s2.evaluate(new ScramClient(m, 'bob', 'x').first()), { name: 'SaslError', message: 'Authentication failed: Invalid user credentials' });
    // A credential stored for the other mechanism does not authenticate this one.
    const other = m === SCRAM_SHA_256 ? SCRAM_SHA_512 : SCRAM_SHA_256;
    const s3 = new ScramSaslServer(other, store);
    t.throws(() => s3.evaluate(new ScramClient(other, 'alice', 'right').first()), { message: 'Authentication failed: Invalid user credentials' });
  });
}

t.test('out-of-order and repeated messages end the exchange', async (t) => {
  const store = new ScramCredentialStore();
  store.addPassword('alice', SCRAM_SHA_256, 'pw');
  const client = new ScramClient(SCRAM_SHA_256, 'alice', 'pw');

  // client-final before client-first: not a client-first message.
  const s1 = new ScramSaslServer(SCRAM_SHA_256, store);
  const tmp = new ScramSaslServer(SCRAM_SHA_256, store);
  const final = client.final(tmp.evaluate(client.first()));
  t.throws(() => s1.evaluate(final), { name: 'SaslError', message: /^Invalid SCRAM client first message format/ });
  t.equal(s1.state, 'FAILED');
  t.throws(() => s1.evaluate(client.first()), IllegalSaslStateError, 'nothing is accepted after a failure');

  // client-first twice.
  const s2 = new ScramSaslServer(SCRAM_SHA_256, store);
  s2.evaluate(client.first());
  t.throws(() => s2.evaluate(client.first()), { message: /^Invalid SCRAM client final message format/ });

  // a token after completion.
  const s4 = new ScramSaslServer(SCRAM_SHA_256, store);
  const c4 = new ScramClient(SCRAM_SHA_256, 'alice', 'pw');
  s4.evaluate(c4.final(s4.evaluate(c4.first())));
  t.ok(s4.complete);
  const e = t.throws(() => s4.evaluate(Buffer.from('x'))) as unknown;
  t.ok(e instanceof IllegalSaslStateError);
  t.equal((e as Error).message, 'Unexpected challenge in Sasl server state COMPLETE');
  t.equal(clientFailureMessage('SCRAM-SHA-256', e), 'Unexpected challenge in Sasl server state COMPLETE');
});

t.test('a final message with another nonce is refused', async (t) => {
  const store = new ScramCredentialStore();
  store.addPassword('alice', SCRAM_SHA_256, 'pw');
  const server = new ScramSaslServer(SCRAM_SHA_256, store);
  const client = new ScramClient(SCRAM_SHA_256, 'alice', 'pw');
  const sf = server.evaluate(client.first()).toString();
  const tampered = Buffer.from(sf.replace(/^r=([^,]+)/, 'r=$1x'));
  t.throws(() => server.evaluate(client.final(tampered)), { message: 'Invalid client nonce in the final client message.' });
});

t.test('credentials below the minimum iterations and foreign authzids are refused as Kafka does', async (t) => {
  const store = new ScramCredentialStore();
  store.upsert('weak', 'SCRAM-SHA-512', generateCredential(SCRAM_SHA_512, 'pw', 1000));
  const server = new ScramSaslServer(SCRAM_SHA_512, store);
  t.throws(() => server.evaluate(new ScramClient(SCRAM_SHA_512, 'weak', 'pw').first()), {
    name: 'SaslError',
    message: 'Iterations 1000 is less than the minimum 4096 for SCRAM-SHA-512',
  });

  store.addPassword('alice', SCRAM_SHA_512, 'pw');
  const s2 = new ScramSaslServer(SCRAM_SHA_512, store);
  const err = t.throws(() => s2.evaluate(new ScramClient(SCRAM_SHA_512, 'alice', 'pw').first('bob'))) as unknown;
  t.ok(err instanceof SaslAuthenticationError);
  t.equal(
    clientFailureMessage('SCRAM-SHA-512', err),
    'Authentication failed: Client requested an authorization id that is different from username',
  );
});

t.test('sasl names decode =2C and =3D; a user with both authenticates', async (t) => {
  t.equal(usernameFromSaslName('a=2Cb=3Dc'), 'a,b=c');
  const store = new ScramCredentialStore();
  store.addPassword('a,b=c', SCRAM_SHA_256, 'pw');
  const server = new ScramSaslServer(SCRAM_SHA_256, store);
  const client = new ScramClient(SCRAM_SHA_256, 'a,b=c', 'pw');
  t.ok(client.verifyServerFinal(server.evaluate(client.final(server.evaluate(client.first())))));
  t.equal(server.authorizationId(), 'a,b=c');
});

t.test('garbage and delegation-token requests fail without a crash', async (t) => {
  const store = new ScramCredentialStore();
  store.addPassword('alice', SCRAM_SHA_256, 'pw');
  for (const junk of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('n,,n=alice'), Buffer.alloc(100_000, 0x61)]) {
    t.throws(() => new ScramSaslServer(SCRAM_SHA_256, store).evaluate(junk), SaslError);
  }
  t.throws(() => new ScramSaslServer(SCRAM_SHA_256, store).evaluate(Buffer.from('n,,n=alice,r=abc,tokenauth=true')), {
    message: 'Token Authentication failed: Invalid tokenId : alice',
  });
});

t.test('the credential store keeps only derived keys and describes iterations', async (t) => {
  const store = new ScramCredentialStore();
  store.addPassword('alice', SCRAM_SHA_256, 'secret', 4096);
  store.addPassword('alice', SCRAM_SHA_512, 'secret', 16384);
  const c = store.credential('SCRAM-SHA-256', 'alice')!;
  t.equal(c.storedKey.length, 32);
  t.equal(c.serverKey.length, 32);
  t.notOk(JSON.stringify(c).includes('secret'));
  t.strictSame(store.describe('alice'), [
    { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
    { mechanism: 'SCRAM-SHA-512', iterations: 16384 },
  ]);
  t.ok(store.delete('alice', 'SCRAM-SHA-256'));
  t.notOk(store.delete('alice', 'SCRAM-SHA-256'));
  t.strictSame(store.users(), ['alice']);
  t.ok(store.delete('alice', 'SCRAM-SHA-512'));
  t.strictSame(store.users(), []);
});
