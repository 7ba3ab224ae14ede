// The planning workspace: grid edits on the map (select, split by a drawn line, merge, move a
// vertex, draw a new grid, undo/redo) with snapping, the guard's refusals drawn in red, the
// session's edit history, and responsibility: colouring grids by a zone layer, assigning
// selected grids to a zone, and "who is responsible here". The district check, auto-proposal,
// renumbering, grid history and people are collapsible sections, each in its own file.
import type * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource } from 'maplibre-gl';
import type { Feature, FeatureCollection } from 'geojson';
import { el } from '../dom';
import { onLangChange, sayMessage, sayTerm } from '../i18n';
import { api, labelUrl, tileUrl } from '../api';
import { LABEL_SOURCE, SOURCE } from '../layers';
import { activeVectorBasemap, onBasemapChange } from '../basemap';
import type { MapView } from '../map';
import type { Workspace } from '../workspace';
import {
  PlanError,
  planApi,
  type Applied,
  type BasemapSnap,
  type Edit,
  type EditSummary,
  type LayerColoursDto,
  type LonLat,
  type Problem,
  type Responsibility,
  type SnapHit,
  type ZoneSummary,
} from './api';
import { s } from './strings';
import type { Pane, PlanContext } from './context';
import { addLayers as addPaneLayers, markProblemGrids } from './overlays';
import { checkPane, ruleName } from './check';
import { proposalPane } from './proposal';
import { renumberPane } from './renumber';
import { historyPane } from './history';
import { peoplePane } from './people';

export type Tool = 'select' | 'split' | 'vertex' | 'draw' | 'who';

/** Zone colours by colour index 0–7 (the engine keeps neighbours apart). */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];
const SKETCH = 'plan-sketch';
const PROBLEMS = 'plan-problems';
const CURSOR = 'plan-cursor';

interface State {
  tool: Tool;
  selected: string[];
  sketch: LonLat[];
  cursor: LonLat | null;
  snap: SnapHit | null;
  tolerancePx: number;
  /** Snap to the active vector basemap's road centre lines / building outlines too. */
  snapRoads: boolean;
  snapBuildings: boolean;
  problems: Problem[];
  message: string;
  messageKind: 'ok' | 'error' | '';
  history: EditSummary[];
  layer: string;
  colours: LayerColoursDto | null;
  zones: ZoneSummary[];
  who: Responsibility | null;
  refreshes: number;
}

const state: State = {
  tool: 'select',
  selected: [],
  sketch: [],
  cursor: null,
  snap: null,
  tolerancePx: 12,
  snapRoads: true,
  snapBuildings: true,
  problems: [],
  message: '',
  messageKind: '',
  history: [],
  layer: '',
  colours: null,
  zones: [],
  who: null,
  refreshes: 0,
};

/** Hooks for tests: the state and the commands. */
declare global {
  interface Window {
    __planning?: {
      state: State;
      api: typeof planApi;
      setTool: (t: Tool) => void;
      idle: () => boolean;
      /** Applies an edit the way the toolbar does (selection, panel, tiles, history follow). */
      run: (edit: Edit) => Promise<void>;
      /** Ctrl+Z / Ctrl+Y. */
      undo: () => Promise<void>;
      redo: () => Promise<void>;
    };
  }
}

let view: MapView;
let pane: HTMLElement | null = null;
let busy = 0;
let dragFrom: LonLat | null = null;
let generation = 0;

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

function map(): maplibregl.Map {
  return view.map;
}

function metresPerPixel(): number {
  const m = map();
  const lat = m.getCenter().lat;
  return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** m.getZoom());
}

function setData(id: string, data: FeatureCollection): void {
  const src = map().getSource<GeoJSONSource>(id);
  void src?.setData(data);
}

/** Draws the sketch, the snap circle at the cursor (tolerance in pixels) and the problems. */
function drawOverlays(): void {
  // While the style reloads after an edit its sources are gone; the overlays are redrawn on
  // `style.load`. (Not `isStyleLoaded()`: that is false while any tile loads, and the sketch
  // drawn meanwhile — after the side panel narrowed the map, say — never showed.)
  if (!map().getSource(SKETCH)) return;
  const sk: Feature[] = [];
  const pts = state.sketch;
  const live = state.cursor && (state.tool === 'split' || state.tool === 'draw') ? [...pts, state.cursor] : pts;
  if (live.length >= 2) {
    const first = live[0];
    const coords = state.tool === 'draw' && live.length >= 3 && first ? [...live, first] : live;
    sk.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } });
  }
  for (const p of pts) sk.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } });
  setData(SKETCH, { type: 'FeatureCollection', features: sk });
  const cur: Feature[] = [];
  if (state.cursor && state.tool !== 'select' && state.tool !== 'who') {
    cur.push({ type: 'Feature', properties: { kind: 'tolerance' }, geometry: { type: 'Point', coordinates: state.cursor } });
  }
  if (state.snap) {
    cur.push({ type: 'Feature', properties: { kind: 'snap' }, geometry: { type: 'Point', coordinates: state.snap.point } });
  }
  setData(CURSOR, { type: 'FeatureCollection', features: cur });
  if (map().getLayer('plan-cursor-ring')) map().setPaintProperty('plan-cursor-ring', 'circle-radius', state.tolerancePx);
  setData(PROBLEMS, {
    type: 'FeatureCollection',
    features: state.problems
      .filter((p) => p.geometry !== null)
      .map((p) => ({ type: 'Feature', properties: { rule: p.rule }, geometry: p.geometry ?? { type: 'Point', coordinates: [0, 0] } })),
  });
  map().setFilter('plan-selected', ['in', ['get', 'code'], ['literal', state.selected]]);
  markProblemGrids(map(), state.problems.filter((p) => p.geometry === null).flatMap((p) => p.grids));
}

function addOverlayLayers(): void {
  const m = map();
  if (m.getSource(SKETCH)) return;
  addPaneLayers(m);
  m.addSource(SKETCH, { type: 'geojson', data: empty() });
  m.addSource(PROBLEMS, { type: 'geojson', data: empty() });
  m.addSource(CURSOR, { type: 'geojson', data: empty() });
  m.addLayer({
    id: 'plan-selected',
    type: 'line',
    source: SOURCE,
    'source-layer': 'grids',
    filter: ['in', ['get', 'code'], ['literal', []]],
    paint: { 'line-color': '#0d47a1', 'line-width': 4 },
  });
  // A problem's red outline stays visible on a selected grid (the grid a refusal names is often
  // the one just edited, and selected).
  if (m.getLayer('plan-problem-grids')) m.moveLayer('plan-problem-grids');
  m.addLayer({ id: 'plan-problems-fill', type: 'fill', source: PROBLEMS, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ff0000', 'fill-opacity': 0.6 } });
  m.addLayer({ id: 'plan-problems-line', type: 'line', source: PROBLEMS, paint: { 'line-color': '#d50000', 'line-width': 3 } });
  m.addLayer({ id: 'plan-sketch-line', type: 'line', source: SKETCH, paint: { 'line-color': '#ff6d00', 'line-width': 3, 'line-dasharray': [2, 1] } });
  m.addLayer({ id: 'plan-sketch-pts', type: 'circle', source: SKETCH, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#ff6d00' } });
  m.addLayer({
    id: 'plan-cursor-ring',
    type: 'circle',
    source: CURSOR,
    filter: ['==', ['get', 'kind'], 'tolerance'],
    paint: { 'circle-radius': state.tolerancePx, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#00838f', 'circle-stroke-width': 1.5 },
  });
  m.addLayer({
    id: 'plan-cursor-snap',
    type: 'circle',
    source: CURSOR,
    filter: ['==', ['get', 'kind'], 'snap'],
    paint: { 'circle-radius': 5, 'circle-color': '#00e5ff', 'circle-stroke-color': '#004d40', 'circle-stroke-width': 2 },
  });
}

/** Reloads the grid tiles (the engine serves the edited grids under a new URL). */
function refreshTiles(): void {
  state.refreshes += 1;
  const version = `${generation}-e${state.refreshes}`;
  const url = tileUrl(version);
  // `setTiles` alone left the edited tiles on screen in the web view; a full style reload with
  // the new tile URL refetches every tile (overlays and paint travel along in the style).
  const style = map().getStyle();
  const src = style.sources[SOURCE];
  if (src?.type === 'vector') src.tiles = [url];
  const labels = style.sources[LABEL_SOURCE];
  if (labels?.type === 'vector') labels.tiles = [labelUrl(version)];
  map().setStyle(style, { diff: false });
  document.body.dataset.planTiles = url;
  map().once('style.load', () => {
    drawOverlays();
    if (state.layer) void colourBy(state.layer);
  });
}

/** What a failed command tells the planner: a missing permission in words, else the message. */
function failure(e: unknown): string {
  if (e instanceof PlanError && (e.code === 'not-permitted' || e.code === 'not-signed-in')) return s('notPermitted');
  if (e instanceof PlanError) return `${s('failed')}: ${sayMessage(e.detail)}`;
  console.warn('griddesk: planning failed', e);
  return `${s('failed')}: ${sayMessage({ code: 'window-failed', params: {} })}`;
}

function say(message: string, kind: State['messageKind']): void {
  state.message = message;
  state.messageKind = kind;
  render();
}

function track<T>(p: Promise<T>): Promise<T> {
  busy += 1;
  return p.finally(() => { busy -= 1; });
}

async function loadHistory(): Promise<void> {
  state.history = await planApi.log(30);
  render();
}

function effectText(e: EditSummary): string {
  const f = e.effect;
  const parts = [];
  if (f.retired.length) parts.push(`−${f.retired.join(', ')}`);
  if (f.created.length) parts.push(`+${f.created.join(', ')}`);
  if (f.modified.length) parts.push(`~${f.modified.join(', ')}`);
  return parts.join(' ');
}

/**
 * The selection after `edit` was applied (`undone` false: applied or redone) or undone, so that it
 * never names a grid the edit retired: renamed grids keep their selection under the new code, and
 * when a selected grid went away the grids that came back in its place are selected instead (the
 * pieces after undoing a merge, the merged grid after redoing it). A newly applied edit selects
 * the first grid it created, as before.
 */
function followEdit(selected: string[], effect: EditSummary['effect'], undone: boolean, fresh: boolean): string[] {
  const gone = new Set(undone ? effect.created : effect.retired);
  const back = undone ? effect.retired : effect.created;
  const renamed = new Map(effect.renamed.map(([a, b]) => (undone ? [b, a] : [a, b])));
  if (fresh && effect.created.length > 0) return effect.created.slice(0, 1);
  const moved = selected.map((c) => renamed.get(c) ?? c);
  const kept = moved.filter((c) => !gone.has(c));
  if (kept.length === moved.length) return kept;
  return [...new Set([...kept, ...back.filter((c) => !gone.has(c))])];
}

/** The side panel shows the first selected grid (and closes when nothing is selected). */
function syncPanel(): void {
  void view.selectGrid(state.selected[0] ?? null);
}

/** The selection, the panes, the panel and the outline follow an edit (see `followEdit`). */
function followSelection(edit: EditSummary, undone: boolean, fresh: boolean): void {
  state.selected = followEdit(state.selected, edit.effect, undone, fresh);
  selectionChanged();
  syncPanel();
}

/** Applies an edit; a refusal shows its reasons and draws the problem geometry. */
async function runEdit(edit: Edit): Promise<void> {
  state.problems = [];
  try {
    const applied = await track(planApi.apply(edit));
    state.sketch = [];
    followSelection(applied.edit, false, true);
    state.problems = applied.warnings;
    say(`${s('applied')}: #${applied.edit.id} ${sayTerm(`operation.${applied.edit.operation}`)} ${effectText(applied.edit)}`, 'ok');
    refreshTiles();
  } catch (e) {
    if (e instanceof PlanError && e.report) {
      state.problems = e.report.problems;
      say(s('refused'), 'error');
    } else {
      say(failure(e), 'error');
    }
  }
  drawOverlays();
  await loadHistory();
}

async function undoRedo(undo: boolean): Promise<void> {
  state.problems = [];
  try {
    const a: Applied = await track(undo ? planApi.undo() : planApi.redo());
    followSelection(a.edit, undo, false);
    say(`${s(undo ? 'undone' : 'redone')}: #${a.edit.id} ${sayTerm(`operation.${a.edit.operation}`)}`, 'ok');
    refreshTiles();
  } catch (e) {
    say(failure(e), 'error');
  }
  drawOverlays();
  await loadHistory();
}

async function finishSketch(): Promise<void> {
  const pts = state.sketch;
  const [a, b] = pts;
  if (state.tool === 'split' && a && b) {
    let grid: string | undefined = state.selected[0];
    if (grid === undefined) {
      const mid: LonLat = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      grid = (await api.gridAt(mid[0], mid[1])) ?? undefined;
    }
    if (grid === undefined) {
      say(s('needGrid'), 'error');
      return;
    }
    await runEdit({ op: 'split', grid, line: pts });
  } else if (state.tool === 'draw' && a && pts.length >= 3) {
    await runEdit({ op: 'add_grid', ring: [...pts, a] });
  }
}

async function merge(): Promise<void> {
  if (state.selected.length < 2) {
    say(s('needTwo'), 'error');
    return;
  }
  const from = pane?.querySelector<HTMLSelectElement>('#plan-attrs')?.value ?? '';
  await runEdit({ op: 'merge', grids: state.selected, attributes_from: from === '' ? null : from });
}

/** What of the active vector basemap the tools snap to (none without one, or both off). */
function basemapSnap(): BasemapSnap | null {
  const b = activeVectorBasemap();
  if (!b || !(state.snapRoads || state.snapBuildings)) return null;
  return { id: b.id, roads: state.snapRoads, buildings: state.snapBuildings };
}

/** Snaps the cursor (within the tolerance in pixels) and returns the point to use. */
async function snapped(p: LonLat): Promise<LonLat> {
  const hit = await track(planApi.snap(p[0], p[1], state.tolerancePx * metresPerPixel(), basemapSnap()));
  state.snap = hit;
  // What the last snap hit (tests read it; `road` and `building` come from the basemap).
  document.body.dataset.planSnapLayer = hit?.layer ?? '';
  document.body.dataset.planSnapKind = hit?.kind ?? '';
  return hit ? hit.point : p;
}

let snapping = false;
function onMove(e: maplibregl.MapMouseEvent): void {
  if (state.tool === 'select' || state.tool === 'who') return;
  state.cursor = [e.lngLat.lng, e.lngLat.lat];
  if (!snapping) {
    snapping = true;
    const at = state.cursor;
    void snapped(at)
      .catch(() => at)
      .finally(() => {
        snapping = false;
        drawOverlays();
      });
  }
  drawOverlays();
}

async function onClick(e: maplibregl.MapMouseEvent): Promise<void> {
  const p: LonLat = [e.lngLat.lng, e.lngLat.lat];
  switch (state.tool) {
    case 'select': {
      const code = await track(api.gridAt(p[0], p[1]));
      if (code === null) state.selected = [];
      else if (e.originalEvent.shiftKey || multi) {
        state.selected = state.selected.includes(code) ? state.selected.filter((c) => c !== code) : [...state.selected, code];
      } else state.selected = [code];
      drawOverlays();
      render();
      selectionChanged();
      syncPanel();
      break;
    }
    case 'split':
    case 'draw':
      state.sketch.push(await snapped(p));
      drawOverlays();
      break;
    case 'who':
      state.who = await track(planApi.whoIsHere(p[0], p[1]));
      render();
      break;
    case 'vertex':
      break;
  }
}

async function onDown(e: maplibregl.MapMouseEvent): Promise<void> {
  if (state.tool !== 'vertex') return;
  e.preventDefault();
  map().dragPan.disable();
  const p: LonLat = [e.lngLat.lng, e.lngLat.lat];
  // The vertex picked up is a grid's (not the basemap's): no basemap here; where it is dropped
  // snaps to the basemap too (`onUp`).
  const hit = await track(planApi.snap(p[0], p[1], state.tolerancePx * metresPerPixel()));
  dragFrom = hit?.kind === 'vertex' ? hit.point : null;
  if (!dragFrom) map().dragPan.enable();
}

async function onUp(e: maplibregl.MapMouseEvent): Promise<void> {
  if (state.tool !== 'vertex' || !dragFrom) return;
  const from = dragFrom;
  dragFrom = null;
  map().dragPan.enable();
  const to = await snapped([e.lngLat.lng, e.lngLat.lat]);
  if (to[0] === from[0] && to[1] === from[1]) return;
  await runEdit({ op: 'move_vertex', from, to });
}

function setTool(t: Tool): void {
  state.tool = t;
  state.sketch = [];
  state.snap = null;
  document.body.dataset.planTool = t;
  const m = map();
  if (t === 'split' || t === 'draw') m.doubleClickZoom.disable();
  else m.doubleClickZoom.enable();
  m.getCanvas().style.cursor = t === 'select' ? '' : 'crosshair';
  drawOverlays();
  render();
}

/** Colours the grids by the zones of `layer` through feature-state (no geometry over IPC). */
async function colourBy(layer: string): Promise<void> {
  const m = map();
  m.removeFeatureState({ source: SOURCE, sourceLayer: 'grids' });
  state.layer = layer;
  if (!layer) {
    state.colours = null;
    state.zones = [];
    m.setPaintProperty('grids-fill', 'fill-color', baseFill);
    render();
    return;
  }
  const c = await track(planApi.zoneColours(layer));
  state.colours = c;
  state.zones = await track(planApi.zonesInLayer(layer));
  for (let i = 0; i < c.codes.length; i++) {
    const z = c.zone[i] ?? -1;
    const code = c.codes[i];
    if (z >= 0 && code !== undefined) m.setFeatureState({ source: SOURCE, sourceLayer: 'grids', id: code }, { pzone: c.ci[z] ?? 0 });
  }
  const match: ExpressionSpecification = [
    'match',
    ['coalesce', ['feature-state', 'pzone'], -1],
    ...PALETTE.flatMap((colour, i): [number, string] => [i, colour]),
    '#bdbdbd',
  ] as unknown as ExpressionSpecification;
  m.setPaintProperty('grids-fill', 'fill-color', match);
  document.body.dataset.planLayer = layer;
  render();
}

let baseFill: ExpressionSpecification | string = '#cccccc';

async function assign(): Promise<void> {
  const zone = pane?.querySelector<HTMLSelectElement>('#plan-zone')?.value ?? '';
  if (!state.layer || !zone || state.selected.length === 0) return;
  try {
    const r = await track(planApi.assign(state.layer, zone, state.selected, true));
    say(s('assignedN').replace('{n}', String(r.added.length + r.moved.length)), 'ok');
    await colourBy(state.layer);
  } catch (e) {
    say(failure(e), 'error');
  }
}

function personText(p: { name: string; role_zh: string; phone: string | null }): string {
  return `${p.name}（${p.role_zh}）${p.phone ? ` ${p.phone}` : ''}`;
}

function whoView(): HTMLElement {
  const w = state.who;
  const box = el('div', { id: 'plan-who' });
  if (!w) return box;
  box.append(el('h3', {}, s('who')));
  box.append(el('p', {}, w.grid ? `${w.grid.name} ${w.grid.code}` : s('outside')));
  const ul = el('ul', { class: 'plan-who-layers' });
  for (const l of w.layers) {
    const z = l.zone;
    const text = z
      ? `${l.layer_name}: ${z.name}${z.unit ? ` · ${z.unit.name}` : ''} · ${z.people.length ? z.people.map(personText).join('、') : s('nobody')}`
      : `${l.layer_name}: ${s('nobody')}`;
    ul.append(el('li', { 'data-layer': l.layer }, text));
  }
  box.append(ul);
  if (w.roads.length) {
    box.append(el('h4', {}, s('roads')));
    const rl = el('ul', { class: 'plan-who-roads' });
    for (const r of w.roads) {
      rl.append(el('li', { 'data-road': r.code }, `${r.name} ${r.chief_title}: ${r.chief ? personText(r.chief) : s('nobody')} (${r.distance_m.toFixed(0)} m)`));
    }
    box.append(rl);
  }
  return box;
}

function button(id: string, label: string, onClick: () => void, pressed?: boolean): HTMLButtonElement {
  const b = el('button', { type: 'button', id }, label);
  if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
  b.addEventListener('click', onClick);
  return b;
}

function multiBox(): HTMLElement {
  const box = el('input', { id: 'plan-multi', type: 'checkbox' });
  box.checked = multi;
  box.addEventListener('change', () => { multi = box.checked; });
  return el('label', {}, box, s('multi'));
}

const STATE_KEY = { applied: 'stateApplied', undone: 'stateUndone', discarded: 'stateDiscarded' } as const;

function render(): void {
  if (!pane) return;
  const tools: [Tool, Parameters<typeof s>[0]][] = [
    ['select', 'toolSelect'],
    ['split', 'toolSplit'],
    ['vertex', 'toolVertex'],
    ['draw', 'toolDraw'],
    ['who', 'toolWho'],
  ];
  const bar = el('div', { class: 'plan-toolbar', role: 'toolbar' });
  for (const [t, label] of tools) bar.append(button(`plan-tool-${t}`, s(label), () => { setTool(t); }, state.tool === t));
  bar.append(button('plan-merge', s('toolMerge'), () => { void merge(); }));
  bar.append(button('plan-undo', s('undo'), () => { void undoRedo(true); }));
  bar.append(button('plan-redo', s('redo'), () => { void undoRedo(false); }));

  const tol = el('input', { id: 'plan-tolerance', type: 'number', min: '2', max: '60', value: String(state.tolerancePx) });
  tol.addEventListener('change', () => {
    state.tolerancePx = Math.max(2, Math.min(60, Number(tol.value) || 12));
    drawOverlays();
  });
  const snapBox = (id: string, label: string, on: boolean, set: (v: boolean) => void): HTMLElement => {
    const box = el('input', { id, type: 'checkbox' });
    box.checked = on;
    box.addEventListener('change', () => {
      set(box.checked);
      state.snap = null;
      drawOverlays();
    });
    return el('label', {}, box, label);
  };
  const vector = activeVectorBasemap();
  const basemapSnaps = vector
    ? el('div', { id: 'plan-snap-basemap', class: 'plan-snap-basemap', title: vector.name },
      snapBox('plan-snap-roads', s('snapRoads'), state.snapRoads, (v) => { state.snapRoads = v; }),
      snapBox('plan-snap-buildings', s('snapBuildings'), state.snapBuildings, (v) => { state.snapBuildings = v; }))
    : null;
  const hint = { select: 'hintSelect', split: 'hintSplit', vertex: 'hintVertex', draw: 'hintDraw', who: 'hintWho' } as const;

  const attrs = el('select', { id: 'plan-attrs' });
  attrs.append(el('option', { value: '' }, s('largest')));
  for (const c of state.selected) attrs.append(el('option', { value: c }, c));

  const msg = el('div', { id: 'plan-message', class: `plan-message ${state.messageKind}` }, state.message);
  const probs = el('ul', { id: 'plan-problems' });
  for (const p of state.problems) probs.append(el('li', { class: p.severity, 'data-rule': p.rule, 'data-detail': p.detail.code }, `${ruleName(p.rule)}: ${sayMessage(p.detail)}`));

  const hist = el('ol', { id: 'plan-history' });
  if (state.history.length === 0) hist.append(el('li', {}, s('noHistory')));
  for (const h of state.history) {
    hist.append(
      el('li', { 'data-state': h.state, 'data-id': String(h.id) }, `#${h.id} ${sayTerm(`operation.${h.operation}`)} · ${s(STATE_KEY[h.state])} · ${effectText(h)}`),
    );
  }

  const layerSel = el('select', { id: 'plan-layer' });
  layerSel.append(el('option', { value: '' }, s('none')));
  for (const l of layers) {
    const o = el('option', { value: l.code }, `${l.name} (${l.zones})`);
    if (l.code === state.layer) o.setAttribute('selected', '');
    layerSel.append(o);
  }
  layerSel.addEventListener('change', () => { void colourBy(layerSel.value); });
  const zoneSel = el('select', { id: 'plan-zone' });
  for (const z of state.zones) {
    const who = z.people.map((p) => p.name).join('、');
    const sw = PALETTE[z.ci] ?? '#999';
    const o = el('option', { value: z.code }, `■ ${z.name}${who ? ` — ${who}` : ''}`);
    o.style.color = sw;
    zoneSel.append(o);
  }

  pane.replaceChildren(
    el('h2', {}, s('tools')),
    bar,
    el('label', {}, s('tolerance'), tol),
    ...(basemapSnaps ? [basemapSnaps] : []),
    el('p', { class: 'plan-hint' }, s(hint[state.tool])),
    multiBox(),
    el('p', { id: 'plan-selected' }, `${s('selected')}: ${state.selected.join(', ') || s('none')}`),
    el('label', {}, s('attrsFrom'), attrs),
    msg,
    probs,
    ...panes.map((p) => p.element),
    el('h2', {}, s('responsibility')),
    el('label', {}, s('zoneLayer'), layerSel),
    el('label', {}, s('zone'), zoneSel),
    button('plan-assign', s('assign'), () => { void assign(); }),
    whoView(),
    el('h2', {}, s('history')),
    hist,
  );
}

let layers: { code: string; name: string; zones: number }[] = [];
/** The collapsible sections (check, proposal, renumber, history, people). */
let panes: Pane[] = [];

function selectionChanged(): void {
  for (const p of panes) p.selectionChanged?.();
}

/** What the sections may use of the workspace. */
const context: PlanContext = {
  map,
  selected: () => state.selected,
  showProblems: (problems) => {
    state.problems = problems;
    drawOverlays();
    render();
  },
  edited: (message, edit) => {
    state.problems = [];
    if (edit) followSelection(edit, edit.state === 'undone', edit.state === 'applied');
    say(message, 'ok');
    refreshTiles();
    drawOverlays();
    void loadHistory();
  },
  say,
  track,
  failure,
};
/** Clicks add to the selection (as Shift-click does). */
let multi = false;
let active = false;

function onKey(e: KeyboardEvent): void {
  if (!active) return;
  const target = e.target as HTMLElement | null;
  // Typing into a field is not a shortcut; a checkbox or button with focus does not block them.
  const typing = target instanceof HTMLInputElement ? target.type !== 'checkbox' : target?.tagName === 'SELECT' || target?.tagName === 'TEXTAREA';
  if (typing) return;
  const k = e.key.toLowerCase();
  if (e.ctrlKey || e.metaKey) {
    if (k === 'z' && !e.shiftKey) void undoRedo(true);
    else if (k === 'y' || (k === 'z' && e.shiftKey)) void undoRedo(false);
    else return;
    e.preventDefault();
    return;
  }
  const keys: Record<string, Tool> = { s: 'select', l: 'split', v: 'vertex', n: 'draw', w: 'who' };
  const tool = keys[k];
  if (tool) setTool(tool);
  else if (k === 'm') void merge();
  else if (k === 'enter') void finishSketch();
  else if (k === 'escape') {
    state.sketch = [];
    state.problems = [];
    drawOverlays();
    render();
  } else return;
  e.preventDefault();
}

function mount(p: HTMLElement, v: MapView): void {
  pane = p;
  view = v;
  const m = v.map;
  const init = () => {
    addOverlayLayers();
    const fill: unknown = m.getPaintProperty('grids-fill', 'fill-color');
    if (fill !== undefined) baseFill = fill as ExpressionSpecification;
  };
  if (m.isStyleLoaded()) init();
  else m.once('load', init);
  void api.storeStatus().then((st) => {
    if (st.state === 'ready') generation = st.generation;
  });
  const guard = (f: (e: maplibregl.MapMouseEvent) => Promise<void> | void) => (e: maplibregl.MapMouseEvent) => {
    if (!active) return;
    void Promise.resolve(f(e)).catch((err: unknown) => { say(failure(err), 'error'); });
  };
  m.on('mousemove', guard(onMove));
  m.on('click', guard(onClick));
  m.on('mousedown', guard(onDown));
  m.on('mouseup', guard(onUp));
  m.on('dblclick', guard(async (e) => {
    if (state.tool !== 'split' && state.tool !== 'draw') return;
    e.preventDefault();
    await finishSketch();
  }));
  document.addEventListener('keydown', onKey);
  panes = [checkPane(context), proposalPane(context), renumberPane(context), historyPane(context), peoplePane(context)];
  onLangChange(() => {
    render();
    for (const p of panes) p.render();
  });
  // The basemap toggles follow the basemap drawn (only a vector one has roads and buildings).
  onBasemapChange(() => {
    state.snap = null;
    render();
    for (const p of panes) p.render();
  });
  window.__planning = {
    state,
    api: planApi,
    setTool,
    idle: () => busy === 0 && !snapping,
    run: runEdit,
    undo: () => undoRedo(true),
    redo: () => undoRedo(false),
  };
  render();
}

export const planningWorkspace: Workspace = {
  id: 'planning',
  label: () => s('tab'),
  mount,
  enter: () => {
    active = true;
    document.body.dataset.planTool = state.tool;
    void planApi.zoneLayers().then((l) => {
      layers = l;
      render();
    });
    void loadHistory();
  },
  leave: () => {
    active = false;
    state.cursor = null;
    drawOverlays();
  },
};
