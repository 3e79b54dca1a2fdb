/**
 * Scenario 6, scale: many partitions and many connections. Each repetition starts the broker afresh,
 * creates `topics` topics of `partitions` partitions, opens `connections` producers of the Node
 * client (one connection each, checked in /proc/net/tcp), leaves them idle, then has them all
 * produce 1 KiB records (acks=all, one 16-record send in flight per producer) across every
 * partition. RSS is read at each step; the peak is the VmHWM over the producing phase.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createTopics, establishedConnections, procCpuSeconds, procMemory, resetPeakRss } from './brokers.js';
import type { BrokerKind } from './brokers.js';
import { startBroker } from './load-bench.js';
import { nodeScale } from './node-client.js';
import { Samples } from './stats.js';

export interface ScaleOptions {
  readonly runs: number;
  readonly brokers: readonly BrokerKind[];
  readonly workDir: string;
  readonly payloadFile: string;
  readonly topics: number;
  readonly partitions: number;
  readonly connections: number;
  readonly records: number;
  readonly idleMs: number;
  readonly log: (msg: string) => void;
}

export async function runScaleBench(o: ScaleOptions): Promise<Samples> {
  const s = new Samples();
  const parts = `${(o.topics * o.partitions).toLocaleString('en')} partitions`;
  for (let rep = 1; rep <= o.runs; rep++) {
    for (const kind of o.brokers) {
      o.log(`scale run ${rep}/${o.runs}: ${kind}`);
      const broker = await startBroker(kind, o.workDir, 'kafka-scale');
      try {
        const prefix = `bench-scale-r${rep}-`;
        await createTopics(broker.bootstrap, Array.from({ length: o.topics }, (_, i) => ({ name: `${prefix}${i}`, partitions: o.partitions })));
        s.add(kind, `RSS with ${parts}, no clients`, 'MiB', (await procMemory(broker.pid)).rssMiB);
        let cpu0 = 0;
        const rate = await nodeScale(
          { bootstrap: broker.bootstrap, topicPrefix: prefix, topics: o.topics, partitions: o.partitions, connections: o.connections, records: o.records, payloadFile: o.payloadFile, signal: broker.signal },
          async () => {
            await sleep(o.idleMs);
            const open = await establishedConnections(broker.port);
            if (open < o.connections) throw new Error(`${kind}: ${open} connections established, expected at least ${o.connections}`);
            broker.assertAlive();
            s.add(kind, `RSS with ${parts} and ${o.connections} idle connections`, 'MiB', (await procMemory(broker.pid)).rssMiB);
            await resetPeakRss(broker.pid);
            cpu0 = await procCpuSeconds(broker.pid);
          },
        );
        const cpu = (await procCpuSeconds(broker.pid)) - cpu0;
        broker.assertAlive();
        s.add(kind, `peak RSS while ${o.connections} connections produce`, 'MiB', (await procMemory(broker.pid)).hwmMiB);
        s.add(kind, `produce, ${o.connections} connections over ${parts}`, 'records/s', rate.recordsPerSec);
        s.add(kind, `produce, ${o.connections} connections over ${parts}`, 'MiB/s', rate.mibPerSec);
        s.add(kind, `produce, ${o.connections} connections over ${parts}: broker CPU time`, 's', cpu);
        o.log(`  ${o.connections} connections: ${rate.mibPerSec.toFixed(1)} MiB/s`);
      } finally {
        await broker.stop();
      }
    }
  }
  return s;
}
