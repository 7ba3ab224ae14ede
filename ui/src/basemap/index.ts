// 底图: the basemap under the grids. A control beside the layer list chooses none or an
// installed basemap and its opacity (kept per store in localStorage); by default the first
// basemap GridDesk built (the sample's streets on first start). The basemap's source and layers
// are added to the running style right above the map's paper (background and district fill),
// under every GridDesk layer, and switched without reloading the style. Planners and
// administrators manage the basemaps from here (manage.ts).
import type * as maplibregl from 'maplibre-gl';
import { el } from '../dom';
import { onLangChange } from '../i18n';
import type { MapView } from '../map';
import { basemapApi, basemapTileUrl, onBasemapsChanged, type BasemapInfo } from './api';
import { openManage, refreshManage } from './manage';
import { bs } from './strings';
import { BASEMAP_SOURCE, basemapLayers, basemapSource, isBasemapLayer, opacityPaint } from './style';

/** Hooks for tests: the commands, the state, the choice. */
declare global {
  interface Window {
    __basemap?: {
      api: typeof basemapApi;
      state: typeof basemapState;
      choose: typeof chooseBasemap;
      refresh: typeof refreshBasemaps;
    };
  }
}

/** What the user chose: a basemap id, `null` for none, `undefined` for the default. */
interface Prefs {
  id?: string | null;
  opacity: number;
}

const state = {
  basemaps: [] as BasemapInfo[],
  canManage: false,
  /** The list answered at least once (it needs a signed-in session). */
  listed: false,
  active: null as BasemapInfo | null,
  prefs: { opacity: 1 } as Prefs,
};

let view: MapView | null = null;
let storageKey = 'griddesk.basemap';
let section: HTMLElement | null = null;
const listeners: ((b: BasemapInfo | null) => void)[] = [];
/** Tiles of the active basemap the map received (tests read it from `data-basemap-tiles`). */
let tilesLoaded = 0;

/** The basemap drawn now, if any. */
export function activeBasemap(): BasemapInfo | null {
  return state.active;
}

/** The basemap drawn now if it is a vector one: planning snaps to its roads and buildings. */
export function activeVectorBasemap(): BasemapInfo | null {
  return state.active?.tile_format === 'mvt' ? state.active : null;
}

/** Calls `f` whenever another basemap (or none) is drawn. */
export function onBasemapChange(f: (b: BasemapInfo | null) => void): void {
  listeners.push(f);
}

/** The installed basemaps as last listed, and whether this session may manage them. */
export function basemapState(): { basemaps: BasemapInfo[]; canManage: boolean; active: BasemapInfo | null } {
  return { basemaps: state.basemaps, canManage: state.canManage, active: state.active };
}

function loadPrefs(): Prefs {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(storageKey) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return { opacity: 1 };
    const r = raw as { id?: unknown; opacity?: unknown };
    const opacity = typeof r.opacity === 'number' && r.opacity >= 0 && r.opacity <= 1 ? r.opacity : 1;
    if (r.id === null) return { id: null, opacity };
    if (typeof r.id === 'string') return { id: r.id, opacity };
    return { opacity };
  } catch {
    return { opacity: 1 };
  }
}

function savePrefs(): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(state.prefs));
  } catch {
    // Not fatal: the choice holds for this session.
  }
}

/** The basemap the preferences ask for among the installed ones. */
function resolve(): BasemapInfo | null {
  const { id } = state.prefs;
  if (id === null) return null;
  const chosen = id === undefined ? undefined : state.basemaps.find((b) => b.id === id);
  return chosen ?? state.basemaps.find((b) => b.built) ?? null;
}

function map(): maplibregl.Map | null {
  return view?.map ?? null;
}

/**
 * Where basemap layers go: right above the background and the district's paper fill, so that
 * every GridDesk layer (communities, grids, labels, cases, overlays) is drawn over them.
 */
function insertBefore(m: maplibregl.Map): string | undefined {
  const layers = m.getStyle().layers;
  let i = layers.findIndex((l) => l.id === 'district-fill');
  if (i < 0) i = layers.findIndex((l) => l.type === 'background');
  return layers.slice(i + 1).find((l) => !isBasemapLayer(l.id))?.id;
}

/** The source and layers in the style now are those of the active basemap. */
function draw(): void {
  const m = map();
  // The basemap joins once the grids are drawn (like the grid labels): its tiles never delay
  // the grids at launch.
  if (!m || !gridsDrawn) return;
  const b = state.active;
  try {
    for (const l of m.getStyle().layers) if (isBasemapLayer(l.id)) m.removeLayer(l.id);
    if (m.getSource(BASEMAP_SOURCE)) m.removeSource(BASEMAP_SOURCE);
    tilesLoaded = 0;
    if (b) {
      m.addSource(BASEMAP_SOURCE, basemapSource(b, basemapTileUrl(b.id)));
      const before = insertBefore(m);
      for (const l of basemapLayers(b, state.prefs.opacity)) m.addLayer(l, before);
    }
  } catch (e) {
    // The style is being (re)loaded (a planning edit reloads it): draw once it is in.
    console.warn('griddesk: basemap waits for the style', e);
    m.once('style.load', draw);
    return;
  }
  mark();
}

function mark(): void {
  const body = document.body;
  body.dataset.basemap = state.active?.id ?? '';
  body.dataset.basemapKind = state.active ? (state.active.tile_format === 'mvt' ? (state.active.built ? 'built' : 'vector') : 'raster') : '';
  body.dataset.basemapOpacity = String(state.prefs.opacity);
  body.dataset.basemapTiles = String(tilesLoaded);
}

function setOpacity(o: number): void {
  state.prefs.opacity = o;
  savePrefs();
  const m = map();
  const b = state.active;
  if (m && b) {
    for (const l of basemapLayers(b, o)) {
      if (!m.getLayer(l.id)) continue;
      for (const [k, v] of opacityPaint(l)) m.setPaintProperty(l.id, k, v);
    }
  }
  mark();
}

/** Draws the basemap the preferences ask for, if it is not the one drawn. */
function apply(force = false): void {
  const next = resolve();
  const changed = (next?.id ?? null) !== (state.active?.id ?? null);
  state.active = next;
  if (changed || force) {
    draw();
    for (const f of listeners) f(next);
  }
  render();
}

/** Chooses basemap `id` (`null`: none) and draws it. */
export function chooseBasemap(id: string | null): void {
  state.prefs.id = id;
  savePrefs();
  apply();
}

/** Lists the installed basemaps again and draws the chosen one. */
export async function refreshBasemaps(): Promise<void> {
  try {
    const l = await basemapApi.list();
    state.basemaps = l.basemaps;
    state.canManage = l.can_manage;
    state.listed = true;
  } catch (e) {
    // Not signed in (yet, or any more): keep what is drawn; nothing to manage.
    console.warn('griddesk: basemap list failed', e);
    state.canManage = false;
  }
  apply();
  refreshManage();
}

function render(): void {
  if (!section) return;
  const select = el('select', { id: 'basemap-select' });
  select.append(el('option', { value: '' }, bs('none')));
  for (const b of state.basemaps) {
    const o = el('option', { value: b.id }, b.name);
    select.append(o);
  }
  select.value = state.active?.id ?? '';
  select.disabled = !state.listed;
  select.addEventListener('change', () => { chooseBasemap(select.value === '' ? null : select.value); });

  const pct = Math.round(state.prefs.opacity * 100);
  const slider = el('input', { id: 'basemap-opacity', type: 'range', min: '0', max: '100', step: '5', value: String(pct) });
  const shown = el('span', { id: 'basemap-opacity-value', class: 'muted' }, `${pct}%`);
  slider.addEventListener('input', () => {
    shown.textContent = `${slider.value}%`;
    setOpacity(Number(slider.value) / 100);
  });
  slider.disabled = state.active === null;

  const parts: (Node | string)[] = [
    el('h2', {}, bs('title')),
    el('div', { class: 'basemap-row' }, select),
    el('label', { class: 'basemap-row', for: 'basemap-opacity' }, bs('opacity'), ' ', slider, ' ', shown),
  ];
  if (!state.listed) parts.push(el('p', { class: 'muted', id: 'basemap-note' }, bs('signInFirst')));
  else if (state.basemaps.length === 0) parts.push(el('p', { class: 'muted', id: 'basemap-note' }, bs('noneInstalled')));
  const attribution = state.active?.attribution;
  if (attribution) parts.push(el('p', { class: 'muted basemap-attribution', id: 'basemap-attribution' }, attribution));
  if (state.canManage) {
    const manage = el('button', { type: 'button', id: 'basemap-manage-open' }, bs('manage'));
    manage.addEventListener('click', () => { openManage(); });
    parts.push(manage);
  }
  section.replaceChildren(...parts);
}

/** Whether the grids have been drawn once (the basemap waits for them). */
let gridsDrawn = false;

/** Builds the 底图 control beside the layer list and draws the chosen basemap. */
export function initBasemaps(v: MapView, storePath: string): void {
  view = v;
  storageKey = `griddesk.basemap:${storePath}`;
  state.prefs = loadPrefs();
  const layers = document.getElementById('layer-list')?.closest('section');
  section = el('section', { id: 'basemap-section' });
  if (layers) layers.after(section);
  render();
  const m = v.map;
  m.on('sourcedata', (e) => {
    if (e.sourceId === BASEMAP_SOURCE && e.tile !== undefined) {
      tilesLoaded += 1;
      document.body.dataset.basemapTiles = String(tilesLoaded);
    }
  });
  // Nothing of the basemap runs before the grids are drawn, not even the list's round trip to
  // the engine: at launch the two cores go to the grid tiles.
  void v.firstDrawn.then(async () => {
    gridsDrawn = true;
    await refreshBasemaps();
    // (A list that came earlier, after an install event, chose the basemap without drawing it.)
    if (state.active && !m.getSource(BASEMAP_SOURCE)) draw();
  });
  void onBasemapsChanged(() => { void refreshBasemaps(); });
  // The list says whether the user may manage basemaps: list again whenever the session changes.
  new MutationObserver(() => { if (gridsDrawn) void refreshBasemaps(); }).observe(document.body, {
    attributes: true,
    attributeFilter: ['data-signed-in'],
  });
  onLangChange(render);
  window.__basemap = { api: basemapApi, state: basemapState, choose: chooseBasemap, refresh: refreshBasemaps };
}
