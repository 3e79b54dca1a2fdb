/**
 * The client side of SCRAM (RFC 5802), written independently of the server's state machine so
 * that a full exchange checks one against the other: it computes the proof from the password and
 * verifies the server's signature.
 */
import { randomBytes } from 'node:crypto';
import {
  clientKey,
  hash,
  hmac,
  saltedPassword,
  saslNameFromUsername,
  serverKey,
  xor,
  type ScramMechanismInfo,
} from '../../../src/server/security/sasl/scram-formatter.js';

export class ScramClient {
  readonly clientNonce: string;
  #bare = '';
  #expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly m: ScramMechanismInfo,
    private readonly user: string,
    private readonly password: string,
    nonce?: string,
  ) {
    this.clientNonce = nonce ?? randomBytes(18).toString('base64').replaceAll(',', '-');
  }

  first(authzid = ''): Buffer {
    this.#bare = `n=${saslNameFromUsername(this.user)},r=${this.clientNonce}`;
    return Buffer.from(`n,${authzid ? `a=${authzid}` : ''},${this.#bare}`);
  }

  final(serverFirst: Buffer): Buffer {
    const sf = serverFirst.toString('utf8');
    const m = /^r=([^,]+),s=([^,]+),i=(\d+)$/.exec(sf);
    if (!m) throw new Error(`bad server-first ${sf}`);
    const [, nonce, salt, iterations] = m as unknown as [string, string, string, string];
    if (!nonce.startsWith(this.clientNonce)) throw new Error('server nonce does not extend the client nonce');
    const salted = saltedPassword(this.m, this.password, Buffer.from(salt, 'base64'), Number(iterations));
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.#bare},${sf},${withoutProof}`;
    const ck = clientKey(this.m, salted);
    const proof = xor(ck, hmac(this.m, hash(this.m, ck), authMessage));
    this.#expectedServerSignature = hmac(this.m, serverKey(this.m, salted), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Whether the server-final message proves the server knew the credential. */
  verifyServerFinal(serverFinal: Buffer): boolean {
    return serverFinal.toString('utf8') === `v=${this.#expectedServerSignature!.toString('base64')}`;
  }
}
