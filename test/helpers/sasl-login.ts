/**
 * SASL logins for the tests' own wire client: a SCRAM-SHA-512 exchange (RFC 5802) over
 * SaslAuthenticate v2, and a client of a SASL_SSL listener logged in with it.
 */
import { randomBytes } from 'node:crypto';
import { SaslAuthenticateApi, SaslHandshakeApi } from '../../src/protocol/messages/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { SCRAM_SHA_512, clientKey, hash, hmac, saltedPassword, xor } from '../../src/server/security/sasl/scram-formatter.js';
import { WireClient } from './wire-client.js';

/** A SCRAM-SHA-512 client exchange on `c`; the final error code (NONE when logged in). */
export async function scramAuthenticate(c: WireClient, user: string, password: string): Promise<number> {
  const hs = await c.request(SaslHandshakeApi, 1, { mechanism: 'SCRAM-SHA-512' });
  if (hs.errorCode !== 0) return hs.errorCode;
  const nonce = randomBytes(18).toString('base64');
  const bare = `n=${user},r=${nonce}`;
  const first = await c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`n,,${bare}`) });
  if (first.errorCode !== 0) return first.errorCode;
  const serverFirst = first.authBytes.toString();
  const fields = new Map(serverFirst.split(',').map((kv) => [kv[0]!, kv.slice(2)] as const));
  const salted = saltedPassword(SCRAM_SHA_512, password, Buffer.from(fields.get('s')!, 'base64'), Number(fields.get('i')));
  const withoutProof = `c=biws,r=${fields.get('r')}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const ck = clientKey(SCRAM_SHA_512, salted);
  const proof = xor(ck, hmac(SCRAM_SHA_512, hash(SCRAM_SHA_512, ck), authMessage));
  // A failed final step closes the connection (Kafka's behaviour): the request then rejects.
  const final = await c.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`) }).catch(() => null);
  return final === null ? ErrorCode.SASL_AUTHENTICATION_FAILED : final.errorCode;
}

/** A wire client of a SASL_SSL listener (trusting `caPem`), logged in as `user` with SCRAM-SHA-512. */
export async function scramTlsClient(bootstrap: string, caPem: string, user: string, password: string): Promise<WireClient> {
  const c = await WireClient.connectTls(bootstrap, caPem);
  const code = await scramAuthenticate(c, user, password);
  if (code !== ErrorCode.NONE) {
    c.close();
    throw new Error(`SCRAM-SHA-512 login of ${user} failed with error ${code}`);
  }
  return c;
}
