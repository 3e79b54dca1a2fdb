/**
 * SASL with librdkafka (confluent-kafka-python), franz-go and IBM/sarama, against `minikafka start` (the CLI,
 * as a user runs it) with a SASL_SSL and a SASL_PLAINTEXT listener, users alice, bob and dave
 * (--sasl-user: PLAIN passwords and SCRAM credentials) and the StandardAuthorizer. A PLAINTEXT
 * listener whose ANONYMOUS principal is a super user lets the test create the ACLs (CreateAcls):
 * alice and carol (OAUTHBEARER) may write and read the topics and groups prefixed "sasl-", dave
 * may only describe the topics, bob nothing. Each client program
 * (test/interop/python/sasl_client.py, test/interop/go/cmd/sasl-client, test/interop/go/cmd/sasl-sarama)
 * runs, all at once:
 * SCRAM-SHA-512 over SASL_SSL trusting the CA of the ready line, PLAIN over SASL_PLAINTEXT and an
 * unsecured OAUTHBEARER token over SASL_SSL each produce records and consume them back in a group;
 * wrong passwords fail with the error the client reports for Kafka's refusal; bob's produce and
 * dave's fetch fail with TOPIC_AUTHORIZATION_FAILED; on a SASL_PLAINTEXT listener whose sessions
 * last two seconds (connections.max.reauth.ms), a producer re-authenticates (KIP-368) and keeps
 * producing (librdkafka and franz-go; sarama's program has no re-authentication step).
 *
 * Builds the client programs first (test/interop/setup.sh python go) when they are missing.
 * Cost: about 10 s of wall time, most of it the clients' TLS handshakes and group joins.
 */
import t from 'tap';
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import { CreateAclsApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { WireClient } from '../helpers/wire-client.js';
import { runProgram, setupClients, startCli } from './harness.js';

const RECORDS = 20;
const PASSWORDS = { alice: 'alice-secret', bob: 'bob-secret', dave: 'dave-secret' };

const CLIENTS = [
  {
    name: 'confluent-kafka-python',
    setup: 'python',
    command: ['test/interop/python/.venv/bin/python', 'test/interop/python/sasl_client.py'],
    prefix: 'sasl-py',
    // librdkafka turns a refused SaslAuthenticate into its local error _AUTHENTICATION.
    authError: '_AUTHENTICATION',
    reauth: true,
  },
  { name: 'franz-go', setup: 'go', command: ['test/interop/go/bin/sasl-client'], prefix: 'sasl-go', authError: 'SASL_AUTHENTICATION_FAILED', reauth: true },
  // sarama wraps the refusal as sarama.ErrSASLAuthenticationFailed ("kafka server: SASL
  // Authentication failed") with the broker's message after it.
  { name: 'sarama', setup: 'go', command: ['test/interop/go/bin/sasl-sarama'], prefix: 'sasl-sarama', authError: 'SASL_AUTHENTICATION_FAILED', reauth: false },
] as const;
const MECHANISMS = ['scram', 'plain', 'oauth'] as const;
// The REAUTH listener's SASL sessions last this long (listener.name.reauth.connections.max.reauth.ms):
// franz-go re-authenticates a second before a session ends, librdkafka at about 90% of it.
const REAUTH_MS = 2000;

interface ReadyListener {
  name: string;
  securityProtocol: string;
  bootstrapServers: string;
}
interface Ready {
  caFile: string;
  listeners: ReadyListener[];
}
interface Step {
  step: string;
  ok: boolean;
  detail: Record<string, unknown>;
}

t.test('librdkafka, franz-go and sarama over SASL_SSL (SCRAM-SHA-512, OAUTHBEARER) and SASL_PLAINTEXT (PLAIN), against the CLI with ACLs', async (t) => {
  const setupError = setupClients(...new Set(CLIENTS.map((c) => c.setup)));
  if (setupError !== null) throw new Error(setupError);

  const topics = CLIENTS.flatMap((c) => [...MECHANISMS, 'reauth'].map((m) => `--topic=${c.prefix}-${m}`));
  const ready = await startCli<Ready>(t, [
    '--log-level', 'warn',
    '--listener', 'OPERATOR://127.0.0.1:0', '--listener', 'SASL_SSL://127.0.0.1:0', '--listener', 'SASL_PLAINTEXT://127.0.0.1:0', '--listener', 'REAUTH://127.0.0.1:0',
    '--config', 'listener.security.protocol.map=OPERATOR:PLAINTEXT,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,REAUTH:SASL_PLAINTEXT',
    '--config', `listener.name.reauth.connections.max.reauth.ms=${REAUTH_MS}`,
    ...Object.entries(PASSWORDS).map(([u, p]) => `--sasl-user=${u}:${p}`),
    '--super-user', 'User:ANONYMOUS', '--authorizer',
    // Kafka waits 3 s for more members before a new group's first rebalance; each group here has one.
    '--config', 'group.initial.rebalance.delay.ms=0',
    ...topics,
  ]);
  const listener = (name: string) => {
    const l = ready.listeners.find((x) => x.name === name);
    if (l === undefined) throw new Error(`no ${name} listener in the ready line: ${JSON.stringify(ready)}`);
    return l;
  };
  t.strictSame(ready.listeners.map((l) => [l.name, l.securityProtocol]), [['OPERATOR', 'PLAINTEXT'], ['SASL_SSL', 'SASL_SSL'], ['SASL_PLAINTEXT', 'SASL_PLAINTEXT'], ['REAUTH', 'SASL_PLAINTEXT']]);
  t.ok(ready.caFile, 'the ready line names the throwaway CA');

  // ACLs as kafka-acls.sh --resource-pattern-type prefixed makes them, through the operator listener.
  const op = await WireClient.connect(listener('OPERATOR').bootstrapServers);
  t.teardown(() => op.close());
  const allow = (principal: string, resourceType: number, operation: number) => ({
    resourceType, resourceName: 'sasl-', resourcePatternType: PatternType.PREFIXED, principal, host: '*', operation, permissionType: AclPermissionType.ALLOW,
  });
  const creations = [
    ...['User:alice', 'User:carol'].flatMap((p) => [allow(p, ResourceType.TOPIC, AclOperation.WRITE), allow(p, ResourceType.TOPIC, AclOperation.READ), allow(p, ResourceType.GROUP, AclOperation.READ)]),
    // dave may see the topics (Metadata) but not read them: his Fetch is what is refused.
    allow('User:dave', ResourceType.TOPIC, AclOperation.DESCRIBE),
  ];
  const created = await op.request(CreateAclsApi, 3, { creations });
  t.strictSame(created.results.map((r) => r.errorCode), creations.map(() => ErrorCode.NONE), 'the ACLs are created');

  // Both programs at once; each step is bounded inside the program (25 s), this bound is the sum's.
  const runs = await Promise.all(
    CLIENTS.map((c) =>
      runProgram<Step>(
        c.command,
        [
          '--ssl-bootstrap', listener('SASL_SSL').bootstrapServers, '--plain-bootstrap', listener('SASL_PLAINTEXT').bootstrapServers,
          '--ca', ready.caFile, '--prefix', c.prefix, '--user', 'alice', '--password', PASSWORDS.alice,
          '--denied-user', 'bob', '--denied-password', PASSWORDS.bob, '--oauth-principal', 'carol', '--records', String(RECORDS),
          '--reauth-bootstrap', listener('REAUTH').bootstrapServers, '--describe-user', 'dave', '--describe-password', PASSWORDS.dave,
        ],
        240_000,
      ),
    ),
  );

  const values = Array.from({ length: RECORDS }, (_, i) => `v${i}`);
  for (const [i, c] of CLIENTS.entries()) {
    const run = runs[i]!;
    // What the program printed, shown with a failing assertion only (tap prints `extra` on failure).
    const context = { steps: run.lines, junk: run.junk, stderr: run.stderr.slice(-3000) };
    const step = (name: string) => run.lines.find((l) => l.step === name)?.detail ?? {};
    t.equal(run.code, 0, `${c.name}: the program ran to its end`, context);
    t.strictSame(
      run.lines.map((l) => l.step),
      [...MECHANISMS.flatMap((m) => [`${m}_produce`, `${m}_consume_group`]), 'wrong_password_scram', 'wrong_password_plain', 'denied_produce', 'denied_consume', ...(c.reauth ? ['reauth_produce'] : [])],
      `${c.name}: every step`,
      context,
    );
    for (const m of MECHANISMS) {
      t.equal(step(`${m}_produce`)['acked'], RECORDS, `${c.name} ${m}: every record acknowledged`, context);
      t.strictSame(step(`${m}_produce`)['errors'], [], `${c.name} ${m}: no produce error`);
      t.strictSame(step(`${m}_consume_group`)['values'], values, `${c.name} ${m}: every record consumed in the group, in order`);
      t.equal(step(`${m}_consume_group`)['committed'], RECORDS, `${c.name} ${m}: the group's committed offset`);
      t.strictSame(step(`${m}_consume_group`)['problems'], [], `${c.name} ${m}: no consumer error`);
    }
    // Kafka's messages: SCRAM's failure is a SaslException (a generic sentence, so as not to tell
    // whether the user exists), PLAIN's a SaslAuthenticationException with its own text.
    t.equal(step('wrong_password_scram')['error'], c.authError, `${c.name}: a wrong SCRAM password`, context);
    t.match(step('wrong_password_scram')['message'], 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512', `${c.name}: Kafka's message for a failed SCRAM exchange`);
    t.equal(step('wrong_password_plain')['error'], c.authError, `${c.name}: a wrong PLAIN password`);
    t.match(step('wrong_password_plain')['message'], 'Authentication failed: Invalid username or password', `${c.name}: Kafka's message for a wrong PLAIN password`);
    t.equal(step('denied_produce')['error'], 'TOPIC_AUTHORIZATION_FAILED', `${c.name}: bob, without ACLs, may not produce`, context);
    // The refused Fetch partition must carry empty records (as Kafka's do), else librdkafka fails
    // to parse the response and its consumer never reports the refusal.
    t.equal(step('denied_consume')['error'], 'TOPIC_AUTHORIZATION_FAILED', `${c.name}: dave, with DESCRIBE but not READ, may not fetch`, context);
    // KIP-368: the broker gives each session REAUTH_MS (SaslAuthenticate's sessionLifetimeMs); the
    // clients re-authenticate on their open connections before it ends and keep producing.
    if (c.name === 'sarama') {
      // NewClient's error: every seed broker refused, each with the broker's message after sarama's.
      const refused = 'kafka: client has run out of available brokers to talk to: kafka server: SASL Authentication failed: ';
      t.equal(step('wrong_password_scram')['message'], `${refused}Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512`, "sarama's error text, SCRAM");
      t.equal(step('wrong_password_plain')['message'], `${refused}Authentication failed: Invalid username or password`, "sarama's error text, PLAIN");
    }
    t.strictSame(run.lines.filter((l) => !l.ok).map((l) => l.step), [], `${c.name}: each program's own check of its steps`);
    if (!c.reauth) {
      t.comment(`sasl ${c.name}: ${run.ms} ms`);
      continue;
    }
    const reauth = step('reauth_produce');
    t.ok((reauth['reauthentications'] as number) >= 2, `${c.name}: re-authenticated ${String(reauth['reauthentications'])} times`, context);
    t.equal(reauth['acked'], reauth['records'], `${c.name}: every record acknowledged across re-authentications`);
    t.strictSame(reauth['errors'], [], `${c.name}: no produce error across re-authentications`);
    t.comment(`sasl ${c.name}: ${run.ms} ms; reauth_produce ${JSON.stringify(reauth)}`);
  }
});
