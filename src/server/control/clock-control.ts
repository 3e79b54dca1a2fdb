/**
 * Virtual time as the control plane offers it: freeze, advance, resume on the broker's clock.
 * A ControllableClock (MiniKafka's default) does all three; a ManualClock a test injected is
 * always frozen, so it advances but never resumes; any other clock (systemClock) is real time
 * and refuses all three with CLOCK_NOT_CONTROLLABLE.
 */
import { ControllableClock, ManualClock } from '../../util/clock.js';
import type { Clock, ClockState } from '../../util/clock.js';
import { ControlError, ControlErrorCode, badRequest } from './control-error.js';

export type { ClockState } from '../../util/clock.js';

export interface ClockControl {
  state(): ClockState;
  freeze(): ClockState;
  /** Moves the clock forward by `ms`, firing every timer due by then (session timeouts, retention...). */
  advance(ms: number): ClockState;
  resume(): ClockState;
}

export function clockControlFor(clock: Clock): ClockControl {
  if (clock instanceof ControllableClock) {
    return {
      state: () => clock.state(),
      freeze: () => (clock.freeze(), clock.state()),
      advance: (ms) => (clock.advance(checkMs(ms)), clock.state()),
      resume: () => (clock.resume(), clock.state()),
    };
  }
  const manual = clock instanceof ManualClock ? clock : null;
  const state = (): ClockState => ({ frozen: manual !== null, now: clock.now(), offsetMs: clock.now() - Date.now(), pendingTimers: manual?.pendingTimers ?? 0 });
  const refuse = (what: string): never => {
    throw new ControlError(ControlErrorCode.CLOCK_NOT_CONTROLLABLE, manual !== null ? `the broker runs on a ManualClock, which only moves when advanced: it cannot ${what}` : `the broker runs on the real clock: it cannot ${what} (start it with MiniKafka's default clock)`);
  };
  return {
    state,
    freeze: () => (manual === null ? refuse('freeze') : state()),
    advance: (ms) => (manual === null ? refuse('advance') : (manual.advance(checkMs(ms)), state())),
    resume: () => refuse('resume'),
  };
}

function checkMs(ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw badRequest(`advance takes a non-negative number of ms, got ${JSON.stringify(ms)}`);
  return ms;
}

/** "500", "500ms", "45s", "5m", "2h", "7d" to ms. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw badRequest(`a duration is a number with an optional unit ms, s, m, h or d (e.g. 45s, 7d), got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
