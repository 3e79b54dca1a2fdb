/** A line chart in SVG: one or more series over the same sample times, no library. */
const NS = 'http://www.w3.org/2000/svg';

export interface Line {
  readonly name: string;
  readonly values: readonly number[];
  /** A CSS class: the colour follows the theme. */
  readonly cls: string;
}

export function lineChart(testid: string, lines: readonly Line[], format: (v: number) => string, height = 120): SVGSVGElement {
  const width = 600;
  const pad = { l: 56, r: 8, t: 8, b: 18 };
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('data-testid', testid);
  svg.setAttribute('role', 'img');
  const n = Math.max(1, ...lines.map((l) => l.values.length));
  const max = Math.max(1, ...lines.flatMap((l) => l.values));
  const last = lines.map((l) => `${l.name} ${format(l.values.at(-1) ?? 0)}`).join(', ');
  svg.setAttribute('aria-label', `${lines.map((l) => l.name).join(' and ')} over the last ${n} samples; now ${last}`);
  const x = (i: number) => pad.l + ((width - pad.l - pad.r) * i) / Math.max(1, n - 1);
  const y = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / max;
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  for (const f of [0, 0.5, 1]) {
    el('line', { x1: pad.l, x2: width - pad.r, y1: y(max * f), y2: y(max * f), class: 'grid' });
    el('text', { x: pad.l - 6, y: y(max * f) + 4, class: 'axis', 'text-anchor': 'end' }, format(max * f));
  }
  el('text', { x: pad.l, y: height - 4, class: 'axis' }, `${n} samples`);
  lines.forEach((l, i) => {
    if (l.values.length === 0) return;
    const offset = n - l.values.length;
    const d = l.values.map((v, j) => `${j === 0 ? 'M' : 'L'}${x(j + offset).toFixed(1)},${y(v).toFixed(1)}`).join('');
    el('path', { d, class: `line ${l.cls}` });
    el('text', { x: width - pad.r, y: pad.t + 12 + i * 14, class: `legend ${l.cls}`, 'text-anchor': 'end' }, `${l.name}: ${format(l.values.at(-1) ?? 0)}`);
  });
  return svg;
}
