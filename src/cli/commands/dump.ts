/**
 * `minikafka dump TOPIC...`: every record of the topics, partition by partition in offset order,
 * as NDJSON (record-json.ts), the format `minikafka start --seed` and `produce --input ndjson`
 * read. Without --offsets the lines carry no offsets, so a dump of a seeded broker is the seed
 * file again, byte for byte.
 */
import { EXIT, guarded, helpDone, parser, withClient, words } from '../command-kit.js';
import { UsageError } from '../args.js';
import { recordToJson } from '../record-json.js';
import { IsolationLevel, fetchPartition, listOffsets, OffsetSpec } from '../../client/fetcher.js';
import type { ConsumedRecord } from '../../client/fetcher.js';
import type { KafkaClient } from '../../client/client.js';

/** Calls `each` for every record of a partition from its start to its end as of now. */
export async function readPartition(client: KafkaClient, topic: string, partition: number, isolationLevel: number, each: (r: ConsumedRecord) => void): Promise<void> {
  const start = (await listOffsets(client, topic, [partition], OffsetSpec.EARLIEST, isolationLevel)).get(partition)!;
  const end = (await listOffsets(client, topic, [partition], OffsetSpec.LATEST, isolationLevel)).get(partition)!;
  let offset = start;
  while (offset < end) {
    const r = await fetchPartition(client, topic, partition, offset, { isolationLevel, maxWaitMs: 0 });
    for (const rec of r.records) if (rec.offset < end) each(rec);
    if (r.nextOffset <= offset) break;
    offset = r.nextOffset;
  }
}

export function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const a = await parser('dump', argv, '$0 TOPIC...\n\nWrites the topics\' records as NDJSON (the format of `minikafka start --seed`).')
      .option('offsets', { type: 'boolean', default: false, describe: 'Write each record\'s offset too' })
      .option('isolation', { choices: ['read_committed', 'read_uncommitted'], default: 'read_committed', describe: 'read_committed leaves out aborted and open transactions' })
      .example('$0 orders audit > fixtures.ndjson', 'capture two topics')
      .example('minikafka start --seed fixtures.ndjson', 'replay them into a fresh broker')
      .parseAsync()
      .then(helpDone);
    const topics = words(a);
    if (topics.length === 0) throw new UsageError('dump: give at least one topic');
    const isolationLevel = a.isolation === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
    return withClient(a, async (client) => {
      for (const topic of topics) {
        const info = await client.topic(topic);
        for (const p of info.partitions) await readPartition(client, topic, p.partition, isolationLevel, (r) => process.stdout.write(recordToJson(r, a.offsets) + '\n'));
      }
      return EXIT.OK;
    });
  });
}
