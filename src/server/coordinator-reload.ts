/**
 * A snapshot's restore (control/snapshots.ts) puts the internal topics back as saved; the
 * coordinators then load them as a durable broker does at start (persistence/internal-topics.ts),
 * so groups, committed offsets, transactional ids and share-group state are the snapshot's. Here,
 * at the composition root, because control/ knows neither persistence/ nor the share coordinator.
 */
import type { ClusterServices } from './broker.js';
import type { CoordinatorsReloaded } from './control/control-target.js';
import { replayOffsetsTopic, replayTransactionState } from './persistence/internal-topics.js';
import { replayShareState } from './persistence/share-state.js';
import { OFFSETS_TOPIC } from './coordinators/group/offsets-topic.js';
import { SHARE_STATE_TOPIC } from './coordinators/share/share-state-log.js';

export function reloadCoordinators(services: ClusterServices): CoordinatorsReloaded {
  services.resetCoordinators();
  const { cluster, logger } = services;
  // Only coordinators with a topic to load are made: an unused one would start timers.
  const has = (name: string) => cluster.topics.get(name) !== undefined;
  const groups = has(OFFSETS_TOPIC) ? replayOffsetsTopic(cluster, services.groups, logger) : { groups: 0, offsets: 0 };
  const transactions = replayTransactionState(cluster, logger);
  // Committed offsets first, as at start: loading transactions may complete PrepareCommit ones.
  if (transactions.size > 0) services.txns.load(transactions);
  if (has(SHARE_STATE_TOPIC)) replayShareState(cluster, services.shares, logger);
  return { groups: groups.groups, offsets: groups.offsets, transactions: transactions.size };
}
