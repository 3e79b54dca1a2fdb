/**
 * `npm run bench:tls`: produce throughput over SSL against PLAINTEXT on the same machine, with
 * Kafka's own ProducerPerformance (acks=all, 1 KiB records, no compression) against the minikafka
 * CLI started with `--listener SSL://127.0.0.1:0` (the throwaway CA; the client trusts it through
 * the ready line's PKCS12 truststore) and with a PLAINTEXT listener. Runs alternate the two; the
 * figures are medians with min and max. Prints a markdown table; needs bench/kafka/setup.sh's
 * classpath (Apache Kafka's client tools from Maven Central).
 *
 *   npm run build && node dist/bench/tls-bench.js [--records N] [--runs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTopics, kafkaClasspath, startMiniKafka, stopAll } from './brokers.js';
import { prepareJavaTools, producerPerformance } from './java-tools.js';
import { writePayloadFile } from './payload.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
const records = Number(values.records);
const runs = Number(values.runs);
const workDir = await mkdtemp(join(tmpdir(), 'minikafka-tls-bench-'));
try {
  const java = await prepareJavaTools(await kafkaClasspath(), workDir);
  const payloadFile = join(workDir, 'payload.txt');
  await writePayloadFile(payloadFile, 1024);
  const results: Record<'PLAINTEXT' | 'SSL', number[]> = { PLAINTEXT: [], SSL: [] };
  for (let run = 0; run < runs; run++) {
    for (const protocol of ['PLAINTEXT', 'SSL'] as const) {
      const started = await startMiniKafka(protocol === 'SSL' ? ['--listener', 'SSL://127.0.0.1:0'] : []);
      try {
        const r = started.ready;
        const tls = protocol === 'SSL' ? ['security.protocol=SSL', `ssl.truststore.location=${r.truststore}`, `ssl.truststore.password=${r.truststorePassword}`, 'ssl.truststore.type=PKCS12'] : [];
        // The topic is made through a PLAINTEXT admin only for the PLAINTEXT broker; the SSL one auto-creates it (1 partition).
        if (protocol === 'PLAINTEXT') await createTopics(r.bootstrapServers, [{ name: 'tls-bench', partitions: 1 }]);
        const out = await producerPerformance(java, { bootstrap: r.bootstrapServers, topic: 'tls-bench', records, payloadFile, compression: 'none', properties: tls });
        results[protocol].push(out.mibPerSec);
        process.stderr.write(`run ${run + 1} ${protocol}: ${out.mibPerSec.toFixed(1)} MB/s\n`);
      } finally {
        await started.broker.stop();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => `${median(xs).toFixed(1)} MB/s (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  console.log(`| produce, 1 producer, 1 KiB, acks=all (${records} records, ${runs} runs) | PLAINTEXT | SSL | SSL / PLAINTEXT |`);
  console.log('|---|---|---|---|');
  console.log(`| minikafka | ${fmt(results.PLAINTEXT)} | ${fmt(results.SSL)} | ${(median(results.SSL) / median(results.PLAINTEXT)).toFixed(2)} |`);
} finally {
  await stopAll();
  await rm(workDir, { recursive: true, force: true });
}
