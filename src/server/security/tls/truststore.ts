/**
 * Truststores and client keystores for Java clients, and reading users' truststores and keystores.
 *
 * Writing: a PKCS#12 file whose certificate bags carry Oracle's trusted-key-usage attribute
 * (OID 2.16.840.1.113894.746875.1.1 = anyExtendedKeyUsage): without it Java's PKCS12KeyStore reads
 * a certificate-only store as empty. Layout (RFC 7292):
 *   PFX { version 3, authSafe ContentInfo(data, AuthenticatedSafe { ContentInfo(data,
 *         SafeContents { SafeBag(certBag, CertBag(x509Certificate, DER), attrs {friendlyName,
 *         trustedKeyUsage}) ... }) }), MacData(HMAC-SHA1 over AuthenticatedSafe, salt, 2048) }
 * The certificates are not encrypted (they are public); the MAC keeps Java's integrity check,
 * keyed by the store password with PKCS#12's own KDF, which node-forge provides. A keystore
 * (pkcs12Keystore) adds the encrypted private key in the same SafeContents.
 *
 * Reading: PKCS12 via node-forge; JKS trusted-certificate entries directly (their format is plain:
 * magic FEEDFEED, version, count, entries of tag 2 = alias, date, "X.509", DER).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  sha1: '1.3.14.3.2.26',
} as const;

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const seq = (v: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, v);
const set = (v: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SET, true, v);
const oid = (o: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(o).getBytes());
const octets = (bytes: string) => asn1.create(U, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (v: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [v]);
const integer = (n: number) => asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const der = (v: forge.asn1.Asn1) => asn1.toDer(v).getBytes();

/** node-forge writes a BMPSTRING's value as UTF-16BE itself: give it the plain text. */
function bmpString(s: string): forge.asn1.Asn1 {
  return asn1.create(U, asn1.Type.BMPSTRING, false, s);
}

function pemToDer(pem: string): string {
  return forge.pem.decode(pem)[0]!.body;
}

export interface TrustedCertificate {
  readonly alias: string;
  readonly pem: string;
}

export function pkcs12Truststore(certs: readonly TrustedCertificate[], password: string): Buffer {
  const bags = certs.map((c) =>
    seq([
      oid(OID.certBag),
      explicit0(seq([oid(OID.x509Certificate), explicit0(octets(pemToDer(c.pem)))])),
      set([
        seq([oid(OID.friendlyName), set([bmpString(c.alias)])]),
        seq([oid(OID.oracleTrustedKeyUsage), set([oid(OID.anyExtendedKeyUsage)])]),
      ]),
    ]),
  );
  return pfx(bags, password);
}

/**
 * A PKCS12 keystore with one private key entry, as keytool writes one: the key in a
 * pkcs8ShroudedKeyBag (PKCS#8 encrypted by node:crypto with PBES2, AES-256-CBC and PBKDF2, which
 * Java reads since 8u301 and OpenSSL 1.1+), then its certificate chain (leaf first) in certBags;
 * the key and its leaf share a localKeyId. One password for the store and the key, as Kafka's
 * ssl.keystore.password (ssl.key.password may repeat it).
 */
export function pkcs12Keystore(keyPem: string, chainPems: readonly string[], password: string, alias: string): Buffer {
  const encryptedKey = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: password });
  const localKeyId = randomBytes(20).toString('binary');
  const attrs = (withName: boolean) =>
    set([...(withName ? [seq([oid(OID.friendlyName), set([bmpString(alias)])])] : []), seq([oid(OID.localKeyId), set([octets(localKeyId)])])]);
  const keyBag = seq([oid(OID.pkcs8ShroudedKeyBag), explicit0(asn1.fromDer(encryptedKey.toString('binary'))), attrs(true)]);
  const certBags = chainPems.map((pem, i) =>
    seq([oid(OID.certBag), explicit0(seq([oid(OID.x509Certificate), explicit0(octets(pemToDer(pem)))])), ...(i === 0 ? [attrs(true)] : [])]),
  );
  return pfx([keyBag, ...certBags], password);
}

/** PFX { version 3, authSafe with the bags unencrypted in one SafeContents, MacData keyed by `password` }. */
function pfx(bags: forge.asn1.Asn1[], password: string): Buffer {
  const safeContents = seq(bags);
  const authenticatedSafe = seq([seq([oid(OID.data), explicit0(octets(der(safeContents)))])]);
  const authSafeBytes = der(authenticatedSafe);
  const salt = randomBytes(20).toString('binary');
  const iterations = 2048;
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, 20, forge.md.sha1.create());
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(authSafeBytes);
  const macData = seq([
    seq([seq([oid(OID.sha1), asn1.create(U, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(salt),
    integer(iterations),
  ]);
  const pfx = seq([integer(3), seq([oid(OID.data), explicit0(octets(authSafeBytes))]), macData]);
  return Buffer.from(der(pfx), 'binary');
}

/** The certificates of a PKCS12 store as PEM (truststores: trusted entries; keystores: the chain). */
export function certificatesFromPkcs12(bytes: Buffer, password: string): string[] {
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1.fromDer(bytes.toString('binary')), password);
  const bags = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  // forge decodes RSA certificates only; others (EC, as the throwaway CA's) come as their ASN.1.
  return bags.flatMap((b) => {
    if (b.cert) return [forge.pki.certificateToPem(b.cert)];
    const raw = (b as { asn1?: forge.asn1.Asn1 }).asn1;
    return raw ? [forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(raw).getBytes() }, { maxline: 64 })] : [];
  });
}

/** Trusted-certificate entries of a JKS store as PEM. Key entries are skipped. */
export function certificatesFromJks(bytes: Buffer): string[] {
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new Error('Truncated JKS keystore');
  };
  const u32 = () => (need(4), (pos += 4), bytes.readUInt32BE(pos - 4));
  const utf = () => {
    need(2);
    const n = bytes.readUInt16BE(pos);
    pos += 2;
    need(n);
    pos += n;
    return bytes.toString('utf8', pos - n, pos);
  };
  if (u32() !== 0xfeedfeed) throw new Error('Not a JKS keystore (bad magic)');
  const version = u32();
  if (version !== 1 && version !== 2) throw new Error(`Unsupported JKS version ${version}`);
  const count = u32();
  const pems: string[] = [];
  const readCert = () => {
    if (version === 2) utf(); // certificate type, "X.509"
    const n = u32();
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  for (let i = 0; i < count; i++) {
    const tag = u32();
    utf(); // alias
    need(8);
    pos += 8; // creation date
    if (tag === 2) {
      const derBytes = readCert();
      pems.push(`-----BEGIN CERTIFICATE-----\n${derBytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`);
    } else if (tag === 1) {
      const keyLen = u32();
      need(keyLen);
      pos += keyLen;
      const chain = u32();
      for (let c = 0; c < chain; c++) readCert();
    } else {
      throw new Error(`Unknown JKS entry tag ${tag}`);
    }
  }
  return pems;
}
