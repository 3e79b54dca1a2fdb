/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka's OAuthBearerSaslServer with
 * OAuthBearerClientInitialResponse:
 *   client initial response: "n," ["a=" authzid] "," %x01 ("key=value" %x01)* %x01
 *   with the required key auth="Bearer <token>"; other keys are SASL extensions.
 *
 * States:
 * - AWAIT_INITIAL_RESPONSE: validates the token. Valid: -> COMPLETE, empty answer. Invalid: the
 *   answer is Kafka's JSON error (`{"status":"invalid_token"}`) -> AWAIT_ERROR_ACK.
 * - AWAIT_ERROR_ACK: the client acknowledges with %x01; the exchange then fails with that JSON as
 *   the client-visible message (RFC 7628 section 3.2.3). Anything else is a new initial response.
 * - COMPLETE / FAILED: further tokens are an out-of-order exchange.
 */
import { MAX_TOKEN_LENGTH, type TokenValidator, type ValidatedToken } from '../oauth/jws.js';
import { IllegalSaslStateError, SaslAuthenticationError, SaslError } from './sasl-errors.js';
import { requireComplete, SaslMechanism, type SaslServer } from './sasl-server.js';

const SEP = '\u0001';
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const KEY = '[A-Za-z]+';
const VALUE = '[\\x21-\\x7E \\t\\r\\n]+';
const INITIAL_RESPONSE = new RegExp(`^n,(?:a=(?<authzid>${SASLNAME}))?,${SEP}(?<kvpairs>(?:${KEY}=${VALUE}${SEP})*)${SEP}$`);
const AUTH = /^(?<scheme>\w+) +(?<token>[-_.a-zA-Z0-9]+)$/;
const INVALID = 'Invalid OAUTHBEARER client first message';

type State = 'AWAIT_INITIAL_RESPONSE' | 'AWAIT_ERROR_ACK' | 'COMPLETE' | 'FAILED';

export interface OAuthBearerInitialResponse {
  readonly authorizationId: string;
  readonly token: string;
  readonly extensions: ReadonlyMap<string, string>;
}

export function parseOAuthBearerInitialResponse(bytes: Buffer): OAuthBearerInitialResponse {
  // The token is the bulk of the message; a message far beyond any token is refused unread.
  if (bytes.length > MAX_TOKEN_LENGTH + 4096) throw new SaslError(`${INVALID}: ${bytes.length} bytes`);
  const m = INITIAL_RESPONSE.exec(bytes.toString('utf8'));
  if (!m?.groups) throw new SaslError(INVALID);
  const props = new Map<string, string>();
  for (const pair of (m.groups['kvpairs'] ?? '').split(SEP)) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    props.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const auth = props.get('auth');
  if (auth === undefined) throw new SaslError(`${INVALID}: 'auth' not specified`);
  props.delete('auth');
  const a = AUTH.exec(auth);
  if (!a?.groups) throw new SaslError(`${INVALID}: invalid 'auth' format`);
  if (a.groups['scheme']!.toLowerCase() !== 'bearer') {
    throw new SaslError(`Invalid scheme in OAUTHBEARER client first message: ${a.groups['scheme']!}`);
  }
  return { authorizationId: m.groups['authzid'] ?? '', token: a.groups['token']!, extensions: props };
}

/** The client side's message, for tests and the built-in tools. */
export function oauthBearerInitialResponse(token: string, extensions: ReadonlyMap<string, string> = new Map()): Buffer {
  const ext = [...extensions].map(([k, v]) => `${SEP}${k}=${v}`).join('');
  return Buffer.from(`n,,${SEP}auth=Bearer ${token}${ext}${SEP}${SEP}`, 'utf8');
}

export class OAuthBearerSaslServer implements SaslServer {
  readonly mechanism = SaslMechanism.OAUTHBEARER;
  #state: State = 'AWAIT_INITIAL_RESPONSE';
  #errorMessage = '';
  #token: ValidatedToken | null = null;
  #extensions: ReadonlyMap<string, string> = new Map();

  constructor(
    private readonly validator: TokenValidator,
    private readonly now: () => number,
    /** Receives the log-only reason of a rejected token (never the token itself). */
    private readonly onRejected: (detail: string) => void = () => {},
  ) {}

  get complete(): boolean {
    return this.#state === 'COMPLETE';
  }

  get extensions(): ReadonlyMap<string, string> {
    return this.#extensions;
  }

  evaluate(token: Buffer): Buffer {
    try {
      if (this.#state === 'AWAIT_ERROR_ACK' && token.length === 1 && token[0] === 0x01) {
        throw new SaslAuthenticationError(this.#errorMessage);
      }
      if (this.#state !== 'AWAIT_INITIAL_RESPONSE' && this.#state !== 'AWAIT_ERROR_ACK') {
        throw new IllegalSaslStateError(`Unexpected challenge in Sasl server state ${this.#state}`);
      }
      return this.#process(parseOAuthBearerInitialResponse(token));
    } catch (err) {
      this.#state = 'FAILED';
      throw err;
    }
  }

  #process(response: OAuthBearerInitialResponse): Buffer {
    const result = this.validator.validate(response.token, this.now());
    if (!result.ok) {
      const r = result.rejection;
      this.onRejected(r.detail);
      this.#errorMessage = `{"status":"${r.status}"` + (r.scope !== undefined ? `, "scope":"${r.scope}"` : '') + '}';
      this.#state = 'AWAIT_ERROR_ACK';
      return Buffer.from(this.#errorMessage, 'utf8');
    }
    const principal = result.token.principal;
    if (response.authorizationId.length > 0 && response.authorizationId !== principal) {
      throw new SaslAuthenticationError(
        `Authentication failed: Client requested an authorization id (${response.authorizationId}) that is different from the token's principal name (${principal})`,
      );
    }
    this.#token = result.token;
    this.#extensions = response.extensions;
    this.#state = 'COMPLETE';
    return Buffer.alloc(0);
  }

  authorizationId(): string {
    requireComplete(this.complete);
    return this.#token!.principal;
  }

  credentialExpiryMs(): number | null {
    requireComplete(this.complete);
    return this.#token!.expiresAtMs;
  }
}
