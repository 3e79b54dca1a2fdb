import { get } from '../api.js';
import type { TraceEntry } from '../api.js';
import { clear, fmtBytes, h, section, table } from '../dom.js';
import { lineChart } from '../chart.js';
import type { Page } from './page.js';

interface Traffic {
  total: number;
  entries: TraceEntry[];
  times: number[];
  topics: { name: string; producedBytes: number[]; fetchedBytes: number[]; records: number[] }[];
}

/** Rows the page keeps: the browser stays light however long the tab is open. */
const KEEP = 1000;
const SHOWN = 300;

export function trafficPage(): Page {
  let entries: TraceEntry[] = [];
  let paused = false;
  let missed = 0;
  let filter = '';
  let list: HTMLElement;
  let charts: HTMLElement;
  let pauseButton: HTMLButtonElement;
  let count: HTMLElement;

  const matches = (e: TraceEntry) => {
    if (filter === '') return true;
    const f = filter.toLowerCase();
    return e.api.toLowerCase().includes(f) || (e.clientId ?? '').toLowerCase().includes(f) || e.topics.some((t) => t.toLowerCase().includes(f)) || e.summary.toLowerCase().includes(f);
  };
  const drawList = () => {
    const shown = entries.filter(matches).slice(-SHOWN).reverse();
    count.textContent = `${shown.length} shown${paused ? ` · paused, ${missed} new` : ''}`;
    clear(
      list,
      table('trace', [
        { title: '#', key: 'seq', cell: (e) => String(e.seq), num: true },
        { title: 'Time', key: 'time', cell: (e) => new Date(e.time).toISOString().slice(11, 23) },
        { title: 'API', key: 'api', cell: (e) => `${e.api} v${e.version}` },
        { title: 'Client', key: 'clientId', cell: (e) => e.clientId ?? '-' },
        { title: 'Topics', key: 'topics', cell: (e) => e.topics.join(', ') },
        { title: 'Error', key: 'errorCode', cell: (e) => (e.errorCode === null ? '' : String(e.errorCode)), num: true },
        { title: 'ms', key: 'ms', cell: (e) => (e.ms === null ? '' : e.ms.toFixed(1)), num: true },
        { title: 'Request', key: 'summary', cell: (e) => h('details', {}, h('summary', {}, e.summary.slice(0, 80)), h('pre', {}, e.summary)) },
      ], shown, (e) => String(e.seq), 'no requests match'),
    );
  };
  const drawCharts = (t: Traffic) => {
    const active = t.topics.filter((x) => x.producedBytes.some((v) => v > 0) || x.fetchedBytes.some((v) => v > 0)).slice(0, 8);
    clear(charts, active.length === 0 ? h('p', { class: 'muted' }, 'No produce or fetch traffic yet.') : active.map((x) => h('div', { class: 'chart-box' }, h('h3', {}, x.name), lineChart(`throughput-${x.name}`, [{ name: 'in', values: x.producedBytes, cls: 's1' }, { name: 'out', values: x.fetchedBytes, cls: 's2' }], (v) => `${fmtBytes(v)}/s`, 100))));
  };
  return {
    async render(root) {
      const t = await get<Traffic>('/ui/api/traffic?limit=500');
      entries = t.entries;
      list = h('div');
      charts = h('div', { class: 'charts' });
      count = h('span', { class: 'muted', 'data-testid': 'trace-count' });
      const input = h('input', { id: 'trace-filter', type: 'search', placeholder: 'filter: API, client, topic, text  ( / )', 'aria-label': 'Filter requests', size: 36 });
      input.addEventListener('input', () => {
        filter = input.value.trim();
        drawList();
      });
      pauseButton = h('button', { type: 'button', 'data-testid': 'pause', 'aria-pressed': 'false' }, 'Pause');
      pauseButton.addEventListener('click', () => {
        paused = !paused;
        missed = 0;
        pauseButton.textContent = paused ? 'Resume' : 'Pause';
        pauseButton.setAttribute('aria-pressed', String(paused));
        if (!paused) drawList();
        else count.textContent += ' · paused';
      });
      clear(root, h('h1', {}, 'Live traffic'), section('Throughput per topic', charts), section('Requests', h('div', { class: 'toolbar' }, input, pauseButton, count), list));
      drawCharts(t);
      drawList();
    },
    async refresh() {
      drawCharts(await get<Traffic>('/ui/api/traffic?limit=0'));
    },
    onTrace(batch) {
      if (paused) {
        missed += batch.length;
        count.textContent = `paused, ${missed} new`;
        return;
      }
      entries.push(...batch);
      if (entries.length > KEEP) entries = entries.slice(-KEEP);
      drawList();
    },
  };
}
