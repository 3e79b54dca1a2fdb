/**
 * SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer: one message `[authzid] NUL authcid NUL passwd`,
 * checked against a user -> password map (Kafka: the JAAS `user_<name>="<password>"` options).
 * The messages are Kafka's, including which of them reach the client (SaslAuthenticationError).
 */
import { timingSafeEqual } from 'node:crypto';
import { IllegalSaslStateError, SaslAuthenticationError, SaslError } from './sasl-errors.js';
import { requireComplete, SaslMechanism, type SaslServer } from './sasl-server.js';

export interface PlainUsers {
  /** The user's password, or undefined for an unknown user. */
  password(user: string): string | undefined;
}

export function plainUsersFromMap(users: ReadonlyMap<string, string> | Record<string, string>): PlainUsers {
  const map = users instanceof Map ? users : new Map(Object.entries(users));
  return { password: (u) => map.get(u) };
}

/**
 * Splits on the first two NULs into exactly three tokens, as Kafka does: a missing part is empty
 * (and then rejected as "not specified"), a third NUL stays in the password.
 */
function splitPlain(message: string): [string, string, string] {
  const first = message.indexOf('\u0000');
  if (first === -1) return [message, '', ''];
  const second = message.indexOf('\u0000', first + 1);
  if (second === -1) return [message.slice(0, first), message.slice(first + 1), ''];
  return [message.slice(0, first), message.slice(first + 1, second), message.slice(second + 1)];
}

function samePassword(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class PlainSaslServer implements SaslServer {
  readonly mechanism = SaslMechanism.PLAIN;
  #complete = false;
  #failed = false;
  #authorizationId = '';

  constructor(private readonly users: PlainUsers) {}

  get complete(): boolean {
    return this.#complete;
  }

  evaluate(token: Buffer): Buffer {
    if (this.#complete || this.#failed) {
      throw new IllegalSaslStateError(`Unexpected challenge in Sasl server state ${this.#complete ? 'COMPLETE' : 'FAILED'}`);
    }
    try {
      return this.#evaluate(token);
    } catch (err) {
      this.#failed = true;
      throw err;
    }
  }

  #evaluate(token: Buffer): Buffer {
    const [authzid, username, password] = splitPlain(token.toString('utf8'));
    if (username.length === 0) throw new SaslError('Authentication failed: username not specified');
    if (password.length === 0) throw new SaslError('Authentication failed: password not specified');
    const expected = this.users.password(username);
    if (expected === undefined || !samePassword(password, expected)) {
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    }
    if (authzid.length > 0 && authzid !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    this.#authorizationId = username;
    this.#complete = true;
    return Buffer.alloc(0);
  }

  authorizationId(): string {
    requireComplete(this.#complete);
    return this.#authorizationId;
  }

  credentialExpiryMs(): number | null {
    return null;
  }
}
