/**
 * Throwaway X.509 certificates: a CA made at broker start and certificates it signs (the broker's,
 * and clients' for mTLS tests). Keys are EC P-256 made by node:crypto: generating one takes well
 * under a millisecond where RSA 2048 takes 0.3-1.5 s on a loaded machine, and the CA plus server
 * key were most of a TLS broker's start. Node has no X.509 builder, so the TBSCertificate is
 * assembled with node-forge's ASN.1 encoder (names, validity, extensions) and signed with
 * node:crypto (ECDSA with SHA-256). Nothing here is meant to protect production traffic: it lets
 * clients use the TLS configuration they use in production.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyAndCertificate {
  /** PKCS#8 PEM ("PRIVATE KEY"), as Kafka's PEM keystores want it. */
  readonly keyPem: string;
  readonly certPem: string;
}

export interface CertificateAuthority extends KeyAndCertificate {
  readonly subject: string;
}

/** Subject attributes in the order they appear in the certificate (most significant first). */
export type SubjectAttributes = readonly { readonly shortName: 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN'; readonly value: string }[];

const DAY_MS = 86_400_000;
const { asn1 } = forge;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function ecKeyPair(): { keyPem: string; spkiDer: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), spkiDer: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** The key identifier of a public key: SHA-1 of its SubjectPublicKeyInfo (RFC 7093 allows any such method). */
function keyIdentifier(spkiDer: Buffer): Buffer {
  return createHash('sha1').update(spkiDer).digest();
}

/** A positive 16-byte serial: the high bit cleared so that DER does not read it as negative. */
function serialNumber(): Buffer {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b;
}

const bin = (b: Buffer) => b.toString('binary');
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const algorithm = () => seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ECDSA_WITH_SHA256).getBytes())]);

/** A Name from attributes, encoded by forge as any certificate's. */
function nameAsn1(attrs: SubjectAttributes): forge.asn1.Asn1 {
  const holder = forge.pki.createCertificate();
  holder.setSubject(attrs.map((a) => ({ shortName: a.shortName, value: a.value })));
  return (forge.pki as unknown as { distinguishedNameToAsn1(n: unknown): forge.asn1.Asn1 }).distinguishedNameToAsn1(holder.subject);
}

/** The subject Name of a certificate, as encoded in it (the issuer of the certificates it signs). */
function subjectOf(certPem: string): forge.asn1.Asn1 {
  const der = forge.pem.decode(certPem)[0]!.body;
  const tbs = (asn1.fromDer(der).value as forge.asn1.Asn1[])[0]!;
  return (tbs.value as forge.asn1.Asn1[])[5]!;
}

interface CertificateSpec {
  readonly issuer: forge.asn1.Asn1;
  readonly subject: forge.asn1.Asn1;
  readonly spkiDer: Buffer;
  readonly issuerKeyPem: string;
  readonly authorityKeyId: Buffer;
  readonly extensions: object[];
  readonly nowMs: number;
  readonly days: number;
}

/** Encodes and signs a v3 certificate; returns its PEM. */
function buildCertificate(spec: CertificateSpec): string {
  // An hour of slack before now: a client clock slightly behind the broker's still accepts it.
  const notBefore = new Date(spec.nowMs - 3_600_000);
  const notAfter = new Date(spec.nowMs + spec.days * DAY_MS);
  const time = (d: Date) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d));
  const octets = (b: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bin(b));
  const holder = forge.pki.createCertificate();
  holder.setExtensions([
    ...spec.extensions,
    { id: '2.5.29.14', value: octets(keyIdentifier(spec.spkiDer)) }, // subjectKeyIdentifier
    { id: '2.5.29.35', value: seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, bin(spec.authorityKeyId))]) }, // authorityKeyIdentifier
  ]);
  const pki = forge.pki as unknown as { certificateExtensionsToAsn1(e: unknown): forge.asn1.Asn1 };
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, String.fromCharCode(2))]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bin(serialNumber())),
    algorithm(),
    spec.issuer,
    seq([time(notBefore), time(notAfter)]),
    spec.subject,
    asn1.fromDer(bin(spec.spkiDer)),
    pki.certificateExtensionsToAsn1(holder.extensions),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, createPrivateKey(spec.issuerKeyPem));
  const cert = seq([tbs, algorithm(), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\0' + bin(signature))]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(cert).getBytes() }, { maxline: 64 });
}

function spkiOfKey(keyPem: string): Buffer {
  return createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
}

export function createCertificateAuthority(options: { commonName?: string; nowMs?: number; days?: number } = {}): CertificateAuthority {
  const keys = ecKeyPair();
  const commonName = options.commonName ?? `minikafka throwaway CA ${randomBytes(4).toString('hex')}`;
  const name = nameAsn1([{ shortName: 'O', value: 'minikafka' }, { shortName: 'CN', value: commonName }]);
  const certPem = buildCertificate({
    issuer: name,
    subject: name,
    spkiDer: keys.spkiDer,
    issuerKeyPem: keys.keyPem,
    authorityKeyId: keyIdentifier(keys.spkiDer),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    nowMs: options.nowMs ?? Date.now(),
    days: options.days ?? 365,
  });
  return { keyPem: keys.keyPem, certPem, subject: `CN=${commonName},O=minikafka` };
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
  const keys = ecKeyPair();
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', serverAuth: options.serverAuth ?? false, clientAuth: options.clientAuth ?? false },
  ];
  const hosts = [...new Set(options.hosts ?? [])];
  if (hosts.length > 0) {
    // altNames types: 2 = dNSName, 7 = iPAddress.
    extensions.push({ name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) });
  }
  const certPem = buildCertificate({
    issuer: subjectOf(ca.certPem),
    subject: nameAsn1(options.subject),
    spkiDer: keys.spkiDer,
    issuerKeyPem: ca.keyPem,
    authorityKeyId: keyIdentifier(spkiOfKey(ca.keyPem)),
    extensions,
    nowMs: options.nowMs ?? Date.now(),
    days: options.days ?? 365,
  });
  return { keyPem: keys.keyPem, certPem };
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
