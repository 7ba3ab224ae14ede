// The map overlays of the planning panes: a proposal or renumbering preview (dashed outlines
// with labels), a grid's versions from its history (before orange dashed, after blue), the grids
// as of a past date (covering today's grids), a person's zones (highlighted unit grids), and the
// basemap buildings a grid boundary cuts through (the district check, in yellow).
// GeoJSON sources travel along when the style is reloaded after an edit.
import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import { FONT, SOURCE } from '../layers';

export type Overlay = 'plan-preview' | 'plan-versions' | 'plan-asof' | 'plan-building-cuts';

const OVERLAYS: Overlay[] = ['plan-preview', 'plan-versions', 'plan-asof', 'plan-building-cuts'];
const halo = { 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 };

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/** Adds the sources and layers (once; below the sketch and problem layers added after). */
export function addLayers(m: maplibregl.Map): void {
  if (m.getSource('plan-preview')) return;
  for (const id of OVERLAYS) m.addSource(id, { type: 'geojson', data: empty() });
  m.addLayer({
    id: 'plan-person-fill',
    type: 'fill',
    source: SOURCE,
    'source-layer': 'grids',
    filter: ['in', ['get', 'code'], ['literal', []]],
    paint: { 'fill-color': '#00bfa5', 'fill-opacity': 0.55 },
  });
  m.addLayer({
    id: 'plan-person-line',
    type: 'line',
    source: SOURCE,
    'source-layer': 'grids',
    filter: ['in', ['get', 'code'], ['literal', []]],
    paint: { 'line-color': '#004d40', 'line-width': 2 },
  });
  // Grids named by a problem that carries no geometry of its own (an area out of range…).
  m.addLayer({
    id: 'plan-problem-grids',
    type: 'line',
    source: SOURCE,
    'source-layer': 'grids',
    filter: ['in', ['get', 'code'], ['literal', []]],
    paint: { 'line-color': '#d50000', 'line-width': 4 },
  });
  m.addLayer({
    id: 'plan-building-cuts-fill',
    type: 'fill',
    source: 'plan-building-cuts',
    paint: { 'fill-color': '#ffea00', 'fill-opacity': 0.8 },
  });
  m.addLayer({
    id: 'plan-building-cuts-line',
    type: 'line',
    source: 'plan-building-cuts',
    paint: {
      'line-color': ['case', ['get', 'shown'], '#000000', '#6d4c41'],
      'line-width': ['case', ['get', 'shown'], 3, 1.5],
    },
  });
  m.addLayer({
    id: 'plan-asof-fill',
    type: 'fill',
    source: 'plan-asof',
    paint: { 'fill-color': ['case', ['get', 'current'], '#fff8e1', '#ffb74d'], 'fill-opacity': 0.92 },
  });
  m.addLayer({ id: 'plan-asof-line', type: 'line', source: 'plan-asof', paint: { 'line-color': '#4e342e', 'line-width': 1.5 } });
  m.addLayer({
    id: 'plan-asof-label',
    type: 'symbol',
    source: 'plan-asof',
    minzoom: 14,
    layout: { 'text-field': ['get', 'seq'], 'text-font': [FONT], 'text-size': 12 },
    paint: { 'text-color': '#3e2723', ...halo },
  });
  m.addLayer({
    id: 'plan-versions-fill',
    type: 'fill',
    source: 'plan-versions',
    paint: { 'fill-color': ['match', ['get', 'side'], 'before', '#ff9800', '#1e88e5'], 'fill-opacity': 0.18 },
  });
  m.addLayer({
    id: 'plan-versions-before',
    type: 'line',
    source: 'plan-versions',
    filter: ['==', ['get', 'side'], 'before'],
    paint: { 'line-color': '#e65100', 'line-width': 3, 'line-dasharray': [2, 1.5] },
  });
  m.addLayer({
    id: 'plan-versions-after',
    type: 'line',
    source: 'plan-versions',
    filter: ['==', ['get', 'side'], 'after'],
    paint: { 'line-color': '#0d47a1', 'line-width': 2.5 },
  });
  m.addLayer({
    id: 'plan-preview-line',
    type: 'line',
    source: 'plan-preview',
    paint: { 'line-color': '#6a1b9a', 'line-width': 2.5, 'line-dasharray': [3, 2] },
  });
  m.addLayer({
    id: 'plan-preview-label',
    type: 'symbol',
    source: 'plan-preview',
    layout: { 'text-field': ['get', 'label'], 'text-font': [FONT], 'text-size': 11, 'text-allow-overlap': false },
    paint: { 'text-color': '#4a148c', ...halo },
  });
}

/** Replaces an overlay's features (none: clears it). */
export function setOverlay(m: maplibregl.Map, id: Overlay, data: FeatureCollection | null): void {
  void m.getSource<GeoJSONSource>(id)?.setData(data ?? empty());
}

/** Outlines in red the grids of problems without geometry. */
export function markProblemGrids(m: maplibregl.Map, codes: string[]): void {
  if (m.getLayer('plan-problem-grids')) m.setFilter('plan-problem-grids', ['in', ['get', 'code'], ['literal', codes]]);
}

/** Highlights these unit grids (a person's zones); an empty list clears the highlight. */
export function highlightGrids(m: maplibregl.Map, codes: string[]): void {
  for (const id of ['plan-person-fill', 'plan-person-line']) {
    if (m.getLayer(id)) m.setFilter(id, ['in', ['get', 'code'], ['literal', codes]]);
  }
}
