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
 * Left as is: dynamic broker configs (AlterConfigs on the broker) and the clock's time (time
 * never goes back; a frozen clock is resumed by the control plane).
 */
import { createTopic } from '../cluster/topic-create.js';
import type { ControlTarget } from './control-target.js';
import { ControlError, ControlErrorCode } from './control-error.js';

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
  /** Time the reset took (ms, wall clock). */
  readonly ms: number;
}

export function resetCluster(target: ControlTarget, declared: readonly DeclaredTopic[]): Omit<ResetReport, 'faults' | 'ms'> {
  if (target.durable) throw new ControlError(ControlErrorCode.CONFLICT, 'reset is for in-memory brokers: this one keeps its state in a data directory');
  const groups = count(target.groups.groups);
  const transactions = count(target.txns.transactions);
  // Coordinators first: their parked requests are answered and their timers stop before their
  // internal topics go.
  target.resetCoordinators();
  const registry = target.cluster.topics;
  const topics = [...registry.all()];
  for (const topic of topics) registry.delete(topic);
  for (const t of declared) {
    createTopic(target.cluster, target.config, {
      name: t.name,
      numPartitions: t.partitions,
      configs: new Map(Object.entries(t.configs ?? {}).map(([k, v]) => [k, String(v)])),
    });
  }
  return { topicsDeleted: topics.length, topicsRecreated: declared.length, groups, transactions };
}

function count(it: Iterable<unknown>): number {
  let n = 0;
  for (const _ of it) n++;
  return n;
}
