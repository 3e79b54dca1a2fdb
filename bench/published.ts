/**
 * The figures the README quotes, as one committed file per quoted run (bench/published/<date>.json),
 * and the README's performance table generated from the newest of them (`npm run bench:readme`), so
 * that what the README says, the run time included, is what a run measured and cannot drift.
 *
 * `npm run bench` writes such a file from its own measures (`publishedRun`), next to the full
 * results in bench/results/ (not committed); quoting a run means committing its file and running
 * `npm run bench:readme`. A row's figures come from the measures; its optional `note` is
 * commentary written by hand into the file (an explanation, earlier runs), kept apart from them.
 */
import type { Measure, Section } from './stats.js';

/** What the native scenario (bench/native-bench.ts) measures per rdkafka_performance configuration. */
export type NativeFigure = 'produce throughput' | 'consume throughput' | 'broker CPU per GB produced' | 'broker CPU per GB consumed';

/** A native-scenario measure's name: `records` is e.g. "1 KiB, none" (value size, compression). */
export function nativeMeasure(records: string, figure: NativeFigure): string {
  return `rdkafka_performance ${records}: ${figure}`;
}

/** The issue's target figures: librdkafka's rdkafka_performance, 1 KiB uncompressed, acks=all, 8 partitions. */
export const NATIVE_CPU = nativeMeasure('1 KiB, none', 'broker CPU per GB produced');
export const NATIVE_THROUGHPUT = nativeMeasure('1 KiB, none', 'produce throughput');
export const NATIVE_CONSUME_THROUGHPUT = nativeMeasure('1 KiB, none', 'consume throughput');
/** minikafka's peak RSS growth over the 1 KiB uncompressed produce run, per byte of record values. */
export const NATIVE_MEMORY = 'memory held per byte of values stored (1 KiB, none: peak RSS growth / bytes)';
/** The same produce run with franz-go (test/interop/go/cmd/franz-bench), as earlier READMEs quote it. */
export const FRANZ_CPU = 'franz-go 1 KiB, acks=all, 8 partitions: broker CPU per GB produced';
export const FRANZ_THROUGHPUT = 'franz-go 1 KiB, acks=all, 8 partitions: client throughput';

export interface PublishedRow {
  readonly scenario: string;
  readonly measure: string;
  readonly target: string;
  /** The figures, as the table shows them ("–" where this run did not measure them). */
  readonly result: string;
  /** Hand-written commentary, printed after the figures and a semicolon. */
  readonly note?: string;
}

export interface PublishedRun {
  /** Where the figures come from: this bench's own run, or a transcription (say so). */
  readonly source: string;
  readonly startedAt: string;
  /** The whole `npm run bench` run, in seconds. */
  readonly seconds: number;
  readonly kafka: string | null;
  readonly machine: string;
  readonly smoke: boolean;
  readonly rows: readonly PublishedRow[];
}

const NONE = '–';

/** The scenarios the README table quotes: a run without one of them would put "–" in its rows. */
export const TABLE_SCENARIOS = ['startup', 'memory', 'produce', 'native', 'consume', 'latency', 'scale'] as const;

/**
 * Where a run's published file goes: bench/published/<date>.json only for a run the README can
 * quote (full sizes, Kafka beside minikafka, every table scenario); any other run's file stays
 * next to its results (bench/results/, not committed), so that committing bench/published/ and
 * running `npm run bench:readme` can never replace the table with a partial or smoke run's.
 * Returns the reason a run is not quotable, or null.
 */
export function notQuotable(run: { smoke: boolean; kafka: boolean; scenarios: ReadonlySet<string> }): string | null {
  if (run.smoke) return 'a smoke run (tiny sizes)';
  if (!run.kafka) return 'run without Kafka (no ratios)';
  const missing = TABLE_SCENARIOS.filter((s) => !run.scenarios.has(s));
  return missing.length > 0 ? `run without ${missing.join(', ')}` : null;
}

function pick(sections: readonly Section[], id: string, name: string, unit: string): Measure | undefined {
  return sections.find((s) => s.id === id)?.measures.find((m) => m.name === name && m.unit === unit);
}

/** minikafka / Kafka of medians, 2 decimals. */
function ratioText(m: Measure | undefined): string {
  if (!m?.minikafka || !m.kafka) return NONE;
  return (m.minikafka.median / m.kafka.median).toFixed(2);
}

function fixed(v: number | undefined, digits: number): string {
  return v === undefined ? NONE : v.toFixed(digits);
}

/** Three significant figures or so: 0 decimals from 100 up, else 1. */
function size(v: number | undefined): string {
  return v === undefined ? NONE : v.toFixed(v >= 100 ? 0 : 1);
}

/** "a vs b unit: ratio". */
function versus(m: Measure | undefined, unit: string): string {
  return `${size(m?.minikafka?.median)} vs ${size(m?.kafka?.median)} ${unit}: ${ratioText(m)}`;
}

/** The README rows, from a run's sections (the bench's own measure names). */
export function publishedRows(sections: readonly Section[], o: { latencyRate: number; scaleParts: string; scaleConnections: number }): PublishedRow[] {
  const at = `at ${o.latencyRate} records/s`;
  const first = pick(sections, 'startup', 'process start → first Metadata response', 'ms');
  const [fm, fk] = [first?.minikafka?.median, first?.kafka?.median];
  const ratios = (id: string, names: string[], unit: string) => names.map((n) => ratioText(pick(sections, id, n, unit))).join(' / ');
  const cpu = (names: string[]) => names.map((n) => ratioText(pick(sections, 'produce', `${n}: broker CPU time`, 's'))).join(' / ');
  const p99 = pick(sections, 'latency', `p99 ${at}`, 'ms');
  const nodeConsume = pick(sections, 'consume', 'Node client (@platformatic/kafka)', 'MiB/s');
  return [
    {
      scenario: 'startup',
      measure: 'process start to first Metadata response',
      target: 'at least 20x faster',
      result: `${fixed(fm, 0)} ms vs ${fixed(fk, 0)} ms: ${fm !== undefined && fk !== undefined ? (fk / fm).toFixed(1) : NONE}x faster`,
    },
    { scenario: 'startup', measure: 'ready line of `minikafka start`', target: '< 150 ms', result: `${fixed(pick(sections, 'startup', 'process start → ready line (minikafka CLI)', 'ms')?.minikafka?.median, 0)} ms` },
    { scenario: 'startup', measure: '`MiniKafka.start()` in process', target: '< 10 ms', result: `${fixed(pick(sections, 'startup', 'MiniKafka.start() in process', 'ms')?.minikafka?.median, 2)} ms` },
    { scenario: 'memory', measure: 'RSS after start', target: "<= 1/5 of Kafka's, < 60 MB", result: versus(pick(sections, 'memory', 'RSS after start, idle', 'MiB'), 'MiB') },
    { scenario: 'memory', measure: 'peak RSS while producing and consuming', target: '(reported)', result: versus(pick(sections, 'memory', 'peak RSS during produce and consume', 'MiB'), 'MiB') },
    {
      scenario: 'produce',
      measure: '1 KiB, acks=all, 1 producer, none / lz4 (records/s)',
      target: '>= 1.0',
      result: ratios('produce', ['ProducerPerformance 1 producer, none', 'ProducerPerformance 1 producer, lz4'], 'records/s'),
    },
    {
      scenario: 'produce',
      measure: 'the same, 4 producer JVMs at once, none / lz4',
      target: '>= 1.0',
      result: `${ratios('produce', ['ProducerPerformance 4 producers, none', 'ProducerPerformance 4 producers, lz4'], 'records/s')} (broker CPU time ${cpu(['ProducerPerformance 4 producers, none', 'ProducerPerformance 4 producers, lz4'])} of Kafka's)`,
    },
    { scenario: 'produce', measure: '@platformatic/kafka, 1 producer', target: '>= 1.0', result: ratios('produce', ['Node client (@platformatic/kafka) 1 producer, none'], 'records/s') },
    {
      scenario: 'native',
      measure: 'rdkafka_performance, 1 KiB, acks=all, 8 partitions: broker CPU-seconds per GB produced; produce MB/s',
      target: '<= 0.8 s/GB; >= 2.5',
      result: `${fixed(pick(sections, 'native', NATIVE_CPU, 's/GB')?.minikafka?.median, 2)} s/GB (Kafka ${fixed(pick(sections, 'native', NATIVE_CPU, 's/GB')?.kafka?.median, 2)}); ${versus(pick(sections, 'native', NATIVE_THROUGHPUT, 'MB/s'), 'MB/s')}`,
    },
    { scenario: 'native', measure: 'the same records consumed (MB/s)', target: '(reported)', result: versus(pick(sections, 'native', NATIVE_CONSUME_THROUGHPUT, 'MB/s'), 'MB/s') },
    { scenario: 'native', measure: 'memory held per GB of values stored (minikafka, in memory)', target: '<= 1.10', result: fixed(pick(sections, 'native', NATIVE_MEMORY, 'ratio')?.minikafka?.median, 2) },
    {
      scenario: 'native',
      measure: 'franz-go, 1 KiB, acks=all, 8 partitions: broker CPU-seconds per GB produced; MB/s',
      target: '(reported)',
      result: `${fixed(pick(sections, 'native', FRANZ_CPU, 's/GB')?.minikafka?.median, 2)} s/GB (Kafka ${fixed(pick(sections, 'native', FRANZ_CPU, 's/GB')?.kafka?.median, 2)}); ${versus(pick(sections, 'native', FRANZ_THROUGHPUT, 'MB/s'), 'MB/s')}`,
    },
    {
      scenario: 'consume',
      measure: "1 producer's data, none / lz4 (MiB/s)",
      target: '>= 1.0',
      result: ratios('consume', ['ConsumerPerformance, written by 1 producer, none', 'ConsumerPerformance, written by 1 producer, lz4'], 'MiB/s'),
    },
    {
      scenario: 'consume',
      measure: "4 producers' data, none / lz4",
      target: '>= 1.0',
      result: ratios('consume', ['ConsumerPerformance, written by 4 producers, none', 'ConsumerPerformance, written by 4 producers, lz4'], 'MiB/s'),
    },
    {
      scenario: 'consume',
      measure: '@platformatic/kafka group consumer',
      target: '>= 1.0',
      result: `${ratioText(nodeConsume)} (${fixed(nodeConsume?.minikafka?.median, 0)} vs ${fixed(nodeConsume?.kafka?.median, 0)} MiB/s)`,
    },
    {
      scenario: 'latency',
      measure: `produce to consume at ${o.latencyRate.toLocaleString('en')} records/s, p99 / p99.9`,
      target: 'p99 no worse',
      result: `${ratioText(p99)} / ${ratioText(pick(sections, 'latency', `p99.9 ${at}`, 'ms'))} (${fixed(p99?.minikafka?.median, 1)} ms vs ${fixed(p99?.kafka?.median, 1)} ms)`,
    },
    {
      scenario: 'scale',
      measure: `${o.scaleParts}, ${o.scaleConnections} connections: produce records/s`,
      target: '(reported)',
      result: ratioText(pick(sections, 'scale', `produce, ${o.scaleConnections} connections over ${o.scaleParts}`, 'records/s')),
    },
    {
      scenario: 'scale',
      measure: `RSS with ${o.scaleParts} and ${o.scaleConnections} idle connections`,
      target: '(reported)',
      result: versus(pick(sections, 'scale', `RSS with ${o.scaleParts} and ${o.scaleConnections} idle connections`, 'MiB'), 'MiB'),
    },
  ];
}

export const README_BEGIN = '<!-- bench:begin (generated by `npm run bench:readme` from bench/published/; do not edit) -->';
export const README_END = '<!-- bench:end -->';

/** The README's performance paragraph and table for one published run. */
export function renderReadme(run: PublishedRun, file: string): string {
  const date = run.startedAt.slice(0, 10);
  const lines = [
    README_BEGIN,
    `Measured with \`${run.smoke ? 'npm run bench:smoke' : 'npm run bench'}\` (${(run.seconds / 60).toFixed(1)} minutes, ${run.kafka === null ? 'minikafka only' : 'both brokers'}) on ${date} on ${run.machine}; ` +
      `the figures are in [${file}](${file}) (${run.source}):`,
    '',
    `| scenario | measure | target | minikafka / ${run.kafka ?? 'Kafka'} |`,
    '| --- | --- | --- | --- |',
    ...run.rows.map((r) => `| ${r.scenario} | ${r.measure} | ${r.target} | ${r.result}${r.note ? `; ${r.note}` : ''} |`),
    README_END,
  ];
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by `generated`; throws when the markers are missing. */
export function replaceGenerated(readme: string, generated: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error('README.md has no bench:begin / bench:end markers');
  return readme.slice(0, a) + generated + readme.slice(b + README_END.length);
}
