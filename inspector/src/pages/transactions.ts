import { get } from '../api.js';
import { badge, clear, fmtAge, fmtInt, fmtTime, h, section, table } from '../dom.js';
import type { Page } from './page.js';

interface Txns {
  now: number;
  transactions: { transactionalId: string; state: string; producerId: number; producerEpoch: number; timeoutMs: number; startTime: number; ageMs: number | null; partitions: string[]; overdue: boolean }[];
  producers: { topic: string; partition: number; producerId: number; producerEpoch: number; lastSequence: number; lastTimestamp: number; coordinatorEpoch: number; currentTxnFirstOffset: number | null; hanging: boolean }[];
  truncated: boolean;
}

export function transactionsPage(): Page {
  let root: HTMLElement;
  const draw = (t: Txns) =>
    clear(
      root,
      h('h1', {}, 'Transactions'),
      table('transactions', [
        { title: 'Transactional id', key: 'transactionalId', cell: (x) => x.transactionalId },
        { title: 'State', key: 'state', cell: (x) => [x.state, x.overdue ? badge('past its timeout', 'bad') : null] },
        { title: 'Producer', key: 'producer', cell: (x) => `${x.producerId} / epoch ${x.producerEpoch}` },
        { title: 'Partitions', key: 'partitions', cell: (x) => x.partitions.join(', ') || '-' },
        { title: 'Started', key: 'startTime', cell: (x) => fmtTime(x.startTime) },
        { title: 'Age', key: 'age', cell: (x) => fmtAge(x.ageMs), num: true },
        { title: 'Timeout', key: 'timeoutMs', cell: (x) => fmtAge(x.timeoutMs), num: true },
      ], t.transactions, (x) => x.transactionalId, 'no transactional ids'),
      section(
        'Producers',
        h('p', { class: 'muted' }, 'Producer state per partition, as kafka-transactions.sh describe-producers shows it. Hanging: a transaction open on the partition that the coordinator does not know, or older than transaction.max.timeout.ms.'),
        table('producers', [
          { title: 'Partition', key: 'tp', cell: (p) => h('a', { href: `#/topic/${encodeURIComponent(p.topic)}` }, `${p.topic}-${p.partition}`) },
          { title: 'Producer id', key: 'producerId', cell: (p) => String(p.producerId), num: true },
          { title: 'Epoch', key: 'producerEpoch', cell: (p) => String(p.producerEpoch), num: true },
          { title: 'Last sequence', key: 'lastSequence', cell: (p) => String(p.lastSequence), num: true },
          { title: 'Last write', key: 'lastTimestamp', cell: (p) => `${fmtAge(t.now - p.lastTimestamp)} ago` },
          { title: 'Open txn from', key: 'currentTxnFirstOffset', cell: (p) => fmtInt(p.currentTxnFirstOffset), num: true },
          { title: '', key: 'hanging', cell: (p) => (p.hanging ? badge('hanging', 'bad') : null) },
        ], t.producers, (p) => `${p.topic}-${p.partition}:${p.producerId}`, 'no producer state'),
        t.truncated ? h('p', { class: 'muted' }, 'Only the first 2000 shown.') : null,
      ),
    );
  return {
    async render(el) {
      root = el;
      draw(await get<Txns>('/ui/api/transactions'));
    },
    async refresh() {
      draw(await get<Txns>('/ui/api/transactions'));
    },
  };
}
