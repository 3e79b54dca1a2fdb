/**
 * Share groups in durable mode with Kafka's own KafkaShareConsumer (4.4, explicit acknowledgement;
 * test/interop/java/.../ShareDurable.java): `minikafka start --data-dir` is killed with SIGKILL
 * while the consumer holds acquired, unacknowledged records, after it had accepted and rejected
 * every record before them (acknowledgements sent both by commitSync and piggy-backed on the next
 * ShareFetch, each confirmed by the acknowledgement commit callback). The consumer's JVM is killed
 * with it. After a restart on the same directory a new share consumer gets exactly the held
 * records, each with a delivery count above 1, and none of the accepted or rejected ones.
 *
 * test/e2e/share-groups-durable.test.ts proves the same at the wire level with one hand-made
 * ShareAcknowledge; this one runs Kafka's client through many fetches, both acknowledgement paths,
 * rejections, and two partitions.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireClient } from '../helpers/wire-client.js';
import { killChild, startCliBroker } from '../helpers/cli-broker.js';
import { produceNumbered, setGroupConfigs } from '../helpers/share.js';
import { javaProgram, runProgram, setupClients } from './harness.js';

t.setTimeout(4 * 60_000);

const RECORDS = 3000;
const GROUP = 'sg-durable';

interface Held {
  event: 'held';
  delivered: number;
  accepted: string[];
  rejected: string[];
  held: string[];
  unconfirmed: string[];
  ackErrors: string[];
}
interface After {
  event: 'after';
  records: Record<string, number>;
  twice: string[];
}

const setupError = setupClients('java');
if (setupError !== null) {
  t.fail(setupError);
} else {
  t.test('KafkaShareConsumer, broker SIGKILLed holding acquired records: after restart only those come back', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'minikafka-share-durable-java-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const start = () => startCliBroker(dir, ['--topic', 'q:2']);
    let broker = await start();
    const c = await WireClient.connect(broker.bootstrap);
    t.equal(await setGroupConfigs(c, GROUP, { 'share.auto.offset.reset': 'earliest' }), 0, 'GROUP config set');
    // Batches of 100: the consumer's last poll then holds whole batches, of which it keeps half.
    await produceNumbered(c, 'q', 2, RECORDS, 100);
    c.close();

    let brokerKilled: Promise<void> | undefined;
    const before = await runProgram<Held | { event: string }>(javaProgram('ShareDurable'), ['before', '--bootstrap', broker.bootstrap, '--topic', 'q', '--group', GROUP, '--records', String(RECORDS)], 120_000, {
      // On the held line: SIGKILL the broker, then (at once) the consumer's JVM.
      killOn: (line) => {
        if (line.event !== 'held') return undefined;
        brokerKilled = killChild(broker.child);
        return 0;
      },
    });
    const held = before.lines.find((l): l is Held => l.event === 'held');
    if (held === undefined || brokerKilled === undefined) {
      t.fail('the consumer reached its held state', { stdout: before.stdout.slice(-3000), stderr: before.stderr.slice(-3000) });
      return;
    }
    await brokerKilled;
    t.equal(held.delivered, RECORDS, 'every record was delivered before the kill');
    t.equal(held.accepted.length + held.rejected.length + held.held.length, RECORDS, 'each acknowledged or held');
    t.ok(held.held.length >= 50, `${held.held.length} records held (acquired, unacknowledged) at the kill`);
    t.ok(held.rejected.length > 0, `${held.rejected.length} rejected`);
    t.strictSame(held.unconfirmed, [], 'every acknowledgement confirmed by the commit callback before the kill');
    t.strictSame(held.ackErrors, [], 'no acknowledgement failed');

    broker = await start();
    t.teardown(() => killChild(broker.child));
    const after = await runProgram<After | { event: string }>(javaProgram('ShareDurable'), ['after', '--bootstrap', broker.bootstrap, '--topic', 'q', '--group', GROUP, '--quiet-ms', '3000'], 120_000);
    t.equal(after.code, 0, 'the second consumer exited 0', { stderr: after.code === 0 ? undefined : after.stderr.slice(-3000) });
    const got = after.lines.find((l): l is After => l.event === 'after');
    const names = Object.keys(got?.records ?? {});
    const order = (a: string, b: string) => {
      const [pa, oa] = a.split(':').map(Number) as [number, number];
      const [pb, ob] = b.split(':').map(Number) as [number, number];
      return pa - pb || oa - ob;
    };
    t.strictSame(names.sort(order), [...held.held].sort(order), 'exactly the held records are delivered again');
    const counts = new Set(Object.values(got?.records ?? {}));
    t.ok([...counts].every((n) => n >= 2), `with a delivery count above 1: ${[...counts].join(', ')}`);
    const done = new Set([...held.accepted, ...held.rejected]);
    t.strictSame(names.filter((n) => done.has(n)), [], 'no accepted or rejected record comes back');
    t.strictSame(got?.twice, [], 'none twice');
    t.comment(`held ${held.held.length}, accepted ${held.accepted.length}, rejected ${held.rejected.length}; after the restart: ${names.length} with delivery counts ${[...counts].join(', ')}`);
  });
}
