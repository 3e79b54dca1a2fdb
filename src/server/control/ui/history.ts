/**
 * The inspector's time series: every sample (one a second by default, on real time so that a
 * frozen virtual clock does not stop the charts) records per-topic produced/fetched bytes and
 * records, per-group total lag, and request rates per API. Each series keeps the last
 * HISTORY_POINTS samples and the number of series is capped, so memory stays bounded however
 * long the broker runs and however many topics and groups come and go.
 */
import type { ControlTarget } from '../control-target.js';
import type { TrafficRecorder } from './traffic.js';
import { groupLag } from './group-view.js';

export const HISTORY_POINTS = 300;
/** Series kept per kind; past it, the newest topics/groups go without a chart. */
const MAX_SERIES = 500;

export class Series {
  readonly #values: number[] = [];
  push(v: number): void {
    this.#values.push(v);
    if (this.#values.length > HISTORY_POINTS) this.#values.shift();
  }
  get values(): readonly number[] {
    return this.#values;
  }
  get last(): number {
    return this.#values.at(-1) ?? 0;
  }
}

export interface TopicRates {
  /** Per second over the last sample interval. */
  readonly producedBytes: Series;
  readonly fetchedBytes: Series;
  readonly records: Series;
}

export class History {
  /** Sample times (ms since the epoch, real time). */
  readonly times = new Series();
  readonly topics = new Map<string, TopicRates>();
  readonly lag = new Map<string, Series>();
  readonly requestRate = new Series();
  readonly ratesByApi = new Map<string, number>();
  readonly #prevTopic = new Map<string, { produced: number; fetched: number; records: number }>();
  readonly #prevApi = new Map<string, number>();
  #prevTotal = 0;
  #prevTime = 0;

  constructor(
    private readonly target: ControlTarget,
    private readonly traffic: TrafficRecorder,
  ) {}

  sample(now = Date.now()): void {
    const secs = this.#prevTime === 0 ? 1 : Math.max(0.001, (now - this.#prevTime) / 1000);
    const first = this.#prevTime === 0;
    this.#prevTime = now;
    this.times.push(now);
    const live = new Set<string>();
    for (const topic of this.target.cluster.topics.all()) {
      live.add(topic.name);
      let records = 0;
      for (const p of topic.partitions) records += p.log.logEndOffset;
      const bytes = this.traffic.bytesByTopic.get(topic.name) ?? { produced: 0, fetched: 0 };
      const prev = this.#prevTopic.get(topic.name) ?? { produced: bytes.produced, fetched: bytes.fetched, records };
      this.#prevTopic.set(topic.name, { produced: bytes.produced, fetched: bytes.fetched, records });
      let s = this.topics.get(topic.name);
      if (s === undefined) {
        if (this.topics.size >= MAX_SERIES) continue;
        s = { producedBytes: new Series(), fetchedBytes: new Series(), records: new Series() };
        this.topics.set(topic.name, s);
      }
      s.producedBytes.push(first ? 0 : Math.max(0, bytes.produced - prev.produced) / secs);
      s.fetchedBytes.push(first ? 0 : Math.max(0, bytes.fetched - prev.fetched) / secs);
      s.records.push(first ? 0 : Math.max(0, records - prev.records) / secs);
    }
    for (const name of [...this.topics.keys()]) if (!live.has(name)) (this.topics.delete(name), this.#prevTopic.delete(name));
    // Requests can name topics that never existed (or no longer do): their byte counts go too.
    for (const name of [...this.traffic.bytesByTopic.keys()]) if (!live.has(name)) this.traffic.bytesByTopic.delete(name);
    const groups = new Set<string>();
    for (const g of this.target.groups.listGroups([], [])) {
      groups.add(g.groupId);
      let s = this.lag.get(g.groupId);
      if (s === undefined) {
        if (this.lag.size >= MAX_SERIES) continue;
        this.lag.set(g.groupId, (s = new Series()));
      }
      s.push(groupLag(this.target, g.groupId));
    }
    for (const id of [...this.lag.keys()]) if (!groups.has(id)) this.lag.delete(id);
    const total = this.traffic.total;
    this.requestRate.push(first ? 0 : (total - this.#prevTotal) / secs);
    this.#prevTotal = total;
    for (const [api, n] of this.traffic.requestsByApi) {
      this.ratesByApi.set(api, first ? 0 : (n - (this.#prevApi.get(api) ?? n)) / secs);
      this.#prevApi.set(api, n);
    }
  }
}
