/**
 * `npm run bench:tls`: produce and consume throughput over SSL against PLAINTEXT, on minikafka and
 * on Apache Kafka (bench/kafka/, the version of its pom.xml) on the same machine, with Kafka's own
 * ProducerPerformance (acks=all, 1 KiB records, no compression) and ConsumerPerformance (a new
 * group from the earliest offset; fetch MB/s, which leaves the group join out).
 *
 * Both brokers listen on a PLAINTEXT and an SSL listener at once and offer the same server
 * certificate (ECDSA P-256, from a CA made here with minikafka's certificate code): minikafka via
 * `--config ssl.keystore.type=PEM --config ssl.keystore.location=...`, Kafka via the same two
 * configs in server.properties. The Java clients trust the CA through a PKCS12 truststore and keep
 * Kafka's default hostname verification. Each run starts each broker afresh; within a run, a topic
 * per protocol is produced then consumed, the protocols' order alternating between runs. Figures
 * are medians with min and max; besides throughput (wall time, which a loaded machine skews), the
 * broker process's CPU time per MiB moved (user + system, from /proc), which load skews far less.
 * Prints a markdown table and the load average; needs
 * bench/kafka/setup.sh's classpath (Apache Kafka's jars from Maven Central) and a JDK.
 *
 *   npm run build && node dist/bench/tls-bench.js [--records N] [--runs N]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTopics, freePort, procCpuSeconds, kafkaClasspath, kafkaVersion, startKafka, startMiniKafka, stopAll } from './brokers.js';
import { consumerPerformance, prepareJavaTools, producerPerformance, type JavaTools } from './java-tools.js';
import { writePayloadFile } from './payload.js';
import { createCertificateAuthority, issueServerCertificate } from '../src/server/security/tls/certificates.js';
import { pkcs12Truststore } from '../src/server/security/tls/truststore.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
const records = Number(values.records);
const runs = Number(values.runs);
const PROTOCOLS = ['PLAINTEXT', 'SSL'] as const;
type Protocol = (typeof PROTOCOLS)[number];
type Measure = 'produce' | 'consume' | 'produceCpu' | 'consumeCpu';
type Figures = Record<Measure, Record<Protocol, number[]>>;
const figures = (): Figures => ({
  produce: { PLAINTEXT: [], SSL: [] },
  consume: { PLAINTEXT: [], SSL: [] },
  produceCpu: { PLAINTEXT: [], SSL: [] },
  consumeCpu: { PLAINTEXT: [], SSL: [] },
});

const workDir = await mkdtemp(join(tmpdir(), 'minikafka-tls-bench-'));
const loadBefore = loadavg();
try {
  const java = await prepareJavaTools(await kafkaClasspath(), workDir);
  const payloadFile = join(workDir, 'payload.txt');
  await writePayloadFile(payloadFile, 1024);

  const ca = createCertificateAuthority({ commonName: 'tls-bench CA' });
  const server = issueServerCertificate(ca, ['127.0.0.1', 'localhost']);
  const keystore = join(workDir, 'server.pem');
  await writeFile(keystore, `${server.keyPem}\n${server.certPem}`);
  const truststore = join(workDir, 'truststore.p12');
  const truststorePassword = 'tls-bench';
  await writeFile(truststore, pkcs12Truststore([{ alias: 'ca', pem: ca.certPem }], truststorePassword));
  const clientSsl = ['security.protocol=SSL', `ssl.truststore.location=${truststore}`, `ssl.truststore.password=${truststorePassword}`, 'ssl.truststore.type=PKCS12'];
  const keystoreConfigs = { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': keystore };

  /** Produces then consumes one topic per protocol on a running broker; order alternates by run. */
  async function measure(into: Figures, label: string, run: number, pid: number, admin: string, bootstrap: Record<Protocol, string>): Promise<void> {
    const order = run % 2 === 0 ? PROTOCOLS : [...PROTOCOLS].reverse();
    await createTopics(admin, PROTOCOLS.map((p) => ({ name: `tls-bench-${p}`, partitions: 1 })));
    for (const protocol of order) {
      const properties = protocol === 'SSL' ? clientSsl : [];
      const topic = `tls-bench-${protocol}`;
      const cpu0 = await procCpuSeconds(pid);
      const p = await producerPerformance(java, { bootstrap: bootstrap[protocol], topic, records, payloadFile, compression: 'none', properties });
      const cpu1 = await procCpuSeconds(pid);
      const c = await consumerPerformance(java as JavaTools, { bootstrap: bootstrap[protocol], topic, records, group: `tls-bench-${protocol}-${run}`, properties });
      const cpu2 = await procCpuSeconds(pid);
      const mib = (records * 1024) / 2 ** 20;
      into.produce[protocol].push(p.mibPerSec);
      into.consume[protocol].push(c.fetchMibPerSec);
      into.produceCpu[protocol].push(((cpu1 - cpu0) * 1000) / mib);
      into.consumeCpu[protocol].push(((cpu2 - cpu1) * 1000) / mib);
      process.stderr.write(`run ${run + 1} ${label} ${protocol}: produce ${p.mibPerSec.toFixed(1)} MB/s (${(cpu1 - cpu0).toFixed(1)} s CPU), consume ${c.fetchMibPerSec.toFixed(1)} MB/s (${(cpu2 - cpu1).toFixed(1)} s CPU)\n`);
    }
  }

  const mini = figures();
  const kafka = figures();
  for (let run = 0; run < runs; run++) {
    const started = await startMiniKafka([
      '--listener', 'PLAINTEXT://127.0.0.1:0', '--listener', 'SSL://127.0.0.1:0',
      ...Object.entries(keystoreConfigs).flatMap(([k, v]) => ['--config', `${k}=${v}`]),
    ]);
    try {
      const listeners = (started.ready as unknown as { listeners: { name: string; bootstrapServers: string }[] }).listeners;
      const of = (name: string) => listeners.find((l) => l.name === name)!.bootstrapServers;
      await measure(mini, 'minikafka', run, started.broker.pid, of('PLAINTEXT'), { PLAINTEXT: of('PLAINTEXT'), SSL: of('SSL') });
    } finally {
      await started.broker.stop();
    }
    const sslPort = await freePort();
    const k = await startKafka(join(workDir, 'kafka'), {
      KAFKA_SSL_PORT: String(sslPort),
      KAFKA_EXTRA_PROPS: Object.entries(keystoreConfigs).map(([key, v]) => `${key}=${v}`).join('\n'),
    });
    try {
      await measure(kafka, 'kafka', run, k.broker.pid, k.broker.bootstrap, { PLAINTEXT: k.broker.bootstrap, SSL: `127.0.0.1:${sslPort}` });
    } finally {
      await k.broker.stop();
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[], unit: string) => `${median(xs).toFixed(1)} ${unit} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  const version = await kafkaVersion();
  console.log(`| 1 KiB records, ${records} per run, ${runs} runs | PLAINTEXT | SSL | SSL / PLAINTEXT |`);
  console.log('|---|---|---|---|');
  for (const [name, f] of [['minikafka', mini], [`Apache Kafka ${version}`, kafka]] as const) {
    const rows: [Measure, string, string][] = [
      ['produce', 'produce (ProducerPerformance, acks=all)', 'MB/s'],
      ['consume', 'consume (ConsumerPerformance, fetch MB/s)', 'MB/s'],
      ['produceCpu', 'broker CPU per MiB produced', 'ms'],
      ['consumeCpu', 'broker CPU per MiB consumed', 'ms'],
    ];
    for (const [what, label, unit] of rows) {
      console.log(`| ${name}, ${label} | ${fmt(f[what].PLAINTEXT, unit)} | ${fmt(f[what].SSL, unit)} | ${(median(f[what].SSL) / median(f[what].PLAINTEXT)).toFixed(2)} |`);
    }
  }
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`\nload average: ${fmtLoad(loadBefore)} at the start, ${fmtLoad(loadavg())} at the end`);
} finally {
  await stopAll();
  await rm(workDir, { recursive: true, force: true });
}
