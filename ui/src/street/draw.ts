// Picking a place and drawing lines and polygons on the map for the street registers: a
// frontage along the street in front of a shop, a vending zone's outline, a place for a form.
// While a pick or a drawing is under way, map clicks go here and nowhere else in this pane.
import type * as maplibregl from 'maplibre-gl';
import { el } from '../dom';
import { s } from './strings';

const DRAFT = 'street-draft';

type Mode = 'point' | 'line' | 'polygon';
interface Active {
  mode: Mode;
  points: [number, number][];
  done: (r: [number, number][] | null) => void;
}

let map: maplibregl.Map | null = null;
let active: Active | null = null;
/** The click that ended a pick: the pane's own click handler (an object under it) skips it. */
let consumed = false;

/** Whether a pick or a drawing waits for map clicks (or the current click just ended one). */
export function drawing(): boolean {
  return active !== null || consumed;
}

function showDraft(): void {
  const src = map?.getSource<maplibregl.GeoJSONSource>(DRAFT);
  if (!src) return;
  const pts = active?.points ?? [];
  const features: GeoJSON.Feature[] = pts.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }));
  const first = pts[0];
  if (first && pts.length >= 2) {
    const ring = active?.mode === 'polygon' && pts.length >= 3 ? [...pts, first] : pts;
    features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: ring }, properties: {} });
  }
  if (first && active?.mode === 'polygon' && pts.length >= 3) {
    features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...pts, first]] }, properties: {} });
  }
  void src.setData({ type: 'FeatureCollection', features });
}

function banner(hint: string, mode: Mode): void {
  document.getElementById('street-draw')?.remove();
  const count = el('span', { id: 'street-draw-count' }, mode === 'point' ? '' : `${active?.points.length ?? 0} ${s('points')}`);
  const cancel = el('button', { type: 'button', id: 'street-draw-cancel' }, s('cancel'));
  cancel.addEventListener('click', () => { finish(false); });
  const box = el('div', { id: 'street-draw', class: 'street-draw', 'data-mode': mode }, el('span', {}, hint), count);
  if (mode !== 'point') {
    const undo = el('button', { type: 'button', id: 'street-draw-undo' }, s('undoPoint'));
    undo.addEventListener('click', () => { active?.points.pop(); update(); });
    const ok = el('button', { type: 'button', id: 'street-draw-finish' }, s('finish'));
    ok.addEventListener('click', () => { finish(true); });
    box.append(undo, ok);
  }
  box.append(cancel);
  document.getElementById('map')?.append(box);
}

function update(): void {
  const c = document.getElementById('street-draw-count');
  if (c && active) {
    c.textContent = `${active.points.length} ${s('points')}`;
    c.dataset.count = String(active.points.length);
  }
  showDraft();
}

function finish(ok: boolean): void {
  const a = active;
  active = null;
  document.getElementById('street-draw')?.remove();
  delete document.body.dataset.streetDrawing;
  showDraft();
  if (!a) return;
  const need = a.mode === 'polygon' ? 3 : a.mode === 'line' ? 2 : 1;
  a.done(ok && a.points.length >= need ? a.points : null);
}

function start(mode: Mode, hint: string, done: (r: [number, number][] | null) => void): void {
  if (active) finish(false);
  active = { mode, points: [], done };
  document.body.dataset.streetDrawing = mode;
  banner(hint, mode);
  update();
}

/** The next map click (`null`: cancelled). */
export function pickPoint(hint: string): Promise<[number, number] | null> {
  return new Promise((resolve) => { start('point', hint, (r) => { resolve(r?.[0] ?? null); }); });
}

/** Points clicked on the map until Finish (`null`: cancelled or too few). */
export function drawShape(mode: 'line' | 'polygon', hint: string): Promise<[number, number][] | null> {
  return new Promise((resolve) => { start(mode, hint, resolve); });
}

/** Ends a pick or drawing in progress (the workspace was left). */
export function cancelDrawing(): void {
  if (active) finish(false);
}

export function installDraw(m: maplibregl.Map): void {
  map = m;
  const add = () => {
    if (m.getSource(DRAFT)) return;
    m.addSource(DRAFT, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    m.addLayer({ id: `${DRAFT}-fill`, type: 'fill', source: DRAFT, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#e76f51', 'fill-opacity': 0.2 } });
    m.addLayer({ id: `${DRAFT}-line`, type: 'line', source: DRAFT, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#e76f51', 'line-width': 3, 'line-dasharray': [2, 1] } });
    m.addLayer({ id: `${DRAFT}-pts`, type: 'circle', source: DRAFT, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 5, 'circle-color': '#fff', 'circle-stroke-color': '#e76f51', 'circle-stroke-width': 2 } });
  };
  if (m.isStyleLoaded()) add(); else m.once('load', add);
  m.on('click', (e) => {
    if (!active) return;
    const p: [number, number] = [e.lngLat.lng, e.lngLat.lat];
    active.points.push(p);
    consumed = true;
    setTimeout(() => { consumed = false; }, 0);
    if (active.mode === 'point') finish(true); else update();
  });
}
