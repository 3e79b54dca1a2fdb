import { get } from '../api.js';
import { badge, clear, fmtBytes, fmtInt, fmtRate, fmtTime, h, section, stat, table } from '../dom.js';
import { lineChart } from '../chart.js';
import { decode } from '../decode.js';
import type { Bytes, Decoding } from '../decode.js';
import type { Page } from './page.js';

interface PartitionView {
  partition: number;
  leader: number;
  leaderEpoch: number;
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logEndOffset: number;
  size: number;
  segments: number;
  records: number;
  abortedTransactions: number;
  openTransactions: number;
  producers: number;
}

interface TopicDetail {
  name: string;
  id: string;
  internal: boolean;
  partitions: number;
  records: number;
  size: number;
  partitionList: PartitionView[];
  configs: { name: string; value: string | null; source: string; isDefault: boolean }[];
  series: { times: number[]; producedBytes: number[]; fetchedBytes: number[]; records: number[] } | null;
}

interface RecordView {
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  key: Bytes | null;
  value: Bytes | null;
  headers: { key: string; value: Bytes | null }[];
  producerId: number;
  producerEpoch: number;
  transactional: boolean;
  control: 'COMMIT' | 'ABORT' | null;
  aborted: boolean;
  open: boolean;
  gapBefore: number;
}

export function topicPage(): Page {
  let name = '';
  let live: HTMLElement;
  let results: HTMLElement;
  let last: RecordView[] = [];
  let decoding: Decoding = 'text';

  const drawLive = (t: TopicDetail) => {
    clear(
      live,
      h('div', { class: 'stats' }, stat('partitions', fmtInt(t.partitions), 'topic-partitions'), stat('records', fmtInt(t.records), 'topic-records'), stat('size', fmtBytes(t.size), 'topic-size')),
      section(
        'Partitions',
        table('partitions', [
          { title: 'Partition', key: 'partition', cell: (p) => String(p.partition), num: true },
          { title: 'Leader', key: 'leader', cell: (p) => `${p.leader} (epoch ${p.leaderEpoch})` },
          { title: 'Log start', key: 'logStartOffset', cell: (p) => fmtInt(p.logStartOffset), num: true },
          { title: 'High watermark', key: 'highWatermark', cell: (p) => fmtInt(p.highWatermark), num: true },
          { title: 'Last stable', key: 'lastStableOffset', cell: (p) => fmtInt(p.lastStableOffset), num: true },
          { title: 'Records', key: 'records', cell: (p) => fmtInt(p.records), num: true },
          { title: 'Size', key: 'size', cell: (p) => fmtBytes(p.size), num: true },
          { title: 'Segments', key: 'segments', cell: (p) => fmtInt(p.segments), num: true },
          { title: 'Open txns', key: 'openTransactions', cell: (p) => fmtInt(p.openTransactions), num: true },
          { title: 'Aborted txns', key: 'abortedTransactions', cell: (p) => fmtInt(p.abortedTransactions), num: true },
        ], t.partitionList, (p) => String(p.partition)),
      ),
      t.series === null ? null : section('Throughput', lineChart('throughput-chart', [{ name: 'in B/s', values: t.series.producedBytes, cls: 's1' }, { name: 'out B/s', values: t.series.fetchedBytes, cls: 's2' }], fmtBytes)),
      h(
        'details',
        {},
        h('summary', {}, `Configs (${t.configs.filter((c) => !c.isDefault).length} set, ${t.configs.length} in all)`),
        table('configs', [
          { title: 'Name', key: 'name', cell: (c) => c.name },
          { title: 'Value', key: 'value', cell: (c) => c.value ?? 'null' },
          { title: 'Source', key: 'source', cell: (c) => (c.isDefault ? c.source : h('strong', {}, c.source)) },
        ], t.configs, (c) => c.name),
      ),
    );
  };

  const drawRecords = () => {
    const flags = (r: RecordView) => [
      r.control !== null ? badge(`${r.control} marker`, r.control === 'COMMIT' ? 'ok' : 'bad') : null,
      r.aborted ? badge('aborted', 'bad') : null,
      r.open ? badge('open txn', 'warn') : null,
      r.transactional && !r.aborted && !r.open && r.control === null ? badge('txn', 'info') : null,
      r.gapBefore > 0 ? badge(`gap ${r.gapBefore}`, 'warn') : null,
    ];
    clear(
      results,
      table('records', [
        { title: 'P', key: 'partition', cell: (r) => String(r.partition), num: true },
        { title: 'Offset', key: 'offset', cell: (r) => String(r.offset), num: true },
        { title: 'Timestamp', key: 'timestamp', cell: (r) => h('span', { title: r.timestampType }, fmtTime(r.timestamp)) },
        { title: 'Key', key: 'key', cell: (r) => (r.control !== null ? '' : h('pre', {}, decode(r.key, decoding))) },
        { title: 'Value', key: 'value', cell: (r) => (r.control !== null ? '' : h('pre', {}, decode(r.value, decoding))) },
        { title: 'Headers', key: 'headers', cell: (r) => r.headers.map((x) => h('div', { class: 'header' }, h('code', {}, x.key), ': ', decode(x.value, decoding === 'hex' ? 'hex' : 'text'))) },
        { title: '', key: 'flags', cell: flags },
      ], last, (r) => `${r.partition}:${r.offset}`, 'no records'),
    );
  };

  return {
    async render(root, params) {
      name = params[0] ?? '';
      const t = await get<TopicDetail>(`/ui/api/topics/${encodeURIComponent(name)}`);
      live = h('div');
      results = h('div', { 'aria-live': 'polite' });
      const partition = h('select', { id: 'b-partition', 'aria-label': 'Partition' }, h('option', { value: '' }, 'all partitions'), t.partitionList.map((p) => h('option', { value: String(p.partition) }, `partition ${p.partition}`)));
      const mode = h('select', { id: 'b-mode', 'aria-label': 'Browse by' }, h('option', { value: 'newest' }, 'newest first'), h('option', { value: 'offset' }, 'from offset'), h('option', { value: 'time' }, 'from time'), h('option', { value: 'key' }, 'key contains'));
      const input = h('input', { id: 'b-value', 'aria-label': 'Offset, time or key', placeholder: 'offset, ISO time or key', size: 24 });
      const limit = h('input', { id: 'b-limit', 'aria-label': 'How many', type: 'number', value: 50, min: 1, max: 500, style: 'width:5em' });
      const dec = h('select', { id: 'b-decode', 'aria-label': 'Decode as' }, h('option', { value: 'text' }, 'text'), h('option', { value: 'json' }, 'JSON'), h('option', { value: 'hex' }, 'hex'));
      const status = h('span', { class: 'muted', 'data-testid': 'browse-status' });
      dec.addEventListener('change', () => {
        decoding = dec.value as Decoding;
        drawRecords();
      });
      const go = async (e?: Event) => {
        e?.preventDefault();
        const q = new URLSearchParams({ mode: mode.value, limit: limit.value });
        if (partition.value !== '') q.set('partition', partition.value);
        const v = input.value.trim();
        if (mode.value === 'offset') q.set('offset', v === '' ? '0' : v);
        if (mode.value === 'time') q.set('timestamp', String(/^\d+$/.test(v) ? Number(v) : Date.parse(v)));
        if (mode.value === 'key') q.set('key', v);
        if (mode.value === 'offset' && partition.value === '') {
          partition.value = '0';
          q.set('partition', '0');
        }
        status.textContent = 'reading…';
        try {
          const r = await get<{ records: RecordView[]; scannedBytes: number; complete: boolean }>(`/ui/api/topics/${encodeURIComponent(name)}/records?${q}`);
          last = r.records;
          status.textContent = `${r.records.length} records, ${fmtBytes(r.scannedBytes)} read${r.complete ? '' : ' (stopped early)'}`;
          drawRecords();
        } catch (err) {
          status.textContent = (err as Error).message;
        }
      };
      const form = h('form', { class: 'browse', 'data-testid': 'browse-form' }, partition, mode, input, limit, dec, h('button', { type: 'submit' }, 'Show'), status);
      form.addEventListener('submit', go);
      clear(root, h('h1', {}, 'Topic ', h('span', { 'data-testid': 'topic-name' }, t.name)), h('p', { class: 'muted' }, `id ${t.id}${t.internal ? ' · internal' : ''}`), live, section('Messages', form, results));
      drawLive(t);
      await go();
    },
    async refresh() {
      drawLive(await get<TopicDetail>(`/ui/api/topics/${encodeURIComponent(name)}`));
    },
  };
}
