/**
 * `npm run bench`: the benchmarks, printed as markdown. Figures are medians with min and max, all
 * measured in this run on this machine; nothing is printed that was not measured.
 *
 *   npm run bench                 # records codec + startup
 *   npm run bench -- --smoke      # a seconds-long pass for CI, so the harness cannot rot
 */
import { runRecordsBench, formatRecordsBench } from './records-bench.js';
import { runStartupBench } from './startup-bench.js';
import type { Stat } from './startup-bench.js';

const smoke = process.argv.includes('--smoke');

function statTable(stats: readonly Stat[]): string {
  const lines = ['| measure | median | min | max | runs |', '|---|---:|---:|---:|---:|'];
  for (const s of stats) lines.push(`| ${s.name} | ${s.median.toFixed(1)} ${s.unit} | ${s.min.toFixed(1)} | ${s.max.toFixed(1)} | ${s.runs} |`);
  return lines.join('\n');
}

const mib = smoke ? 4 : 64;
console.log(`## Record batches (${mib} MiB of 1 KiB records)\n`);
console.log(formatRecordsBench(await runRecordsBench({ totalBytes: mib * 1024 * 1024 })));
console.log('\n## Startup\n');
const startup = await runStartupBench(smoke ? 3 : 10);
console.log(statTable(startup));
const ready = startup.find((s) => s.name.includes('ready line'))!;
console.log(`\nready line median ${ready.median.toFixed(1)} ms: ${ready.median < 150 ? 'meets' : 'MISSES'} the < 150 ms target`);
