/**
 * What `kafka.reset()` puts back on each broker of the fixture (control/restorable.ts): its
 * sessions, quota windows, ACLs and SCRAM credentials as at start.
 */
import type { Broker } from './server/broker.js';
import { watchedState, type Restorable } from './server/control/restorable.js';
import { MATCH_ANY_FILTER } from './server/security/authorizer/acl-types.js';

/** What a reset puts back on one broker (control/restorable.ts): its sessions, quota windows and security stores as at start. */
export function brokerStateOf(b: Broker): Restorable[] {
  const of = `of broker ${b.nodeId}`;
  const out: Restorable[] = [
    { what: `fetch sessions ${of}`, restore: () => b.fetchSessions.clear() > 0 },
    { what: `quota windows ${of}`, restore: () => b.quotas.clear() > 0 },
  ];
  const acls = b.security.authorizer;
  if (acls !== null) {
    out.push(
      watchedState(`ACLs ${of}`, (fn) => acls.onChange(fn), () => acls.allAcls(), (start) => {
        acls.deleteAcls([MATCH_ANY_FILTER]);
        acls.createAcls(start);
      }),
    );
  }
  const scram = b.security.scramCredentials;
  out.push(
    watchedState(`SCRAM credentials ${of}`, (fn) => scram.onChange(fn), () => scram.entries(), (start) => {
      for (const e of scram.entries()) scram.delete(e.user, e.mechanism);
      for (const e of start) scram.upsert(e.user, e.mechanism, e.credential);
    }),
  );
  return out;
}
