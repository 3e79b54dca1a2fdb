import { get } from '../api.js';
import { clear, fmtInt, h, section, stat, table } from '../dom.js';
import { lineChart } from '../chart.js';
import type { Page } from './page.js';

interface GroupSummary {
  groupId: string;
  type: string;
  state: string;
  protocolType: string;
  members: number;
  lag: number;
}

interface GroupDetail extends GroupSummary {
  protocol: string;
  epoch: number | null;
  memberList: { memberId: string; instanceId: string | null; clientId: string; clientHost: string; assignment: string[] }[];
  offsets: { topic: string; partition: number; committed: number | null; highWatermark: number; lag: number | null; metadata: string; owner: string | null }[];
  series: { times: number[]; lag: number[] };
}

export function groupsPage(): Page {
  let root: HTMLElement;
  const draw = (groups: GroupSummary[]) =>
    clear(
      root,
      h('h1', {}, 'Consumer groups'),
      table('groups', [
        { title: 'Group', key: 'groupId', cell: (g) => h('a', { href: `#/group/${encodeURIComponent(g.groupId)}` }, g.groupId) },
        { title: 'Type', key: 'type', cell: (g) => g.type },
        { title: 'State', key: 'state', cell: (g) => g.state },
        { title: 'Protocol type', key: 'protocolType', cell: (g) => g.protocolType || '-' },
        { title: 'Members', key: 'members', cell: (g) => fmtInt(g.members), num: true },
        { title: 'Lag', key: 'lag', cell: (g) => fmtInt(g.lag), num: true },
      ], groups, (g) => g.groupId, 'no groups'),
    );
  return {
    async render(el) {
      root = el;
      draw(await get<GroupSummary[]>('/ui/api/groups'));
    },
    async refresh() {
      draw(await get<GroupSummary[]>('/ui/api/groups'));
    },
  };
}

export function groupPage(): Page {
  let root: HTMLElement;
  let id = '';
  const draw = (g: GroupDetail) =>
    clear(
      root,
      h('h1', {}, 'Group ', h('span', { 'data-testid': 'group-id' }, g.groupId)),
      h('div', { class: 'stats' }, stat('state', g.state, 'group-state'), stat('type', g.type, 'group-type'), stat(g.type === 'consumer' ? 'assignor' : 'protocol', g.protocol || '-', 'group-protocol'), stat('members', fmtInt(g.members), 'group-members'), stat('lag', fmtInt(g.lag), 'group-lag'), stat(g.type === 'consumer' ? 'group epoch' : 'generation', fmtInt(g.epoch), 'group-epoch')),
      section('Lag over time', lineChart('lag-chart', [{ name: 'lag', values: g.series.lag, cls: 's1' }], fmtInt)),
      section(
        'Members',
        table('members', [
          { title: 'Member', key: 'memberId', cell: (m) => h('code', {}, m.memberId) },
          { title: 'Instance', key: 'instanceId', cell: (m) => m.instanceId ?? '-' },
          { title: 'Client', key: 'clientId', cell: (m) => m.clientId },
          { title: 'Host', key: 'clientHost', cell: (m) => m.clientHost },
          { title: 'Assignment', key: 'assignment', cell: (m) => m.assignment.join(', ') || '-' },
        ], g.memberList, (m) => m.memberId, 'no members'),
      ),
      section(
        'Offsets',
        table('offsets', [
          { title: 'Topic', key: 'topic', cell: (o) => h('a', { href: `#/topic/${encodeURIComponent(o.topic)}` }, o.topic) },
          { title: 'Partition', key: 'partition', cell: (o) => String(o.partition), num: true },
          { title: 'Committed', key: 'committed', cell: (o) => fmtInt(o.committed), num: true },
          { title: 'High watermark', key: 'highWatermark', cell: (o) => fmtInt(o.highWatermark), num: true },
          { title: 'Lag', key: 'lag', cell: (o) => fmtInt(o.lag), num: true },
          { title: 'Owner', key: 'owner', cell: (o) => o.owner ?? '-' },
        ], g.offsets, (o) => `${o.topic}-${o.partition}`, 'no committed offsets'),
      ),
    );
  return {
    async render(el, params) {
      root = el;
      id = params[0] ?? '';
      draw(await get<GroupDetail>(`/ui/api/groups/${encodeURIComponent(id)}`));
    },
    async refresh() {
      draw(await get<GroupDetail>(`/ui/api/groups/${encodeURIComponent(id)}`));
    },
  };
}
