// The README's performance table is generated from the newest committed bench/published/*.json
// (bench/published.ts): this fails when someone edits the figures by hand or commits a run without
// regenerating the table, and checks that a run's measures map onto the README's rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { repoRoot } from '../../../bench/brokers.js';
import { TABLE_SCENARIOS, notQuotable, publishedRows, renderReadme, replaceGenerated } from '../../../bench/published.js';
import type { PublishedRun } from '../../../bench/published.js';
import { newestPublished, readmeFrom } from '../../../bench/readme.js';
import { stat } from '../../../bench/stats.js';
import type { Measure, Section } from '../../../bench/stats.js';

t.test('README.md holds exactly the table npm run bench:readme makes from the newest published run', async (t) => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  t.equal(readmeFrom(readme, newestPublished()), readme, 'run npm run bench:readme after committing a published run');
  t.notMatch(readme, /\d+(\.\d+)? minutes on 2 cores|about \d+ minutes/, 'the run time is stated once, in the generated paragraph');
  t.notMatch(readFileSync(join(repoRoot, 'bench/main.ts'), 'utf8'), /seconds-long|about \d+ minutes/, "the bench's usage states no run time of its own (it prints what it took)");
});

t.test("a run's measures become the README's rows", async (t) => {
  const m = (name: string, unit: string, mk: number, k: number | null): Measure => ({ name, unit, minikafka: stat(name, unit, [mk]), kafka: k === null ? null : stat(name, unit, [k]) });
  const sections: Section[] = [
    { id: 'startup', title: '', notes: [], targets: [], measures: [m('process start → first Metadata response', 'ms', 100, 2500), m('MiniKafka.start() in process', 'ms', 0.123, null)] },
    { id: 'memory', title: '', notes: [], targets: [], measures: [m('RSS after start, idle', 'MiB', 48.74, 381.2)] },
    { id: 'produce', title: '', notes: [], targets: [], measures: [m('ProducerPerformance 1 producer, none', 'records/s', 175, 100)] },
  ];
  const rows = publishedRows(sections, { latencyRate: 5000, scaleParts: '1,000 partitions', scaleConnections: 200 });
  const result = (measure: string) => rows.find((r) => r.measure === measure)?.result;
  t.equal(result('process start to first Metadata response'), '100 ms vs 2500 ms: 25.0x faster');
  t.equal(result('`MiniKafka.start()` in process'), '0.12 ms');
  t.equal(result('RSS after start'), '48.7 vs 381 MiB: 0.13');
  t.equal(result('1 KiB, acks=all, 1 producer, none / lz4 (records/s)'), '1.75 / –', 'a configuration not run is "–", never guessed');
  t.equal(result('ready line of `minikafka start`'), '– ms');
});

t.test('only a run the table can quote is written to bench/published/', async (t) => {
  const all = new Set<string>(TABLE_SCENARIOS);
  t.equal(notQuotable({ smoke: false, kafka: true, scenarios: all }), null, 'full sizes, Kafka, every table scenario');
  t.equal(notQuotable({ smoke: true, kafka: true, scenarios: all }), 'a smoke run (tiny sizes)');
  t.equal(notQuotable({ smoke: false, kafka: false, scenarios: all }), 'run without Kafka (no ratios)');
  t.equal(notQuotable({ smoke: false, kafka: true, scenarios: new Set(['reset', 'startup', 'memory']) }), 'run without produce, native, consume, latency, scale', '`--only reset` and the like would have turned the table into dashes');
});

t.test('the generated block states the run, its time and its file once, between the markers', async (t) => {
  const run: PublishedRun = {
    source: 'written by npm run bench --smoke',
    startedAt: '2026-12-02T19:00:00.000Z',
    seconds: 95,
    kafka: null,
    machine: '2 cores (test cpu), 1-min load average 3.00 at start',
    smoke: true,
    rows: [{ scenario: 'startup', measure: 'ready line', target: '< 150 ms', result: '88 ms', note: 'a note' }],
  };
  const block = renderReadme(run, 'bench/results/x.published.json');
  t.equal(
    block.split('\n')[1],
    'Measured with `npm run bench:smoke` (1.6 minutes, minikafka only) on 2026-12-02 on 2 cores (test cpu), 1-min load average 3.00 at start; the figures are in [bench/results/x.published.json](bench/results/x.published.json) (written by npm run bench --smoke):',
  );
  t.match(block, /\n\| scenario \| measure \| target \| minikafka \/ Kafka \|\n/);
  t.match(block, /\n\| startup \| ready line \| < 150 ms \| 88 ms; a note \|\n/, 'a note follows the figures after a semicolon');
  const readme = 'before\n' + block.replace(/\| 88 ms/, '| 12 ms') + '\nafter\n';
  t.equal(replaceGenerated(readme, block), 'before\n' + block + '\nafter\n', 'only the block between the markers is replaced');
  t.throws(() => replaceGenerated('no markers', block), /no bench:begin/);
});
