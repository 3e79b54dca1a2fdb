/**
 * The inspector's shell: navigation by URL hash (#/overview, #/topic/NAME, #/groups,
 * #/group/ID, #/transactions, #/traffic, #/control), one live event stream that refreshes the
 * page shown, keyboard shortcuts, and the light/dark theme.
 */
import { live } from './api.js';
import { clear, h } from './dom.js';
import type { Page } from './pages/page.js';
import { overviewPage } from './pages/overview.js';
import { topicPage } from './pages/topic.js';
import { groupPage, groupsPage } from './pages/groups.js';
import { transactionsPage } from './pages/transactions.js';
import { trafficPage } from './pages/traffic.js';
import { controlPage } from './pages/control.js';

const ROUTES: Readonly<Record<string, () => Page>> = {
  overview: overviewPage,
  topic: topicPage,
  groups: groupsPage,
  group: groupPage,
  transactions: transactionsPage,
  traffic: trafficPage,
  control: controlPage,
};
const NAV: readonly [string, string, string][] = [
  ['overview', 'Cluster', '1'],
  ['groups', 'Groups', '2'],
  ['transactions', 'Transactions', '3'],
  ['traffic', 'Traffic', '4'],
  ['control', 'Control', '5'],
];

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const liveDot = document.getElementById('live')!;
let page: Page | null = null;
let route = '';
let busy = false;
let generation = 0;

function parseHash(): { name: string; params: string[] } {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const name = parts[0] !== undefined && parts[0] in ROUTES ? parts[0] : 'overview';
  return { name, params: parts.slice(1) };
}

async function show(): Promise<void> {
  const { name, params } = parseHash();
  page?.dispose?.();
  route = name;
  const mine = ++generation;
  for (const a of nav.querySelectorAll('a')) a.toggleAttribute('aria-current', a.dataset.route === name || (name === 'group' && a.dataset.route === 'groups'));
  const p = ROUTES[name]!();
  page = p;
  main.setAttribute('aria-busy', 'true');
  try {
    await p.render(main, params);
  } catch (e) {
    if (mine === generation) clear(main, h('h1', {}, 'Not available'), h('p', { class: 'error' }, (e as Error).message));
  } finally {
    if (mine === generation) {
      main.setAttribute('aria-busy', 'false');
      main.dataset.page = name;
    }
  }
}

/** Redraws the page on a tick, keeping keyboard focus on the same link or control. */
async function refresh(): Promise<void> {
  if (busy || page?.refresh === undefined || main.getAttribute('aria-busy') === 'true') return;
  busy = true;
  const focused = document.activeElement as HTMLElement | null;
  const key = focused?.getAttribute('href') ?? focused?.id ?? null;
  try {
    await page.refresh();
    // How many redraws this page has had: tests wait on it instead of on time.
    main.dataset.redraws = String(Number(main.dataset.redraws ?? 0) + 1);
    if (key !== null && focused !== null && !focused.isConnected) {
      const again = main.querySelector<HTMLElement>(`[href="${CSS.escape(key)}"], #${CSS.escape(key)}`);
      again?.focus();
    }
  } catch {
    // The broker stopped or the object went away: the next tick tries again.
  } finally {
    busy = false;
  }
}

function setTheme(theme: string): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem('minikafka-theme', theme);
}

function initTheme(): void {
  const saved = localStorage.getItem('minikafka-theme');
  const dark = saved === null ? matchMedia('(prefers-color-scheme: dark)').matches : saved === 'dark';
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.getElementById('theme')!.addEventListener('click', () => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
}

function initNav(): void {
  clear(nav, NAV.map(([r, label, key]) => h('a', { href: `#/${r}`, 'data-route': r, 'aria-keyshortcuts': key, title: `${label} (${key})` }, label)));
}

function initKeys(): void {
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey || t.matches('input, select, textarea')) return;
    const target = NAV.find(([, , key]) => key === e.key);
    if (target !== undefined) {
      location.hash = `#/${target[0]}`;
      e.preventDefault();
    } else if (e.key === '/') {
      const input = main.querySelector<HTMLInputElement>('input[type=search], input');
      if (input !== null) {
        input.focus();
        e.preventDefault();
      }
    } else if (e.key === 't') {
      setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
    } else if (e.key === 'p' && route === 'traffic') {
      main.querySelector<HTMLButtonElement>('[data-testid=pause]')?.click();
    }
  });
}

initTheme();
initNav();
initKeys();
window.addEventListener('hashchange', () => void show());
live(
  () => void refresh(),
  (entries) => page?.onTrace?.(entries),
  (up) => {
    liveDot.textContent = up ? 'live' : 'offline';
    liveDot.className = up ? 'live up' : 'live down';
  },
);
void show();
