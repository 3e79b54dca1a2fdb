/**
 * Kafka's quota rate: a Rate over a WindowedSum (clients/.../metrics/stats/Rate.java and
 * SampledStat.java), kept to the same arithmetic so throttle times match Kafka's.
 *
 * - Values are summed into samples of `windowMs` each; `samples` + 1 are kept in a ring (the
 *   extra one covers the window still open). A sample is complete when `windowMs` passed since it
 *   started; the next record then opens the following sample.
 * - A sample with no event for `samples * windowMs` is obsolete and reset (purge).
 * - rate = sum of samples / window size, where window size is the time since the oldest sample
 *   started, raised to (samples - 1) full windows when fewer have passed (so a first burst is
 *   spread over the whole quota window, not judged on its first milliseconds).
 */
export interface RateConfig {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in ms */
  readonly windowMs: number;
}

interface Sample {
  value: number;
  startTimeMs: number;
  lastEventMs: number;
}

export class SampledRate {
  readonly #samples: Sample[] = [];
  #current = 0;
  /** When the last value was recorded, for expiring idle sensors. */
  lastRecordMs = 0;

  constructor(private readonly config: RateConfig) {}

  record(value: number, nowMs: number): void {
    let sample = this.#currentSample(nowMs);
    if (nowMs - sample.startTimeMs >= this.config.windowMs) sample = this.#advance(nowMs);
    sample.value += value;
    sample.lastEventMs = nowMs;
    this.lastRecordMs = nowMs;
  }

  /** Takes back a value recorded at nowMs (Kafka's unrecordQuotaSensor records its negative). */
  unrecord(value: number, nowMs: number): void {
    this.record(-value, nowMs);
  }

  /** Units per second over the current window. */
  measure(nowMs: number): number {
    this.#purge(nowMs);
    let sum = 0;
    for (const s of this.#samples) sum += s.value;
    return sum / (this.windowSize(nowMs) / 1000);
  }

  /** Rate.windowSize, in ms. */
  windowSize(nowMs: number): number {
    this.#purge(nowMs);
    let elapsed = nowMs - this.#oldest(nowMs).startTimeMs;
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.config.samples - 1;
    if (fullWindows < minFull) elapsed += (minFull - fullWindows) * this.config.windowMs;
    // A window of 0 ms (one sample configured, measured at its start) has no rate: Kafka's floor.
    return Math.max(elapsed, 1);
  }

  #currentSample(nowMs: number): Sample {
    if (this.#samples.length === 0) this.#samples.push({ value: 0, startTimeMs: nowMs, lastEventMs: nowMs });
    return this.#samples[this.#current]!;
  }

  #advance(nowMs: number): Sample {
    this.#current = (this.#current + 1) % (this.config.samples + 1);
    if (this.#current >= this.#samples.length) {
      const s = { value: 0, startTimeMs: nowMs, lastEventMs: nowMs };
      this.#samples.push(s);
      return s;
    }
    const s = this.#samples[this.#current]!;
    reset(s, nowMs);
    return s;
  }

  #oldest(nowMs: number): Sample {
    if (this.#samples.length === 0) this.#samples.push({ value: 0, startTimeMs: nowMs, lastEventMs: nowMs });
    let oldest = this.#samples[0]!;
    for (const s of this.#samples) if (s.startTimeMs < oldest.startTimeMs) oldest = s;
    return oldest;
  }

  #purge(nowMs: number): void {
    const expireAge = this.config.samples * this.config.windowMs;
    for (const s of this.#samples) if (nowMs - s.lastEventMs >= expireAge) reset(s, nowMs);
  }
}

function reset(s: Sample, nowMs: number): void {
  s.value = 0;
  s.startTimeMs = nowMs;
  s.lastEventMs = nowMs;
}
