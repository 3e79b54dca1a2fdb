/**
 * Share groups (KIP-932): consume throughput of Kafka's own ShareConsumerPerformance (kafka-tools,
 * KafkaShareConsumer, implicit acknowledgement, every other setting its default) against both
 * brokers. Per broker start: a 3-partition topic filled with ProducerPerformance (1 KiB records,
 * acks=all), then one share group read by 1 share consumer and another by 3 (--threads), each from
 * the start of the topic (the group's share.auto.offset.reset set to earliest first, as a GROUP
 * config: a share group starts at the end by default) until it has every record, after a warm-up
 * read of a fifth of them by a third group. Kafka 4.4 finalizes share.version at format, so its
 * share groups need no extra config.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTopics, procCpuSeconds, startKafka, startMiniKafka } from './brokers.js';
import type { BrokerKind, RunningBroker } from './brokers.js';
import { producerPerformance } from './java-tools.js';
import type { JavaTools } from './java-tools.js';
import { Samples } from './stats.js';
import type { Section } from './stats.js';
import { WireClient } from '../test/helpers/wire-client.js';
import { setGroupConfigs } from '../test/helpers/share.js';

const TOPIC = 'share-bench';
const PARTITIONS = 3;
const CONSUMERS = [1, 3] as const;

export interface SharePerfResult {
  readonly records: number;
  /** nMsg.sec: records over the tool's whole run (group join included), as the tool reports it. */
  readonly recordsPerSec: number;
  readonly fetchMs: number;
}

/** ShareConsumerPerformance until `records` records; throws when it read fewer or logged an error. */
export function shareConsumerPerformance(t: JavaTools, o: { bootstrap: string; topic: string; records: number; group: string; threads: number; signal?: AbortSignal }): Promise<SharePerfResult> {
  const what = `ShareConsumerPerformance (${o.group})`;
  const args = ['-cp', t.classpath, 'org.apache.kafka.tools.ShareConsumerPerformance', '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--num-records', String(o.records), '--group', o.group, '--threads', String(o.threads), '--timeout', '60000', '--reporting-interval', '600000'];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], signal: o.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    child.once('error', (e) => reject(new Error(`${what}: ${e.message}`)));
    child.once('exit', (code) => {
      const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
      const h = lines.findIndex((l) => l.startsWith('start.time'));
      const warning = lines.find((l) => l.startsWith('WARNING'));
      if (code !== 0 || h < 0 || warning !== undefined) {
        reject(new Error(`${what} exited ${code}: ${warning ?? ''}\n${(stderr || stdout).trimEnd().split('\n').slice(-10).join('\n')}`));
        return;
      }
      // start.time, end.time, data.consumed.in.MB, MB.sec, nMsg.sec, data.consumed.in.nMsg, fetch.time.ms
      const names = lines[h]!.split(',').map((s) => s.trim());
      const values = lines[h + 1]!.split(',').map((s) => s.trim());
      const get = (name: string): number => {
        const v = Number(values[names.indexOf(name)]);
        if (!Number.isFinite(v)) throw new Error(`${what}: no ${name} in its summary:\n${stdout.slice(-1000)}`);
        return v;
      };
      try {
        const records = get('data.consumed.in.nMsg');
        if (records < o.records) throw new Error(`${what}: read ${records} of ${o.records} records`);
        resolve({ records, recordsPerSec: get('nMsg.sec'), fetchMs: get('fetch.time.ms') });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

async function startBroker(kind: BrokerKind, workDir: string): Promise<RunningBroker> {
  return kind === 'minikafka' ? (await startMiniKafka()).broker : (await startKafka(join(workDir, 'kafka-share'))).broker;
}

export async function runShareBench(o: { java: JavaTools; brokers: readonly BrokerKind[]; workDir: string; payloadFile: string; records: number; runs: number; log: (m: string) => void }): Promise<Section> {
  const samples = new Samples();
  for (let run = 0; run < o.runs; run++) {
    for (const kind of o.brokers) {
      o.log(`share: ${kind}, run ${run + 1}/${o.runs}`);
      const broker = await startBroker(kind, o.workDir);
      try {
        await createTopics(broker.bootstrap, [{ name: TOPIC, partitions: PARTITIONS }]);
        await producerPerformance(o.java, { bootstrap: broker.bootstrap, topic: TOPIC, records: o.records, payloadFile: o.payloadFile, compression: 'none', signal: broker.signal });
        // A throwaway group reads a fifth of the records first, so that neither broker's JIT
        // (the JVM's, V8's) is warmed by the first measured read at the expense of that read.
        for (const n of [0, ...CONSUMERS]) {
          const group = n === 0 ? 'share-bench-warmup' : `share-bench-${n}`;
          const c = await WireClient.connect(broker.bootstrap);
          try {
            const err = await setGroupConfigs(c, group, { 'share.auto.offset.reset': 'earliest' });
            if (err !== 0) throw new Error(`share bench: setting ${group}'s share.auto.offset.reset failed with error ${err}`);
          } finally {
            c.close();
          }
          const cpu0 = await procCpuSeconds(broker.pid);
          const r = await shareConsumerPerformance(o.java, { bootstrap: broker.bootstrap, topic: TOPIC, records: n === 0 ? Math.ceil(o.records / 5) : o.records, group, threads: Math.max(n, 1), signal: broker.signal });
          if (n === 0) continue;
          const cpu = (await procCpuSeconds(broker.pid)) - cpu0;
          broker.assertAlive();
          samples.add(kind, `${n} share consumer${n > 1 ? 's' : ''}: throughput`, 'records/s', r.recordsPerSec);
          samples.add(kind, `${n} share consumer${n > 1 ? 's' : ''}: broker CPU per 100k records`, 's', (cpu * 100_000) / r.records);
        }
      } finally {
        await broker.stop();
      }
    }
  }
  return {
    id: 'share',
    title: `Share groups: ShareConsumerPerformance, ${o.records.toLocaleString('en')} records of 1 KiB, ${PARTITIONS} partitions`,
    notes: [
      'records/s: nMsg.sec of Kafka\'s ShareConsumerPerformance (implicit acknowledgement), from its start to the last record, the share-group join included. ' +
        'Broker CPU: user + system seconds of the broker process during the tool\'s run, per 100,000 records.',
    ],
    measures: samples.measures(),
    targets: [],
  };
}
