/**
 * A server-side SASL mechanism as a state machine over bytes (javax.security.sasl.SaslServer in
 * Kafka): each client token in, a challenge out, until `complete` or a thrown error. No I/O, no
 * clock of its own: the network layer frames the tokens and the caller passes time in.
 */
export interface SaslServer {
  readonly mechanism: string;
  /** Evaluates one client token. Throws SaslError / SaslAuthenticationError on failure. */
  evaluate(token: Buffer): Buffer;
  readonly complete: boolean;
  /** The authenticated user name (principal `User:<name>`); only once complete. */
  authorizationId(): string;
  /**
   * When the credential itself expires (an OAUTHBEARER token's exp), in epoch ms, or null.
   * Re-authentication (KIP-368) caps the session lifetime at this.
   */
  credentialExpiryMs(): number | null;
}

export const SaslMechanism = {
  PLAIN: 'PLAIN',
  SCRAM_SHA_256: 'SCRAM-SHA-256',
  SCRAM_SHA_512: 'SCRAM-SHA-512',
  OAUTHBEARER: 'OAUTHBEARER',
} as const;
export type SaslMechanismName = (typeof SaslMechanism)[keyof typeof SaslMechanism];

export function isSaslMechanismName(s: string): s is SaslMechanismName {
  return Object.values(SaslMechanism).includes(s as SaslMechanismName);
}

/** Throws unless the exchange completed: the guard of every getter valid only afterwards. */
export function requireComplete(complete: boolean): void {
  if (!complete) throw new Error('Authentication exchange has not completed');
}
