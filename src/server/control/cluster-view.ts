/**
 * The one place the control plane reads the server's state: the broker's topics, group and
 * transaction coordinators. Everything else in control/ sees only the narrow interfaces below.
 */
import type { Broker } from '../broker.js';
import { groupCoordinatorOf } from '../group/group-coordinator.js';
import { transactionCoordinatorOf } from '../txn/transaction-coordinator.js';
import type { WaitSource } from './waiters.js';

export function waitSourceOf(broker: Broker): WaitSource {
  return {
    group(groupId) {
      const g = groupCoordinatorOf(broker).group(groupId);
      return g === undefined ? null : { groupId, state: g.state, members: g.size, type: g.type };
    },
    transaction(transactionalId) {
      const t = transactionCoordinatorOf(broker).transaction(transactionalId);
      return t === undefined ? null : { transactionalId, state: t.state };
    },
    partition: (topic, index) => broker.cluster.topics.partition(topic, index),
  };
}

export function topicNameOf(broker: Broker): (topicId: string) => string | null {
  return (id) => broker.cluster.topics.getById(id)?.name ?? null;
}
