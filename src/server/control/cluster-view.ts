/**
 * The control plane's reads of the server's state (topics, groups, transactions), through the
 * ControlTarget the composition root hands over.
 */
import type { ControlTarget } from './control-target.js';
import type { WaitSource } from './waiters.js';

export function waitSourceOf(target: ControlTarget): WaitSource {
  return {
    group(groupId) {
      const g = target.groups.group(groupId);
      return g === undefined ? null : { groupId, state: g.state, members: g.size, type: g.type };
    },
    transaction(transactionalId) {
      const t = target.txns.transaction(transactionalId);
      return t === undefined ? null : { transactionalId, state: t.state };
    },
    partition: (topic, index) => target.cluster.topics.partition(topic, index),
  };
}

export function topicNameOf(target: ControlTarget): (topicId: string) => string | null {
  return (id) => target.cluster.topics.getById(id)?.name ?? null;
}
