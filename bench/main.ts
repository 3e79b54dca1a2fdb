/**
 * `npm run bench`: minikafka against Apache Kafka on this machine, with the same clients, printed as
 * markdown (one table per scenario, both figures and their ratio, the issue's targets judged beside
 * them) and written as JSON to bench/results/, the figures the README quotes also to
 * bench/published/<date>.json (bench/published.ts). Figures are medians with min and max over runs, all
 * measured in this run; a figure that was not measured is shown as "–", never guessed.
 *
 *   npm run bench                          # everything, both brokers (the README gives the last quoted run's time)
 *   npm run bench -- --only produce,latency --runs 1 --no-kafka
 *   npm run bench -- --smoke               # tiny sizes, minikafka only: keeps the harness from rotting
 *
 * Progress goes to stderr. Exits non-zero when a broker does not start or a scenario fails; a missed
 * target is reported, not an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { kafkaClasspath, kafkaVersion, repoRoot, stopAll } from './brokers.js';
import type { BrokerKind } from './brokers.js';
import { prepareJavaTools } from './java-tools.js';
import { runLoadBench } from './load-bench.js';
import type { LoadResult, ProduceConfig } from './load-bench.js';
import { checkNodeClient } from './node-client.js';
import { writePayloadFile } from './payload.js';
import { formatRecordsBench, runRecordsBench } from './records-bench.js';
import { formatCompactionBench, runCompactionBench } from './compaction-bench.js';
import type { CompactionRow } from './compaction-bench.js';
import { formatRestartBench, runRestartBench } from './restart-bench.js';
import type { RestartResult } from './restart-bench.js';
import { formatResetBench, runResetBench } from './reset-bench.js';
import { checkNativeClients, runNativeBench } from './native-bench.js';
import type { ResetResult } from './reset-bench.js';
import { formatBrokersBench, runBrokersBench } from './brokers-bench.js';
import { runShareBench } from './share-bench.js';
import type { BrokersBenchResult } from './brokers-bench.js';
import type { Row } from './records-bench.js';
import { runScaleBench } from './scale-bench.js';
import { STARTUP, runStartupBench } from './startup-bench.js';
import type { StartupResult } from './startup-bench.js';
import { formatSection, ratio, targetOn, targetOnRatio } from './stats.js';
import { notQuotable, publishedRows } from './published.js';
import type { PublishedRun } from './published.js';
import type { Measure, Samples, Section, Target } from './stats.js';

const SCENARIOS = ['records', 'compaction', 'restart', 'reset', 'startup', 'memory', 'produce', 'native', 'consume', 'latency', 'scale', 'brokers', 'share'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: npm run bench -- [options]
  --only LIST      scenarios to run, comma-separated: ${SCENARIOS.join(', ')} (default: all)
  --no-kafka       minikafka only (ratios and ratio targets are then not checked)
  --runs N         repetitions per figure (default 3; startup runs minikafka max(N, 10) times)
  --records N      1 KiB records per produce configuration (default 100000)
  --smoke          minikafka-only pass with tiny sizes, one run (CI; prints its run time)
  --kafka          with --smoke: run Kafka too (checks the whole harness)
  --help`;

interface Sizes {
  runs: number;
  miniKafkaStartRuns: number;
  /** Wait after the first Metadata answer before reading idle RSS. */
  settleMs: number;
  recordsMiB: number;
  /** Durable-mode data written before the restart benchmark's restarts. */
  restartMiB: number;
  resetRounds: number;
  /** Bytes of record values per 1 KiB rdkafka_performance configuration (half for 100 B records). */
  nativeBytes: number;
  /** Records of the franz-go produce run (1 KiB). */
  franzRecords: number;
  /** Bytes received per receive-floor measure. */
  floorBytes: number;
  configs: ProduceConfig[];
  records: number;
  warmupRecords: number;
  nodeRecords: number;
  partitions: number;
  latencySeconds: number;
  /** Records/s the fixed-rate latency probe offers (FixedRateLatency fails below 90% of it). */
  latencyRate: number;
  latencyWarmupSeconds: number;
  scaleTopics: number;
  scalePartitions: number;
  scaleConnections: number;
  scaleRecords: number;
  scaleIdleMs: number;
}

const ALL_CONFIGS: ProduceConfig[] = [
  { producers: 1, compression: 'none' },
  { producers: 1, compression: 'lz4' },
  { producers: 4, compression: 'none' },
  { producers: 4, compression: 'lz4' },
];

const FULL: Sizes = {
  runs: 3,
  miniKafkaStartRuns: 10,
  settleMs: 1000,
  recordsMiB: 64,
  restartMiB: 1024,
  resetRounds: 500,
  nativeBytes: 1e9,
  franzRecords: 500_000,
  floorBytes: 1e9,
  configs: ALL_CONFIGS,
  records: 100_000,
  warmupRecords: 50_000,
  nodeRecords: 100_000,
  partitions: 4,
  latencySeconds: 15,
  latencyWarmupSeconds: 2,
  latencyRate: 5000,
  scaleTopics: 100,
  scalePartitions: 10,
  scaleConnections: 200,
  scaleRecords: 100_000,
  scaleIdleMs: 3000,
};

const SMOKE: Sizes = {
  runs: 1,
  miniKafkaStartRuns: 3,
  settleMs: 200,
  recordsMiB: 4,
  restartMiB: 16,
  resetRounds: 50,
  nativeBytes: 20e6,
  franzRecords: 20_000,
  floorBytes: 50e6,
  // Two JVMs for the multi-producer path; four would double the pass on a 2-core CI runner.
  configs: [ALL_CONFIGS[0]!, { producers: 2, compression: 'lz4' }],
  records: 4_000,
  warmupRecords: 0,
  nodeRecords: 2_000,
  partitions: 4,
  latencySeconds: 1,
  latencyWarmupSeconds: 0.5,
  // A tenth of the full rate: the smoke checks the harness, and on the loaded 2-core CI runner the
  // probe's JVM could not offer 5,000 records/s (2,288 seen), which failed the pass for the machine.
  latencyRate: 500,
  scaleTopics: 10,
  scalePartitions: 10,
  scaleConnections: 20,
  scaleRecords: 4_000,
  scaleIdleMs: 300,
};

const RECORD_SIZE = 1024;
const CPU_NOTE =
  'Broker CPU time: user + system seconds the broker process (all its threads) used during the run, from /proc/<pid>/stat. ' +
  'Clients and broker share the machine, so throughput is partly the clients\' and the machine\'s; CPU time is the broker\'s own cost.';

function parseOptions(): { sizes: Sizes; only: Set<Scenario>; kafka: boolean; smoke: boolean } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      'no-kafka': { type: 'boolean', default: false },
      kafka: { type: 'boolean', default: false },
      runs: { type: 'string' },
      records: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizes = { ...(values.smoke ? SMOKE : FULL) };
  const posInt = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${v}'`);
    return n;
  };
  const runs = posInt('runs', values.runs);
  if (runs !== undefined) {
    sizes.runs = runs;
    sizes.miniKafkaStartRuns = Math.max(runs, sizes.miniKafkaStartRuns);
  }
  sizes.records = posInt('records', values.records) ?? sizes.records;
  const only = new Set<Scenario>();
  for (const s of (values.only ?? SCENARIOS.join(',')).split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario '${s}' (${SCENARIOS.join(', ')})`);
    only.add(s as Scenario);
  }
  const kafka = values.smoke ? values.kafka : !values['no-kafka'];
  return { sizes, only, kafka, smoke: values.smoke };
}

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);

function find(ms: readonly Measure[], name: string, unit?: string): Measure | undefined {
  return ms.find((m) => m.name === name && (unit === undefined || m.unit === unit));
}

function section(id: string, title: string, notes: string[], measures: Measure[], targets: Target[]): Section {
  return { id, title, notes, measures, targets };
}

function startupSection(r: StartupResult): Section {
  const ms = r.startup.measures();
  const first = find(ms, STARTUP.firstMetadata);
  const rf = first ? ratio(first) : null;
  const faster: Target =
    rf === null
      ? { text: 'starts at least 20x faster than Kafka', met: null, detail: 'needs both brokers measured' }
      : { text: 'starts at least 20x faster than Kafka', met: 1 / rf >= 20, detail: `${(1 / rf).toFixed(1)}x faster to the first Metadata response` };
  return section(
    'startup',
    'Startup',
    [
      'minikafka: `node dist/cli.cjs start --port 0 --json`, spawn to the ready line and to the first Metadata answer (the client connects once the ready line is out). ' +
        'Kafka: broker JVM launch to the first Metadata answer, polled every 10 ms; its one-time `kafka-storage format` is not counted there but is in the start-script row.',
      ...(process.env.NODE_EXTRA_CA_CERTS
        ? ['This machine sets NODE_EXTRA_CA_CERTS, which Node reads at every start (tens of ms here); the bare-listener row shows what that leaves as the floor for any Node program.']
        : []),
    ],
    ms,
    [
      faster,
      targetOn('ready line under 150 ms', find(ms, STARTUP.readyLine)?.minikafka, (v) => v < 150, (v) => `${v.toFixed(1)} ms`),
      targetOn('in-process MiniKafka.start() under 10 ms', find(ms, STARTUP.inProcess)?.minikafka, (v) => v < 10, (v) => `${v.toFixed(2)} ms`),
    ],
  );
}

function memorySection(idle: Samples | null, load: LoadResult | null, sizes: Sizes): Section {
  const ms = [...(idle?.measures() ?? []), ...(load?.peakMemory.measures() ?? [])];
  const idleM = find(ms, STARTUP.idleRss);
  return section(
    'memory',
    'Memory',
    [
      `RSS of the broker process (/proc/<pid>/status; for Kafka the JVM, heap -Xms1g -Xmx1g as kafka-server-start.sh sets it). Idle: ${sizes.settleMs / 1000} s after the first Metadata answer. ` +
        `Peak: VmHWM over the produce and consume runs of one repetition, reset after the warm-up; minikafka holds the log in memory, so its peak grows with the ${sizes.records.toLocaleString('en')} records of one configuration, while Kafka's data sits in the page cache, outside its RSS.`,
    ],
    ms,
    [
      targetOnRatio('idle RSS at most 1/5 of Kafka\'s', idleM, (r) => r <= 0.2),
      targetOn('idle RSS under 60 MB (57.2 MiB)', idleM?.minikafka, (v) => v < 60e6 / 2 ** 20, (v) => `${v.toFixed(1)} MiB`),
    ],
  );
}

function throughputTargets(ms: readonly Measure[], unit: string): Target[] {
  return ms.filter((m) => m.unit === unit).map((m) => targetOnRatio(`${m.name}: at least Kafka's ${unit}`, m, (r) => r >= 1));
}

async function main(): Promise<void> {
  const { sizes, only, kafka, smoke } = parseOptions();
  const brokers: BrokerKind[] = kafka ? ['minikafka', 'kafka'] : ['minikafka'];
  const kafkaLabel = kafka ? `Kafka ${await kafkaVersion()}` : 'Kafka (not run)';
  const sections: Section[] = [];
  const printed: string[] = [];
  let records: Row[] | null = null;
  let compaction: CompactionRow[] | null = null;
  let restart: RestartResult | null = null;
  let reset: ResetResult | null = null;
  let multiBroker: BrokersBenchResult | null = null;
  const workDir = await mkdtemp(join(tmpdir(), 'minikafka-bench-'));
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const needLoad = only.has('produce') || only.has('consume') || only.has('latency') || only.has('memory');
  const needJava = needLoad || only.has('brokers') || only.has('share') || (kafka && (only.has('startup') || only.has('memory') || only.has('scale') || only.has('native')));
  const out = (text: string) => {
    printed.push(text);
    console.log(text + '\n');
  };
  log(`work dir ${workDir}; scenarios: ${[...only].join(', ')}; brokers: ${brokers.join(', ')}; runs: ${sizes.runs}`);

  try {
    if (only.has('produce') || only.has('consume') || only.has('scale') || only.has('memory')) checkNodeClient();
    // Before anything runs, so that a missing client does not end a long run halfway.
    if (only.has('native')) checkNativeClients();
    const classpath = needJava ? await kafkaClasspath() : '';
    const java = needLoad || only.has('brokers') || only.has('share') ? await prepareJavaTools(classpath, workDir) : null;
    const payloadFile = join(workDir, 'payload.txt');
    await writePayloadFile(payloadFile, RECORD_SIZE);

    out(
      `# minikafka vs ${kafkaLabel}\n\n` +
        `${startedAt.toISOString()}; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ` +
        `${javaVersion()}; 1-min load average at start ${loadBefore.toFixed(2)}${smoke ? '; SMOKE sizes, not figures to quote' : ''}.`,
    );

    // Startup first: the in-process benches after it write GiBs (restart), and the machine is
    // still flushing them for a while; start-up times are the figures most hurt by that.
    let idle: StartupResult | null = null;
    if (only.has('startup') || only.has('memory')) {
      log('startup');
      idle = await runStartupBench({ miniKafkaRuns: sizes.miniKafkaStartRuns, kafkaRuns: sizes.runs, kafka, workDir, settleMs: sizes.settleMs });
      if (only.has('startup')) {
        sections.push(startupSection(idle));
        out(formatSection(sections[sections.length - 1]!, kafkaLabel));
      }
    }

    if (only.has('records')) {
      log('records codec');
      records = await runRecordsBench({ totalBytes: sizes.recordsMiB * 2 ** 20 });
      out(`## Record batches (${sizes.recordsMiB} MiB of 1 KiB records, in process)\n\n${formatRecordsBench(records)}`);
    }

    if (only.has('compaction')) {
      log('compaction');
      compaction = await runCompactionBench({ totalBytes: sizes.recordsMiB * 2 ** 20 });
      out(
        `## Log compaction (${sizes.recordsMiB} MiB of 1 KiB records over 10,000 keys, one cleaner pass, in process)\n\n` +
          `MB/s: bytes of the log read (as stored, compressed for lz4/zstd) per second of the pass.\n\n${formatCompactionBench(compaction)}`,
      );
    }

    if (only.has('restart')) {
      log('restart');
      restart = await runRestartBench({ totalBytes: sizes.restartMiB * 2 ** 20 });
      out(`## Durable mode: restart time per GiB (${sizes.restartMiB} MiB written with --data-dir, in process, warm page cache)\n\n${formatRestartBench(restart)}`);
    }

    if (only.has('reset')) {
      log('reset');
      reset = await runResetBench({ rounds: sizes.resetRounds });
      out(`## Control plane: reset between tests, and restoring a named snapshot (3 declared topics; each round creates 2 topics, produces, commits, opens a transaction; in process)\n\n${formatResetBench(reset)}`);
    }

    if (only.has('brokers')) {
      log('brokers');
      multiBroker = await runBrokersBench({ java: java!, payloadFile, records: sizes.records, runs: sizes.runs, log });
      out(`## Several brokers in one process: produce, 1 KiB records, acks=all, 3 partitions (minikafka only)\n\n${formatBrokersBench(multiBroker)}`);
    }

    if (only.has('share')) {
      log('share');
      const share = await runShareBench({ java: java!, brokers, workDir, payloadFile, records: sizes.records, runs: sizes.runs, log });
      sections.push(share);
      out(formatSection(share, kafkaLabel));
    }

    if (only.has('native')) {
      log('native');
      const native = await runNativeBench({ runs: sizes.runs, bytes: sizes.nativeBytes, franzRecords: sizes.franzRecords, floorBytes: sizes.floorBytes, kafkaDir: kafka ? workDir : null, log });
      sections.push(native);
      out(formatSection(native, kafkaLabel));
    }

    let load: LoadResult | null = null;
    if (needLoad) {
      load = await runLoadBench({
        runs: sizes.runs,
        brokers,
        java: java!,
        workDir,
        payloadFile,
        recordSize: RECORD_SIZE,
        throughput: only.has('produce') || only.has('consume') || only.has('memory'),
        latency: only.has('latency'),
        configs: sizes.configs,
        records: sizes.records,
        warmupRecords: sizes.warmupRecords,
        nodeRecords: sizes.nodeRecords,
        partitions: sizes.partitions,
        latencyRate: sizes.latencyRate,
        latencySeconds: sizes.latencySeconds,
        latencyWarmupSeconds: sizes.latencyWarmupSeconds,
        log,
      });
    }
    if (only.has('memory')) {
      sections.push(memorySection(idle?.idleMemory ?? null, load, sizes));
      out(formatSection(sections[sections.length - 1]!, kafkaLabel));
    }
    const loadNote = `${sizes.records.toLocaleString('en')} records of 1 KiB (JSON-like text, ProducerPerformance --payload-file) per configuration into a ${sizes.partitions}-partition topic, acks=all, other client settings Kafka 4 defaults.`;
    if (load && only.has('produce')) {
      const ms = load.produce.measures();
      sections.push(
        section(
          'produce',
          'Produce',
          [
            `${loadNote} With 4 producers: 4 ProducerPerformance JVMs at once, their rates summed. Node client: @platformatic/kafka, ${sizes.nodeRecords.toLocaleString('en')} records, 16 per send, 4 sends in flight. MiB/s counts record values, before compression.`,
            CPU_NOTE,
          ],
          ms,
          throughputTargets(ms, 'records/s'),
        ),
      );
      out(formatSection(sections[sections.length - 1]!, kafkaLabel));
    }
    if (load && only.has('consume')) {
      const ms = load.consume.measures();
      sections.push(
        section(
          'consume',
          'Consume',
          [
            'The data of each produce configuration read back from earliest by ConsumerPerformance in a new group; MiB/s from the end of the group join to the last record (its fetch.MB.sec). ' +
              "The join time, shown apart, includes the client's own start-up. Node client: a @platformatic/kafka group consumer, timed from its first record.",
            CPU_NOTE,
          ],
          ms,
          throughputTargets(ms, 'MiB/s'),
        ),
      );
      out(formatSection(sections[sections.length - 1]!, kafkaLabel));
    }
    if (load && only.has('latency')) {
      const ms = load.latency.measures();
      sections.push(
        section(
          'latency',
          'Produce-to-consume latency',
          [
            `bench/kafka/FixedRateLatency.java (Kafka's Java clients): ${sizes.latencyRate} records/s of 1 KiB for ${sizes.latencySeconds} s after ${sizes.latencyWarmupSeconds} s of warm-up, one partition, acks=all, linger.ms=0; latency from each record's scheduled send time to its arrival at a consumer in the same JVM.`,
          ],
          ms,
          [targetOnRatio("p99 no worse than Kafka's", find(ms, `p99 at ${sizes.latencyRate} records/s`), (r) => r <= 1)],
        ),
      );
      out(formatSection(sections[sections.length - 1]!, kafkaLabel));
    }
    if (only.has('scale')) {
      log('scale');
      const s = await runScaleBench({
        runs: sizes.runs,
        brokers,
        workDir,
        payloadFile,
        topics: sizes.scaleTopics,
        partitions: sizes.scalePartitions,
        connections: sizes.scaleConnections,
        records: sizes.scaleRecords,
        idleMs: sizes.scaleIdleMs,
        log,
      });
      const ms = s.measures();
      sections.push(
        section(
          'scale',
          'Scale',
          [
            `${sizes.scaleTopics} topics × ${sizes.scalePartitions} partitions; ${sizes.scaleConnections} @platformatic/kafka producers in one Node process, one connection each (counted in /proc/net/tcp), idle for ${sizes.scaleIdleMs / 1000} s, then producing ${sizes.scaleRecords.toLocaleString('en')} records of 1 KiB in 16-record sends spread over every partition, acks=all. No warm-up: both brokers meet this load cold.`,
            CPU_NOTE,
          ],
          ms,
          throughputTargets(ms, 'records/s'),
        ),
      );
      out(formatSection(sections[sections.length - 1]!, kafkaLabel));
    }
  } catch (e) {
    await stopAll();
    // Kept for the brokers' logs (Kafka's kafka.out and logs/); its data is dropped, being large.
    for (const d of ['kafka-startup', 'kafka-load', 'kafka-scale', 'kafka-share']) await rm(join(workDir, d, 'data'), { recursive: true, force: true });
    process.stderr.write(`bench: logs kept in ${workDir}\n`);
    throw e;
  }
  await rm(workDir, { recursive: true, force: true });

  const seconds = (performance.now() - t0) / 1000;
  out(`Whole run: ${(seconds / 60).toFixed(1)} min; 1-min load average at end ${loadavg()[0]!.toFixed(2)}.`);
  const resultsDir = join(repoRoot, 'bench/results');
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}${smoke ? '-smoke' : ''}.json`);
  const json = {
    startedAt: startedAt.toISOString(),
    seconds,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), memGiB: totalmem() / 2 ** 30, node: process.version, java: javaVersion(), loadAverageAtStart: loadBefore },
    kafka: kafka ? kafkaLabel : null,
    options: { scenarios: [...only], smoke, sizes },
    recordsCodec: records,
    compaction,
    restart,
    reset,
    brokers: multiBroker,
    sections: sections.map((s) => ({ ...s, measures: s.measures.map((m) => ({ ...m, ratio: ratio(m) })) })),
    markdown: printed.join('\n\n'),
  };
  await writeFile(file, JSON.stringify(json, null, 2) + '\n');
  log(`wrote ${file}`);
  // What the README quotes (bench/published.ts): a full run's goes to bench/published/ to be
  // committed when quoted, any other run's stays with the results (see notQuotable).
  const partial = notQuotable({ smoke, kafka, scenarios: only });
  const published: PublishedRun = {
    source: `written by npm run bench${smoke ? ' --smoke' : ''}`,
    startedAt: startedAt.toISOString(),
    seconds: Math.round(seconds),
    kafka: kafka ? kafkaLabel : null,
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'cpu'}), 1-min load average ${loadBefore.toFixed(2)} at start`,
    smoke,
    rows: publishedRows(sections, {
      latencyRate: sizes.latencyRate,
      scaleParts: `${(sizes.scaleTopics * sizes.scalePartitions).toLocaleString('en')} partitions`,
      scaleConnections: sizes.scaleConnections,
    }),
  };
  const publishedFile = partial !== null ? file.replace(/\.json$/, '.published.json') : join(repoRoot, 'bench/published', `${startedAt.toISOString().slice(0, 10)}.json`);
  await mkdir(dirname(publishedFile), { recursive: true });
  await writeFile(publishedFile, JSON.stringify(published, null, 2) + '\n');
  log(`wrote ${publishedFile}${partial === null ? ' (commit it and run npm run bench:readme to quote this run)' : ` (${partial}: not one the README quotes)`}`);
}

let javaVersionText: string | undefined;
/** `java -version` prints to stderr; its first line names the JDK. */
function javaVersion(): string {
  javaVersionText ??= spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0]?.trim() || 'java not found';
  return javaVersionText;
}

main().catch((e: unknown) => {
  process.stderr.write(`\nbench FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
