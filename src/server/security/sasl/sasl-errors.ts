/**
 * The two kinds of failure a SASL exchange can end in, as Kafka's SaslServerAuthenticator tells
 * them apart:
 * - `SaslAuthenticationError` (Kafka: SaslAuthenticationException): its message is safe to show
 *   and goes to the client as SaslAuthenticate's error message.
 * - `SaslError` (Kafka: javax.security.sasl.SaslException): its message may reveal whether a user
 *   exists, so the client gets only the generic "Authentication failed during authentication due
 *   to invalid credentials with SASL mechanism X"; the detail is for the broker's debug log.
 * Both end the exchange: the mechanism moves to its failed state and accepts nothing more.
 */

export class SaslError extends Error {
  override readonly name: string = 'SaslError';
}

export class SaslAuthenticationError extends Error {
  override readonly name: string = 'SaslAuthenticationError';
}

/** Kafka's IllegalSaslStateException: a token arrived when the mechanism expected none. */
export class IllegalSaslStateError extends SaslAuthenticationError {
  override readonly name: string = 'IllegalSaslStateError';
}

/**
 * The text the client receives for a failed exchange (SaslServerAuthenticator.handleSaslToken):
 * an authentication error's own message, anything else the generic sentence.
 */
export function clientFailureMessage(mechanism: string, err: unknown, reauthenticating = false): string {
  if (err instanceof SaslAuthenticationError) return err.message;
  const phase = reauthenticating ? 're-authentication' : 'authentication';
  return `Authentication failed during ${phase} due to invalid credentials with SASL mechanism ${mechanism}`;
}

/**
 * Kafka's sasl.server.max.receive.size default (BrokerSecurityConfigs): the largest request a
 * client may send before it has authenticated. A bigger one fails the exchange with this message.
 */
export const DEFAULT_SASL_SERVER_MAX_RECEIVE_SIZE = 524288;
export const INVALID_RECEIVE_SIZE_MESSAGE = 'Failing SASL authentication due to invalid receive size';
