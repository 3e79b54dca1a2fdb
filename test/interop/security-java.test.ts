/**
 * The Java client (kafka-clients 4.4) over each way of authenticating, one JVM running every step
 * (test/interop/java/.../SecureCases.java, plan in security-cases.ts):
 * - produce, consume in a group and commit over SASL_SSL with SCRAM-SHA-512; over SSL with a
 *   client certificate from the throwaway CA (kafka.issueClientCertificate: its PKCS12 keystore, then
 *   its PEM one; ssl.client.auth=required, the principal mapped from
 *   its subject by ssl.principal.mapping.rules, allowed by an ACL on that principal); over SASL_SSL
 *   with OAUTHBEARER, Kafka's unsecured tokens; and with tokens the Java client fetches from the
 *   built-in token endpoint (client-credentials grant), verified by the broker against the issuer's
 *   keys, issuer and audience;
 * - the refusals, compared strictly with what the same program saw from Apache Kafka 4.4
 *   configured the same way (security-java.kafka-4.4.json, scripts/record-kafka-security.mjs): a
 *   wrong password, an expired token, an untrusted broker certificate, an untrusted client one;
 *   and an expired token of the built-in issuer (read by the client from a file) as the expired one.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MiniKafka, AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/index.js';
import type { AclBinding } from '../../src/index.js';
import { createCertificateAuthority, issueCertificate } from '../../src/server/security/tls/certificates.js';
import { pkcs12Truststore } from '../../src/server/security/tls/truststore.js';
import { javaProgram, root, runProgram, setupClients } from './harness.js';
import {
  REFUSAL_TOPIC,
  clientCredentialsConfigs,
  mtlsConfigs,
  refusalRecord,
  refusalSteps,
  scramConfigs,
  tokenFileConfigs,
  unsecuredOAuthConfigs,
  writePlan,
  type PlanStep,
  type StepLine,
} from './security-cases.js';

const PREFIX = 'secure-java-';
const RECORDS = 10;

/** WRITE and READ on the topics, READ on the groups, named PREFIX*: what produce, consume and commit need. */
const allowAll = (principal: string): AclBinding[] =>
  ([[ResourceType.TOPIC, AclOperation.WRITE], [ResourceType.TOPIC, AclOperation.READ], [ResourceType.GROUP, AclOperation.READ]] as const).map(([resourceType, operation]) => ({
    pattern: { resourceType, name: PREFIX, patternType: PatternType.PREFIXED },
    entry: { principal, host: '*', operation, permissionType: AclPermissionType.ALLOW },
  }));

type RefusalRecord = NonNullable<ReturnType<typeof refusalRecord>>;

/**
 * Where minikafka's answer differs from Kafka's on purpose (DEVIATIONS.md, TLS): Node's TLS server
 * (OpenSSL) names the CAs it trusts in its certificate request, so the Java client, holding only a
 * certificate of another CA, sends none and OpenSSL refuses with certificate_required; Kafka's
 * (Java's SSLEngine) names none, the client sends its certificate, and Java refuses it with
 * bad_certificate. The same exception classes and Kafka message; only the alert differs.
 */
const DEVIATIONS: Record<string, (kafka: RefusalRecord) => RefusalRecord> = {
  untrusted_client_certificate: (k) => ({ ...k, error: k.error.map((e) => ({ ...e, message: e.message.replace('Received fatal alert: bad_certificate', 'Received fatal alert: certificate_required') })) }),
};

const roundtrip = (name: string, client: Record<string, string>): PlanStep => ({ name, kind: 'roundtrip', topic: PREFIX + name, group: `${PREFIX}g-${name}`, records: RECORDS, client });

t.test('Java: SCRAM, mTLS and OAUTHBEARER (unsecured, built-in issuer) round trips; refusals as Apache Kafka 4.4', async (t) => {
  const setupError = setupClients('java');
  if (setupError !== null) throw new Error(setupError);
  const work = mkdtempSync(join(tmpdir(), 'security-java-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));

  // One broker as the recorder configures Kafka (SASL_SSL: SCRAM-SHA-512 and unsecured
  // OAUTHBEARER; SSL: client certificates required), with ACLs; the principal of a client
  // certificate "CN=dave,OU=interop,O=minikafka" is "dave" by the mapping rule.
  await using kafka = await MiniKafka.start({
    listeners: ['SASL_SSL://127.0.0.1:0', 'SSL://127.0.0.1:0'],
    config: {
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512,OAUTHBEARER',
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),OU=interop,O=minikafka$/$1/L,DEFAULT',
    },
    users: { alice: 'alice-secret' },
    topics: ['scram', 'mtls', 'mtls_pem', 'oauth_unsecured', 'refused'].map((n) => PREFIX + n),
    acls: ['User:alice', 'User:dave', 'User:carol'].flatMap(allowAll),
  });
  // A second broker whose OAUTHBEARER tokens come from its built-in issuer: the Java client
  // fetches them from the token endpoint as client "erin-app", the broker checks the issuer's
  // signature, issuer and audience; the principal is the client id.
  await using issuing = await MiniKafka.start({
    listener: 'SASL_SSL://127.0.0.1:0',
    oauth: { clients: { 'erin-app': 'erin-secret' }, audience: 'minikafka-interop' },
    topics: [PREFIX + 'oauth_issuer'],
    acls: allowAll('User:erin-app'),
  });
  const saslSsl = kafka.bootstrapServersFor('SASL_SSL');
  const ssl = kafka.bootstrapServersFor('SSL');
  const trust = { truststore: kafka.tls!.truststore, truststorePassword: kafka.tls!.truststorePassword };
  const issuingTrust = { truststore: issuing.tls!.truststore, truststorePassword: issuing.tls!.truststorePassword };
  const dave = kafka.issueClientCertificate('CN=Dave,OU=interop,O=minikafka');
  t.equal(dave.subject, 'CN=Dave,OU=interop,O=minikafka');
  const oauth = issuing.oauth!;

  // What the broker does not trust and what does not trust the broker: another CA's.
  const stranger = createCertificateAuthority();
  const strangerClient = issueCertificate(stranger, { subject: [{ shortName: 'O', value: 'minikafka' }, { shortName: 'CN', value: 'alice' }], clientAuth: true });
  const strangerKeystore = join(work, 'stranger-client.pem');
  writeFileSync(strangerKeystore, strangerClient.keyPem + strangerClient.certPem + stranger.certPem);
  const otherTruststore = join(work, 'other-truststore.p12');
  writeFileSync(otherTruststore, pkcs12Truststore([{ alias: 'other', pem: stranger.certPem }], 'other-pass'));

  const refusals = refusalSteps({ saslSsl, ssl, trust, otherTrust: { truststore: otherTruststore, truststorePassword: 'other-pass' }, strangerKeystore, user: 'alice', password: 'alice-secret' });
  const steps: PlanStep[] = [
    roundtrip('scram', scramConfigs(saslSsl, trust, 'alice', 'alice-secret')),
    roundtrip('mtls', mtlsConfigs(ssl, trust, dave.pkcs12, dave.password)),
    roundtrip('mtls_pem', mtlsConfigs(ssl, trust, dave.keystore)),
    roundtrip('oauth_unsecured', unsecuredOAuthConfigs(saslSsl, trust, 'carol')),
    roundtrip('oauth_issuer', clientCredentialsConfigs(issuing.bootstrapServers, issuingTrust, oauth.tokenEndpointUrl, 'erin-app', 'erin-secret')),
    ...refusals,
  ];
  // A token of the built-in issuer that expired a minute ago, read by the client from a file:
  // refused as Kafka refuses an expired token (its JWKS validator answers invalid_token too).
  const expiredFile = join(work, 'expired.jwt');
  writeFileSync(expiredFile, oauth.mint({ subject: 'erin-app', lifetimeMs: -60_000 }));
  const expiredUrl = pathToFileURL(expiredFile).href;
  steps.push({ name: 'expired_issuer_token', kind: 'refused', topic: PREFIX + 'oauth_issuer', client: tokenFileConfigs(issuing.bootstrapServers, issuingTrust, expiredUrl) });
  const plan = join(work, 'plan.properties');
  // Kafka 4.x fetches tokens only from URLs this system property allows.
  writePlan(plan, steps, { 'org.apache.kafka.sasl.oauthbearer.allowed.urls': `${oauth.tokenEndpointUrl},${expiredUrl}` });

  // One JVM, five round trips and four refusals: ~15 s idle; the bound is for a loaded machine.
  const run = await runProgram<StepLine>(javaProgram('SecureCases'), [plan], 240_000);
  const line = (name: string) => run.lines.find((l) => l.step === name);
  for (const name of ['scram', 'mtls', 'mtls_pem', 'oauth_unsecured', 'oauth_issuer']) {
    const l = line(name);
    t.equal(l?.ok, true, `${name}: ${JSON.stringify(l)}${l === undefined ? run.stderr.slice(-3000) : ''}`);
    t.strictSame(l?.detail.values, Array.from({ length: RECORDS }, (_, i) => `${name}-${i}`), `${name}: every record read back in order`);
    t.equal(l?.detail.committed, RECORDS, `${name}: committed`);
  }

  const kafka44 = JSON.parse(readFileSync(join(root, 'test/interop/security-java.kafka-4.4.json'), 'utf8')) as { refusals: Record<string, RefusalRecord> };
  for (const s of refusals) {
    const expected = kafka44.refusals[s.name]!;
    t.strictSame(refusalRecord(line(s.name)), DEVIATIONS[s.name]?.(expected) ?? expected, `${s.name}: the Java client sees what it sees from Apache Kafka 4.4`);
  }
  t.strictSame(refusalRecord(line('expired_issuer_token')), kafka44.refusals['expired_token'], 'an expired issuer token: as an expired token with Kafka 4.4');
  t.equal(run.code, 0, run.code === 0 ? 'SecureCases exits 0' : run.stderr.slice(-2000));
  t.equal(REFUSAL_TOPIC, PREFIX + 'refused', 'the refusals name a topic the ACLs cover');
});
