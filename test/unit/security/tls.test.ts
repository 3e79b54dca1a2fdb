import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createThrowawayTls } from '../../../src/server/security/tls/throwaway-tls.js';
import { createCertificateAuthority, issueCertificate } from '../../../src/server/security/tls/certificates.js';
import { checkClientCertificate, sslServerSettings, SslConfigError } from '../../../src/server/security/tls/ssl-config.js';
import { certificatesFromJks, certificatesFromPkcs12 } from '../../../src/server/security/tls/truststore.js';
import { rfc2253FromNodeSubject, SslPrincipalMapper } from '../../../src/server/security/tls/principal-mapper.js';

const dir = mkdtempSync(join(tmpdir(), 'minikafka-tls-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
// Made once: every test can share the CA.
const made = createThrowawayTls(dir, ['broker.test'], 'changeit');

interface Served {
  readonly port: number;
  /** What the server saw per connection: the mapped principal or the refusal. */
  readonly seen: string[];
  close(): Promise<void>;
}

async function serve(configs: Record<string, string>, mapper = new SslPrincipalMapper()): Promise<Served> {
  const settings = sslServerSettings(configs);
  const seen: string[] = [];
  const server = tls.createServer({ ...settings.context, requestCert: settings.requestCert, rejectUnauthorized: settings.rejectUnauthorized }, (socket) => {
    const refusal = checkClientCertificate(socket, settings.clientAuth);
    if (refusal !== null) {
      seen.push(`refused: ${refusal}`);
      socket.destroy();
      return;
    }
    const peer = socket.getPeerX509Certificate();
    seen.push(peer ? `User:${mapper.name(rfc2253FromNodeSubject(peer.subject))}` : 'User:ANONYMOUS');
    socket.end('hello');
  });
  server.on('tlsClientError', (err) => seen.push(`handshake failed: ${err.message}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Connects, returns what the server sent or the client-side error code. */
async function talk(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ...options });
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data || 'closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`error: ${err.code ?? err.message}`));
  });
}

const serverConfigs = {
  'ssl.keystore.type': 'PEM',
  'ssl.keystore.key': made.server.keyPem,
  'ssl.keystore.certificate.chain': made.server.certPem,
};

t.test('a real TLS connection trusts the generated CA for every advertised name', async (t) => {
  const s = await serve(serverConfigs);
  t.teardown(() => s.close());
  const ca = readFileSync(made.files.caPem);
  t.equal(await talk(s.port, { ca, servername: 'localhost' }), 'hello', 'localhost');
  t.equal(await talk(s.port, { ca, servername: 'broker.test' }), 'hello', 'the advertised host');
  t.equal(await talk(s.port, { ca }), 'hello', '127.0.0.1 by IP SAN');
  t.equal(await talk(s.port, { ca, servername: 'other.test' }), 'error: ERR_TLS_CERT_ALTNAME_INVALID', 'a name not in the certificate');
  const otherCa = createCertificateAuthority();
  t.equal(await talk(s.port, { ca: otherCa.certPem, servername: 'localhost' }), 'error: UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'an untrusted CA');
  t.strictSame(s.seen.filter((x) => x === 'User:ANONYMOUS').length, 3);
});

t.test('the server reads its PEM keystore file and a PKCS12 keystore the same way', async (t) => {
  const pemFile = join(dir, 'keystore.pem');
  (await import('node:fs')).writeFileSync(pemFile, made.server.keyPem + made.server.certPem);
  const s = await serve({ 'ssl.keystore.location': pemFile, 'ssl.keystore.type': 'PEM' });
  t.teardown(() => s.close());
  t.equal(await talk(s.port, { ca: made.ca.certPem, servername: 'localhost' }), 'hello');
  t.throws(() => sslServerSettings({ 'ssl.keystore.location': join(dir, 'nope.pem') }), SslConfigError);
  t.throws(() => sslServerSettings({ 'ssl.keystore.location': pemFile, 'ssl.keystore.type': 'JKS' }), /not supported/);
  t.throws(() => sslServerSettings({ ...serverConfigs, 'ssl.client.auth': 'sometimes' }), /String must be one of: required, requested, none/);
});

t.test('mTLS: required, requested, principal mapping rules', async (t) => {
  const alice = issueCertificate(made.ca, {
    subject: [{ shortName: 'C', value: 'US' }, { shortName: 'O', value: 'acme' }, { shortName: 'OU', value: 'eng' }, { shortName: 'CN', value: 'Alice' }],
    clientAuth: true,
  });
  const stranger = issueCertificate(createCertificateAuthority(), { subject: [{ shortName: 'CN', value: 'mallory' }], clientAuth: true });
  const trust = { 'ssl.truststore.type': 'PKCS12', 'ssl.truststore.location': made.files.truststore, 'ssl.truststore.password': 'changeit' };
  const client = { ca: made.ca.certPem, servername: 'localhost' };

  const required = await serve({ ...serverConfigs, ...trust, 'ssl.client.auth': 'required' }, new SslPrincipalMapper('RULE:^CN=([^,]+),OU=eng,.*$/$1/L,DEFAULT'));
  t.teardown(() => required.close());
  t.equal(await talk(required.port, { ...client, key: alice.keyPem, cert: alice.certPem }), 'hello');
  t.equal(required.seen[0], 'User:alice', 'the rule maps CN=Alice,OU=eng,O=acme,C=US to alice');
  t.not(await talk(required.port, client), 'hello', 'no certificate: refused');
  t.not(await talk(required.port, { ...client, key: stranger.keyPem, cert: stranger.certPem }), 'hello', 'an untrusted certificate: refused');

  const requested = await serve({ ...serverConfigs, ...trust, 'ssl.client.auth': 'requested' });
  t.teardown(() => requested.close());
  t.equal(await talk(requested.port, client), 'hello', 'no certificate: in, anonymous');
  t.equal(await talk(requested.port, { ...client, key: alice.keyPem, cert: alice.certPem }), 'hello');
  t.not(await talk(requested.port, { ...client, key: stranger.keyPem, cert: stranger.certPem }), 'hello');
  t.strictSame(requested.seen.slice(0, 2), ['User:ANONYMOUS', 'User:CN=Alice,OU=eng,O=acme,C=US']);
  t.match(requested.seen[2], /^refused: untrusted client certificate/);
});

t.test('the PKCS12 truststore: node-forge reads it back and Java keytool lists the CA as a trusted entry', async (t) => {
  const certs = certificatesFromPkcs12(readFileSync(made.files.truststore), 'changeit');
  t.equal(certs.length, 1);
  t.equal(new (await import('node:crypto')).X509Certificate(certs[0]!).fingerprint256, new (await import('node:crypto')).X509Certificate(made.ca.certPem).fingerprint256);
  t.throws(() => certificatesFromPkcs12(readFileSync(made.files.truststore), 'wrong'), 'a wrong password fails the MAC');

  // keytool ships with every JDK; the interop suite needs one, so CI has it.
  const list = execFileSync('keytool', ['-list', '-keystore', made.files.truststore, '-storetype', 'PKCS12', '-storepass', 'changeit'], { encoding: 'utf8' });
  t.match(list, /Your keystore contains 1 entry/);
  t.match(list, /minikafka-ca, .*, trustedCertEntry/);
  t.throws(() => execFileSync('keytool', ['-list', '-keystore', made.files.truststore, '-storetype', 'PKCS12', '-storepass', 'wrong'], { stdio: 'pipe' }), 'keytool checks the MAC');

  // A JKS truststore made by keytool is read as trusted certificates too.
  const jks = join(dir, 'trust.jks');
  execFileSync('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', made.files.caPem, '-keystore', jks, '-storetype', 'JKS', '-storepass', 'changeit'], { stdio: 'pipe' });
  const fromJks = certificatesFromJks(readFileSync(jks));
  t.equal(fromJks.length, 1);
  t.equal(new (await import('node:crypto')).X509Certificate(fromJks[0]!).subject, new (await import('node:crypto')).X509Certificate(made.ca.certPem).subject);
  t.throws(() => certificatesFromJks(Buffer.from('not a keystore at all')), /bad magic/);
  t.throws(() => certificatesFromJks(readFileSync(jks).subarray(0, 40)), /Truncated/);
});

t.test("ssl.principal.mapping.rules as Kafka's SslPrincipalMapper", async (t) => {
  const m = new SslPrincipalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,DEFAULT');
  t.equal(m.name('CN=kafka-server1,OU=ServiceUsers,O=Org,C=US'), 'kafka-server1');
  t.equal(m.name('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US'), 'duke@sme');
  t.equal(m.name('CN=other,O=x'), 'CN=other,O=x', 'DEFAULT');
  t.equal(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$1@$2/U').name('CN=a,OU=b'), 'A@B');
  t.equal(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$1@$3/').name('CN=a,OU=b'), 'a@$3', 'a missing group stays literal');
  t.equal(new SslPrincipalMapper('RULE:^CN=(.*?)\\/x$/\\$$1/').name('CN=a/x'), '$a', 'escaped slash and dollar');
  t.throws(() => new SslPrincipalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/').name('CN=x,OU=other'), { name: 'NoMatchingRuleError', message: /^No rules apply to CN=x,OU=other/ });
  t.throws(() => new SslPrincipalMapper('RULE:^CN=(.*?)$/$1/LU'), /Invalid rule: `RULE:\^CN=\(\.\*\?\)\$\/\$1\/LU`, unmatched substring: `U`/);
  t.equal(rfc2253FromNodeSubject('C=US\nO=a, b\nCN=x+y'), 'CN=x\\+y,O=a\\, b,C=US');
});
