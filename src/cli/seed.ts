/**
 * `minikafka start --seed FILE`: NDJSON records (record-json.ts; `topic` required on each line)
 * produced into the new broker before its ready line. A topic that does not exist is created with
 * as many partitions as the file names (at least the broker's num.partitions); records keep the
 * file's order within each partition, and their timestamps, keys, values and headers.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';
import { parseJsonRecord } from './record-json.js';
import type { ParsedRecord } from './record-json.js';
import { KafkaClient } from '../client/client.js';
import { createTopics } from '../client/admin.js';
import { produce } from '../client/producer.js';
import { KafkaResponseError } from '../client/errors.js';

export type Seed = Map<string, ParsedRecord[]>;

export async function readSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--seed ${path}: ${(e as Error).message}`);
  }
  const seed: Seed = new Map();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseJsonRecord(line, `${path}:${i + 1}`);
    if (r.topic === undefined) throw new UsageError(`${path}:${i + 1}: every seed record needs a "topic"`);
    let list = seed.get(r.topic);
    if (list === undefined) seed.set(r.topic, (list = []));
    list.push(r);
  });
  return seed;
}

export async function applySeed(bootstrapServers: string, seed: Seed, numPartitions: number): Promise<number> {
  const client = await KafkaClient.connect({ bootstrapServers, clientId: 'minikafka-seed' });
  let n = 0;
  try {
    for (const [topic, records] of seed) {
      const needed = Math.max(numPartitions, ...records.map((r) => (r.partition ?? -1) + 1));
      try {
        await createTopics(client, [{ name: topic, partitions: needed }]);
      } catch (e) {
        if (!(e instanceof KafkaResponseError && e.errorName === 'TOPIC_ALREADY_EXISTS')) throw e;
        const have = (await client.topic(topic)).partitions.length;
        if (have < needed) throw new UsageError(`--seed: topic ${topic} has ${have} partitions, the seed file writes to partition ${needed - 1}`);
      }
      await produce(client, topic, records, { acks: -1 });
      n += records.length;
    }
  } finally {
    client.close();
  }
  return n;
}
