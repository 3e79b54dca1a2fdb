// The control plane from other languages, with nothing but an HTTP client: Python confluent-kafka
// (librdkafka) and Java producers get 3 NOT_LEADER_OR_FOLLOWER answers injected through the HTTP
// control API, retry and succeed; a Go (franz-go) consumer has its fetches held 2 s and shows its
// timeout logic.
import t from 'tap';
import type { Test } from 'tap';
import { MiniKafka } from '../../src/index.js';
import { javaProgram, runProgram, setupClients } from './harness.js';

const PY = 'test/interop/python/.venv/bin/python';

/**
 * Runs a producer program that injects 3 NOT_LEADER_OR_FOLLOWER answers to its own Produce through
 * the control API and sends one record (python/control_faults.py, java ControlFaults), and checks
 * what it and the broker saw: 4 Produce requests, one record stored.
 */
function retriesThreeErrors(client: 'python' | 'java', command: readonly string[]) {
  return async (t: Test) => {
    const setup = setupClients(client);
    if (setup !== null) throw new Error(setup);
    await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
    const run = await runProgram<{ error: string | null; partition: number; offset: number; failingRuleStatus: number; produceRequests: number; ms: number }>(
      command,
      ['--bootstrap', kafka.bootstrapServers, '--control-url', kafka.controlUrl!, '--topic', 'orders'],
      90_000,
    );
    t.equal(run.code, 0, run.stderr.slice(-2000));
    const r = run.lines[0]!;
    t.match(r, { error: null, partition: 0, offset: 0 }, 'delivered once, at offset 0');
    t.equal(r.failingRuleStatus, 404, 'the 3 error answers were all used');
    t.equal(r.produceRequests, 4, '4 Produce requests: 3 answered with the error, the retry after them accepted');
    t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 1, 'exactly one record stored');
  };
}

t.test('Python (confluent-kafka): 3 injected NOT_LEADER_OR_FOLLOWER, then success', retriesThreeErrors('python', [PY, 'test/interop/python/control_faults.py']));

t.test('Java (kafka-clients, idempotent, acks=all): 3 injected NOT_LEADER_OR_FOLLOWER, then success', retriesThreeErrors('java', javaProgram('ControlFaults')));

t.test('Go (franz-go): Fetch held 2 s; the client waits it out, or times out and fetches again', async (t) => {
  const setup = setupClients('go');
  if (setup !== null) throw new Error(setup);
  type Report = { error: string | null; value: string; ms: number; fetchOk: number; fetchTimeouts: number; fetchOtherErrors: string[] | null };
  const runWith = async (overheadMs: number) => {
    await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
    await kafka.produce('orders', [{ value: 'held' }]);
    const run = await runProgram<Report>(
      ['test/interop/go/bin/control-fetch'],
      ['--bootstrap', kafka.bootstrapServers, '--control-url', kafka.controlUrl!, '--topic', 'orders', '--hold-ms', '2000', '--max-wait-ms', '500', '--overhead-ms', String(overheadMs)],
      60_000,
    );
    t.equal(run.code, 0, run.stderr.slice(-2000));
    return run.lines[0]!;
  };
  // The default overhead (10 s) deadlines a fetch at 10.5 s: the 2 s hold is waited out on the same connection.
  const patient = await runWith(10_000);
  t.match(patient, { error: null, value: 'held', fetchTimeouts: 0 }, 'patient client: no timeout');
  t.ok(patient.ms >= 1900, `the record came after the hold (${patient.ms} ms)`);
  // 500 ms of overhead deadlines a fetch at 1 s: the held fetch times out, the client drops that
  // connection and fetches again, and gets the record once the hold ends.
  const impatient = await runWith(500);
  t.match(impatient, { error: null, value: 'held' }, 'impatient client: the record still comes');
  t.ok(impatient.fetchTimeouts >= 1, `its read deadline gave up on the held fetch (${impatient.fetchTimeouts} timeouts)`);
  t.ok(impatient.ms >= 1900, `and the record came after the hold (${impatient.ms} ms)`);
});
