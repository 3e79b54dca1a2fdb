// The control plane from another language: a Python confluent-kafka (librdkafka) producer gets 3
// NOT_LEADER_OR_FOLLOWER answers injected through the HTTP control API, retries and succeeds.
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { runProgram, setupClients } from './harness.js';

const PY = 'test/interop/python/.venv/bin/python';

t.test('Python (confluent-kafka): 3 injected NOT_LEADER_OR_FOLLOWER, then success', async (t) => {
  const setup = setupClients('python');
  if (setup !== null) throw new Error(setup);
  await using kafka = await MiniKafka.start({ topics: ['orders'], controlPort: 0 });
  const run = await runProgram<{ error: string | null; partition: number; offset: number; undelivered: number; failingRuleStatus: number; produceRequests: number; ms: number }>(
    [PY, 'test/interop/python/control_faults.py'],
    ['--bootstrap', kafka.bootstrapServers, '--control-url', kafka.controlUrl!, '--topic', 'orders'],
    60_000,
  );
  t.equal(run.code, 0, run.stderr.slice(-2000));
  const r = run.lines[0]!;
  t.match(r, { error: null, partition: 0, offset: 0, undelivered: 0 }, 'delivered once, at offset 0');
  t.equal(r.failingRuleStatus, 404, 'the 3 error answers were all used');
  t.equal(r.produceRequests, 4, '4 Produce requests: 3 answered with the error, the retry after them accepted');
  t.equal(kafka.broker.cluster.topics.partition('orders', 0)!.log.logEndOffset, 1, 'exactly one record stored');
});
