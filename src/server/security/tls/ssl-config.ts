/**
 * Kafka's ssl.* broker configs turned into Node TLS server options.
 *
 * | Kafka config                                 | here                                             |
 * |----------------------------------------------|--------------------------------------------------|
 * | ssl.keystore.type PEM + ssl.keystore.location| key and certificate chain read from one PEM file |
 * | ssl.keystore.key / .certificate.chain        | inline PEM (key encrypted with ssl.key.password) |
 * | ssl.keystore.type PKCS12                     | `pfx` with ssl.keystore.password                 |
 * | ssl.keystore.type JKS                        | refused: Node cannot read JKS private keys       |
 * | ssl.truststore.type PEM/PKCS12/JKS           | trusted certificates for client authentication   |
 * | ssl.truststore.certificates                  | inline PEM certificates                          |
 * | ssl.client.auth none/requested/required      | requestCert / rejectUnauthorized (see below)     |
 * | ssl.enabled.protocols                        | minVersion / maxVersion (TLSv1.2, TLSv1.3)       |
 * | ssl.cipher.suites                            | ciphers (OpenSSL names; Java names are not mapped)|
 * Kafka's default keystore type is JKS; here a keystore location with no type is read by its
 * extension (.p12/.pfx PKCS12, else PEM). `requested` asks for a certificate and lets a client
 * without one in, as Kafka does; a client presenting an untrusted one is refused after the
 * handshake (see `checkClientCertificate`), as Java's SSLEngine refuses it during it.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { certificatesFromJks, certificatesFromPkcs12 } from './truststore.js';

export type SslClientAuth = 'none' | 'requested' | 'required';

export interface SslServerSettings {
  readonly context: SecureContextOptions;
  readonly clientAuth: SslClientAuth;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
}

export class SslConfigError extends Error {
  override readonly name = 'SslConfigError';
}

type Configs = Readonly<Record<string, string | undefined>>;

function typeOf(configs: Configs, key: string, location: string | undefined): string {
  const t = configs[key]?.toUpperCase();
  if (t !== undefined && t.length > 0) return t;
  if (location !== undefined && /\.(p12|pfx)$/i.test(location)) return 'PKCS12';
  if (location !== undefined && /\.jks$/i.test(location)) return 'JKS';
  return 'PEM';
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SslConfigError(`Failed to load SSL ${what} ${path}: ${(err as Error).message}`);
  }
}

function trustedCertificates(configs: Configs): string[] | undefined {
  const inline = configs['ssl.truststore.certificates'];
  if (inline !== undefined && inline.length > 0) return [inline];
  const location = configs['ssl.truststore.location'];
  if (location === undefined || location.length === 0) return undefined;
  const type = typeOf(configs, 'ssl.truststore.type', location);
  const bytes = read(location, 'truststore');
  try {
    if (type === 'PEM') return [bytes.toString('utf8')];
    if (type === 'PKCS12') return certificatesFromPkcs12(bytes, configs['ssl.truststore.password'] ?? '');
    if (type === 'JKS') return certificatesFromJks(bytes);
  } catch (err) {
    throw new SslConfigError(`Failed to load SSL truststore ${location} of type ${type}: ${(err as Error).message}`);
  }
  throw new SslConfigError(`Unsupported ssl.truststore.type ${type}`);
}

function protocolRange(configs: Configs): Pick<SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const enabled = (configs['ssl.enabled.protocols'] ?? 'TLSv1.2,TLSv1.3').split(',').map((s) => s.trim());
  const known = enabled.filter((p): p is 'TLSv1.2' | 'TLSv1.3' => p === 'TLSv1.2' || p === 'TLSv1.3');
  if (known.length === 0) throw new SslConfigError(`ssl.enabled.protocols ${enabled.join(',')} has none of TLSv1.2, TLSv1.3`);
  return { minVersion: known.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3', maxVersion: known.includes('TLSv1.3') ? 'TLSv1.3' : 'TLSv1.2' };
}

export function sslServerSettings(configs: Configs): SslServerSettings {
  const context: SecureContextOptions = { ...protocolRange(configs) };
  const inlineKey = configs['ssl.keystore.key'];
  const location = configs['ssl.keystore.location'];
  if (inlineKey !== undefined && inlineKey.length > 0) {
    const chain = configs['ssl.keystore.certificate.chain'];
    if (chain === undefined || chain.length === 0) throw new SslConfigError('ssl.keystore.key is set but ssl.keystore.certificate.chain is not');
    context.key = inlineKey;
    context.cert = chain;
    if (configs['ssl.key.password'] !== undefined) context.passphrase = configs['ssl.key.password'];
  } else if (location !== undefined && location.length > 0) {
    const type = typeOf(configs, 'ssl.keystore.type', location);
    const bytes = read(location, 'keystore');
    if (type === 'PEM') {
      const pem = bytes.toString('utf8');
      context.key = pem;
      context.cert = pem;
      if (configs['ssl.key.password'] !== undefined) context.passphrase = configs['ssl.key.password'];
    } else if (type === 'PKCS12') {
      context.pfx = bytes;
      context.passphrase = configs['ssl.keystore.password'] ?? '';
    } else {
      throw new SslConfigError(`ssl.keystore.type ${type} is not supported (use PKCS12 or PEM)`);
    }
  } else {
    throw new SslConfigError('No SSL keystore: set ssl.keystore.location or ssl.keystore.key');
  }
  const ca = trustedCertificates(configs);
  if (ca !== undefined) context.ca = ca;
  const ciphers = configs['ssl.cipher.suites'];
  if (ciphers !== undefined && ciphers.length > 0) context.ciphers = ciphers.split(',').map((s) => s.trim()).join(':');

  const clientAuth = (configs['ssl.client.auth'] ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new SslConfigError(`Invalid value ${clientAuth} for configuration ssl.client.auth: String must be one of: required, requested, none`);
  }
  return { context, clientAuth, requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required' };
}

/**
 * After the handshake: null if the connection may proceed, else why not. With `requested`, a
 * client that sent no certificate proceeds (as ANONYMOUS) but an untrusted certificate does not.
 */
export function checkClientCertificate(socket: TLSSocket, clientAuth: SslClientAuth): string | null {
  if (clientAuth === 'none') return null;
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) return clientAuth === 'required' ? 'no client certificate' : null;
  return socket.authorized ? null : `untrusted client certificate: ${String(socket.authorizationError)}`;
}
