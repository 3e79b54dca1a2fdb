/**
 * Throwaway X.509 certificates: a CA made at broker start and certificates it signs (the broker's,
 * and clients' for mTLS tests). Keys are RSA 2048 made by node:crypto (native, fast); node-forge
 * builds and signs the certificates, since Node has no X.509 builder. Nothing here is meant to
 * protect production traffic: it lets clients use the TLS configuration they use in production.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyAndCertificate {
  /** PKCS#1 PEM ("RSA PRIVATE KEY"). */
  readonly keyPem: string;
  readonly certPem: string;
}

export interface CertificateAuthority extends KeyAndCertificate {
  readonly subject: string;
}

/** Subject attributes in the order they appear in the certificate (most significant first). */
export type SubjectAttributes = readonly { readonly shortName: 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN'; readonly value: string }[];

const DAY_MS = 86_400_000;

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

/** A positive 16-byte serial: the high bit cleared so that DER does not read it as negative. */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, nowMs: number, days: number): void {
  // An hour of slack before now: a client clock slightly behind the broker's still accepts it.
  cert.validity.notBefore = new Date(nowMs - 3_600_000);
  cert.validity.notAfter = new Date(nowMs + days * DAY_MS);
}

export function createCertificateAuthority(options: { commonName?: string; nowMs?: number; days?: number } = {}): CertificateAuthority {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, options.nowMs ?? Date.now(), options.days ?? 365);
  const commonName = options.commonName ?? `minikafka throwaway CA ${randomBytes(4).toString('hex')}`;
  const attrs = [{ shortName: 'O', value: 'minikafka' }, { shortName: 'CN', value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert), subject: `CN=${commonName},O=minikafka` };
}

export interface IssueOptions {
  readonly subject: SubjectAttributes;
  /** Host names and IP addresses for the subjectAltName (servers). */
  readonly hosts?: readonly string[];
  readonly serverAuth?: boolean;
  readonly clientAuth?: boolean;
  readonly nowMs?: number;
  readonly days?: number;
}

export function issueCertificate(ca: KeyAndCertificate, options: IssueOptions): KeyAndCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, options.nowMs ?? Date.now(), options.days ?? 365);
  cert.setSubject(options.subject.map((a) => ({ shortName: a.shortName, value: a.value })));
  cert.setIssuer(caCert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.serverAuth ?? false, clientAuth: options.clientAuth ?? false },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  const hosts = [...new Set(options.hosts ?? [])];
  if (hosts.length > 0) {
    // altNames types: 2 = dNSName, 7 = iPAddress.
    extensions.push({ name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) });
  }
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: keys.keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** The broker's certificate: valid for its advertised hosts plus localhost and 127.0.0.1 (and ::1). */
export function issueServerCertificate(ca: KeyAndCertificate, hosts: readonly string[], nowMs?: number): KeyAndCertificate {
  const all = [...hosts, 'localhost', '127.0.0.1', '::1'];
  return issueCertificate(ca, {
    subject: [{ shortName: 'O', value: 'minikafka' }, { shortName: 'CN', value: hosts[0] ?? 'localhost' }],
    hosts: all,
    serverAuth: true,
    clientAuth: true,
    ...(nowMs !== undefined ? { nowMs } : {}),
  });
}
