/**
 * The Java client (kafka-clients 4.x) over SASL_SSL with SCRAM-SHA-512, trusting the broker through
 * the PKCS12 truststore of the ready line (the throwaway CA): produce, consume in a group and
 * commit; then a principal without WRITE on the topic is refused, seen by the client as
 * TopicAuthorizationException, and the audit log names the refusal. The program is
 * test/interop/java/.../Secure.java, built by test/interop/setup.sh java.
 */
import t from 'tap';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType, createAuditLogger } from '../../src/index.js';
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

t.test('Java over SASL_SSL SCRAM-SHA-512: produce, consume in a group, commit; an ACL denial', async (t) => {
  const setupError = setupClients('java');
  if (setupError !== null) throw new Error(setupError);
  const audit: string[] = [];
  await using kafka = await MiniKafka.start({
    listener: 'SASL_SSL://127.0.0.1:0',
    users: { alice: 'alice-secret', bob: 'bob-secret' },
    topics: ['secure-orders:1'],
    acls: [allow(ResourceType.TOPIC, 'secure-orders', AclOperation.WRITE), allow(ResourceType.TOPIC, 'secure-orders', AclOperation.READ), allow(ResourceType.GROUP, 'secure-g', AclOperation.READ)],
    audit: createAuditLogger('info', (l) => audit.push(l)),
  });
  const tls = kafka.tls!;
  // A JVM start, two producers and a group consumer: seconds; the bound is for a loaded machine.
  const run = await runProgram<StepLine>(
    javaProgram('Secure'),
    [
      '--bootstrap', kafka.bootstrapServers, '--topic', 'secure-orders', '--group', 'secure-g',
      '--truststore', tls.truststore, '--truststore-password', tls.truststorePassword,
      '--mechanism', 'SCRAM-SHA-512', '--user', 'alice', '--password', 'alice-secret',
      '--denied-user', 'bob', '--denied-password', 'bob-secret', '--records', '20',
    ],
    180_000,
  );
  const step = (name: string) => run.lines.find((l) => l.step === name);
  t.equal(step('produce')?.ok, true, JSON.stringify(step('produce')) + run.stderr.slice(-2000));
  const consumed = step('consume_group');
  t.equal(consumed?.ok, true, JSON.stringify(consumed));
  t.strictSame(consumed?.detail['values'], Array.from({ length: 20 }, (_, i) => `v${i}`));
  t.equal(consumed?.detail['committed'], 20);
  const denied = step('denied_produce');
  t.equal(denied?.detail['error'], 'TopicAuthorizationException', JSON.stringify(denied));
  t.equal(denied?.ok, true);
  t.equal(run.code, 0);
  // bob may not even describe the topic: his producer's Metadata request is refused first, as with Kafka.
  t.ok(audit.some((l) => /Principal = User:bob is Denied operation = DESCRIBE from host = \S+ on resource = Topic:LITERAL:secure-orders for request = Metadata/.test(l)), 'the audit log names the refusal');
});
