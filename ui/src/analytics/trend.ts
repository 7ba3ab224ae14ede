// The trend chart: an inline SVG of cases per bucket; dragging across it picks a date range.
import type { Trends } from './api';

const W = 330;
const H = 120;
const PAD = { l: 30, r: 6, t: 8, b: 18 };
const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Last day of the bucket starting at `starts[i]` (the day before the next start, or `end`). */
function bucketEnd(t: Trends, i: number, end: string | null): string {
  const next = t.starts[i + 1];
  if (next === undefined) return end ?? t.starts[i] ?? '';
  const d = new Date(`${next}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Draws `t` into `host`; a brush across buckets calls `onBrush(from, to)`. */
export function drawTrend(host: HTMLElement, t: Trends, end: string | null, onBrush: (from: string, to: string) => void): void {
  const n = t.total.length;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'an-trend' }) as SVGSVGElement;
  host.replaceChildren(svg);
  if (n === 0) return;
  const max = Math.max(1, ...t.total);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const x = (i: number) => PAD.l + (n === 1 ? iw / 2 : (i * iw) / (n - 1));
  const y = (v: number) => PAD.t + ih - (v / max) * ih;
  svg.append(svgEl('line', { x1: PAD.l, y1: PAD.t + ih, x2: W - PAD.r, y2: PAD.t + ih, stroke: '#9aa5ad' }));
  svg.append(svgEl('line', { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: PAD.t + ih, stroke: '#9aa5ad' }));
  for (const v of [0, max]) {
    const label = svgEl('text', { x: PAD.l - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#5f6b73' });
    label.textContent = String(v);
    svg.append(label);
  }
  for (const i of [0, n - 1]) {
    const label = svgEl('text', { x: x(i), y: H - 4, 'text-anchor': i === 0 ? 'start' : 'end', 'font-size': 10, fill: '#5f6b73' });
    label.textContent = t.starts[i] ?? '';
    svg.append(label);
  }
  const pts = t.total.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  svg.append(svgEl('polyline', { points: pts, fill: 'none', stroke: '#1565c0', 'stroke-width': 1.6 }));
  const brush = svgEl('rect', { y: PAD.t, height: ih, x: 0, width: 0, fill: 'rgba(21,101,192,0.18)' });
  svg.append(brush);
  const index = (ev: PointerEvent) => {
    const r = svg.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * W;
    return Math.min(n - 1, Math.max(0, Math.round(((px - PAD.l) / iw) * (n - 1))));
  };
  let start: number | null = null;
  svg.addEventListener('pointerdown', (ev) => {
    start = index(ev);
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (start === null) return;
    const a = Math.min(start, index(ev));
    const b = Math.max(start, index(ev));
    brush.setAttribute('x', String(x(a)));
    brush.setAttribute('width', String(Math.max(2, x(b) - x(a))));
  });
  svg.addEventListener('pointerup', (ev) => {
    if (start === null) return;
    const a = Math.min(start, index(ev));
    const b = Math.max(start, index(ev));
    start = null;
    onBrush(t.starts[a] ?? '', bucketEnd(t, b, end));
  });
}
