/**
 * franz-go's own integration suite for its client package, pkg/kgo (`KGO_SEEDS=... go test
 * ./pkg/kgo`, the suite franz-go runs against Kafka, Redpanda and its in-memory fake broker kfake),
 * run against minikafka: the franz-go version test/interop/go/go.mod pins, from the Go module cache,
 * compiled once by test/interop/setup.sh (go step) into test/interop/go/bin/kgo.test. None of its
 * code is in this repository.
 *
 * The broker is what kfake's run_tests.sh gives the suite: three brokers (the suite creates its
 * topics with replication factor 3, KGO_TEST_RF's default), started with `minikafka start` as a user
 * runs it, plus two SASL_PLAINTEXT listeners for the tests that skip without SASL: SCRAM-SHA-256
 * (KGO_TEST_SCRAM_SEEDS, KGO_TEST_SCRAM) and OAUTHBEARER with Kafka's default unsecured-token
 * validator (KGO_TEST_OAUTH_SEEDS). Share groups (KIP-932) need nothing: the suite runs its
 * share-group tests when ApiVersions offers ShareFetch and ShareAcknowledge v2, as minikafka does.
 *
 * Every top-level test and subtest must pass (a test in KNOWN_RACES that fails gets one run alone,
 * which must pass), and the tests that skip must be exactly EXPECTED_SKIPS.
 *
 * Cost: KGO_TEST_RECORDS (default 500,000) is how many records each of the produce/consume chains
 * (TestGroupETL, TestTxnEtl and their balancer/protocol variants) moves through three levels of
 * topics. 20,000 keeps every chain (each group rebalances, commits and, for TestTxnEtl, aborts)
 * while bounding the run: on a 2-core machine at load average 9-30, 75-120 s of wall time, most of
 * it the suite's own fixed waits (TestIssue434 15 s, TestShareGroupAckOnClose and
 * TestShareGroupETL 11 s each). The full 500,000 take five to seven minutes here, and there
 * TestShareGroupETL (500,000 records through two levels of share groups, alongside the other
 * chains) runs out of its fixed 4-minute budget, written for "20-60 s" on a machine of its own,
 * with every key still in flight and none lost (delivery counts below the limit).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { root, setupClients, startCli } from './harness.js';

t.setTimeout(12 * 60_000);

const KGO_TEST = join(root, 'test/interop/go/bin/kgo.test');
/** Where setup.sh wrote the franz-go module's pkg/kgo directory: the tests read files there (config.go). */
const KGO_DIR_FILE = join(root, 'test/interop/go/bin/kgo.test.dir');
const RECORDS = 20_000;
const SCRAM_USER = 'kgo';
const SCRAM_PASSWORD = 'kgo-secret';

/**
 * The tests that skip against minikafka, and why. Anything else skipping, or one of these running,
 * fails this suite: a new skip is a check lost, and a test that starts running should leave the list.
 */
const EXPECTED_SKIPS: ReadonlyMap<string, string> = new Map([
  [
    'TestIssueProduceBrokerTooOldFailsRecords',
    // Not a deviation: Kafka 4.4 skips it too. It checks that a client pinned to Kafka 0.10 (Produce
    // v2 at most) fails its records against a broker that no longer takes Produce v2, and skips when
    // ApiVersions says Produce starts at or below v2. Kafka 4.x refuses v0-2 but still advertises
    // Produce from v0 (ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION, KAFKA-18659: librdkafka
    // refuses a broker whose Produce range does not start at 0); minikafka advertises what Kafka
    // 4.4 does. Only kfake, which advertises Produce from v3, runs it.
    'Kafka 4.4 (and minikafka) advertise Produce from v0 for librdkafka (KAFKA-18659)',
  ],
]);

/**
 * Tests with a race of their own (not a broker fault): when one of these fails in the full run, it
 * runs once more alone, and that run must pass. Any other failure fails this suite at once.
 */
const KNOWN_RACES: ReadonlyMap<string, string> = new Map([
  [
    'Test848RegexBrokerResolves',
    // It consumes with the regex of a topic name and of __consumer_offsets (Kafka's broker resolves
    // the regex against internal topics too, and minikafka does the same), then polls until it has seen
    // records from as many topics as it expects (its two regular topics; the internal one is not
    // counted on a broker where kfake's "kfake.is_internal" config does not exist). Records of
    // __consumer_offsets, which every other group's commits fill, count toward that number too:
    // when they arrive before those of the second regular topic, the loop ends early and the test
    // reports it did not consume from that topic. Seen once in six full runs (500,000 records, load
    // average 32).
    'ends its poll loop on a count of topics that __consumer_offsets can fill',
  ],
]);

interface ReadyListener {
  readonly name: string;
  readonly bootstrapServers: string;
}

/** One line of `go tool test2json` output. */
interface TestEvent {
  readonly Action: string;
  readonly Test?: string;
  readonly Output?: string;
  readonly Elapsed?: number;
}

interface SuiteRun {
  readonly code: number | null;
  /** Final action of each test and subtest: pass, fail or skip. */
  readonly results: Map<string, string>;
  /** The output of each test that did not pass (its own lines, in order). */
  readonly failureOutput: Map<string, string[]>;
  /** Output outside any test (a panic, a timeout's goroutine dump, the final FAIL). */
  readonly packageOutput: string[];
  readonly ms: number;
}

/** Runs the compiled suite through test2json and collects each test's outcome. */
function runSuite(env: NodeJS.ProcessEnv, timeout: string, only?: string): Promise<SuiteRun> {
  const started = Date.now();
  const args = ['tool', 'test2json', '-t', KGO_TEST, '-test.v=test2json', '-test.timeout', timeout];
  if (only !== undefined) args.push('-test.run', `^${only}$`);
  // In the package's directory, as `go test` runs a test binary.
  const child = spawn('go', args, {
    cwd: readFileSync(KGO_DIR_FILE, 'utf8').trim(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const results = new Map<string, string>();
  // Output is kept per test until it passes (a passing test's chatter is dropped: megabytes of logs).
  const output = new Map<string, string[]>();
  const failureOutput = new Map<string, string[]>();
  const packageOutput: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let e: TestEvent;
    try {
      e = JSON.parse(line) as TestEvent;
    } catch {
      packageOutput.push(line);
      return;
    }
    if (e.Test === undefined) {
      if (e.Output !== undefined) packageOutput.push(e.Output);
      return;
    }
    if (e.Action === 'output' && e.Output !== undefined) {
      let lines = output.get(e.Test);
      if (lines === undefined) output.set(e.Test, (lines = []));
      lines.push(e.Output);
    } else if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') {
      results.set(e.Test, e.Action);
      if (e.Action !== 'pass') failureOutput.set(e.Test, output.get(e.Test) ?? []);
      output.delete(e.Test);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => packageOutput.push(s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, results, failureOutput, packageOutput, ms: Date.now() - started }));
  });
}

t.test("franz-go's pkg/kgo integration suite passes against a 3-broker minikafka", async (t) => {
  const setupError = setupClients('go');
  if (setupError !== null) throw new Error(setupError);
  t.ok(existsSync(KGO_TEST), 'setup.sh built the kgo test binary');

  const ready = await startCli<{ listeners: ReadyListener[] }>(t, [
    '--brokers', '3',
    '--log-level', 'warn',
    '--listener', 'PLAINTEXT://127.0.0.1:0',
    '--listener', 'SCRAM://127.0.0.1:0',
    '--listener', 'OAUTH://127.0.0.1:0',
    '--config', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SCRAM:SASL_PLAINTEXT,OAUTH:SASL_PLAINTEXT',
    `--sasl-user=${SCRAM_USER}:${SCRAM_PASSWORD}`,
  ]);
  const seeds = (name: string) => {
    const l = ready.listeners.find((x) => x.name === name);
    if (l === undefined) throw new Error(`no ${name} listener in the ready line: ${JSON.stringify(ready)}`);
    return l.bootstrapServers;
  };

  const env = {
    KGO_SEEDS: seeds('PLAINTEXT'),
    KGO_TEST_RECORDS: String(RECORDS),
    KGO_TEST_SCRAM_SEEDS: seeds('SCRAM'),
    KGO_TEST_SCRAM: `${SCRAM_USER}:${SCRAM_PASSWORD}`, // SCRAM-SHA-256 (the suite's default)
    KGO_TEST_OAUTH_SEEDS: seeds('OAUTH'),
  };
  // Below the tap timeout, so a hung test ends in Go's goroutine dump (in packageOutput), not a kill.
  const run = await runSuite(env, '10m');

  const by = (action: string) => [...run.results].filter(([, a]) => a === action).map(([name]) => name).sort();
  const failed = by('fail');
  const skipped = by('skip');
  const passed = by('pass');
  const topLevel = (names: string[]) => names.filter((n) => !n.includes('/')).length;
  t.comment(`kgo suite: ${topLevel(passed)} tests passed (${passed.length} with subtests), ${topLevel(skipped)} skipped, ${topLevel(failed)} failed, in ${(run.ms / 1000).toFixed(1)} s`);

  for (const name of failed) t.comment(`--- FAIL ${name}\n${(run.failureOutput.get(name) ?? []).join('').slice(-8000)}`);
  // A known race that lost gets one run alone; its subtests count with it.
  const racesLost = failed.filter((n) => !n.includes('/') && KNOWN_RACES.has(n));
  const rerunPassed = new Set<string>();
  for (const name of racesLost) {
    const again = await runSuite(env, '5m', name);
    const passedAlone = again.code === 0 && again.results.get(name) === 'pass';
    t.comment(`${name} lost its known race (${KNOWN_RACES.get(name)}); alone it ${passedAlone ? 'passed' : 'failed again'}`);
    if (passedAlone) rerunPassed.add(name);
  }
  const stillFailed = failed.filter((n) => !rerunPassed.has(n.split('/')[0]!));
  t.strictSame(stillFailed, [], 'no test failed');
  const onlyRacesLost = stillFailed.length === 0 && rerunPassed.size > 0;
  t.ok(run.code === 0 || onlyRacesLost, `go test exited 0${run.code === 0 ? '' : ` (${run.code}); outside the tests:\n${run.packageOutput.join('').slice(-8000)}`}`);
  t.strictSame(skipped, [...EXPECTED_SKIPS.keys()].sort(), 'exactly the expected tests skipped');
  for (const name of skipped) {
    // The test's first own line (its t.Skip message), not test2json's "=== RUN" / "--- SKIP" lines.
    const why = (run.failureOutput.get(name) ?? []).find((l) => !/^\s*(===|---) /.test(l))?.trim();
    t.comment(`skipped ${name}: ${why} (${EXPECTED_SKIPS.get(name) ?? 'not expected'})`);
  }
  // The tests issues 11, 12 and 14 ask for ran (they skip without SASL or share groups).
  for (const name of ['TestSCRAMAuth', 'TestSCRAMAuthBadCredentials', 'TestOAuthAuth', 'TestShareGroup', 'TestShareGroupETL', 'TestShareGroupAckOnClose']) {
    t.equal(run.results.get(name), 'pass', `${name} ran and passed`);
  }
  t.ok(passed.length > 500, `the whole suite ran (${passed.length} tests and subtests passed)`);
});
