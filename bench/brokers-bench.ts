/**
 * Several brokers in one process: produce throughput of Kafka's ProducerPerformance (acks=all,
 * 1 KiB records, uncompressed) against `minikafka start` with one broker (replication factor 1) and
 * with `--brokers 3` (replication factor 3, min.insync.replicas 2), a 3-partition topic each, so
 * the producer talks to three leaders instead of one. Replication is simulated (one copy of each
 * log), so the figure shows what the extra brokers, connections and ISR checks cost, not copying.
 * minikafka only: a 3-broker Apache Kafka cluster is out of this bench's reach on a 2-core machine.
 */
import { createTopics, startMiniKafka } from './brokers.js';
import { producerPerformance } from './java-tools.js';
import type { JavaTools } from './java-tools.js';
import { stat } from './stats.js';

export interface BrokersBenchResult {
  readonly records: number;
  /** records/s per run, by broker count. */
  readonly recordsPerSec: Readonly<Record<'1' | '3', number[]>>;
}

export async function runBrokersBench(o: { java: JavaTools; payloadFile: string; records: number; runs: number; log: (m: string) => void }): Promise<BrokersBenchResult> {
  const recordsPerSec: Record<'1' | '3', number[]> = { '1': [], '3': [] };
  for (let run = 0; run < o.runs; run++) {
    for (const n of [1, 3] as const) {
      o.log(`brokers: ${n} broker(s), run ${run + 1}/${o.runs}`);
      const { broker } = await startMiniKafka(n === 1 ? [] : ['--brokers', '3', '--config', 'min.insync.replicas=2']);
      try {
        await createTopics(broker.bootstrap.split(',')[0]!, [{ name: 'brokers-bench', partitions: 3, replicationFactor: n }]);
        const r = await producerPerformance(o.java, { bootstrap: broker.bootstrap, topic: 'brokers-bench', records: o.records, payloadFile: o.payloadFile, compression: 'none', signal: broker.signal });
        recordsPerSec[String(n) as '1' | '3'].push(r.recordsPerSec);
      } finally {
        await broker.stop();
      }
    }
  }
  return { records: o.records, recordsPerSec };
}

export function formatBrokersBench(r: BrokersBenchResult): string {
  const median = (xs: number[]) => stat('records/s', 'records/s', xs).median;
  const one = median(r.recordsPerSec['1']);
  const three = median(r.recordsPerSec['3']);
  return (
    `| brokers | replication factor | records/s (median of ${r.recordsPerSec['1'].length}) | vs 1 broker |\n| --- | --- | --- | --- |\n` +
    `| 1 | 1 | ${one.toFixed(0)} | 1.00 |\n| 3 | 3 (min.insync.replicas 2) | ${three.toFixed(0)} | ${(three / one).toFixed(2)} |`
  );
}
