#!/usr/bin/env node
// Records what the Java client (kafka-clients 4.4, test/interop/java SecureCases.java) sees when
// Apache Kafka 4.4 refuses it, and writes it next to the test that compares minikafka with it:
//
//   test/interop/security-java.kafka-4.4.json   per refusal: the exception the send failed with
//                                               and its causes (class, message; ports masked)
//
// The refusals (test/interop/security-cases.ts, refusalSteps): a wrong SCRAM-SHA-512 password, an
// expired unsecured OAUTHBEARER token, a broker certificate the client's truststore (another CA)
// does not trust, a client certificate the broker (ssl.client.auth=required) does not trust.
// Kafka is configured as test/interop/security-java.test.ts configures minikafka: a SASL_SSL
// listener with SCRAM-SHA-512 and OAUTHBEARER (Kafka's default unsecured validator), an SSL listener
// with client authentication required, a PEM keystore from a CA made here with minikafka's
// certificate code (EC P-256, as the throwaway CA), a SCRAM-SHA-512 user made by the storage format.
//
// Usage: npm run record-kafka-security [-- --check]
//   --check  records and compares with the committed file instead of writing it: exit 1 and the
//            differing steps when Kafka's answers differ.
// Needs: npm run build (certificates and the plan come from dist/), a JDK 17+ and Maven
// (bench/kafka/setup.sh and test/interop/setup.sh java, both run here).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root, run } from './recording.mjs';

const check = process.argv.includes('--check');
const OUT = 'test/interop/security-java.kafka-4.4.json';
if (!existsSync(join(root, 'dist/test/interop/security-cases.js'))) {
  console.error('record-kafka-security: run `npm run build` first (the plan and certificates come from dist/)');
  process.exit(2);
}
const { createCertificateAuthority, issueCertificate, issueServerCertificate } = await import(join(root, 'dist/src/server/security/tls/certificates.js'));
const { pkcs12Truststore } = await import(join(root, 'dist/src/server/security/tls/truststore.js'));
const { refusalSteps, refusalRecord, writePlan } = await import(join(root, 'dist/test/interop/security-cases.js'));

const USER = 'alice';
const PASSWORD = 'alice-secret';
const work = mkdtempSync(join(tmpdir(), 'record-kafka-security-'));
const file = (name, text) => {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
};
// The broker's CA and certificate, and a stranger CA the broker does not know.
const ca = createCertificateAuthority();
const server = issueServerCertificate(ca, ['127.0.0.1']);
const stranger = createCertificateAuthority();
const strangerClient = issueCertificate(stranger, { subject: [{ shortName: 'O', value: 'minikafka' }, { shortName: 'CN', value: USER }], clientAuth: true });
const trustPassword = 'record-trust';
const target = {
  trust: { truststore: file('truststore.p12', pkcs12Truststore([{ alias: 'ca', pem: ca.certPem }], trustPassword)), truststorePassword: trustPassword },
  otherTrust: { truststore: file('other-truststore.p12', pkcs12Truststore([{ alias: 'other', pem: stranger.certPem }], trustPassword)), truststorePassword: trustPassword },
  strangerKeystore: file('stranger-client.pem', strangerClient.keyPem + strangerClient.certPem + stranger.certPem),
  user: USER,
  password: PASSWORD,
};
const serverKeystore = file('server.pem', server.keyPem + server.certPem + ca.certPem);
const caPem = file('ca.pem', ca.certPem);

let ok = true;
try {
  run('bash', ['test/interop/setup.sh', 'java'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const [port, sslPort, saslSslPort] = [await freePort(), await freePort(), await freePort()];
  const props = [
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${serverKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${caPem}`,
    'listener.name.ssl.ssl.client.auth=required',
    'sasl.enabled.mechanisms=SCRAM-SHA-512,OAUTHBEARER',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  ];
  console.log(`record-kafka-security: starting Apache Kafka 4.4 (PLAINTEXT ${port}, SSL ${sslPort}, SASL_SSL ${saslSslPort})`);
  run('bash', ['bench/kafka/start-kafka.sh', String(port), join(work, 'kafka')], {
    env: {
      ...process.env,
      KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m',
      KAFKA_SSL_PORT: String(sslPort),
      KAFKA_SASL_SSL_PORT: String(saslSslPort),
      KAFKA_ADD_SCRAM: `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`,
      KAFKA_EXTRA_PROPS: props.join('\n'),
    },
  });
  const steps = refusalSteps({ ...target, saslSsl: `127.0.0.1:${saslSslPort}`, ssl: `127.0.0.1:${sslPort}` });
  const plan = join(work, 'plan.properties');
  writePlan(plan, steps);
  const r = spawnSync('java', ['-cp', 'test/interop/java/target/interop.jar', 'dev.minikafka.interop.SecureCases', plan], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const recorded = {
    recorded: 'Apache Kafka 4.4.0 (bench/kafka/start-kafka.sh, one KRaft node, SASL_SSL and SSL listeners) with kafka-clients 4.4.0, by scripts/record-kafka-security.mjs',
    refusals: Object.fromEntries(steps.map((s) => [s.name, refusalRecord(lines.find((l) => l.step === s.name)) ?? { missing: true, stderr: r.stderr.slice(-2000) }])),
  };
  for (const [name, rec] of Object.entries(recorded.refusals)) {
    if (rec.ok !== true) {
      console.error(`record-kafka-security: step ${name} was not refused with an AuthenticationException: ${JSON.stringify(rec)}`);
      ok = false;
    }
  }
  const text = JSON.stringify(recorded, null, 2) + '\n';
  if (!check) {
    writeFileSync(join(root, OUT), text);
    console.log(`record-kafka-security: wrote ${OUT}`);
  } else {
    const committed = JSON.parse(readFileSync(join(root, OUT), 'utf8'));
    for (const s of steps) {
      const [a, b] = [JSON.stringify(committed.refusals[s.name]), JSON.stringify(recorded.refusals[s.name])];
      if (a !== b) {
        console.log(`record-kafka-security: ${s.name} DIFFERS\n  committed: ${a}\n  recorded:  ${b}`);
        ok = false;
      }
    }
    if (ok) console.log(`record-kafka-security: ${OUT} matches Apache Kafka 4.4`);
  }
} finally {
  spawnSync('bash', ['bench/kafka/stop-kafka.sh', join(work, 'kafka')], { cwd: root, stdio: 'inherit' });
  rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
