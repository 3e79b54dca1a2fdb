/**
 * One SASL connection's authentication, as Kafka's SaslServerAuthenticator runs it, over request
 * frames (size prefix removed). The connection hands every frame here first; the answer says
 * whether to send bytes, let the normal dispatcher serve the frame, or close.
 *
 * States (Kafka's names):
 * - INITIAL_REQUEST / HANDSHAKE_OR_VERSIONS_REQUEST: ApiVersions (dispatched normally, once) or
 *   SaslHandshake. Anything else closes the connection without an answer, as Kafka does
 *   ("Unexpected Kafka request of type X during SASL handshake").
 * - HANDSHAKE_REQUEST: after ApiVersions, only SaslHandshake.
 * - SaslHandshake with an enabled mechanism answers NONE and the enabled list -> AUTHENTICATE;
 *   an unknown mechanism answers UNSUPPORTED_SASL_MECHANISM and closes.
 * - AUTHENTICATE: handshake v1+: SaslAuthenticate requests carry the tokens; anything else closes.
 *   Handshake v0: the frames are raw tokens, answered as raw size-prefixed tokens.
 *   A failed exchange answers SASL_AUTHENTICATION_FAILED with Kafka's message and closes.
 * - COMPLETE: requests are dispatched as principal User:<name>. When the session has expired
 *   (connections.max.reauth.ms, or an OAUTHBEARER token's exp) the next request closes the
 *   connection, as Kafka's Processor does. SaslHandshake from a client that announced re-auth
 *   support (SaslAuthenticate v1+) starts re-authentication (KIP-368): same mechanism, same
 *   principal, or the exchange fails; otherwise SaslHandshake / SaslAuthenticate are dispatched
 *   to their handlers, which answer ILLEGAL_SASL_STATE as KafkaApis does.
 * - FAILED: closed.
 * Until COMPLETE a frame may not exceed sasl.server.max.receive.size (`maxFrameSize`).
 */
import { Reader, MalformedError } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import { ErrorCode } from '../../../protocol/errors.js';
import { apiInfoByKey, ApiKey, requestHeaderVersion, responseHeaderVersion } from '../../../protocol/messages/api-table.js';
import { readRequestHeader } from '../../../protocol/messages/request-header.js';
import { writeResponseHeader } from '../../../protocol/messages/response-header.js';
import { readSaslHandshakeRequest, writeSaslHandshakeResponse } from '../../../protocol/messages/sasl-handshake.js';
import { readSaslAuthenticateRequest, writeSaslAuthenticateResponse, type SaslAuthenticateResponse } from '../../../protocol/messages/sasl-authenticate.js';
import { clientFailureMessage, DEFAULT_SASL_SERVER_MAX_RECEIVE_SIZE, SaslAuthenticationError } from './sasl-errors.js';
import { isSaslMechanismName, type SaslMechanismName, type SaslServer } from './sasl-server.js';

export type AuthStep =
  /** Write these bytes (one whole response frame, size prefix included). */
  | { readonly kind: 'respond'; readonly bytes: Buffer }
  /** Serve the frame as any request (ApiVersions during authentication, everything after). */
  | { readonly kind: 'dispatch' }
  /**
   * Write `bytes` if any, then close. `reason` is for the broker log (no secrets in it).
   * `authFailure`: Kafka's AuthenticationException (a refused credential, an unsupported
   * mechanism, an oversized receive), whose close connection.failed.authentication.delay.ms
   * delays; other failures (malformed or unexpected requests) close at once.
   */
  | { readonly kind: 'close'; readonly bytes: Buffer | null; readonly reason: string; readonly authFailure: boolean };

export interface SaslAuthenticatorConfig {
  /** sasl.enabled.mechanisms of the listener. */
  readonly enabledMechanisms: readonly SaslMechanismName[];
  readonly createServer: (mechanism: SaslMechanismName) => SaslServer;
  /** connections.max.reauth.ms (0: sessions do not expire unless the credential does). */
  readonly connectionsMaxReauthMs: number;
  /** sasl.server.max.receive.size. */
  readonly maxReceiveSize?: number;
  readonly now: () => number;
}

type State =
  | 'INITIAL_REQUEST'
  | 'HANDSHAKE_OR_VERSIONS_REQUEST'
  | 'HANDSHAKE_REQUEST'
  | 'AUTHENTICATE'
  | 'COMPLETE'
  | 'REAUTH_BAD_MECHANISM'
  | 'FAILED';

interface Header {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly reader: Reader;
}

function frameOf(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  const setSize = w.reserveInt32();
  writeResponseHeader(w, responseHeaderVersion(apiInfoByKey.get(apiKey)!, version), { correlationId });
  body(w);
  setSize(w.length - 4);
  return w.toBuffer();
}

function rawToken(token: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + token.length);
  out.writeInt32BE(token.length, 0);
  token.copy(out, 4);
  return out;
}

export class SaslAuthenticator {
  #state: State = 'INITIAL_REQUEST';
  #server: SaslServer | null = null;
  #mechanism: SaslMechanismName | null = null;
  #headers = true;
  #principal: string | null = null;
  #sessionExpiresAt: number | null = null;
  #clientSupportsReauth = false;
  #reauthenticating = false;
  #badMechanismMessage = '';

  constructor(private readonly config: SaslAuthenticatorConfig) {}

  get state(): State {
    return this.#state;
  }

  /** "User:<name>" once authenticated. */
  get principal(): string | null {
    return this.#principal;
  }

  get mechanism(): SaslMechanismName | null {
    return this.#mechanism;
  }

  get authenticated(): boolean {
    return this.#state === 'COMPLETE';
  }

  /** The largest frame accepted now: bounded until authenticated (re-authentication included). */
  get maxFrameSize(): number {
    return this.#state === 'COMPLETE' ? Number.POSITIVE_INFINITY : this.config.maxReceiveSize ?? DEFAULT_SASL_SERVER_MAX_RECEIVE_SIZE;
  }

  /** When the current session ends (epoch ms), or null if it does not. */
  get sessionExpiresAt(): number | null {
    return this.#sessionExpiresAt;
  }

  onFrame(frame: Buffer): AuthStep {
    try {
      return this.#onFrame(frame);
    } catch (err) {
      this.#state = 'FAILED';
      if (err instanceof MalformedError) return this.#close(null, `malformed request during SASL authentication: ${err.message}`);
      throw err;
    }
  }

  #onFrame(frame: Buffer): AuthStep {
    switch (this.#state) {
      case 'FAILED':
        return this.#close(null, 'SASL authentication already failed');
      case 'AUTHENTICATE':
        return this.#headers ? this.#authenticateRequest(this.#header(frame)) : this.#rawToken(frame);
      case 'REAUTH_BAD_MECHANISM': {
        const h = this.#header(frame);
        return this.#fail(h, new SaslAuthenticationError(this.#badMechanismMessage));
      }
      case 'COMPLETE':
        return this.#authenticated(frame);
      default:
        return this.#handshakePhase(this.#header(frame));
    }
  }

  #header(frame: Buffer): Header {
    if (frame.length < 8) throw new MalformedError(`request of ${frame.length} bytes`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const api = apiInfoByKey.get(apiKey);
    const reader = new Reader(frame);
    if (api === undefined) return { apiKey, apiVersion, correlationId: frame.readInt32BE(4), reader };
    const header = readRequestHeader(reader, requestHeaderVersion(api, apiVersion));
    return { apiKey, apiVersion, correlationId: header.correlationId, reader };
  }

  #handshakePhase(h: Header): AuthStep {
    if (h.apiKey === ApiKey.ApiVersions && this.#state !== 'HANDSHAKE_REQUEST') {
      this.#state = 'HANDSHAKE_REQUEST';
      return { kind: 'dispatch' };
    }
    if (h.apiKey !== ApiKey.SaslHandshake) {
      this.#state = 'FAILED';
      const name = apiInfoByKey.get(h.apiKey)?.name ?? `api key ${h.apiKey}`;
      return this.#close(null, `Unexpected Kafka request of type ${name} during SASL handshake.`);
    }
    return this.#handshake(h);
  }

  #handshake(h: Header): AuthStep {
    if (h.apiVersion < 0 || h.apiVersion > 1) return this.#close(null, `SaslHandshake v${h.apiVersion} is not served`);
    const mechanism = readSaslHandshakeRequest(h.reader, h.apiVersion).mechanism;
    const mechanisms = [...this.config.enabledMechanisms];
    const answer = (errorCode: number) =>
      frameOf(ApiKey.SaslHandshake, h.apiVersion, h.correlationId, (w) => writeSaslHandshakeResponse(w, h.apiVersion, { errorCode, mechanisms }));
    if (!isSaslMechanismName(mechanism) || !this.config.enabledMechanisms.includes(mechanism)) {
      if (this.#reauthenticating) {
        // Kafka answers the handshake and fails the following SaslAuthenticate with this text.
        this.#badMechanismMessage = `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.#mechanism!}'`;
        this.#state = 'REAUTH_BAD_MECHANISM';
        return { kind: 'respond', bytes: answer(ErrorCode.NONE) };
      }
      this.#state = 'FAILED';
      return this.#close(answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), `Unsupported SASL mechanism ${mechanism}`, true);
    }
    if (this.#reauthenticating && mechanism !== this.#mechanism) {
      this.#badMechanismMessage = `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.#mechanism!}'`;
      this.#state = 'REAUTH_BAD_MECHANISM';
      return { kind: 'respond', bytes: answer(ErrorCode.NONE) };
    }
    this.#headers = h.apiVersion >= 1;
    this.#mechanism = mechanism;
    this.#server = this.config.createServer(mechanism);
    this.#state = 'AUTHENTICATE';
    return { kind: 'respond', bytes: answer(ErrorCode.NONE) };
  }

  #authenticateRequest(h: Header): AuthStep {
    if (h.apiKey !== ApiKey.SaslAuthenticate) {
      this.#state = 'FAILED';
      const name = apiInfoByKey.get(h.apiKey)?.name ?? `api key ${h.apiKey}`;
      // Kafka's IllegalSaslStateException, an authentication error: the close is delayed.
      return this.#close(null, `Unexpected Kafka request of type ${name} during SASL authentication.`, true);
    }
    if (h.apiVersion < 0 || h.apiVersion > 2) {
      this.#state = 'FAILED';
      return this.#close(null, `Version ${h.apiVersion} is not supported for apiKey SASL_AUTHENTICATE`);
    }
    if (h.apiVersion > 0) this.#clientSupportsReauth = true;
    const token = readSaslAuthenticateRequest(h.reader, h.apiVersion).authBytes;
    const server = this.#server!;
    let out: Buffer;
    try {
      out = server.evaluate(token);
    } catch (err) {
      return this.#fail(h, err);
    }
    let sessionLifetimeMs = 0;
    if (server.complete) {
      const failed = this.#completeSession(server);
      if (failed !== null) return this.#fail(h, failed);
      sessionLifetimeMs = this.#sessionExpiresAt === null ? 0 : Math.max(0, this.#sessionExpiresAt - this.config.now());
    }
    return { kind: 'respond', bytes: this.#authenticateResponse(h, { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: out, sessionLifetimeMs: BigInt(sessionLifetimeMs) }) };
  }

  #rawToken(frame: Buffer): AuthStep {
    const server = this.#server!;
    let out: Buffer;
    try {
      out = server.evaluate(frame);
    } catch (err) {
      this.#state = 'FAILED';
      // Handshake v0 has no error field: Kafka closes the connection, after the failed-authentication
      // delay for an authentication error (PLAIN's), at once for a SaslException (SCRAM's, an IOException).
      return this.#close(null, clientFailureMessage(server.mechanism, err), err instanceof SaslAuthenticationError);
    }
    if (server.complete) {
      const failed = this.#completeSession(server);
      if (failed !== null) {
        this.#state = 'FAILED';
        return this.#close(null, failed.message, true);
      }
    }
    return { kind: 'respond', bytes: rawToken(out) };
  }

  /** Kafka's calcCompletionTimesAndReturnSessionLifetimeMs and ensurePrincipalUnchanged. */
  #completeSession(server: SaslServer): SaslAuthenticationError | null {
    const principal = `User:${server.authorizationId()}`;
    if (this.#reauthenticating && principal !== this.#principal) {
      return new SaslAuthenticationError(`Cannot change principals during re-authentication from ${this.#principal!}: ${principal}`);
    }
    const now = this.config.now();
    const credentialExpiry = server.credentialExpiryMs();
    const maxReauth = this.config.connectionsMaxReauthMs;
    let lifetime: number | null = null;
    if (credentialExpiry !== null && maxReauth > 0) lifetime = Math.min(credentialExpiry - now, maxReauth);
    else if (credentialExpiry !== null) lifetime = credentialExpiry - now;
    else if (maxReauth > 0) lifetime = maxReauth;
    this.#sessionExpiresAt = lifetime === null ? null : now + Math.max(0, lifetime);
    this.#principal = principal;
    this.#reauthenticating = false;
    this.#state = 'COMPLETE';
    return null;
  }

  #fail(h: Header, err: unknown): AuthStep {
    const mechanism = this.#mechanism ?? 'unknown';
    const message = clientFailureMessage(mechanism, err, this.#reauthenticating);
    this.#state = 'FAILED';
    const bytes = this.#authenticateResponse(h, { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n });
    // The detail of a hidden failure goes to the log; it never holds a password or a token.
    const detail = err instanceof Error && err.message !== message ? ` (${err.message})` : '';
    return this.#close(bytes, `${message}${detail}`, true);
  }

  #authenticateResponse(h: Header, resp: SaslAuthenticateResponse): Buffer {
    const version = h.apiKey === ApiKey.SaslAuthenticate ? h.apiVersion : 1;
    return frameOf(ApiKey.SaslAuthenticate, version, h.correlationId, (w) => writeSaslAuthenticateResponse(w, version, resp));
  }

  #authenticated(frame: Buffer): AuthStep {
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    if (apiKey === ApiKey.SaslHandshake && this.#clientSupportsReauth) {
      this.#reauthenticating = true;
      this.#state = 'HANDSHAKE_REQUEST';
      return this.#handshake(this.#header(frame));
    }
    if (this.#sessionExpiresAt !== null && this.config.now() > this.#sessionExpiresAt) {
      return this.#close(null, `SASL session of ${this.#principal!} expired; closing as Kafka closes expired sessions`);
    }
    // Other SASL requests go to their handlers, which answer ILLEGAL_SASL_STATE as KafkaApis does.
    return { kind: 'dispatch' };
  }

  #close(bytes: Buffer | null, reason: string, authFailure = false): AuthStep {
    return { kind: 'close', bytes, reason, authFailure };
  }
}
