/**
 * The cluster admin APIs through two admin clients, the Java Admin (kafka-clients 4.4.0,
 * AdminApis.java) and franz-go's kadm (go/cmd/kadm-apis): client quotas (user, client-id, ip,
 * defaults, filters, refused entities and keys), SCRAM credentials (SHA-256 and SHA-512, too few and
 * too many iterations, an unknown mechanism, unknown users), partition reassignments (to an unknown
 * broker, cancelling none, unknown partitions), leader elections (preferred and unclean:
 * ELECTION_NOT_NEEDED, unknown partitions), the metadata quorum, features (describe, valid and
 * refused updates) and client metrics resources (alter, describe, list, refused values). Each
 * program's output must equal, step for step, what it printed against Apache Kafka 4.4.0:
 * admin-clients.{java,kadm}.kafka-4.4.jsonl, re-recorded by `npm run record-kafka-admin-clients`
 * (the topic's name masked as TOPIC; offsets, timestamps, ids and ports reduced in the programs).
 *
 * Env: INTEROP_BOOTSTRAP=host:port runs it against that broker instead (with --settle-ms 1500,
 * since Kafka applies changes through its metadata log), one program after the other on the
 * same broker, as the recorder does.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { brokerUnderTest } from './harness.js';
import { ADMIN_CLIENTS, parseSteps, recordingFile, runAdminClient, setupAdminClients } from './admin-clients.js';

t.setTimeout(10 * 60_000);

const setupError = setupAdminClients();
if (setupError !== null) {
  t.fail(setupError);
} else {
  for (const client of ADMIN_CLIENTS) {
    t.test(`${client}: quotas, SCRAM, reassignments, elections, quorum, features, client metrics — as Apache Kafka 4.4.0 answers`, async (t) => {
      const expected = parseSteps(readFileSync(recordingFile(client), 'utf8'));
      const bootstrap = await brokerUnderTest(t);
      const run = await runAdminClient(client, bootstrap, process.env['INTEROP_BOOTSTRAP'] !== undefined ? 1500 : 0);
      t.equal(run.code, 0, `the program ran (${run.ms} ms)`, { stderr: run.stderr.slice(-4000) });
      const got = parseSteps(run.text);
      t.strictSame(got.map((l) => l.step), expected.map((l) => l.step), 'every step reported, in order');
      for (const e of expected) t.strictSame(got.find((g) => g.step === e.step), e, e.step);
    });
  }
}
