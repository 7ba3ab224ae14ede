// The street registers on the map: service objects (points), their frontages (lines) and the
// vending zones (polygons) from the engine's register tiles, and the number of objects per grid
// coloured on the grid tiles through feature-state (as the analytics per-grid map does),
// counted for the register's current search filters.
import type * as maplibregl from 'maplibre-gl';
import { schemeBase } from '../api';
import { FONT, SOURCE } from '../layers';
import * as api from './api';

export const REG_SOURCE = 'street-registers';
export const OBJECT_LAYER = 'street-objects';
const LAYERS = ['street-zones-fill', 'street-zones-line', 'street-frontages', OBJECT_LAYER, 'street-object-labels'];
const COUNT_LAYER = 'street-grid-counts';
const SELECTED = 'street-selected';
/** Class breaks of the per-grid counts (objects per grid) and their colours, light to dark. */
export const COUNT_BREAKS = [1, 2, 4, 8] as const;
export const COUNT_COLOURS = ['#fde0c5', '#facba6', '#f59e72', '#e66a3c', '#b63a16'] as const;

let map: maplibregl.Map | null = null;
let stamp = Date.now();
let shown = false;
let counted: string[] = [];

const tiles = () => `${schemeBase()}/registers/${stamp}/{z}/{x}/{y}.pbf`;

function add(m: maplibregl.Map): void {
  if (m.getSource(REG_SOURCE)) return;
  m.addSource(REG_SOURCE, { type: 'vector', tiles: [tiles()], minzoom: 12, maxzoom: 16 });
  const src = { source: REG_SOURCE };
  const hidden = { visibility: 'none' as const };
  // The per-grid counts under everything else of the registers, over the grids' own fill.
  m.addLayer({
    id: COUNT_LAYER, type: 'fill', source: SOURCE, 'source-layer': 'grids', minzoom: 13, layout: hidden,
    paint: {
      'fill-color': ['step', ['coalesce', ['feature-state', 'sc'], 0], COUNT_COLOURS[0],
        COUNT_BREAKS[0] + 1, COUNT_COLOURS[1], COUNT_BREAKS[1] + 1, COUNT_COLOURS[2], COUNT_BREAKS[2] + 1, COUNT_COLOURS[3],
        COUNT_BREAKS[3] + 1, COUNT_COLOURS[4]],
      'fill-opacity': ['case', ['>', ['coalesce', ['feature-state', 'sc'], 0], 0], 0.8, 0],
    },
  }, m.getLayer('grids-line') ? 'grids-line' : undefined);
  m.addLayer({ id: 'street-zones-fill', type: 'fill', ...src, 'source-layer': 'vending_zones', layout: hidden,
    paint: { 'fill-color': ['case', ['to-boolean', ['get', 'open']], '#f4a261', '#adb5bd'], 'fill-opacity': 0.3 } });
  m.addLayer({ id: 'street-zones-line', type: 'line', ...src, 'source-layer': 'vending_zones', layout: hidden,
    paint: { 'line-color': '#e76f51', 'line-width': 2, 'line-dasharray': [3, 2] } });
  m.addLayer({ id: 'street-frontages', type: 'line', ...src, 'source-layer': 'frontages', layout: hidden,
    paint: { 'line-color': '#7b2cbf', 'line-width': 4, 'line-opacity': 0.85 } });
  m.addLayer({ id: OBJECT_LAYER, type: 'circle', ...src, 'source-layer': 'objects', layout: hidden,
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 3, 18, 7],
      'circle-color': ['match', ['get', 'status'], 'operating', '#2b6cb0', 'suspended', '#d69e2e', '#718096'],
      'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5,
    } });
  m.addLayer({ id: 'street-object-labels', type: 'symbol', ...src, 'source-layer': 'objects', minzoom: 17,
    layout: { ...hidden, 'text-field': ['get', 'name'], 'text-font': [FONT], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top' },
    paint: { 'text-color': '#1d3557', 'text-halo-color': '#fff', 'text-halo-width': 1.5 } });
  m.addSource(SELECTED, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  m.addLayer({ id: SELECTED, type: 'circle', source: SELECTED,
    paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e76f51', 'circle-stroke-width': 3 } });
  apply();
}

function apply(): void {
  if (!map) return;
  for (const id of LAYERS) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', shown ? 'visible' : 'none');
}

export function installLayers(m: maplibregl.Map): void {
  map = m;
  if (m.isStyleLoaded()) add(m); else m.once('load', () => { add(m); });
}

/** Shows or hides the register layers. */
export function setLayersVisible(on: boolean): void {
  shown = on;
  apply();
  document.body.dataset.streetLayers = on ? '1' : '';
}

export const layersVisible = () => shown;

/** The registers changed: new tiles (a new stamp in their URL). */
export function refreshLayers(): void {
  stamp = Date.now();
  const src = map?.getSource<maplibregl.VectorTileSource>(REG_SOURCE);
  src?.setTiles([tiles()]);
}

/** Rings the selected object on the map (`null`: none). */
export function setSelected(at: [number, number] | null): void {
  const src = map?.getSource<maplibregl.GeoJSONSource>(SELECTED);
  void src?.setData({
    type: 'FeatureCollection',
    features: at ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: {} }] : [],
  });
}

function clearCounts(): void {
  if (!map) return;
  for (const code of counted) map.removeFeatureState({ source: SOURCE, sourceLayer: 'grids', id: code }, 'sc');
  counted = [];
}

/** Colours every grid by its number of objects matching `query`; returns the grids counted. */
export async function showCounts(query: api.ObjectQuery): Promise<number> {
  const rows = await api.gridCounts({ ...query, offset: 0, limit: null });
  if (!map) return 0;
  clearCounts();
  for (const [code, n] of rows) map.setFeatureState({ source: SOURCE, sourceLayer: 'grids', id: code }, { sc: n });
  counted = rows.map(([code]) => code);
  if (map.getLayer(COUNT_LAYER)) map.setLayoutProperty(COUNT_LAYER, 'visibility', 'visible');
  document.body.dataset.streetCounts = String(rows.length);
  return rows.length;
}

export function hideCounts(): void {
  clearCounts();
  if (map?.getLayer(COUNT_LAYER)) map.setLayoutProperty(COUNT_LAYER, 'visibility', 'none');
  delete document.body.dataset.streetCounts;
}
