import { get, send } from '../api.js';
import { clear, fmtTime, h, section, table } from '../dom.js';
import type { Page } from './page.js';

interface Clock {
  frozen: boolean;
  now: number;
  offsetMs: number;
  pendingTimers: number;
}
interface Fault {
  id: number;
  api?: string;
  topic?: string;
  partition?: number;
  clientId?: string;
  action: string;
  error?: string;
  ms?: number;
  remaining: number | null;
  hits: number;
}

/** Faults, the virtual clock and reset: the control API's own endpoints (/faults, /clock, /reset). */
export function controlPage(): Page {
  let root: HTMLElement;
  let clockBox: HTMLElement;
  let faultBox: HTMLElement;
  let message: HTMLElement;
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      message.textContent = `${what}: done`;
    } catch (e) {
      message.textContent = `${what}: ${(e as Error).message}`;
    }
    await refresh();
  };
  const refresh = async () => {
    const [clock, faults] = await Promise.all([get<Clock>('/clock'), get<Fault[]>('/faults')]);
    clear(
      clockBox,
      h('p', {}, 'Broker time ', h('strong', { 'data-testid': 'clock-now' }, fmtTime(clock.now)), ' · ', h('span', { 'data-testid': 'clock-state' }, clock.frozen ? 'frozen' : 'running'), ` · ${clock.offsetMs} ms ahead of real time · ${clock.pendingTimers} timers`),
    );
    clear(
      faultBox,
      table('faults', [
        { title: 'Id', key: 'id', cell: (f) => String(f.id), num: true },
        { title: 'Scope', key: 'scope', cell: (f) => [f.api, f.topic, f.partition, f.clientId].filter((x) => x !== undefined).join(' · ') || 'every request' },
        { title: 'Action', key: 'action', cell: (f) => `${f.action}${f.error ? ` ${f.error}` : ''}${f.ms !== undefined ? ` ${f.ms} ms` : ''}` },
        { title: 'Left', key: 'remaining', cell: (f) => (f.remaining === null ? '∞' : String(f.remaining)), num: true },
        { title: 'Hits', key: 'hits', cell: (f) => String(f.hits), num: true },
        { title: '', key: 'remove', cell: (f) => h('button', { type: 'button', onclick: () => act(`remove fault ${f.id}`, () => send('DELETE', `/faults/${f.id}`)) }, 'Remove') },
      ], faults, (f) => String(f.id), 'no fault rules'),
    );
  };
  return {
    async render(el) {
      root = el;
      clockBox = h('div');
      faultBox = h('div');
      message = h('p', { class: 'muted', role: 'status', 'data-testid': 'control-message' });
      const advance = h('input', { id: 'advance', 'aria-label': 'Advance by', value: '1m', size: 8 });
      const api = h('input', { id: 'fault-api', 'aria-label': 'API', placeholder: 'API, e.g. Produce', size: 14 });
      const topic = h('input', { id: 'fault-topic', 'aria-label': 'Topic', placeholder: 'topic (optional)', size: 14 });
      const error = h('input', { id: 'fault-error', 'aria-label': 'Error', placeholder: 'error, e.g. NOT_LEADER_OR_FOLLOWER', size: 30 });
      const count = h('input', { id: 'fault-count', 'aria-label': 'Count', type: 'number', min: 1, value: 1, style: 'width:5em' });
      const faultForm = h('form', { class: 'toolbar' }, api, topic, error, count, h('button', { type: 'submit' }, 'Add error fault'));
      faultForm.addEventListener('submit', (e) => {
        e.preventDefault();
        const spec: Record<string, unknown> = { action: 'error', error: error.value.trim(), count: Number(count.value) };
        if (api.value.trim() !== '') spec.api = api.value.trim();
        if (topic.value.trim() !== '') spec.topic = topic.value.trim();
        void act('add fault', () => send('POST', '/faults', spec));
      });
      clear(
        root,
        h('h1', {}, 'Control'),
        message,
        section(
          'Virtual clock',
          clockBox,
          h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => act('freeze', () => send('POST', '/clock/freeze')) }, 'Freeze'), h('button', { type: 'button', onclick: () => act('resume', () => send('POST', '/clock/resume')) }, 'Resume'), advance, h('button', { type: 'button', onclick: () => act('advance', () => send('POST', '/clock/advance', { duration: advance.value.trim() })) }, 'Advance')),
        ),
        section('Faults', faultBox, faultForm, h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => act('remove all faults', () => send('DELETE', '/faults')) }, 'Remove all'))),
        section(
          'Reset',
          h('p', { class: 'muted' }, 'Back to the broker as it started: the declared topics only, empty; no groups, offsets, transactions or faults.'),
          h('button', { type: 'button', class: 'danger', onclick: () => (confirm('Reset the broker? Every record, group and transaction is lost.') ? act('reset', () => send('POST', '/reset')) : undefined) }, 'Reset broker'),
        ),
      );
      await refresh();
    },
    refresh,
  };
}
