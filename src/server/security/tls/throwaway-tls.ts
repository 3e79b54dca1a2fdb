/**
 * The default TLS setup of a broker with SSL listeners and no keystore configured: a CA and a
 * server certificate made at start, written to a directory so that clients can trust the CA:
 *   ca.pem                 the CA certificate (clients: ssl.truststore.type=PEM / librdkafka ssl.ca.location)
 *   truststore.p12         the CA in a PKCS12 truststore Java loads (ssl.truststore.type=PKCS12)
 *   server.pem, server-key.pem   the broker's certificate and key
 *   ca-key.pem             the CA key, so that a test can issue client certificates for mTLS
 * The truststore password is random unless given; it is returned (and shown in the ready line),
 * never logged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createCertificateAuthority, issueServerCertificate, type CertificateAuthority, type KeyAndCertificate } from './certificates.js';
import { pkcs12Truststore } from './truststore.js';

export interface ThrowawayTls {
  readonly ca: CertificateAuthority;
  readonly server: KeyAndCertificate;
  readonly files: {
    readonly caPem: string;
    readonly caKeyPem: string;
    readonly truststore: string;
    readonly serverPem: string;
    readonly serverKeyPem: string;
  };
  readonly truststorePassword: string;
}

export function createThrowawayTls(dir: string, hosts: readonly string[], truststorePassword = randomBytes(12).toString('hex')): ThrowawayTls {
  const ca = createCertificateAuthority();
  const server = issueServerCertificate(ca, hosts);
  mkdirSync(dir, { recursive: true });
  const files = {
    caPem: join(dir, 'ca.pem'),
    caKeyPem: join(dir, 'ca-key.pem'),
    truststore: join(dir, 'truststore.p12'),
    serverPem: join(dir, 'server.pem'),
    serverKeyPem: join(dir, 'server-key.pem'),
  };
  writeFileSync(files.caPem, ca.certPem);
  writeFileSync(files.caKeyPem, ca.keyPem, { mode: 0o600 });
  writeFileSync(files.truststore, pkcs12Truststore([{ alias: 'minikafka-ca', pem: ca.certPem }], truststorePassword));
  writeFileSync(files.serverPem, server.certPem + ca.certPem);
  writeFileSync(files.serverKeyPem, server.keyPem, { mode: 0o600 });
  return { ca, server, files, truststorePassword };
}
