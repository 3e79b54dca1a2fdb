/**
 * A locked-down cluster: minikafka with only a SASL_SSL listener (SCRAM-SHA-512, the throwaway CA's
 * truststore), the StandardAuthorizer on, no super user, and each workload its own principal with
 * the ACLs Kafka's documentation prescribes for it, nothing more (locked-down-acls.ts lists them).
 *
 * 1. Kafka Connect and Kafka Streams, unchanged, in one JVM (test/interop/java/.../LockedDown.java):
 *    a distributed worker with exactly-once source support runs CounterSourceConnector (exactly-once
 *    required) into a topic; a Streams application, exactly_once_v2, counts that topic's records by
 *    bucket through a repartition topic and a changelogged store (internal topics it creates under
 *    its application id) into a second topic. Both topics, read with read_committed by Kafka's
 *    consumer and by our decoder, must hold every record and every count exactly once. One ACL
 *    short, each fails with Kafka's TransactionalIdAuthorizationException: a second connector on
 *    the worker (no ACL for its task's transactional id) and a second Streams application (its
 *    principal has every ACL of the first but the transactional ids). The audit log shows allowed
 *    and denied decisions, and no other denial of the workload principals than those their clients
 *    tolerate: the broker asks for no ACL beyond Kafka's documented ones on these paths.
 * 2. MirrorMaker 2 with exactly-once source support (java-mirror/.../MirrorEos.java) reads a source
 *    minikafka over PLAINTEXT and writes to a target minikafka over SASL_SSL with ACLs for its
 *    principal; the target must hold each source record exactly once, in order per partition.
 *
 * Env: INTEROP_LOCKED_RECORDS=N (200) for part 1, INTEROP_LOCKED_MIRROR_RECORDS=N (300) for part 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Test as TapTest } from 'tap';
import { MiniKafka, createAuditLogger } from '../../src/index.js';
import type { AclBinding } from '../../src/index.js';
import { exactlyOnce, readCommitted } from '../helpers/transactions.js';
import { scramTlsClient } from '../helpers/sasl-login.js';
import { WireClient } from '../helpers/wire-client.js';
import { javaProgram, runProgram, setupClients } from './harness.js';
import { connectWorkerAcls, mirrorMakerAcls, readerAcls, streamsAcls } from './locked-down-acls.js';

const RECORDS = Number(process.env['INTEROP_LOCKED_RECORDS'] ?? 200);
const MIRROR_RECORDS = Number(process.env['INTEROP_LOCKED_MIRROR_RECORDS'] ?? 300);
const PARTITIONS = 3;
const BUCKETS = 4;

/** Passwords of the principals (SCRAM-SHA-512 credentials are made from them). */
const USERS = { connect: 'connect-secret', streams: 'streams-secret', 'streams-denied': 'denied-secret', reader: 'reader-secret', mirror: 'mirror-secret' } as const;

interface Event {
  readonly event: string;
  readonly topic?: string;
  readonly records?: [number, string | null, string][];
  readonly error?: string[];
  readonly read?: number;
  readonly [k: string]: unknown;
}

/**
 * The audit trail, kept small: every denial, and each distinct allowed (principal, operation,
 * resource type) - the allowed decisions of a few minutes of Connect and Streams are thousands.
 */
class Audit {
  readonly denied: string[] = [];
  readonly allowed = new Set<string>();
  readonly unparsed: string[] = [];
  readonly logger = createAuditLogger('debug', (line) => {
    const m = /Principal = (\S+) is (Allowed|Denied) operation = (\S+) from host = \S+ on resource = ([A-Za-z]+):/.exec(line);
    // Not thrown: the logger runs inside the broker's request handling. The tests check it is empty.
    if (m === null) return void this.unparsed.push(line);
    if (m[2] === 'Denied') this.denied.push(line);
    else this.allowed.add(`${m[1]} ${m[3]} ${m[4]}`);
  });

  /** The distinct denials of `principal`: "OPERATION Resource:PATTERN:name for request = Api". */
  deniedOf(principal: string): string[] {
    const out = new Set<string>();
    for (const l of this.denied) {
      const m = new RegExp(`Principal = ${principal} is Denied operation = (\\S+) from host = \\S+ on resource = (\\S+) for request = (\\S+)`).exec(l);
      if (m !== null) out.add(`${m[1]} ${m[2]} for request = ${m[3]}`);
    }
    return [...out].sort();
  }
}

/**
 * The denials of a Connect worker's principal that Connect tolerates left out: a worker checks that
 * its internal topics are compacted with DescribeConfigs, and without DESCRIBE_CONFIGS (Kafka's
 * documentation does not ask for it) logs that it could not and goes on (TopicAdmin
 * .describeTopicConfigs takes a TopicAuthorizationException as "unknown").
 */
function untolerated(denials: readonly string[], internalTopics: readonly string[]): string[] {
  return denials.filter((d) => !internalTopics.some((topic) => d === `DESCRIBE_CONFIGS Topic:LITERAL:${topic} for request = DescribeConfigs`));
}

/** The security flags of LockedDown.java for each principal, and the truststore. */
function securityArgs(kafka: MiniKafka, roles: Record<string, keyof typeof USERS>): string[] {
  const tls = kafka.tls!;
  const args = ['--bootstrap', kafka.bootstrapServers, '--truststore', tls.truststore, '--truststore-password', tls.truststorePassword, '--mechanism', 'SCRAM-SHA-512'];
  for (const [role, user] of Object.entries(roles)) args.push(`--${role}-user`, user, `--${role}-password`, USERS[user]);
  return args;
}

/** A minikafka as a locked-down cluster: only SASL_SSL with SCRAM-SHA-512, the authorizer on, no super user. */
function lockedDown(acls: readonly AclBinding[], audit: Audit, topics: readonly string[]): Promise<MiniKafka> {
  return MiniKafka.start({
    listener: 'SASL_SSL://127.0.0.1:0',
    users: USERS,
    acls,
    topics,
    audit: audit.logger,
    config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'auto.create.topics.enable': false, 'group.initial.rebalance.delay.ms': 0 },
  });
}

/** Every record of `topic` as [partition, key, value], read_committed by our decoder as `reader`. */
async function ourRead(t: TapTest, kafka: MiniKafka, topic: string): Promise<[number, string | null, string][]> {
  const c = await scramTlsClient(kafka.bootstrapServers, kafka.tls!.caPem, 'reader', USERS.reader);
  try {
    const out: [number, string | null, string][] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const r = await readCommitted(c, topic, p);
      t.notOk(r.openTransaction, `${topic}[${p}]: no transaction left open`);
      out.push(...r.records.map((x): [number, string | null, string] => [p, x.key, x.value]));
    }
    return out;
  } finally {
    c.close();
  }
}

/** Each bucket's counts in output order must be 1, 2, ..., n with n its share of `records`. */
function countsProblems(records: readonly [number, string | null, string][]): Record<string, string> {
  const counts = new Map<string, number[]>();
  for (const [, key, value] of records) counts.set(key ?? '', [...(counts.get(key ?? '') ?? []), Number(value)]);
  const wrong: Record<string, string> = {};
  for (let b = 0; b < BUCKETS; b++) {
    const n = Math.floor(RECORDS / BUCKETS) + (b < RECORDS % BUCKETS ? 1 : 0);
    const got = counts.get(`b${b}`) ?? [];
    if (got.length !== n || got.some((v, i) => v !== i + 1)) wrong[`b${b}`] = `expected 1..${n}, got ${got.length > 12 ? `${got.slice(0, 6).join(',')} ... (${got.length})` : got.join(',')}`;
    counts.delete(`b${b}`);
  }
  for (const k of counts.keys()) wrong[k] = 'a stray key';
  return wrong;
}

t.setTimeout(10 * 60_000);
// The two parts share nothing (brokers of their own, a JVM each) and spend much of their time
// waiting (JVM starts, group rebalances, commit intervals): run side by side, they take little
// more wall time than the longer one.
t.jobs = 2;

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('Connect and Streams exactly-once over SASL_SSL with only their documented ACLs; one ACL missing fails with an authorization error', async (t) => {
    const started = Date.now();
    const [group, appId, deniedAppId, connectTopic, streamsTopic] = ['lock-connect', 'lock-app', 'lock-denied-app', 'lock-connect-out', 'lock-streams-out'];
    const audit = new Audit();
    const acls = [
      ...connectWorkerAcls('User:connect', group, 'counter', connectTopic),
      ...streamsAcls('User:streams', appId, connectTopic, streamsTopic, { transactionalIds: true }),
      // The denied application: every ACL of a Streams application but its transactional ids.
      ...streamsAcls('User:streams-denied', deniedAppId, connectTopic, streamsTopic, { transactionalIds: false }),
      ...readerAcls('User:reader', [connectTopic, streamsTopic]),
    ];
    await using kafka = await lockedDown(acls, audit, [`${connectTopic}:${PARTITIONS}`, `${streamsTopic}:${PARTITIONS}`]);
    const stateDir = mkdtempSync(join(tmpdir(), 'minikafka-locked-'));
    t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));

    // One JVM: the worker's start and the connector's (~10-20 s loaded), Streams' join and
    // its internal topics, then the denied application's start (seconds); the bound is for a loaded machine.
    const run = await runProgram<Event>(
      javaProgram('LockedDown'),
      [
        ...securityArgs(kafka, { connect: 'connect', streams: 'streams', reader: 'reader', denied: 'streams-denied' }),
        '--group', group, '--connect-topic', connectTopic, '--streams-topic', streamsTopic, '--records', String(RECORDS),
        '--application-id', appId, '--denied-application-id', deniedAppId, '--denied-connector', 'blocked', '--state-dir', stateDir, '--timeout-ms', '200000',
      ],
      240_000,
    );
    const done = run.lines.find((l) => l.event === 'done');
    const failures = run.stderr.split('\n').filter((l) => /ERROR|Exception/.test(l)).slice(0, 20);
    t.ok(done !== undefined && run.code === 0, `Connect and Streams ran to the end over SASL_SSL (${run.ms} ms)`, { lines: run.lines.filter((l) => l.event !== 'read' && l.event !== 'polled'), failures, denied: audit.denied.slice(0, 20) });

    const javaRead = (topic: string) => run.lines.find((l) => l.event === 'read' && l.topic === topic)?.records ?? [];
    const expected = Array.from({ length: RECORDS }, (_, i) => `v${i}`);
    t.strictSame(exactlyOnce(javaRead(connectTopic).map(([, , v]) => v), expected), { missing: [], twice: [], strays: [] }, `Connect, Kafka's read_committed consumer: each of ${RECORDS} records exactly once`);
    t.strictSame(countsProblems(javaRead(streamsTopic)), {}, `Streams, Kafka's read_committed consumer: each bucket counted 1..n over ${RECORDS} records`);
    const ours = await ourRead(t, kafka, connectTopic);
    t.strictSame(exactlyOnce(ours.map(([, , v]) => v), expected), { missing: [], twice: [], strays: [] }, `Connect, our decoder: each of ${RECORDS} records exactly once`);
    // The Java consumer polls partitions interleaved: compare per partition, in offset order.
    const byPartition = (rs: readonly [number, string | null, string][]) => Array.from({ length: PARTITIONS }, (_, p) => rs.filter(([q]) => q === p));
    t.strictSame(byPartition(ours), byPartition(javaRead(connectTopic)), 'Connect topic: our decoder and the Java consumer read the same records per partition');
    const oursStreams = await ourRead(t, kafka, streamsTopic);
    t.strictSame(countsProblems(oursStreams), {}, 'Streams, our decoder: each bucket counted 1..n');
    t.strictSame(byPartition(oursStreams), byPartition(javaRead(streamsTopic)), 'Streams topic: our decoder and the Java consumer read the same records per partition');

    // The locked-down setup is real: the application one ACL short failed with Kafka's error ...
    const denied = run.lines.find((l) => l.event === 'denied');
    t.ok(denied?.error?.some((e) => e.startsWith('TransactionalIdAuthorizationException')), 'the Streams application without transactional-id ACLs fails with TransactionalIdAuthorizationException', { denied });
    // ... and so does a connector whose tasks' transactional ids the worker has no ACL for (the
    // worker's leader fences them before the task starts, or the task's producer initialises them).
    const connectDenied = run.lines.find((l) => l.event === 'connect_denied');
    t.ok(connectDenied?.['state'] === 'FAILED' && String(connectDenied['trace']).includes('TransactionalIdAuthorizationException'), 'the connector without transactional-id ACLs fails its task with TransactionalIdAuthorizationException', { connectDenied });
    t.ok(
      audit.denied.some((l) => /Principal = User:connect is Denied operation = (WRITE|DESCRIBE) from host = \S+ on resource = TransactionalId:LITERAL:lock-connect-blocked-0 /.test(l)),
      "the audit log shows the connector's denied transactional id",
      { denied: audit.deniedOf('User:connect') },
    );
    // ... the broker's audit log names that refusal, and the grants the workloads ran on.
    t.ok(
      audit.denied.some((l) => new RegExp(`Principal = User:streams-denied is Denied operation = (WRITE|DESCRIBE) from host = \\S+ on resource = TransactionalId:LITERAL:${deniedAppId}-`).test(l)),
      'the audit log shows the denied transactional id',
      { denied: audit.deniedOf('User:streams-denied') },
    );
    t.strictSame(audit.unparsed, [], 'every audit line has the kafka.authorizer.logger form');
    for (const grant of ['User:connect WRITE TransactionalId', 'User:connect CREATE Topic', 'User:connect READ Group', 'User:streams WRITE TransactionalId', 'User:streams CREATE Topic', 'User:streams READ Topic', 'User:reader READ Topic']) {
      t.ok(audit.allowed.has(grant), `the audit log shows an allowed decision: ${grant}`);
    }
    // The workloads that ran are refused nothing but what their clients ask for and tolerate (and
    // the blocked connector's transactional id).
    const internal = ['configs', 'offsets', 'status'].map((x) => `${group}-${x}`);
    t.strictSame(
      { connect: untolerated(audit.deniedOf('User:connect'), internal).filter((d) => !d.includes('TransactionalId:LITERAL:lock-connect-blocked-0 ')), streams: audit.deniedOf('User:streams'), reader: audit.deniedOf('User:reader') },
      { connect: [], streams: [], reader: [] },
      'no other denial of the workload principals',
    );
    const at = (event: string) => run.lines.find((l) => l.event === event)?.['ms'];
    t.comment(
      `locked-down connect+streams: ${RECORDS} records, ${((Date.now() - started) / 1000).toFixed(1)} s; in the JVM (ms): connector configured ${at('connector_configured')}, ` +
        `all read ${at('read')}, connector denied ${at('connect_denied')}, streams denied ${at('denied')}, done ${at('done')}`,
    );
  });

  t.test('MirrorMaker 2, exactly-once: source over PLAINTEXT, target over SASL_SSL with ACLs; every record mirrored once', async (t) => {
    const started = Date.now();
    const topic = 'lock-mirror';
    await using source = await MiniKafka.start({ topics: [`${topic}:${PARTITIONS}`] });
    const audit = new Audit();
    await using target = await lockedDown([...mirrorMakerAcls('User:mirror', 'source'), ...readerAcls('User:reader', [`source.${topic}`])], audit, []);
    // Record i to partition i % 3, in batches of 50.
    for (let from = 0; from < MIRROR_RECORDS; from += 50) {
      await source.produce(topic, Array.from({ length: Math.min(50, MIRROR_RECORDS - from) }, (_, k) => ({ key: `k${from + k}`, value: `m-${from + k}`, partition: (from + k) % PARTITIONS })));
    }
    const dir = mkdtempSync(join(tmpdir(), 'minikafka-locked-mirror-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    // MirrorMaker's connections to the target as "mirror"; the program's own read_committed check as "reader".
    const clientProperties = (user: keyof typeof USERS): string => {
      const file = join(dir, `${user}.properties`);
      writeFileSync(
        file,
        [
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-512',
          `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${USERS[user]}";`,
          `ssl.truststore.location=${target.tls!.truststore}`,
          `ssl.truststore.password=${target.tls!.truststorePassword}`,
          'ssl.truststore.type=PKCS12',
        ].join('\n'),
      );
      return file;
    };
    const res = await runProgram<Event>(
      ['java', '-cp', 'test/interop/java-mirror/target/mirror.jar', 'dev.minikafka.mirror.MirrorEos'],
      ['--source', source.bootstrapServers, '--target', target.bootstrapServers, '--topic', topic, '--expect', String(MIRROR_RECORDS), '--timeout-ms', '200000', '--target-properties', clientProperties('mirror'), '--check-properties', clientProperties('reader')],
      240_000,
    );
    const done = res.lines.find((l) => l.event === 'done');
    const failures = res.stderr.split('\n').filter((l) => /ERROR|Exception/.test(l)).slice(0, 20);
    t.ok(done !== undefined && res.code === 0, `MirrorMaker mirrored the topic to the SASL_SSL target (${res.ms} ms)`, { lines: res.lines.slice(-5), failures, denied: audit.denied.slice(0, 20) });
    t.equal(done?.read, MIRROR_RECORDS, `Kafka's read_committed consumer read exactly ${MIRROR_RECORDS} records on the target`);

    const src = await WireClient.connect(source.bootstrapServers);
    t.teardown(() => src.close());
    const want: [number, string | null, string][] = [];
    for (let p = 0; p < PARTITIONS; p++) want.push(...(await readCommitted(src, topic, p)).records.map((x): [number, string | null, string] => [p, x.key, x.value]));
    t.equal(want.length, MIRROR_RECORDS, 'the source holds the records');
    const got = await ourRead(t, target, `source.${topic}`);
    t.strictSame(got, want, `the target holds each of the ${MIRROR_RECORDS} source records once, partition by partition in order`);
    t.strictSame(untolerated(audit.deniedOf('User:mirror'), ['mm2-configs.source.internal', 'mm2-offsets.source.internal', 'mm2-status.source.internal']), [], 'MirrorMaker is refused nothing on the target but what Connect tolerates');
    t.comment(`locked-down mirror: ${MIRROR_RECORDS} records mirrored, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}
