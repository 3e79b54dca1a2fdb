// Security end to end with a real client (kafkajs, installed by test/interop/setup.sh): SASL_SSL
// with SCRAM-SHA-512 and PLAIN against the throwaway CA, wrong passwords and untrusted CAs
// refused as kafkajs reports them against Kafka, ACLs served and enforced.
import t from 'tap';
import { createRequire } from 'node:module';
import { connect as tlsConnect } from 'node:tls';
import { once } from 'node:events';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType, mintUnsecuredToken, createAuditLogger } from '../../src/index.js';
import { createCertificateAuthority } from '../../src/server/security/tls/certificates.js';

// kafkajs is the interop suite's dependency (test/interop/node), not the broker's.
const require = createRequire(new URL('../../../test/interop/node/package.json', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { Kafka, logLevel } = require('kafkajs') as any;

const USERS = { alice: 'alice-secret', admin: 'admin-secret' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function client(kafka: MiniKafka, sasl: Record<string, unknown>, ca: string = kafka.tls!.caPem): any {
  return new Kafka({
    clientId: 'security-e2e',
    brokers: [kafka.bootstrapServers],
    ssl: { ca: [ca], servername: 'localhost' },
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 10_000,
  });
}

t.test('SASL_SSL with SCRAM-SHA-512: produce and consume in a group; wrong password refused', async (t) => {
  await using kafka = await MiniKafka.start({ listener: 'SASL_SSL://127.0.0.1:0', users: USERS, topics: ['orders:1'] });
  t.ok(kafka.tls, 'a throwaway CA was made');
  const k = client(kafka, { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' });
  const producer = k.producer();
  await producer.connect();
  await producer.send({ topic: 'orders', messages: [{ key: 'k1', value: 'v1' }, { key: 'k2', value: 'v2' }] });
  await producer.disconnect();

  const consumer = k.consumer({ groupId: 'g1' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }: { message: { value: Buffer } }) => {
        got.push(message.value.toString());
        if (got.length === 2) resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  t.strictSame(got, ['v1', 'v2']);

  const bad = client(kafka, { mechanism: 'scram-sha-512', username: 'alice', password: 'wrong' }).admin();
  const err = await bad.connect().then(() => null, (e: Error) => e);
  t.ok(err, 'a wrong password fails');
  t.match(err?.message, /SASL SCRAM SHA512 authentication failed|Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/);
});

t.test('SASL_SSL with PLAIN; an untrusted CA fails the TLS handshake; plaintext bytes are refused without a crash', async (t) => {
  await using kafka = await MiniKafka.start({ listener: 'SASL_SSL://127.0.0.1:0', users: USERS });
  const admin = client(kafka, { mechanism: 'plain', username: 'admin', password: 'admin-secret' }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'plain-topic', numPartitions: 2 }] });
  t.ok((await admin.listTopics()).includes('plain-topic'));
  await admin.disconnect();

  const wrongPlain = client(kafka, { mechanism: 'plain', username: 'admin', password: 'nope' }).admin();
  const e1 = await wrongPlain.connect().then(() => null, (e: Error) => e);
  t.match(e1?.message, /Authentication failed: Invalid username or password/);

  const untrusted = client(kafka, { mechanism: 'plain', username: 'admin', password: 'admin-secret' }, createCertificateAuthority().certPem).admin();
  const e2 = await untrusted.connect().then(() => null, (e: Error) => e);
  t.ok(e2, 'an untrusted certificate fails');

  // A client speaking plaintext Kafka to the TLS port: the handshake fails, the broker stays up.
  const { connect } = await import('node:net');
  const raw = connect({ host: '127.0.0.1', port: kafka.port });
  raw.on('error', () => {});
  raw.write(Buffer.from([0, 0, 0, 20, 0, 18, 0, 3, 0, 0, 0, 1, 0, 1, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  await once(raw, 'close');
  const again = client(kafka, { mechanism: 'plain', username: 'admin', password: 'admin-secret' }).admin();
  await again.connect();
  t.ok((await again.listTopics()).includes('plain-topic'), 'the broker still serves');
  await again.disconnect();

  // A TLS client with the right CA but no SASL: its first request is not a handshake: closed.
  const tlsOnly = tlsConnect({ host: '127.0.0.1', port: kafka.port, ca: kafka.tls!.caPem, servername: 'localhost' });
  await once(tlsOnly, 'secureConnect');
  // Metadata v1, no topics: not a SASL handshake.
  tlsOnly.write(Buffer.from([0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 7, 0, 1, 0x78, 0xff, 0xff, 0xff, 0xff].slice(0, 18)));
  await once(tlsOnly, 'close');
  t.pass('a request before authentication closes the connection');
});

t.test('OAUTHBEARER with an unsecured token over SASL_PLAINTEXT', async (t) => {
  await using kafka = await MiniKafka.start({ listener: 'SASL_PLAINTEXT://127.0.0.1:0', topics: ['o'] });
  const k = new Kafka({
    clientId: 'oauth-e2e',
    brokers: [kafka.bootstrapServers],
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: mintUnsecuredToken({ subject: 'svc-orders' }) }) },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = k.admin();
  await admin.connect();
  t.ok((await admin.listTopics()).includes('o'));
  await admin.disconnect();
  const expired = new Kafka({
    clientId: 'oauth-e2e',
    brokers: [kafka.bootstrapServers],
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: mintUnsecuredToken({ subject: 'svc', lifetimeMs: -60_000 }) }) },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  // Kafka answers a bad token with a JSON challenge (RFC 7628) that kafkajs does not acknowledge;
  // the connection then never becomes usable, as against Apache Kafka.
  const err = await expired.connect().then(() => expired.listTopics()).then(() => null, (e: Error) => e);
  t.ok(err, 'an expired token is refused');
  await expired.disconnect();
});

t.test('ACLs: CreateAcls/DescribeAcls/DeleteAcls through kafkajs, SECURITY_DISABLED without an authorizer, the audit log', async (t) => {
  const audit: string[] = [];
  await using kafka = await MiniKafka.start({
    listener: 'SASL_PLAINTEXT://127.0.0.1:0',
    users: USERS,
    superUsers: ['User:admin'],
    acls: [{ pattern: { resourceType: ResourceType.TOPIC, name: 'orders', patternType: PatternType.LITERAL }, entry: { principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermissionType.ALLOW } }],
    audit: createAuditLogger('info', (l) => audit.push(l)),
  });
  const admin = new Kafka({ brokers: [kafka.bootstrapServers], sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createAcls({ acl: [{ resourceType: 2, resourceName: 'logs-', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }] });
  const described = await admin.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 });
  const names = described.resources.map((r: { resourceName: string }) => r.resourceName).sort();
  t.strictSame(names, ['logs-', 'orders']);
  const deleted = await admin.deleteAcls({ filters: [{ resourceType: 2, resourceName: 'logs-', resourcePatternType: 4, operation: 1, permissionType: 1 }] });
  t.equal(deleted.filterResponses[0].matchingAcls.length, 1);

  const alice = new Kafka({ brokers: [kafka.bootstrapServers], sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await alice.connect();
  t.teardown(() => alice.disconnect());
  const err = await alice.createAcls({ acl: [{ resourceType: 2, resourceName: 'x', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 2, permissionType: 3 }] }).then(() => null, (e: Error) => e);
  t.match(err?.type ?? err?.message, /CLUSTER_AUTHORIZATION_FAILED|Cluster authorization failed/);
  t.ok(audit.some((l) => /INFO Principal = User:alice is Denied operation = ALTER from host = 127\.0\.0\.1 on resource = Cluster:LITERAL:kafka-cluster for request = CreateAcls/.test(l)), 'the denial is audited');

  await using open = await MiniKafka.start();
  const plainAdmin = new Kafka({ brokers: [open.bootstrapServers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await plainAdmin.connect();
  t.teardown(() => plainAdmin.disconnect());
  const disabled = await plainAdmin.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 }).then(() => null, (e: Error) => e);
  t.match(disabled?.type ?? disabled?.message, /SECURITY_DISABLED|Security features are disabled/);
});

t.test('ACL enforcement: Metadata hides what a principal may not describe, Produce and Fetch need WRITE and READ', async (t) => {
  const audit: string[] = [];
  const allow = (op: number, name: string, principal = 'User:alice') => ({
    pattern: { resourceType: ResourceType.TOPIC, name, patternType: PatternType.LITERAL },
    entry: { principal, host: '*', operation: op as 3, permissionType: AclPermissionType.ALLOW },
  });
  await using kafka = await MiniKafka.start({
    listener: 'SASL_PLAINTEXT://127.0.0.1:0',
    users: { ...USERS, bob: 'bob-secret' },
    superUsers: ['User:admin'],
    topics: ['orders', 'secrets'],
    acls: [allow(AclOperation.READ, 'orders'), allow(AclOperation.WRITE, 'orders', 'User:bob')],
    audit: createAuditLogger('info', (l) => audit.push(l)),
    config: { 'auto.create.topics.enable': false },
  });
  const as = (user: 'alice' | 'bob' | 'admin') =>
    new Kafka({ clientId: user, brokers: [kafka.bootstrapServers], sasl: { mechanism: 'plain', username: user, password: `${user}-secret` }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });

  const adminClient = as('admin').admin();
  await adminClient.connect();
  t.strictSame((await adminClient.listTopics()).sort(), ['orders', 'secrets'], 'a super user sees everything');
  await adminClient.disconnect();

  const alice = as('alice').admin();
  await alice.connect();
  t.strictSame(await alice.listTopics(), ['orders'], 'READ implies DESCRIBE: alice sees orders only');
  await alice.disconnect();

  // bob may write orders, alice may not.
  const bobProducer = as('bob').producer();
  await bobProducer.connect();
  await bobProducer.send({ topic: 'orders', messages: [{ value: 'from-bob' }] });
  await bobProducer.disconnect();
  const aliceProducer = as('alice').producer();
  await aliceProducer.connect();
  const denied = await aliceProducer.send({ topic: 'orders', messages: [{ value: 'x' }] }).then(() => null, (e: Error & { type?: string }) => e);
  t.match(denied?.type ?? denied?.message, /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/);
  await aliceProducer.disconnect();
  t.ok(audit.some((l) => /Principal = User:alice is Denied operation = WRITE .* on resource = Topic:LITERAL:orders for request = Produce/.test(l)), 'the denied write is audited');
  t.notOk(audit.some((l) => / is Allowed /.test(l)), 'info level: denials only');
});
