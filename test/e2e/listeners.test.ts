// Several listeners per broker on a cluster of several brokers: every broker binds every listener
// (port 0: distinct free ports), and a client sees the brokers at their endpoints on the listener
// it came in on (Kafka's request.context.listenerName) in Metadata, FindCoordinator and
// DescribeCluster. A real client (kafkajs, installed by test/interop/setup.sh) produces and
// consumes in a group over SASL_SSL with SCRAM and over PLAINTEXT on the same cluster. SCRAM
// credentials and ACLs are the cluster's: made through one broker, used through another. Bad
// listener specs fail before anything is bound.
import t from 'tap';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import type { ListenerView } from '../../src/index.js';
import { AlterUserScramCredentialsApi, CreateAclsApi, DescribeAclsApi, MetadataApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { WireClient } from '../helpers/wire-client.js';
import { SCRAM_SHA_256, saltedPassword } from '../../src/server/security/sasl/scram-formatter.js';

// kafkajs is the interop suite's dependency (test/interop/node), not the broker's.
const require = createRequire(new URL('../../../test/interop/node/package.json', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { Kafka, logLevel } = require('kafkajs') as any;

const listenerOf = (kafka: MiniKafka, name: string): ListenerView => kafka.listeners.find((l) => l.name === name)!;
const portsOf = (l: ListenerView): Set<number> => new Set(l.brokers.map((b) => b.port));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function kafkajs(bootstrap: string, extra: Record<string, unknown> = {}): any {
  return new Kafka({ clientId: 'listeners-e2e', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 5 }, connectionTimeout: 10_000, ...extra });
}

/** Consumes `count` values from the beginning of `topic` in group `groupId`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function consumeValues(k: any, groupId: string, topic: string, count: number): Promise<string[]> {
  const consumer = k.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }: { message: { value: Buffer } }) => {
            got.push(message.value.toString());
            if (got.length === count) resolve();
          },
        })
        .catch(reject);
    });
    return got.sort();
  } finally {
    await consumer.disconnect();
  }
}

t.test('3 brokers x (PLAINTEXT, SASL_SSL with SCRAM): each client sees only its listener, produces and consumes', async (t) => {
  await using kafka = await MiniKafka.start({
    brokers: 3,
    listeners: ['PLAINTEXT://127.0.0.1:0', 'SASL_SSL://127.0.0.1:0'],
    users: { alice: 'alice-secret' },
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }],
  });
  t.same(kafka.listeners.map((l) => [l.name, l.securityProtocol, l.brokers.map((b) => b.nodeId)]), [
    ['PLAINTEXT', 'PLAINTEXT', [1, 2, 3]],
    ['SASL_SSL', 'SASL_SSL', [1, 2, 3]],
  ]);
  const plain = listenerOf(kafka, 'PLAINTEXT');
  const secure = listenerOf(kafka, 'SASL_SSL');
  const allPorts = [...plain.brokers, ...secure.brokers].map((b) => b.port);
  t.equal(new Set(allPorts).size, 6, `six distinct ports: ${allPorts.join(', ')}`);
  t.notOk(allPorts.includes(0), 'every port 0 became a bound port');
  t.equal(kafka.bootstrapServers, plain.bootstrapServers, 'the first listener is the primary one');
  t.equal(kafka.bootstrapServersFor('sasl_ssl'), secure.bootstrapServers);
  t.equal(new Set([0, 1, 2].map((p) => kafka.partition('orders', p).leader)).size, 3, 'the partitions lead on three brokers: clients must reach each one');

  // Every broker list a client is given, with the listener its request came in on.
  const seen: { listener: string; api: string; ports: number[] }[] = [];
  kafka.intercept((req) => {
    if (!['Metadata', 'FindCoordinator', 'DescribeCluster'].includes(req.apiName)) return undefined;
    return {
      action: 'pass',
      after: (resp) => {
        const r = resp as { brokers?: { port: number }[]; port?: number; coordinators?: { port: number; errorCode: number }[] };
        const ports = [...(r.brokers ?? []).map((b) => b.port), ...(r.coordinators ?? []).filter((c) => c.errorCode === 0).map((c) => c.port), ...(r.port !== undefined && r.port > 0 ? [r.port] : [])];
        seen.push({ listener: req.connection.listenerName ?? '(none)', api: req.apiName, ports });
        return resp;
      },
    };
  });

  // Over SASL_SSL, bootstrapping from one broker only: the others are found through Metadata.
  const secureClient = kafkajs(secure.brokers[1]!.host + ':' + secure.brokers[1]!.port, {
    ssl: { ca: [kafka.tls!.caPem], servername: 'localhost' },
    sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' },
  });
  const producer = secureClient.producer();
  await producer.connect();
  const values = Array.from({ length: 30 }, (_, i) => `v${String(i).padStart(2, '0')}`);
  await producer.send({ topic: 'orders', messages: values.map((v, i) => ({ key: `k${i}`, value: v })) });
  await producer.disconnect();
  t.same(await consumeValues(secureClient, 'g-secure', 'orders', 30), values, 'consumed in a group over SASL_SSL');

  const plainClient = kafkajs(plain.bootstrapServers);
  t.same(await consumeValues(plainClient, 'g-plain', 'orders', 30), values, 'consumed in a group over PLAINTEXT');

  for (const [client, listener, ssl] of [
    [plainClient, plain, false],
    [secureClient, secure, true],
  ] as const) {
    const admin = client.admin();
    await admin.connect();
    const described = (await admin.describeCluster()) as { brokers: { nodeId: number; port: number }[] };
    await admin.disconnect();
    t.same(
      described.brokers.map((b) => [b.nodeId, b.port]).sort((a, b) => a[0]! - b[0]!),
      listener.brokers.map((b) => [b.nodeId, b.port]),
      `${ssl ? 'SASL_SSL' : 'PLAINTEXT'}: the cluster as kafkajs describes it is this listener's endpoints`,
    );
  }

  for (const name of ['PLAINTEXT', 'SASL_SSL']) {
    const mine = portsOf(listenerOf(kafka, name));
    const answers = seen.filter((s) => s.listener === name);
    t.ok(answers.some((s) => s.api === 'Metadata' && s.ports.length === 3), `${name}: Metadata answered with three brokers`);
    t.ok(answers.some((s) => s.api === 'FindCoordinator' && s.ports.length > 0), `${name}: FindCoordinator answered with a coordinator`);
    const foreign = answers.filter((s) => s.ports.some((p) => !mine.has(p)));
    t.same(foreign, [], `${name}: no answer names a port of another listener`);
  }
  t.notOk(seen.some((s) => s.listener === '(none)'), 'every request came in on a named listener');
});

t.test('SCRAM credentials and ACLs are the cluster\'s: set through broker 1, used through broker 2', async (t) => {
  await using kafka = await MiniKafka.start({
    brokers: 2,
    // A PLAINTEXT listener for the operator (its ANONYMOUS principal a super user), SASL for the applications.
    listeners: [{ name: 'INTERNAL', securityProtocol: 'PLAINTEXT' }, { name: 'APPS', securityProtocol: 'SASL_PLAINTEXT' }],
    superUsers: ['User:ANONYMOUS'],
    topics: [{ name: 'events', partitions: 2, replicationFactor: 2 }, 'other'],
  });
  const internal = listenerOf(kafka, 'INTERNAL');
  const apps = listenerOf(kafka, 'APPS');
  t.equal(apps.securityProtocol, 'SASL_PLAINTEXT');
  const op = await WireClient.connect(`127.0.0.1:${internal.brokers[0]!.port}`);
  t.teardown(() => op.close());
  const salt = Buffer.from('carol-salt');
  const upserted = await op.request(AlterUserScramCredentialsApi, 0, {
    deletions: [],
    upsertions: [{ name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_256, 'carol-secret', salt, 4096) }],
  });
  t.equal(upserted.results[0]!.errorCode, ErrorCode.NONE, 'carol\'s credential made through broker 1');
  const aclFor = (operation: number) => ({ resourceType: ResourceType.TOPIC, resourceName: 'events', resourcePatternType: PatternType.LITERAL, principal: 'User:carol', host: '*', operation, permissionType: AclPermissionType.ALLOW });
  const created = await op.request(CreateAclsApi, 3, { creations: [aclFor(AclOperation.WRITE), aclFor(AclOperation.DESCRIBE)] });
  t.same(created.results.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE], 'the ACLs made through broker 1');

  const op2 = await WireClient.connect(`127.0.0.1:${internal.brokers[1]!.port}`);
  t.teardown(() => op2.close());
  const acls = await op2.request(DescribeAclsApi, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
  t.same(acls.resources.flatMap((r) => r.acls.map((a) => [r.resourceName, a.principal, a.operation] as const)).sort((a, b) => a[2] - b[2]), [
    ['events', 'User:carol', AclOperation.WRITE],
    ['events', 'User:carol', AclOperation.DESCRIBE],
  ], 'broker 2 lists them');

  // carol bootstraps from broker 2 alone, over SASL with the credential broker 1 stored.
  const carol = kafkajs(`127.0.0.1:${apps.brokers[1]!.port}`, { sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' }, retry: { retries: 0 } });
  const producer = carol.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent = (await producer.send({ topic: 'events', messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] })) as { errorCode: number }[];
  t.same(sent.map((r) => r.errorCode), [0, 0], 'she writes to both partitions, led by both brokers');
  const refused = await producer.send({ topic: 'other', messages: [{ value: 'x' }] }).then(
    () => null,
    (e: { cause?: { type?: string } }) => e,
  );
  // kafkajs wraps the protocol error (its metadata request was refused) in a non-retriable one.
  t.equal(refused?.cause?.type, 'TOPIC_AUTHORIZATION_FAILED', 'and not where no ACL lets her');
  t.same([kafka.partition('events', 0).leader, kafka.partition('events', 1).leader].sort(), [1, 2]);
});

t.test('bad listener specs: a clear error before anything is bound', async (t) => {
  const cases: [Parameters<typeof MiniKafka.start>[0], RegExp][] = [
    [{ listeners: ['FOO://127.0.0.1:0'] }, /No security protocol defined for listener FOO/],
    [{ listeners: ['SASL_SSL//127.0.0.1:0'] }, /Unable to parse SASL_SSL\/\/127\.0\.0\.1:0 to a broker endpoint/],
    [{ listeners: ['PLAINTEXT://127.0.0.1:0', 'PLAINTEXT://127.0.0.1:0'] }, /Each listener must have a different name/],
    [{ listeners: ['PLAINTEXT://127.0.0.1:0'], config: { 'advertised.listeners': 'SSL://kafka:9093' } }, /advertised\.listeners listener names must be equal to or a subset of the ones defined in listeners\. Found SSL/],
    [{ listeners: ['PLAINTEXT://127.0.0.1:0'], config: { 'advertised.listeners': 'PLAINTEXT://0.0.0.0:0' } }, /cannot use the nonroutable meta-address 0\.0\.0\.0/],
    [{ listeners: [{ name: 'X', securityProtocol: 'TLS' as 'SSL' }] }, /securityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got 'TLS'/],
    [{ listeners: ['SASL_SSL://127.0.0.1:0'], config: { 'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'GSSAPI' } }, /SASL mechanism GSSAPI is not supported/],
  ];
  for (const [opts, message] of cases) {
    await t.rejects(MiniKafka.start({ brokers: 3, ...opts }), message, String(JSON.stringify(opts)));
  }

  // A good fixed-port listener before a bad one: nothing may hold the port afterwards.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  await t.rejects(MiniKafka.start({ listeners: [`PLAINTEXT://127.0.0.1:${port}`, 'BAD://127.0.0.1:0'] }), /No security protocol defined for listener BAD/);
  const again = createServer().listen(port, '127.0.0.1');
  await once(again, 'listening');
  await new Promise((r) => again.close(r));
  t.pass(`port ${port} was never taken`);
});

t.test('advertised listeners: each listener its own advertised host, fixed ports move up per broker', async (t) => {
  await using kafka = await MiniKafka.start({
    brokers: 2,
    listeners: [
      { name: 'HOST', securityProtocol: 'PLAINTEXT' },
      { name: 'DOCKER', securityProtocol: 'PLAINTEXT', advertisedHost: 'kafka.internal', advertisedPort: 29092 },
    ],
  });
  t.same(listenerOf(kafka, 'DOCKER').brokers.map((b) => [b.nodeId, b.host, b.port]), [
    [1, 'kafka.internal', 29092],
    [2, 'kafka.internal', 29093],
  ], 'the advertised port moves up per broker as a fixed port does');
  // A client on the DOCKER listener's bound socket is told the container-network names.
  const docker = kafka.brokers[0]!.endpoints.find((e) => e.listenerName === 'DOCKER')!;
  t.not(docker.boundPort, docker.port, 'bound on a free port, advertised as 29092');
  const c = await WireClient.connect(`127.0.0.1:${docker.boundPort}`);
  t.teardown(() => c.close());
  const md = await c.request(MetadataApi, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.same(md.brokers.map((b) => [b.nodeId, b.host, b.port]), [
    [1, 'kafka.internal', 29092],
    [2, 'kafka.internal', 29093],
  ]);
  const host = listenerOf(kafka, 'HOST');
  const h = await WireClient.connect(host.brokers[1]!.host + ':' + host.brokers[1]!.port);
  t.teardown(() => h.close());
  const md2 = await h.request(MetadataApi, 12, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.same(md2.brokers.map((b) => [b.nodeId, b.host, b.port]), host.brokers.map((b) => [b.nodeId, b.host, b.port]), 'the HOST listener answers with its own endpoints');

  // A stopped broker leaves every listener's bootstrap list, and comes back on the same ports.
  const before = kafka.listeners.map((l) => l.brokers.map((b) => b.port));
  await kafka.brokerById(2)!.stop();
  t.same(kafka.listeners.map((l) => l.brokers.map((b) => b.nodeId)), [[1], [1]]);
  await kafka.brokerById(2)!.start();
  t.same(kafka.listeners.map((l) => l.brokers.map((b) => b.port)), before, 'the same ports after a restart');
});
