/**
 * The Java client (kafka-clients 4.x) over SASL_SSL with SCRAM-SHA-512 on a cluster of 3 brokers
 * that each also have a PLAINTEXT listener: bootstrapped from the SASL_SSL listener, it must be
 * told the brokers' SASL_SSL endpoints (a PLAINTEXT port would fail its TLS handshake) to produce
 * to partitions led by every broker, consume in a group through the coordinator and commit; a
 * principal without WRITE is refused. The program is test/interop/java/.../Secure.java (see
 * security.test.ts), built by test/interop/setup.sh java.
 */
import t from 'tap';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import type { AclBinding } from '../../src/index.js';
import { javaProgram, runProgram, setupClients } from './harness.js';

interface StepLine {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: Record<string, unknown>;
}

const allow = (resourceType: number, name: string, operation: number): AclBinding => ({
  pattern: { resourceType: resourceType as 2, name, patternType: PatternType.LITERAL },
  entry: { principal: 'User:alice', host: '*', operation: operation as 3, permissionType: AclPermissionType.ALLOW },
});

t.test('Java over SASL_SSL SCRAM-SHA-512 on 3 brokers x (PLAINTEXT, SASL_SSL)', async (t) => {
  const setupError = setupClients('java');
  if (setupError !== null) throw new Error(setupError);
  await using kafka = await MiniKafka.start({
    brokers: 3,
    listeners: ['PLAINTEXT://127.0.0.1:0', 'SASL_SSL://127.0.0.1:0'],
    users: { alice: 'alice-secret', bob: 'bob-secret' },
    topics: [{ name: 'multi-orders', partitions: 3, replicationFactor: 3 }],
    acls: [allow(ResourceType.TOPIC, 'multi-orders', AclOperation.WRITE), allow(ResourceType.TOPIC, 'multi-orders', AclOperation.READ), allow(ResourceType.GROUP, 'multi-g', AclOperation.READ)],
  });
  t.equal(new Set([0, 1, 2].map((p) => kafka.partition('multi-orders', p).leader)).size, 3, 'leaders on three brokers');
  const tls = kafka.tls!;
  const secure = kafka.bootstrapServersFor('SASL_SSL');
  // A JVM start, two producers and a group consumer: seconds; the bound is for a loaded machine.
  const run = await runProgram<StepLine>(
    javaProgram('Secure'),
    [
      '--bootstrap', secure, '--topic', 'multi-orders', '--group', 'multi-g',
      '--truststore', tls.truststore, '--truststore-password', tls.truststorePassword,
      '--mechanism', 'SCRAM-SHA-512', '--user', 'alice', '--password', 'alice-secret',
      '--denied-user', 'bob', '--denied-password', 'bob-secret', '--records', '30',
    ],
    240_000,
  );
  const step = (name: string) => run.lines.find((l) => l.step === name);
  t.equal(step('produce')?.ok, true, JSON.stringify(step('produce')) + run.stderr.slice(-2000));
  const consumed = step('consume_group');
  t.equal(consumed?.ok, true, JSON.stringify(consumed));
  t.same([...((consumed?.detail['values'] as string[] | undefined) ?? [])].sort(), Array.from({ length: 30 }, (_, i) => `v${i}`).sort(), 'every record, from the three partitions');
  t.equal(consumed?.detail['committed'], 30);
  t.equal(step('denied_produce')?.detail['error'], 'TopicAuthorizationException', JSON.stringify(step('denied_produce')));
  t.equal(run.code, 0);
});
