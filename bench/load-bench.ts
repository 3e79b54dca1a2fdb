/**
 * Scenarios 3 (produce), 4 (consume), 5 (latency) and the second half of 2 (peak memory under load).
 *
 * Every repetition starts each broker afresh, warms it (the JVM's JIT and V8's alike) with a
 * discarded produce and consume, resets its peak-RSS mark, and then, for each producer count and
 * codec: creates a 4-partition topic, produces `records` 1 KiB records with ProducerPerformance
 * (acks=all; with 4 producers, 4 JVMs at once, each a quarter of the records, their rates summed),
 * reads them all back from earliest with ConsumerPerformance, and deletes the topic, so that the
 * in-memory broker holds one configuration's data at a time. The Node client does the same once,
 * uncompressed. The peak RSS is read after that; the latency run comes last, on a 1-partition topic.
 * Repetitions alternate the brokers, so slow drift of the machine falls on both.
 */
import { join } from 'node:path';
import { createTopics, deleteTopics, procCpuSeconds, procMemory, resetPeakRss, startKafka, startMiniKafka } from './brokers.js';
import type { BrokerKind, RunningBroker } from './brokers.js';
import { consumerPerformance, fixedRateLatency, producerPerformance } from './java-tools.js';
import type { JavaTools } from './java-tools.js';
import { nodeConsume, nodeProduce } from './node-client.js';
import { Samples } from './stats.js';

export interface ProduceConfig {
  readonly producers: number;
  readonly compression: 'none' | 'lz4';
}

export interface LoadOptions {
  readonly runs: number;
  readonly brokers: readonly BrokerKind[];
  readonly java: JavaTools;
  readonly workDir: string;
  readonly payloadFile: string;
  readonly recordSize: number;
  /** Produce and consume (and the peak RSS they cause); else only latency. */
  readonly throughput: boolean;
  readonly latency: boolean;
  readonly configs: readonly ProduceConfig[];
  /** Records per configuration, split over its producers. */
  readonly records: number;
  readonly warmupRecords: number;
  readonly nodeRecords: number;
  readonly partitions: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly latencyWarmupSeconds: number;
  readonly log: (msg: string) => void;
}

export interface LoadResult {
  readonly produce: Samples;
  readonly consume: Samples;
  readonly peakMemory: Samples;
  readonly latency: Samples;
}

export const PEAK_RSS = 'peak RSS during produce and consume';

export function configLabel(c: ProduceConfig): string {
  return `${c.producers} producer${c.producers === 1 ? '' : 's'}, ${c.compression}`;
}

export async function startBroker(kind: BrokerKind, workDir: string, name: string): Promise<RunningBroker> {
  return kind === 'minikafka' ? (await startMiniKafka()).broker : (await startKafka(join(workDir, name))).broker;
}

export async function runLoadBench(o: LoadOptions): Promise<LoadResult> {
  const r: LoadResult = { produce: new Samples(), consume: new Samples(), peakMemory: new Samples(), latency: new Samples() };
  for (let rep = 1; rep <= o.runs; rep++) {
    for (const kind of o.brokers) {
      o.log(`load run ${rep}/${o.runs}: ${kind}`);
      const broker = await startBroker(kind, o.workDir, 'kafka-load');
      try {
        if (o.throughput) await throughputRun(o, broker, rep, r);
        if (o.latency) await latencyRun(o, broker, rep, r);
        broker.assertAlive();
      } finally {
        await broker.stop();
      }
    }
  }
  return r;
}

async function throughputRun(o: LoadOptions, broker: RunningBroker, rep: number, r: LoadResult): Promise<void> {
  const b = broker.bootstrap;
  const kind = broker.kind;
  const signal = broker.signal;
  const topicOf = (name: string) => ({ name, partitions: o.partitions });

  if (o.warmupRecords > 0) {
    const warm = `bench-warmup-r${rep}`;
    await createTopics(b, [topicOf(warm)]);
    await producerPerformance(o.java, { bootstrap: b, topic: warm, records: o.warmupRecords, payloadFile: o.payloadFile, compression: 'none', signal });
    await consumerPerformance(o.java, { bootstrap: b, topic: warm, records: o.warmupRecords, group: `${warm}-g`, signal });
    await deleteTopics(b, [warm]);
  }
  await resetPeakRss(broker.pid);

  for (const c of o.configs) {
    const label = configLabel(c);
    const topic = `bench-produce-${c.producers}p-${c.compression}-r${rep}`;
    await createTopics(b, [topicOf(topic)]);
    const per = Math.floor(o.records / c.producers);
    let cpu0 = await procCpuSeconds(broker.pid);
    const results = await Promise.all(
      Array.from({ length: c.producers }, (_, i) =>
        producerPerformance(o.java, { bootstrap: b, topic, records: per + (i === 0 ? o.records - per * c.producers : 0), payloadFile: o.payloadFile, compression: c.compression, signal }),
      ),
    );
    r.produce.add(kind, `ProducerPerformance ${label}`, 'records/s', results.reduce((n, x) => n + x.recordsPerSec, 0));
    r.produce.add(kind, `ProducerPerformance ${label}`, 'MiB/s', results.reduce((n, x) => n + x.mibPerSec, 0));
    r.produce.add(kind, `ProducerPerformance ${label}: avg ack latency`, 'ms', results.reduce((n, x) => n + x.avgLatencyMs, 0) / results.length);
    r.produce.add(kind, `ProducerPerformance ${label}: broker CPU time`, 's', (await procCpuSeconds(broker.pid)) - cpu0);
    broker.assertAlive();

    cpu0 = await procCpuSeconds(broker.pid);
    const cr = await consumerPerformance(o.java, { bootstrap: b, topic, records: o.records, group: `${topic}-g`, signal });
    const cpu = (await procCpuSeconds(broker.pid)) - cpu0;
    r.consume.add(kind, `ConsumerPerformance, written by ${label}`, 'MiB/s', cr.fetchMibPerSec);
    r.consume.add(kind, `ConsumerPerformance, written by ${label}`, 'records/s', cr.fetchRecordsPerSec);
    r.consume.add(kind, `ConsumerPerformance, written by ${label}: broker CPU time`, 's', cpu);
    r.consume.add(kind, 'ConsumerPerformance: group join (rebalance.time.ms)', 'ms', cr.rebalanceMs);
    await deleteTopics(b, [topic]);
    o.log(`  ${label}: produce ${results.reduce((n, x) => n + x.mibPerSec, 0).toFixed(1)} MiB/s, consume ${cr.fetchMibPerSec.toFixed(1)} MiB/s`);
  }

  if (o.nodeRecords > 0) {
    const topic = `bench-node-r${rep}`;
    await createTopics(b, [topicOf(topic)]);
    const producer = 'Node client (@platformatic/kafka) 1 producer, none';
    let cpu0 = await procCpuSeconds(broker.pid);
    const p = await nodeProduce({ bootstrap: b, topic, partitions: o.partitions, records: o.nodeRecords, payloadFile: o.payloadFile, compression: 'none', signal });
    r.produce.add(kind, producer, 'records/s', p.recordsPerSec);
    r.produce.add(kind, producer, 'MiB/s', p.mibPerSec);
    r.produce.add(kind, `${producer}: broker CPU time`, 's', (await procCpuSeconds(broker.pid)) - cpu0);
    // The client's warm-up send puts one record more in the topic.
    cpu0 = await procCpuSeconds(broker.pid);
    const c = await nodeConsume({ bootstrap: b, topic, records: o.nodeRecords + 1, signal });
    const consumer = 'Node client (@platformatic/kafka)';
    r.consume.add(kind, consumer, 'MiB/s', c.mibPerSec);
    r.consume.add(kind, `${consumer}: broker CPU time`, 's', (await procCpuSeconds(broker.pid)) - cpu0);
    r.consume.add(kind, `${consumer}: group join`, 'ms', c.joinMs ?? NaN);
    await deleteTopics(b, [topic]);
    o.log(`  Node client: produce ${p.mibPerSec.toFixed(1)} MiB/s, consume ${c.mibPerSec.toFixed(1)} MiB/s`);
  }
  broker.assertAlive();
  r.peakMemory.add(kind, PEAK_RSS, 'MiB', (await procMemory(broker.pid)).hwmMiB);
}

async function latencyRun(o: LoadOptions, broker: RunningBroker, rep: number, r: LoadResult): Promise<void> {
  const topic = `bench-latency-r${rep}`;
  await createTopics(broker.bootstrap, [{ name: topic, partitions: 1 }]);
  const l = await fixedRateLatency(o.java, {
    bootstrap: broker.bootstrap, topic, rate: o.latencyRate, seconds: o.latencySeconds, warmupSeconds: o.latencyWarmupSeconds, recordSize: o.recordSize, signal: broker.signal,
  });
  const at = `at ${o.latencyRate} records/s`;
  r.latency.add(broker.kind, `p50 ${at}`, 'ms', l.p50Ms);
  r.latency.add(broker.kind, `p99 ${at}`, 'ms', l.p99Ms);
  r.latency.add(broker.kind, `p99.9 ${at}`, 'ms', l.p999Ms);
  r.latency.add(broker.kind, `max ${at}`, 'ms', l.maxMs);
  await deleteTopics(broker.bootstrap, [topic]);
  o.log(`  latency: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, p99.9 ${l.p999Ms.toFixed(2)} ms (${l.records} records)`);
}
