/**
 * `minikafka produce TOPIC [FILE...]`: one record per input line (stdin when no file), as text
 * (the line is the value; with --key-separator the part before it is the key) or NDJSON
 * (record-json.ts). Sent in batches of --batch-size lines, so input of any length streams.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { EXIT, helpDone, keyValues, parser, withClient, guarded, words } from '../command-kit.js';
import { UsageError, intFlag } from '../args.js';
import { json } from '../output.js';
import { parseJsonRecord } from '../record-json.js';
import { COMPRESSION, produce } from '../../client/producer.js';
import type { PartitionResult, ProducerRecord } from '../../client/producer.js';

const ACKS: Readonly<Record<string, number>> = { all: -1, '-1': -1, '0': 0, '1': 1 };

export function run(argv: string[]): Promise<number> {
  return guarded(async () => {
    const a = await parser('produce', argv, '$0 TOPIC [FILE...]\n\nWrites one record per input line (stdin when no FILE is given).')
      .option('input', { alias: 'i', choices: ['text', 'ndjson'], default: 'text', describe: 'Line format: text (the value) or NDJSON {"key","value","headers","timestamp","partition"}' })
      .option('key-separator', { alias: 'K', type: 'string', describe: 'text: split each line at the first SEP into key and value' })
      .option('header', { alias: 'H', type: 'string', array: true, describe: 'Add header KEY=VALUE to every record (repeatable)' })
      .option('partition', { alias: 'p', type: 'string', describe: 'Write every record to this partition (default: by key, else one partition per batch)' })
      .option('acks', { choices: ['all', '-1', '0', '1'], default: 'all', describe: 'Acknowledgements to wait for' })
      .option('compression', { alias: 'z', choices: Object.keys(COMPRESSION), default: 'none', describe: 'Batch compression' })
      .option('idempotent', { type: 'boolean', default: false, describe: 'Idempotent producer (producer id and sequence numbers)' })
      .option('transactional-id', { type: 'string', describe: 'Write each batch in a transaction of this id' })
      .option('batch-size', { type: 'string', default: '1000', describe: 'Records per produce call' })
      .example('echo hello | $0 orders', 'one record, value "hello"')
      .example("$0 orders -K : <<< 'user1:clicked'", 'key "user1", value "clicked"')
      .example('$0 orders --input ndjson records.ndjson', 'keys, values, headers and timestamps from NDJSON')
      .example('$0 orders -H source=cli -z zstd --idempotent data.txt', 'headers, compression, idempotence')
      .parseAsync()
      .then(helpDone);
    const [topic, ...files] = words(a);
    if (topic === undefined) throw new UsageError('produce: give a topic');
    const partition = a.partition === undefined ? undefined : intFlag('partition', a.partition, 0, 2147483647);
    const batchSize = intFlag('batch-size', a.batchSize, 1, 1_000_000);
    const headers = Object.entries(keyValues('header', a.header)).map(([key, v]) => ({ key, value: Buffer.from(v) }));
    const sep = a.keySeparator;
    if (sep === '') throw new UsageError('--key-separator must not be empty');
    const opts = { acks: ACKS[a.acks]!, compression: COMPRESSION[a.compression]!, idempotent: a.idempotent, transactionalId: a.transactionalId };
    return withClient(a, async (client) => {
      const results: PartitionResult[] = [];
      let pending: ProducerRecord[] = [];
      let total = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        results.push(...(await produce(client, topic, pending, opts)));
        total += pending.length;
        pending = [];
      };
      const sources = files.length === 0 ? [{ name: 'stdin', stream: process.stdin }] : files.map((f) => ({ name: f, stream: createReadStream(f) }));
      for (const src of sources) {
        let n = 0;
        for await (const line of createInterface({ input: src.stream, crlfDelay: Infinity })) {
          n++;
          if (a.input === 'ndjson') {
            if (line.trim() === '') continue;
            const r = parseJsonRecord(line, `${src.name}:${n}`);
            pending.push({ key: r.key, value: r.value, headers: [...headers, ...r.headers], timestamp: r.timestamp, partition: partition ?? r.partition });
          } else {
            const i = sep === undefined ? -1 : line.indexOf(sep);
            if (sep !== undefined && i < 0) throw new UsageError(`${src.name}:${n}: no key separator '${sep}' in the line`);
            pending.push({ key: i < 0 ? null : Buffer.from(line.slice(0, i)), value: Buffer.from(i < 0 ? line : line.slice(i + sep!.length)), headers, partition });
          }
          if (pending.length >= batchSize) await flush();
        }
      }
      await flush();
      const byPartition = new Map<number, { partition: number; baseOffset: number; count: number }>();
      for (const r of results) {
        const seen = byPartition.get(r.partition);
        if (seen === undefined) byPartition.set(r.partition, { ...r });
        else seen.count += r.count;
      }
      const partitions = [...byPartition.values()].sort((x, y) => x.partition - y.partition);
      if (a.json) json({ topic, records: total, partitions });
      else process.stderr.write(`Produced ${total} record${total === 1 ? '' : 's'} to ${topic}${partitions.length === 1 ? ` partition ${partitions[0]!.partition} from offset ${partitions[0]!.baseOffset}` : ` (${partitions.length} partitions)`}.\n`);
      return EXIT.OK;
    });
  });
}
