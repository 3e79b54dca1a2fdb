/**
 * Reset: back to the broker as it started, fast enough to run between every test of a suite on
 * one shared broker. Every topic goes (internal ones too: committed offsets and transaction
 * state live there) and the topics declared at start come back empty with their declared
 * configs (and new topic ids, as a topic created again gets in Kafka, so a client still holding
 * the old one sees UNKNOWN_TOPIC_ID and refreshes). The group and transaction coordinators are
 * replaced by empty ones: groups, members, committed offsets, open transactions and
 * transactional ids are gone; producer state (idempotence sequences) went with the partitions.
 * Producer ids keep counting up, so an id is never handed out twice.
 *
 * The control plane also starts stopped brokers again first, and then puts back what was changed
 * since start (restorable.ts): dynamic configs, client quotas and metrics subscriptions, group
 * configs, feature levels, pushed telemetry (cluster-settings.ts), and on each broker its fetch
 * sessions, quota windows, ACLs and SCRAM credentials (the composition root lists them).
 *
 * Left as is: the clock's time (time never goes back; a frozen clock is resumed by the control
 * plane), producer ids, open connections (a client keeps its connection and finds the new state)
 * and interceptors a test installed itself with intercept().
 */
import { createTopic } from '../cluster/topic-create.js';
import type { ControlTarget } from './control-target.js';
import { ControlError, ControlErrorCode } from './control-error.js';
import { restoreAll } from './restorable.js';
import type { Restorable } from './restorable.js';

export interface DeclaredTopic {
  readonly name: string;
  readonly partitions?: number;
  readonly configs?: Readonly<Record<string, string | number | boolean>>;
}

export interface ResetReport {
  readonly topicsDeleted: number;
  readonly topicsRecreated: number;
  readonly groups: number;
  readonly transactions: number;
  readonly faults: number;
  /** Stopped brokers started again. */
  readonly brokersStarted: number;
  /** What had changed since start and was put back ("dynamic broker configs", "ACLs of broker 1"). */
  readonly restored: readonly string[];
  /** Time the reset took (ms, wall clock). */
  readonly ms: number;
}

/** Throws CONFLICT for a durable broker: its state is its data directory's. */
export function checkResettable(target: ControlTarget): void {
  if (target.durable) throw new ControlError(ControlErrorCode.CONFLICT, 'reset is for in-memory brokers: this one keeps its state in a data directory');
}

/** `settings`: what to put back as at start, after the topics go and before the declared ones come back (they see the start's configs). */
export function resetCluster(target: ControlTarget, declared: readonly DeclaredTopic[], settings: readonly Restorable[]): Pick<ResetReport, 'topicsDeleted' | 'topicsRecreated' | 'groups' | 'transactions' | 'restored'> {
  checkResettable(target);
  const groups = count(target.groups.groups);
  const transactions = count(target.txns.transactions);
  // Coordinators first: their parked requests are answered and their timers stop before their
  // internal topics go.
  target.resetCoordinators();
  const registry = target.cluster.topics;
  const topics = [...registry.all()];
  for (const topic of topics) registry.delete(topic);
  const restored = restoreAll(settings);
  for (const t of declared) {
    createTopic(target.cluster, target.config, {
      name: t.name,
      numPartitions: t.partitions,
      configs: new Map(Object.entries(t.configs ?? {}).map(([k, v]) => [k, String(v)])),
    });
  }
  return { topicsDeleted: topics.length, topicsRecreated: declared.length, groups, transactions, restored };
}

function count(it: Iterable<unknown>): number {
  let n = 0;
  for (const _ of it) n++;
  return n;
}
