/**
 * What durable mode keeps of security, as sections of the metadata file (persistence/ saves and
 * loads them without knowing security): the ACL bindings (Kafka: AccessControlEntryRecords of the
 * metadata log) and the SCRAM credentials (UserScramCredentialRecords: salt, StoredKey, ServerKey,
 * iterations; never a password).
 */
import type { AclBinding } from './authorizer/acl-types.js';
import type { StandardAuthorizer } from './authorizer/standard-authorizer.js';
import type { ScramCredentialStore } from './sasl/scram-credentials.js';
import { scramMechanism } from './sasl/scram-formatter.js';

/** One named part of the saved state (structurally persistence/'s StateSection). */
export interface StateSection {
  readonly name: string;
  save(): unknown;
  load(data: unknown): void;
  onChange(listener: () => void): () => void;
}

interface SavedCredential {
  readonly user: string;
  readonly mechanism: string;
  readonly salt: string;
  readonly storedKey: string;
  readonly serverKey: string;
  readonly iterations: number;
}

export function securityStateSections(scram: ScramCredentialStore, authorizer: StandardAuthorizer | null): StateSection[] {
  const sections: StateSection[] = [
    {
      name: 'scramCredentials',
      save: (): SavedCredential[] =>
        scram.entries().map(({ user, mechanism, credential: c }) => ({
          user,
          mechanism,
          salt: c.salt.toString('base64'),
          storedKey: c.storedKey.toString('base64'),
          serverKey: c.serverKey.toString('base64'),
          iterations: c.iterations,
        })),
      load(data) {
        for (const c of Array.isArray(data) ? (data as SavedCredential[]) : []) {
          const m = scramMechanism(String(c.mechanism));
          if (m === undefined) throw new Error(`saved SCRAM credential of ${c.user} has an unknown mechanism ${c.mechanism}`);
          scram.upsert(String(c.user), m.name, {
            salt: Buffer.from(c.salt, 'base64'),
            storedKey: Buffer.from(c.storedKey, 'base64'),
            serverKey: Buffer.from(c.serverKey, 'base64'),
            iterations: Number(c.iterations),
          });
        }
      },
      onChange: (l) => scram.onChange(l),
    },
  ];
  if (authorizer !== null) {
    sections.push({
      name: 'acls',
      save: () => authorizer.allAcls(),
      load(data) {
        const bad = authorizer.createAcls(Array.isArray(data) ? (data as AclBinding[]) : []).find((r) => r.errorCode !== 0);
        if (bad) throw new Error(`a saved ACL is invalid: ${bad.errorMessage}`);
      },
      onChange: (l) => authorizer.onChange(l),
    });
  }
  return sections;
}
