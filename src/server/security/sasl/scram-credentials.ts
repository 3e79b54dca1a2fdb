/**
 * The broker's SCRAM credentials: user -> mechanism -> credential (Kafka: ScramControlManager's
 * state, served by CredentialCache). Passwords never enter it; a credential from a password is
 * derived once (PBKDF2) when it is added.
 */
import type { ScramCredentialLookup } from './scram.js';
import { generateCredential, type ScramCredential, type ScramMechanismInfo } from './scram-formatter.js';

export class ScramCredentialStore implements ScramCredentialLookup {
  readonly #byUser = new Map<string, Map<ScramMechanismInfo['name'], ScramCredential>>();
  readonly #listeners = new Set<() => void>();

  /** Called after every change (durable mode saves the store). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every credential, for saving. */
  entries(): { user: string; mechanism: ScramMechanismInfo['name']; credential: ScramCredential }[] {
    return [...this.#byUser].flatMap(([user, m]) => [...m].map(([mechanism, credential]) => ({ user, mechanism, credential })));
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  credential(mechanism: ScramMechanismInfo['name'], user: string): ScramCredential | undefined {
    return this.#byUser.get(user)?.get(mechanism);
  }

  /** Iteration bounds are the caller's check (AlterUserScramCredentials answers them). */
  upsert(user: string, mechanism: ScramMechanismInfo['name'], credential: ScramCredential): void {
    let m = this.#byUser.get(user);
    if (m === undefined) this.#byUser.set(user, (m = new Map()));
    m.set(mechanism, credential);
    this.#changed();
  }

  addPassword(user: string, mechanism: ScramMechanismInfo, password: string, iterations = mechanism.minIterations): void {
    this.upsert(user, mechanism.name, generateCredential(mechanism, password, iterations));
  }

  /** Returns whether there was such a credential. */
  delete(user: string, mechanism: ScramMechanismInfo['name']): boolean {
    const m = this.#byUser.get(user);
    if (m === undefined || !m.delete(mechanism)) return false;
    if (m.size === 0) this.#byUser.delete(user);
    this.#changed();
    return true;
  }

  /** user -> [mechanism, iterations], for DescribeUserScramCredentials. */
  describe(user: string): { mechanism: ScramMechanismInfo['name']; iterations: number }[] {
    return [...(this.#byUser.get(user) ?? [])].map(([mechanism, c]) => ({ mechanism, iterations: c.iterations }));
  }

  users(): string[] {
    return [...this.#byUser.keys()].sort();
  }
}
