/**
 * Incremental fetch sessions (KIP-227), as Kafka's FetchManager and FetchSessionCache keep them.
 *
 * A full fetch (sessionEpoch 0) creates a session holding its partitions and what each asked for;
 * the client then sends incremental fetches (the session's id and next epoch) naming only the
 * partitions whose fetch state changed, plus the ones to forget. The broker reads every partition
 * of the session and answers only those with something new: records, a changed high watermark,
 * last stable offset or log start offset, an error, a diverging epoch. A partition that returned
 * records moves to the end of the session, so that partitions take turns at the byte budget.
 *
 * Epoch -1 (final) closes the named session and is answered without one. A session unused for
 * min.incremental.fetch.session.eviction.ms (120 s) may be evicted when the cache, of
 * max.incremental.fetch.session.cache.slots sessions (1000), is full; otherwise a full fetch just
 * gets no session (id 0), as in Kafka. One cache per broker (made by the composition root), as session ids are a broker's own.
 */
import type { FetchRequest, FetchRequestFetchPartition, FetchRequestFetchTopic, FetchResponse, FetchResponseFetchableTopicResponse, FetchResponsePartitionData } from '../../protocol/messages/fetch.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock } from '../../util/clock.js';

const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;
/** min.incremental.fetch.session.eviction.ms: a Kafka internal, not a broker config. */
const EVICTION_MS = 120_000;

/** One partition of a session: what the client last asked for, and what it was last told. */
interface CachedPartition {
  readonly topic: string;
  readonly topicId: string;
  req: FetchRequestFetchPartition;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

export class FetchSession {
  /** Keyed by topic id (v13+) or name, and partition; in the order partitions are read. */
  readonly partitions = new Map<string, CachedPartition>();
  /** The epoch the next incremental request must carry. */
  epoch = 1;
  lastUsedMs: number;

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    nowMs: number,
  ) {
    this.lastUsedMs = nowMs;
  }

  key(topic: string, topicId: string, partition: number): string {
    return `${this.usesTopicIds ? topicId : topic}:${partition}`;
  }

  /** Adds or updates the request's partitions, in request order. */
  apply(topics: readonly FetchRequestFetchTopic[]): void {
    for (const t of topics) {
      for (const p of t.partitions) {
        const k = this.key(t.topic, t.topicId, p.partition);
        const cached = this.partitions.get(k);
        if (cached !== undefined) cached.req = p;
        else this.partitions.set(k, { topic: t.topic, topicId: t.topicId, req: p, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n });
      }
    }
  }

  forget(forgotten: FetchRequest['forgottenTopicsData']): void {
    for (const f of forgotten) for (const p of f.partitions) this.partitions.delete(this.key(f.topic, f.topicId, p));
  }

  /** Every partition of the session as request topics, runs of one topic grouped, in session order. */
  topics(): FetchRequestFetchTopic[] {
    const out: FetchRequestFetchTopic[] = [];
    let last: FetchRequestFetchTopic | undefined;
    for (const c of this.partitions.values()) {
      if (last === undefined || last.topic !== c.topic || last.topicId !== c.topicId) {
        last = { topic: c.topic, topicId: c.topicId, partitions: [] };
        out.push(last);
      }
      last.partitions.push(c.req);
    }
    return out;
  }

  /**
   * Records what the response tells each partition and, for an incremental fetch, keeps only the
   * partitions with something to say (Kafka's CachedPartition.maybeUpdateResponseData).
   */
  select(response: FetchResponse, incremental: boolean): FetchResponse {
    const responses: FetchResponseFetchableTopicResponse[] = [];
    const moved: [string, CachedPartition][] = [];
    for (const t of response.responses) {
      const kept: FetchResponsePartitionData[] = [];
      for (const data of t.partitions) {
        const k = this.key(t.topic, t.topicId, data.partitionIndex);
        const cached = this.partitions.get(k);
        if (cached === undefined) {
          kept.push(data);
          continue;
        }
        const hasRecords = Array.isArray(data.records) && data.records.length > 0;
        let mustRespond = hasRecords || data.errorCode !== ErrorCode.NONE || data.divergingEpoch !== undefined || data.preferredReadReplica !== -1;
        if (cached.highWatermark !== data.highWatermark) {
          cached.highWatermark = data.highWatermark;
          mustRespond = true;
        }
        if (cached.lastStableOffset !== data.lastStableOffset) {
          cached.lastStableOffset = data.lastStableOffset;
          mustRespond = true;
        }
        if (cached.logStartOffset !== data.logStartOffset) {
          cached.logStartOffset = data.logStartOffset;
          mustRespond = true;
        }
        if (!incremental || mustRespond) kept.push(data);
        if (hasRecords) moved.push([k, cached]);
      }
      if (kept.length > 0) responses.push({ ...t, partitions: kept });
    }
    for (const [k, c] of moved) {
      this.partitions.delete(k);
      this.partitions.set(k, c);
    }
    return { ...response, sessionId: this.id, responses };
  }
}

/** What a Fetch request reads and how its answer is shaped. */
export type FetchContext =
  | { readonly kind: 'error'; readonly errorCode: number }
  /** No session: read the request's partitions, answer them all with session id 0. */
  | { readonly kind: 'sessionless' }
  /** Read every partition of the session; answer all (full) or the changed ones (incremental). */
  | { readonly kind: 'session'; readonly session: FetchSession; readonly incremental: boolean };

export class FetchSessionCache {
  readonly #sessions = new Map<number, FetchSession>();

  constructor(
    private readonly clock: Clock,
    /** max.incremental.fetch.session.cache.slots, read when a session is to be created. */
    private readonly maxSessions: () => number,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Drops every session (the control plane's reset: their topics are gone); a client's next
   * incremental fetch gets FETCH_SESSION_ID_NOT_FOUND and opens a new one, as after a restart.
   */
  clear(): number {
    const n = this.#sessions.size;
    this.#sessions.clear();
    return n;
  }

  /** Kafka's FetchManager.newContext for a request of `version` (sessions exist from v7). */
  open(req: FetchRequest, version: number): FetchContext {
    if (version < 7) return { kind: 'sessionless' };
    const now = this.clock.now();
    if (req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH) {
      // A full request closes the session it names.
      if (req.sessionId !== 0) this.#sessions.delete(req.sessionId);
      if (req.sessionEpoch === FINAL_EPOCH) return { kind: 'sessionless' };
      const session = this.#create(version >= 13, now);
      if (session === null) return { kind: 'sessionless' };
      session.apply(req.topics);
      return { kind: 'session', session, incremental: false };
    }
    const session = this.#sessions.get(req.sessionId);
    if (session === undefined) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== req.sessionEpoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    if (session.usesTopicIds !== version >= 13) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
    session.apply(req.topics);
    session.forget(req.forgottenTopicsData);
    session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
    session.lastUsedMs = now;
    // Most recently used last: eviction looks at the front.
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
    return { kind: 'session', session, incremental: true };
  }

  #create(usesTopicIds: boolean, now: number): FetchSession | null {
    const max = this.maxSessions();
    if (max <= 0) return null;
    if (this.#sessions.size >= max) {
      const [oldestId, oldest] = this.#sessions.entries().next().value as [number, FetchSession];
      if (now - oldest.lastUsedMs < EVICTION_MS) return null;
      this.#sessions.delete(oldestId);
    }
    let id: number;
    do id = 1 + Math.floor(Math.random() * 0x7ffffffe);
    while (this.#sessions.has(id));
    const session = new FetchSession(id, usesTopicIds, now);
    this.#sessions.set(id, session);
    return session;
  }
}
