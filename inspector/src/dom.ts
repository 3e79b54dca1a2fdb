/** A few lines in place of a framework: build elements, format numbers, make tables. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** Elements given an event listener by h(): a row holding one is never swapped for an older copy. */
const listening = new WeakSet<Element>();

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') {
      el.addEventListener(k.replace(/^on/, ''), v);
      listening.add(el);
    }
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/**
 * Replaces el's children. Table rows (tr[data-row] in a table[data-testid]) that come out the
 * same as before are the old elements, put back: a page redrawn every sample then leaves what
 * did not change in place, so a link in a row can be clicked (and text selected) while the page
 * updates; replaced, the row would be detached under the pointer on every tick.
 */
export function clear(el: Element, ...children: (Child | Child[])[]): void {
  const before = new Map<string, Element>();
  for (const row of el.querySelectorAll('table[data-testid] tr[data-row]')) before.set(rowKey(row), row);
  el.replaceChildren();
  append(el, children);
  if (before.size === 0) return;
  for (const row of el.querySelectorAll('table[data-testid] tr[data-row]')) {
    const old = before.get(rowKey(row));
    if (old !== undefined && old.outerHTML === row.outerHTML && !holdsListener(row)) row.replaceWith(old);
  }
}

function rowKey(row: Element): string {
  return `${row.closest('table')?.getAttribute('data-testid') ?? ''}\u0000${row.getAttribute('data-row') ?? ''}`;
}

function holdsListener(row: Element): boolean {
  if (listening.has(row)) return true;
  for (const e of row.querySelectorAll('*')) if (listening.has(e)) return true;
  return false;
}

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US');
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function fmtRate(n: number): string {
  return n < 10 ? n.toFixed(1) : fmtInt(n);
}

export function fmtTime(ms: number): string {
  if (ms < 0) return '-';
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export function fmtAge(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export interface Column<T> {
  readonly title: string;
  /** data-k of the cell: the tests read cells by it. */
  readonly key: string;
  readonly cell: (row: T) => Child | Child[];
  readonly num?: boolean;
}

/** A table whose rows carry data-row (the row's id) and whose cells carry data-k. */
export function table<T>(testid: string, columns: readonly Column<T>[], rows: readonly T[], rowId: (r: T) => string, empty = 'nothing yet'): HTMLElement {
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title)));
  const body = rows.map((r) => h('tr', { 'data-row': rowId(r) }, columns.map((c) => h('td', { 'data-k': c.key, class: c.num ? 'num' : null }, c.cell(r)))));
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': testid }, h('thead', {}, head), h('tbody', {}, body.length > 0 ? body : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, empty)))));
}

export function stat(label: string, value: string, testid: string): HTMLElement {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value', 'data-testid': testid }, value), h('div', { class: 'stat-label' }, label));
}

export function section(title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h('section', {}, h('h2', {}, title), ...children);
}

export function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}
