/**
 * The inspector's view of transactions and producers. Transactions come from the transaction
 * coordinator's list and describe answers (ListTransactions / DescribeTransactions); producers
 * from each partition's producer state, as kafka-transactions.sh describe-producers shows them.
 *
 * A transaction is "hanging", as kafka-transactions.sh find-hanging means it, when a partition
 * holds an open transaction that the coordinator does not know as open on that partition, or
 * one open for longer than transaction.max.timeout.ms: it holds the last stable offset back and
 * read_committed consumers with it.
 */
import type { ControlTarget } from '../control-target.js';

export interface TransactionView {
  readonly transactionalId: string;
  readonly state: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  /** -1 when no transaction has started. */
  readonly startTime: number;
  /** ms since the start of the open transaction; null when none is open. */
  readonly ageMs: number | null;
  /** "topic-partition" strings, sorted. */
  readonly partitions: string[];
  /** Open past its timeout: the coordinator should have aborted it. */
  readonly overdue: boolean;
}

export interface ProducerView {
  readonly topic: string;
  readonly partition: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly lastSequence: number;
  readonly lastTimestamp: number;
  readonly coordinatorEpoch: number;
  /** First offset of its open transaction here; null when none. */
  readonly currentTxnFirstOffset: number | null;
  readonly hanging: boolean;
}

/** Producer rows shown at most: a broker with thousands of partitions still answers quickly. */
const MAX_PRODUCERS = 2000;
const OPEN_STATES = new Set(['Ongoing', 'PrepareCommit', 'PrepareAbort']);
const DEFAULT_MAX_TIMEOUT_MS = 900_000;

export function transactions(target: ControlTarget): TransactionView[] {
  const now = target.cluster.clock.now();
  const listed = target.txns.list({ states: [], producerIds: [], durationMs: -1, transactionalIdPattern: null }).transactions;
  const out: TransactionView[] = [];
  for (const t of listed) {
    const d = target.txns.describe(t.transactionalId);
    if (d.errorCode !== 0) continue;
    const open = OPEN_STATES.has(d.state);
    const ageMs = open && d.transactionStartTimeMs >= 0 ? now - d.transactionStartTimeMs : null;
    out.push({
      transactionalId: t.transactionalId,
      state: d.state,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      timeoutMs: d.transactionTimeoutMs,
      startTime: d.transactionStartTimeMs,
      ageMs,
      partitions: d.topics.flatMap((x) => x.partitions.map((p) => `${x.topic}-${p}`)).sort(),
      overdue: ageMs !== null && ageMs > d.transactionTimeoutMs,
    });
  }
  return out.sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
}

export function producers(target: ControlTarget): { producers: ProducerView[]; truncated: boolean } {
  const now = target.cluster.clock.now();
  const maxTimeout = target.cluster.configs.brokerNumber('transaction.max.timeout.ms', DEFAULT_MAX_TIMEOUT_MS);
  // Which partitions each producer id has open in the coordinator's eyes.
  const openHere = new Set<string>();
  for (const t of transactions(target)) if (OPEN_STATES.has(t.state)) for (const tp of t.partitions) openHere.add(`${t.producerId}:${tp}`);
  const out: ProducerView[] = [];
  for (const topic of target.cluster.topics.all()) {
    for (const p of topic.partitions) {
      for (const e of p.producerState.activeProducers()) {
        if (out.length >= MAX_PRODUCERS) return { producers: out, truncated: true };
        const first = e.currentTxnFirstOffset;
        const unknown = first !== null && !openHere.has(`${e.producerId}:${topic.name}-${p.partition}`);
        const tooOld = first !== null && e.lastTimestamp >= 0 && now - e.lastTimestamp > maxTimeout;
        out.push({
          topic: topic.name,
          partition: p.partition,
          producerId: e.producerId,
          producerEpoch: e.producerEpoch,
          lastSequence: e.lastSeq,
          lastTimestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnFirstOffset: first,
          hanging: unknown || tooOld,
        });
      }
    }
  }
  return { producers: out, truncated: false };
}
