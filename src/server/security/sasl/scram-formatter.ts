/**
 * SCRAM's arithmetic (RFC 5802 section 3) as Kafka's ScramFormatter does it, on node:crypto:
 *   SaltedPassword = Hi(password, salt, i)          (PBKDF2 with HMAC-H, dkLen = hash length)
 *   ClientKey = HMAC(SaltedPassword, "Client Key")   StoredKey = H(ClientKey)
 *   ServerKey = HMAC(SaltedPassword, "Server Key")
 *   AuthMessage = client-first-bare "," server-first "," client-final-without-proof
 *   ClientSignature = HMAC(StoredKey, AuthMessage)   ClientProof = ClientKey XOR ClientSignature
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 * The broker stores only salt, iterations, StoredKey and ServerKey (Kafka's ScramCredential), never
 * the password. Passwords are used as UTF-8 bytes without SASLprep, as Kafka does.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export interface ScramMechanismInfo {
  readonly name: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** node:crypto digest name. */
  readonly hash: 'sha256' | 'sha512';
  readonly hashLength: number;
  /** Kafka's ScramMechanism bounds: credentials outside them are refused. */
  readonly minIterations: number;
  readonly maxIterations: number;
  /** The mechanism's type byte in AlterUserScramCredentials / DescribeUserScramCredentials. */
  readonly type: number;
}

export const SCRAM_SHA_256: ScramMechanismInfo = Object.freeze({
  name: 'SCRAM-SHA-256', hash: 'sha256', hashLength: 32, minIterations: 4096, maxIterations: 16384, type: 1,
});
export const SCRAM_SHA_512: ScramMechanismInfo = Object.freeze({
  name: 'SCRAM-SHA-512', hash: 'sha512', hashLength: 64, minIterations: 4096, maxIterations: 16384, type: 2,
});

export function scramMechanism(name: string): ScramMechanismInfo | undefined {
  if (name === SCRAM_SHA_256.name) return SCRAM_SHA_256;
  if (name === SCRAM_SHA_512.name) return SCRAM_SHA_512;
  return undefined;
}

export function scramMechanismByType(type: number): ScramMechanismInfo | undefined {
  return type === SCRAM_SHA_256.type ? SCRAM_SHA_256 : type === SCRAM_SHA_512.type ? SCRAM_SHA_512 : undefined;
}

/** What the broker keeps per user and mechanism (Kafka's ScramCredential). */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

export function hmac(m: ScramMechanismInfo, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(m.hash, key).update(data).digest();
}

export function hash(m: ScramMechanismInfo, data: Buffer): Buffer {
  return createHash(m.hash).update(data).digest();
}

export function saltedPassword(m: ScramMechanismInfo, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.hashLength, m.hash);
}

export function clientKey(m: ScramMechanismInfo, salted: Buffer): Buffer {
  return hmac(m, salted, 'Client Key');
}

export function serverKey(m: ScramMechanismInfo, salted: Buffer): Buffer {
  return hmac(m, salted, 'Server Key');
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new RangeError('xor of buffers of different lengths');
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Kafka's ScramFormatter.secureRandomString: 130 random bits in base 36. */
export function secureRandomString(): string {
  const bytes = randomBytes(17);
  bytes[0] = bytes[0]! & 0x03; // 136 bits -> 130
  return BigInt('0x' + bytes.toString('hex')).toString(36);
}

/**
 * A credential from a password, as Kafka's ScramFormatter.generateCredential (salt: the UTF-8 bytes
 * of a random base-36 string) or from a given salt (AlterUserScramCredentials sends its own).
 */
export function generateCredential(m: ScramMechanismInfo, password: string, iterations: number, salt?: Buffer): ScramCredential {
  const s = salt ?? Buffer.from(secureRandomString(), 'utf8');
  const salted = saltedPassword(m, password, s, iterations);
  return { salt: s, iterations, storedKey: hash(m, clientKey(m, salted)), serverKey: serverKey(m, salted) };
}

/** A credential from AlterUserScramCredentials' upsertion: the client sends salt and SaltedPassword. */
export function credentialFromSaltedPassword(m: ScramMechanismInfo, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  return { salt, iterations, storedKey: hash(m, clientKey(m, salted)), serverKey: serverKey(m, salted) };
}

/** RFC 5802 saslname -> username: "=2C" is ",", "=3D" is "=". */
export function usernameFromSaslName(saslName: string): string {
  return saslName.replaceAll('=2C', ',').replaceAll('=3D', '=');
}

/** username -> saslname, for clients (tests) building a client-first message. */
export function saslNameFromUsername(username: string): string {
  return username.replaceAll('=', '=3D').replaceAll(',', '=2C');
}
