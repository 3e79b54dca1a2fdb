/**
 * `npm run bench:soak`: far more data than memory, through a memory-bounded broker (issue 16). The
 * minikafka CLI starts with `--max-memory 512m`, in memory (batches past the budget spill to a temp
 * file) and then with `--data-dir`; Kafka's own ProducerPerformance sends GIB GiB of 1 KiB records
 * (acks=all, no compression) and ConsumerPerformance, a Java consumer in a new group, reads every
 * one of them back from the earliest offset. The broker's resident set is sampled from /proc every
 * 250 ms and its peak (VmHWM) read at the end; the bound is the budget plus 100 MiB.
 *
 *   npm run build && node dist/bench/soak.js [--gib 20] [--modes memory,disk] [--max-memory 512m] [--partitions 4]
 *
 * Prints one markdown row per mode and exits non-zero when a peak passes its bound or a record is
 * missing. Needs bench/kafka/setup.sh's classpath (Apache Kafka's tools from Maven Central) and
 * 2 x GIB of free disk for the disk mode (the spill file of memory mode is removed at stop).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTopics, kafkaClasspath, procMemory, startMiniKafka, stopAll } from './brokers.js';
import { consumerPerformance, prepareJavaTools, producerPerformance } from './java-tools.js';
import { writePayloadFile } from './payload.js';

const { values } = parseArgs({
  options: {
    gib: { type: 'string', default: '20' },
    modes: { type: 'string', default: 'memory,disk' },
    'max-memory': { type: 'string', default: '512m' },
    partitions: { type: 'string', default: '4' },
  },
});
const gib = Number(values.gib);
const partitions = Number(values.partitions);
const maxMemory = values['max-memory'];
const budgetMiB = parseSizeMiB(maxMemory);
const modes = values.modes.split(',').map((m) => m.trim());
for (const m of modes) if (m !== 'memory' && m !== 'disk') throw new Error(`--modes: unknown mode '${m}' (memory, disk)`);
if (!(gib > 0) || !(partitions > 0)) throw new Error('--gib and --partitions take positive numbers');

const RECORD_SIZE = 1024;
const records = Math.round((gib * 2 ** 30) / RECORD_SIZE);
const boundMiB = budgetMiB + 100;

function parseSizeMiB(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(s.trim());
  if (!m) throw new Error(`--max-memory: '${s}' is not a size such as 512m`);
  const scale: Record<string, number> = { '': 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024 };
  return Number(m[1]) * scale[m[2]!.toLowerCase()]!;
}

interface Row {
  readonly mode: string;
  readonly produceMiBs: number;
  readonly consumeMiBs: number;
  readonly consumed: number;
  readonly idleMiB: number;
  readonly peakMiB: number;
  readonly seconds: number;
}

const workDir = await mkdtemp(join(tmpdir(), 'minikafka-soak-'));
const rows: Row[] = [];
try {
  const java = await prepareJavaTools(await kafkaClasspath(), workDir);
  const payloadFile = join(workDir, 'payload.txt');
  await writePayloadFile(payloadFile, RECORD_SIZE);
  for (const mode of modes) {
    const dataDir = join(workDir, `data-${mode}`);
    const t0 = performance.now();
    const started = await startMiniKafka(['--max-memory', maxMemory, ...(mode === 'disk' ? ['--data-dir', dataDir] : [])]);
    const { broker } = started;
    // Sampled as well as read from VmHWM: the samples show when in the run the peak came.
    let sampledPeak = 0;
    const sampler = setInterval(() => {
      // A failed read means the process is gone; broker.signal ends the run with the reason.
      procMemory(broker.pid).then((m) => (sampledPeak = Math.max(sampledPeak, m.rssMiB)), () => undefined);
    }, 250);
    try {
      const idleMiB = (await procMemory(broker.pid)).rssMiB;
      await createTopics(broker.bootstrap, [{ name: 'soak', partitions }]);
      process.stderr.write(`soak ${mode}: producing ${records} records of ${RECORD_SIZE} B (${gib} GiB)\n`);
      const p = await producerPerformance(java, { bootstrap: broker.bootstrap, topic: 'soak', records, payloadFile, compression: 'none', signal: broker.signal });
      process.stderr.write(`soak ${mode}: produced at ${p.mibPerSec.toFixed(1)} MiB/s, RSS ${(await procMemory(broker.pid)).rssMiB.toFixed(0)} MiB; consuming\n`);
      const c = await consumerPerformance(java, { bootstrap: broker.bootstrap, topic: 'soak', records, group: `soak-${mode}`, signal: broker.signal });
      broker.assertAlive();
      const peak = Math.max(sampledPeak, (await procMemory(broker.pid)).hwmMiB);
      rows.push({ mode, produceMiBs: p.mibPerSec, consumeMiBs: c.fetchMibPerSec, consumed: c.records, idleMiB, peakMiB: peak, seconds: (performance.now() - t0) / 1000 });
    } finally {
      clearInterval(sampler);
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await stopAll();
  await rm(workDir, { recursive: true, force: true });
}

console.log(`| ${gib} GiB of 1 KiB records, --max-memory ${maxMemory}, ${partitions} partitions | produce | consume (Java) | records read back | idle RSS | peak RSS | bound | time |`);
console.log('|---|---|---|---|---|---|---|---|');
let failed = false;
for (const r of rows) {
  const ok = r.peakMiB <= boundMiB && r.consumed >= records;
  failed ||= !ok;
  console.log(
    `| ${r.mode === 'memory' ? 'in memory (spill)' : '--data-dir'} | ${r.produceMiBs.toFixed(1)} MiB/s | ${r.consumeMiBs.toFixed(1)} MiB/s | ${r.consumed} of ${records} | ${r.idleMiB.toFixed(0)} MiB | ${r.peakMiB.toFixed(0)} MiB | <= ${boundMiB.toFixed(0)} MiB ${ok ? 'met' : 'NOT met'} | ${r.seconds.toFixed(0)} s |`,
  );
}
process.exitCode = failed ? 1 : 0;
