/**
 * The share-group scenario every share consumer runs (KIP-932; the programs: Java's
 * ShareConsumers.java, librdkafka's python/share_consumers.py), against an in-process broker
 * (the scenarios need its control API and its share-group state):
 * - three consumers of one share group on a 2-partition topic receive each of 10,000 records
 *   exactly once when all accept, in implicit and in explicit acknowledgement mode, and every
 *   record is then acknowledged (the share-partitions' start offsets reach the log end);
 * - released records come back with delivery count 2; rejected ones and those released at the
 *   delivery count limit (share.delivery.count.limit=2, a GROUP config) never come back; records
 *   whose acquisition lock expires (the broker clock advanced 31 s through the control API, no
 *   waiting) go to another consumer with a higher delivery count, and the old holder's late
 *   ACCEPT fails (`lateAckErrors`: the failure as the client names it).
 */
import t from 'tap';
import { MiniKafka } from '../../src/index.js';
import { WireClient } from '../helpers/wire-client.js';
import { produceNumbered, setGroupConfigs } from '../helpers/share.js';
import { runProgram } from './harness.js';

type Line = Record<string, unknown>;

const RECORDS = 10_000;

export function shareConsumerScenarios(client: string, program: readonly string[], lateAckErrors: readonly string[]): void {
  for (const mode of ['implicit', 'explicit'] as const) {
    t.test(`${client} x3, ${mode} acknowledgement: each of ${RECORDS} records exactly once`, async (t) => {
      const kafka = await MiniKafka.start({ port: 0, topics: [{ name: 'shared', partitions: 2 }] });
      const c = await WireClient.connect(kafka.bootstrapServers);
      t.teardown(async () => {
        c.close();
        await kafka.stop();
      });
      const group = `sg-${mode}`;
      t.equal(await setGroupConfigs(c, group, { 'share.auto.offset.reset': 'earliest' }), 0, 'GROUP config set');
      await produceNumbered(c, 'shared', 2, RECORDS);
      const out = await runProgram<Line>(program, ['exactly-once', '--bootstrap', kafka.bootstrapServers, '--topic', 'shared', '--group', group, '--consumers', '3', '--expect', String(RECORDS), '--mode', mode], 150_000);
      const line = out.lines.find((l) => l['event'] === 'exactly-once');
      t.comment(`${mode}: ${JSON.stringify(line)}; ${out.ms} ms with the program's start`);
      t.equal(out.code, 0, 'the program exited 0', { stdout: out.stdout.slice(-4000), stderr: out.stderr.slice(-4000) });
      t.match(line, { distinct: RECORDS, deliveries: RECORDS, duplicates: 0, errors: [] }, 'every record once, none twice');
      const per = (line?.['perConsumer'] as number[] | undefined) ?? [];
      t.equal(per.length, 3, 'three consumers');
      t.ok(per.filter((n) => n > 0).length >= 2, `the records were shared between consumers: ${per.join(', ')}`);
      // Every record acknowledged: both share-partitions' start offsets at the log end.
      const topic = kafka.broker.cluster.topics.get('shared')!;
      for (const p of [0, 1]) {
        const sp = kafka.broker.services.shares.existingPartition(group, topic.id, p);
        t.equal(sp?.startOffset, topic.partitions[p]!.log.logEndOffset, `partition ${p}: every record acknowledged`);
      }
    });
  }

  t.test(`${client}: release redelivers, reject and the delivery limit archive, an expired lock redelivers`, async (t) => {
    const kafka = await MiniKafka.start({ port: 0, controlPort: 0, topics: [{ name: 'redeliver', partitions: 1 }] });
    const c = await WireClient.connect(kafka.bootstrapServers);
    t.teardown(async () => {
      c.close();
      await kafka.stop();
    });
    t.equal(await setGroupConfigs(c, 'sg-r', { 'share.auto.offset.reset': 'earliest', 'share.delivery.count.limit': '2' }), 0);
    await produceNumbered(c, 'redeliver', 1, 30);
    const out = await runProgram<Line>(program, ['redelivery', '--bootstrap', kafka.bootstrapServers, '--topic', 'redeliver', '--group', 'sg-r', '--records', '30', '--control', kafka.controlUrl!], 150_000);
    const line = out.lines.find((l) => l['event'] === 'redelivery');
    t.comment(JSON.stringify(line));
    t.equal(out.code, 0, 'the program exited 0', { stdout: out.stdout.slice(-4000), stderr: out.stderr.slice(-4000) });
    t.match(line, { firstCount: 30, firstDeliveryCounts: [1], secondCount: 10, secondDeliveryCounts: [2], unexpected: [], held: 5, takenByB: 5, takenDeliveryCounts: [2] });
    t.strictSame(line?.['lateAckErrors'], lateAckErrors, "the old holder's late ACCEPT fails");
  });
}
