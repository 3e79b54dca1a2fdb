import t from 'tap';
import { PlainSaslServer, plainUsersFromMap } from '../../../src/server/security/sasl/plain.js';
import { clientFailureMessage, IllegalSaslStateError, SaslAuthenticationError, SaslError } from '../../../src/server/security/sasl/sasl-errors.js';

const users = plainUsersFromMap({ alice: 'alice-secret', bob: 'pw\u0000with-nul' });
const msg = (s: string) => Buffer.from(s, 'utf8');

t.test('a valid user authenticates; an empty answer and the user as principal', async (t) => {
  const s = new PlainSaslServer(users);
  t.equal(s.evaluate(msg('\u0000alice\u0000alice-secret')).length, 0);
  t.ok(s.complete);
  t.equal(s.authorizationId(), 'alice');
  const s2 = new PlainSaslServer(users);
  s2.evaluate(msg('alice\u0000alice\u0000alice-secret'));
  t.equal(s2.authorizationId(), 'alice', 'an authzid equal to the user is accepted');
  const s3 = new PlainSaslServer(users);
  s3.evaluate(msg('\u0000bob\u0000pw\u0000with-nul'));
  t.equal(s3.authorizationId(), 'bob', 'a NUL after the second one belongs to the password');
});

t.test("failures carry Kafka's messages and the right visibility", async (t) => {
  const cases: [string, typeof SaslError | typeof SaslAuthenticationError, string][] = [
    ['\u0000alice\u0000wrong', SaslAuthenticationError, 'Authentication failed: Invalid username or password'],
    ['\u0000nobody\u0000x', SaslAuthenticationError, 'Authentication failed: Invalid username or password'],
    ['\u0000\u0000x', SaslError, 'Authentication failed: username not specified'],
    ['\u0000alice\u0000', SaslError, 'Authentication failed: password not specified'],
    ['alice', SaslError, 'Authentication failed: username not specified'],
    ['bob\u0000alice\u0000alice-secret', SaslAuthenticationError, 'Authentication failed: Client requested an authorization id that is different from username'],
  ];
  for (const [input, type, message] of cases) {
    const s = new PlainSaslServer(users);
    const err = t.throws(() => s.evaluate(msg(input))) as unknown;
    t.ok(err instanceof type, `${JSON.stringify(input)} -> ${type.name}`);
    t.equal((err as Error).message, message);
    t.notOk(s.complete);
  }
  t.equal(
    clientFailureMessage('PLAIN', new SaslError('Authentication failed: username not specified')),
    'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN',
  );
  t.equal(
    clientFailureMessage('PLAIN', new SaslError('x'), true),
    'Authentication failed during re-authentication due to invalid credentials with SASL mechanism PLAIN',
  );
});

t.test('nothing is accepted after the single message', async (t) => {
  const s = new PlainSaslServer(users);
  s.evaluate(msg('\u0000alice\u0000alice-secret'));
  t.throws(() => s.evaluate(msg('\u0000alice\u0000alice-secret')), IllegalSaslStateError);
  const f = new PlainSaslServer(users);
  t.throws(() => f.evaluate(msg('\u0000alice\u0000no')));
  t.throws(() => f.evaluate(msg('\u0000alice\u0000alice-secret')), IllegalSaslStateError, 'a failed exchange stays failed');
  t.throws(() => f.authorizationId(), /has not completed/);
});
