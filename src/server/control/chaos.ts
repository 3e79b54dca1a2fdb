/**
 * Seeded chaos (`--chaos rate,seed`): a share `rate` of requests gets a fault that a correct
 * client must survive, drawn from a seeded PRNG so that a failure reproduces: the same seed and the
 * same sequence of requests give the same faults in the same order (the `events` log shows them).
 *
 * Survivable means what Kafka's own clients retry on their own: for each API, error codes their
 * exception classes mark retriable and that Kafka returns for that API when a leader or a
 * coordinator moves (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * REQUEST_TIMED_OUT...), and a connection closed before the request is handled (never after: a
 * lost response to a non-idempotent produce would duplicate records, which a correct
 * at-least-once client may do but an exactly-once test would wrongly blame on the client).
 * ApiVersions and the SASL handshake are left alone: clients treat a failure there as fatal for
 * the connection attempt, not as a retry.
 */
import { ApiKey, apiInfoByKey } from '../../protocol/messages/api-table.js';
import { ErrorCode, errorInfo } from '../../protocol/errors.js';
import { seededRandom } from '../../util/seeded-random.js';

// Per API: the retriable codes Kafka itself answers it with when leadership or coordination moves.
const RETRIABLE_BY_API: ReadonlyMap<number, readonly number[]> = new Map([
  [ApiKey.Produce, [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS]],
  [ApiKey.Fetch, [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_LEADER_EPOCH]],
  [ApiKey.ListOffsets, [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE]],
  [ApiKey.OffsetForLeaderEpoch, [ErrorCode.NOT_LEADER_OR_FOLLOWER]],
  [ApiKey.FindCoordinator, [ErrorCode.COORDINATOR_NOT_AVAILABLE]],
  [ApiKey.OffsetCommit, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.OffsetFetch, [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.JoinGroup, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.SyncGroup, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.Heartbeat, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.ConsumerGroupHeartbeat, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.InitProducerId, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.AddPartitionsToTxn, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.CONCURRENT_TRANSACTIONS]],
  [ApiKey.AddOffsetsToTxn, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.CONCURRENT_TRANSACTIONS]],
  [ApiKey.EndTxn, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
  [ApiKey.TxnOffsetCommit, [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]],
]);

const UNTOUCHED: ReadonlySet<number> = new Set([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** Share of chaos faults that are error answers (where the API has one); the rest disconnect. */
const ERROR_SHARE = 0.75;
const MAX_EVENTS = 10_000;

export type ChaosFault = { readonly kind: 'error'; readonly code: number } | { readonly kind: 'disconnect' };

export interface ChaosEvent {
  /** Index of the request among those chaos looked at (1-based). */
  readonly request: number;
  readonly broker: number;
  readonly api: string;
  /** An error name, or "disconnect". */
  readonly fault: string;
}

export interface ChaosSettings {
  /** Share of requests that get a fault, 0 to 1. */
  readonly rate: number;
  readonly seed: number;
}

export class Chaos {
  readonly #random: () => number;
  #seen = 0;
  #injected = 0;
  readonly #events: ChaosEvent[] = [];

  constructor(readonly settings: ChaosSettings) {
    this.#random = seededRandom(settings.seed);
  }

  /** Decides the fault for one request, or null. `canAnswerError`: the API's handler has an error response. */
  decide(broker: number, apiKey: number, canAnswerError: boolean): ChaosFault | null {
    if (UNTOUCHED.has(apiKey)) return null;
    const request = ++this.#seen;
    if (this.#random() >= this.settings.rate) return null;
    const codes = canAnswerError ? RETRIABLE_BY_API.get(apiKey) : undefined;
    // Two more draws every time, so that a fault never shifts the sequence of the next ones.
    const kindDraw = this.#random();
    const codeDraw = this.#random();
    const fault: ChaosFault = codes !== undefined && kindDraw < ERROR_SHARE ? { kind: 'error', code: codes[Math.floor(codeDraw * codes.length)]! } : { kind: 'disconnect' };
    this.#injected++;
    if (this.#events.length >= MAX_EVENTS) this.#events.shift();
    this.#events.push({ request, broker, api: apiInfoByKey.get(apiKey)?.name ?? String(apiKey), fault: fault.kind === 'error' ? errorInfo(fault.code).name : 'disconnect' });
    return fault;
  }

  status(): { rate: number; seed: number; requests: number; injected: number; events: readonly ChaosEvent[] } {
    return { rate: this.settings.rate, seed: this.settings.seed, requests: this.#seen, injected: this.#injected, events: [...this.#events] };
  }
}

/** Parses `--chaos rate,seed` ("0.05,42"); the seed defaults to 1. */
export function parseChaos(arg: string): ChaosSettings {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(?:,\s*(-?\d+)\s*)?$/.exec(arg);
  const rate = m ? Number(m[1]) : NaN;
  if (!m || !(rate >= 0 && rate <= 1)) throw new Error(`chaos takes RATE[,SEED] with RATE from 0 to 1, e.g. 0.05,42 (got '${arg}')`);
  return { rate, seed: m[2] === undefined ? 1 : Number(m[2]) };
}
