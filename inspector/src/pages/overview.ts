import { get } from '../api.js';
import { clear, fmtBytes, fmtInt, fmtRate, h, section, stat, table } from '../dom.js';
import { lineChart } from '../chart.js';
import type { Page } from './page.js';

interface Overview {
  broker: { nodeId: number; clusterId: string; controllerId: number; bootstrapServers: string; listeners: string[]; brokers: { nodeId: number; host: string; port: number; rack: string | null }[]; durable: boolean };
  clock: { frozen: boolean; now: number; offsetMs: number };
  faults: number;
  totals: { topics: number; partitions: number; records: number; bytes: number; groups: number; transactions: number };
  topics: { name: string; internal: boolean; partitions: number; records: number; size: number; recordsPerSec: number; producedBytesPerSec: number; fetchedBytesPerSec: number }[];
  requests: { total: number; perSec: number; byApi: { api: string; count: number; perSec: number }[]; series: { times: number[]; rate: number[] } };
}

export function overviewPage(): Page {
  let root: HTMLElement;
  const draw = (o: Overview) => {
    clear(
      root,
      h('h1', {}, 'Cluster'),
      h(
        'div',
        { class: 'stats' },
        stat('topics', fmtInt(o.totals.topics), 'total-topics'),
        stat('partitions', fmtInt(o.totals.partitions), 'total-partitions'),
        stat('records', fmtInt(o.totals.records), 'total-records'),
        stat('bytes', fmtBytes(o.totals.bytes), 'total-bytes'),
        stat('groups', fmtInt(o.totals.groups), 'total-groups'),
        stat('transactional ids', fmtInt(o.totals.transactions), 'total-transactions'),
        stat('requests/s', fmtRate(o.requests.perSec), 'request-rate'),
      ),
      section(
        'Brokers',
        table('brokers', [
          { title: 'Node', key: 'nodeId', cell: (b) => String(b.nodeId) + (b.nodeId === o.broker.controllerId ? ' (controller)' : ''), num: true },
          { title: 'Host', key: 'host', cell: (b) => b.host },
          { title: 'Port', key: 'port', cell: (b) => String(b.port), num: true },
          { title: 'Rack', key: 'rack', cell: (b) => b.rack ?? '-' },
        ], o.broker.brokers, (b) => String(b.nodeId)),
        h('p', {}, 'Cluster id ', h('code', {}, o.broker.clusterId), ' · listeners ', o.broker.listeners.map((l) => h('code', { 'data-testid': 'listener' }, l)), ' · ', o.broker.durable ? 'durable (data directory)' : 'in memory'),
      ),
      section(
        'Topics',
        table('topics', [
          { title: 'Topic', key: 'name', cell: (t) => h('a', { href: `#/topic/${encodeURIComponent(t.name)}` }, t.name, t.internal ? ' (internal)' : '') },
          { title: 'Partitions', key: 'partitions', cell: (t) => fmtInt(t.partitions), num: true },
          { title: 'Records', key: 'records', cell: (t) => fmtInt(t.records), num: true },
          { title: 'Size', key: 'size', cell: (t) => fmtBytes(t.size), num: true },
          { title: 'Records/s', key: 'recordsPerSec', cell: (t) => fmtRate(t.recordsPerSec), num: true },
          { title: 'In/s', key: 'in', cell: (t) => fmtBytes(t.producedBytesPerSec), num: true },
          { title: 'Out/s', key: 'out', cell: (t) => fmtBytes(t.fetchedBytesPerSec), num: true },
        ], o.topics, (t) => t.name, 'no topics'),
      ),
      section(
        'Requests',
        lineChart('request-chart', [{ name: 'requests/s', values: o.requests.series.rate, cls: 's1' }], fmtRate),
        table('requests', [
          { title: 'API', key: 'api', cell: (r) => r.api },
          { title: 'Requests', key: 'count', cell: (r) => fmtInt(r.count), num: true },
          { title: 'Per second', key: 'perSec', cell: (r) => fmtRate(r.perSec), num: true },
        ], o.requests.byApi, (r) => r.api, 'no requests yet'),
      ),
    );
  };
  return {
    async render(el) {
      root = el;
      draw(await get<Overview>('/ui/api/overview'));
    },
    async refresh() {
      draw(await get<Overview>('/ui/api/overview'));
    },
  };
}
