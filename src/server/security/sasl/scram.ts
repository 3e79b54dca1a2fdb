/**
 * SASL/SCRAM-SHA-256 and -512 (RFC 5802, RFC 7677) as Kafka's ScramSaslServer.
 *
 * States:
 * - RECEIVE_CLIENT_FIRST: expects client-first. Looks up the user's credential; an unknown user,
 *   an authzid other than the user, or a credential below the mechanism's minimum iterations fails.
 *   Answers server-first (client nonce + server nonce, salt, iterations) -> RECEIVE_CLIENT_FINAL.
 * - RECEIVE_CLIENT_FINAL: expects client-final with the combined nonce and a proof; verifies
 *   H(ClientProof XOR ClientSignature) == StoredKey in constant time. Answers server-final
 *   (v=ServerSignature) -> COMPLETE.
 * - COMPLETE / FAILED: any further token is an out-of-order exchange: IllegalSaslStateError
 *   (Kafka: "Unexpected challenge in Sasl server state ...").
 * Any failure moves to FAILED and drops the credential. Delegation-token authentication
 * (extension tokenauth=true) is not served: such a client fails as an unknown user would.
 */
import { timingSafeEqual } from 'node:crypto';
import { IllegalSaslStateError, SaslAuthenticationError, SaslError } from './sasl-errors.js';
import { requireComplete, type SaslServer } from './sasl-server.js';
import {
  hash,
  hmac,
  secureRandomString,
  usernameFromSaslName,
  xor,
  type ScramCredential,
  type ScramMechanismInfo,
} from './scram-formatter.js';
import { parseClientFinal, parseClientFirst, serverFinalMessage, serverFirstMessage, type ClientFirstMessage } from './scram-messages.js';

/** Where the server finds credentials (Kafka: the CredentialCache fed by the metadata log). */
export interface ScramCredentialLookup {
  credential(mechanism: ScramMechanismInfo['name'], user: string): ScramCredential | undefined;
}

type State = 'RECEIVE_CLIENT_FIRST' | 'RECEIVE_CLIENT_FINAL' | 'COMPLETE' | 'FAILED';

export class ScramSaslServer implements SaslServer {
  readonly mechanism: ScramMechanismInfo['name'];
  #state: State = 'RECEIVE_CLIENT_FIRST';
  #credential: ScramCredential | null = null;
  #clientFirst: ClientFirstMessage | null = null;
  #serverFirst = '';
  #nonce = '';
  #authorizationId = '';

  /** `serverNonce` is injectable so that RFC 7677's test vector can be replayed. */
  constructor(
    private readonly info: ScramMechanismInfo,
    private readonly credentials: ScramCredentialLookup,
    private readonly serverNonce: () => string = secureRandomString,
  ) {
    this.mechanism = info.name;
  }

  get complete(): boolean {
    return this.#state === 'COMPLETE';
  }

  /** For logs and tests: which message the server waits for. */
  get state(): State {
    return this.#state;
  }

  evaluate(token: Buffer): Buffer {
    try {
      switch (this.#state) {
        case 'RECEIVE_CLIENT_FIRST':
          return this.#receiveClientFirst(token);
        case 'RECEIVE_CLIENT_FINAL':
          return this.#receiveClientFinal(token);
        default:
          throw new IllegalSaslStateError(`Unexpected challenge in Sasl server state ${this.#state}`);
      }
    } catch (err) {
      this.#clear();
      this.#state = 'FAILED';
      throw err;
    }
  }

  #receiveClientFirst(token: Buffer): Buffer {
    const first = parseClientFirst(token);
    const username = usernameFromSaslName(first.saslName);
    if (first.extensions.get('tokenauth')?.toLowerCase() === 'true') {
      throw new SaslError(`Token Authentication failed: Invalid tokenId : ${username}`);
    }
    const credential = this.credentials.credential(this.info.name, username);
    if (credential === undefined) throw new SaslError('Authentication failed: Invalid user credentials');
    if (first.authorizationId.length > 0 && first.authorizationId !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    if (credential.iterations < this.info.minIterations) {
      throw new SaslError(`Iterations ${credential.iterations} is less than the minimum ${this.info.minIterations} for ${this.info.name}`);
    }
    this.#credential = credential;
    this.#clientFirst = first;
    this.#authorizationId = username;
    this.#nonce = first.nonce + this.serverNonce();
    this.#serverFirst = serverFirstMessage(this.#nonce, credential.salt, credential.iterations);
    this.#state = 'RECEIVE_CLIENT_FINAL';
    return Buffer.from(this.#serverFirst, 'utf8');
  }

  #receiveClientFinal(token: Buffer): Buffer {
    const final = parseClientFinal(token);
    if (final.nonce !== this.#nonce) throw new SaslError('Invalid client nonce in the final client message.');
    const credential = this.#credential!;
    const authMessage = `${this.#clientFirst!.bare},${this.#serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(this.info, credential.storedKey, authMessage);
    if (final.proof.length !== clientSignature.length) throw new SaslError('Invalid client credentials');
    const computedStoredKey = hash(this.info, xor(clientSignature, final.proof));
    if (!timingSafeEqual(computedStoredKey, credential.storedKey)) throw new SaslError('Invalid client credentials');
    const serverSignature = hmac(this.info, credential.serverKey, authMessage);
    this.#clear();
    this.#state = 'COMPLETE';
    return Buffer.from(serverFinalMessage(serverSignature), 'utf8');
  }

  #clear(): void {
    this.#credential = null;
    this.#clientFirst = null;
    this.#serverFirst = '';
  }

  authorizationId(): string {
    requireComplete(this.complete);
    return this.#authorizationId;
  }

  credentialExpiryMs(): number | null {
    return null;
  }
}
