/**
 * What every benchmark section reports: figures as median, min and max over runs, side by side for
 * minikafka and Kafka, with the targets judged beside them. A figure that was not measured
 * is null and printed as "–", never as a number.
 */

export interface Stat {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function stat(name: string, unit: string, xs: readonly number[]): Stat {
  if (xs.length === 0) throw new Error(`no samples for '${name}'`);
  for (const x of xs) if (!Number.isFinite(x)) throw new Error(`'${name}': sample ${x} is not a number`);
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { name, unit, median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** One line of a comparison table. */
export interface Measure {
  readonly name: string;
  readonly unit: string;
  readonly minikafka: Stat | null;
  readonly kafka: Stat | null;
}

/** A target from the issue; met is null when a figure it needs was not measured in this run. */
export interface Target {
  readonly text: string;
  readonly met: boolean | null;
  readonly detail: string;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly measures: readonly Measure[];
  readonly targets: readonly Target[];
}

/** Collects samples per (measure, broker) over the runs of a scenario. */
export class Samples {
  private readonly order: { name: string; unit: string }[] = [];
  private readonly data = new Map<string, { minikafka: number[]; kafka: number[] }>();

  add(broker: 'minikafka' | 'kafka', name: string, unit: string, value: number): void {
    const key = `${name}\0${unit}`;
    let d = this.data.get(key);
    if (!d) {
      d = { minikafka: [], kafka: [] };
      this.data.set(key, d);
      this.order.push({ name, unit });
    }
    d[broker].push(value);
  }

  measures(): Measure[] {
    return this.order.map(({ name, unit }) => {
      const d = this.data.get(`${name}\0${unit}`)!;
      return {
        name,
        unit,
        minikafka: d.minikafka.length ? stat(name, unit, d.minikafka) : null,
        kafka: d.kafka.length ? stat(name, unit, d.kafka) : null,
      };
    });
  }
}

export function fmt(n: number): string {
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function cell(s: Stat | null): string {
  if (!s) return '–';
  return s.runs === 1 ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** minikafka's median over Kafka's, or null unless both were measured. */
export function ratio(m: Measure): number | null {
  if (!m.minikafka || !m.kafka || m.kafka.median === 0) return null;
  return m.minikafka.median / m.kafka.median;
}

export function formatSection(s: Section, kafkaLabel: string): string {
  const out = [`## ${s.title}`, ''];
  for (const n of s.notes) out.push(n);
  if (s.notes.length) out.push('');
  if (s.measures.length) {
    out.push(`| measure | unit | minikafka | ${kafkaLabel} | minikafka / Kafka | runs |`, '|---|---|---:|---:|---:|---:|');
    for (const m of s.measures) {
      const r = ratio(m);
      const runs = [m.minikafka, m.kafka].filter((x) => x !== null).map((x) => x!.runs).join(' / ');
      out.push(`| ${m.name} | ${m.unit} | ${cell(m.minikafka)} | ${cell(m.kafka)} | ${r === null ? '–' : r.toFixed(2)} | ${runs} |`);
    }
    out.push('', 'Each figure: median (min–max) over its runs; – means not measured in this run.');
  }
  if (s.targets.length) {
    out.push('');
    for (const t of s.targets) {
      const verdict = t.met === null ? 'not checked' : t.met ? 'met' : 'MISSED';
      out.push(`- target ${verdict}: ${t.text} (${t.detail})`);
    }
  }
  return out.join('\n');
}

/** A target on one figure: `check(value)` on the median, or not checked when it was not measured. */
export function targetOn(text: string, s: Stat | null | undefined, check: (v: number) => boolean, show: (v: number) => string): Target {
  if (!s) return { text, met: null, detail: 'not measured in this run' };
  return { text, met: check(s.median), detail: show(s.median) };
}

/** A target on minikafka / Kafka for a measure (null when either side was not measured). */
export function targetOnRatio(text: string, m: Measure | undefined, check: (r: number) => boolean): Target {
  const r = m ? ratio(m) : null;
  if (r === null) return { text, met: null, detail: 'needs both brokers measured' };
  return { text, met: check(r), detail: `minikafka / Kafka = ${r.toFixed(2)} for ${m!.name}` };
}
