// Place names of the installed GridDesk-built basemaps in the search box (地名): the search, a
// result's words, and flying to a picked place with a mark on it.
import * as maplibregl from 'maplibre-gl';
import { el } from '../dom';
import type { MapView } from '../map';
import { basemapApi, type BasemapPlace } from './api';
import { className, layerName } from './strings';

export type { BasemapPlace } from './api';

/**
 * Places containing every word of `query`, one per name and spot (each basemap built from the
 * same streets names them again), at most `limit`.
 */
export async function searchPlaces(query: string, limit: number): Promise<BasemapPlace[]> {
  const found = await basemapApi.placeSearch(query, limit * 2);
  const seen = new Set<string>();
  const out: BasemapPlace[] = [];
  for (const p of found) {
    const key = `${p.name}|${p.lon.toFixed(4)}|${p.lat.toFixed(4)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
    if (out.length >= limit) break;
  }
  return out;
}

/** `道路 · 次干路`: what a place is. */
export function placeKind(p: BasemapPlace): string {
  return `${layerName(p.layer)} · ${className(p.class)}`;
}

function zoomFor(p: BasemapPlace): number {
  if (p.layer === 'places') return ['city', 'town', 'district'].includes(p.class) ? 13 : 15;
  if (p.layer === 'water' || p.layer === 'waterways') return 15;
  return 17;
}

let marker: maplibregl.Marker | null = null;

/** Flies the map to `p` and marks it (the mark stays until another place is picked). */
export function showPlace(view: MapView, p: BasemapPlace): void {
  const at: [number, number] = [p.lon, p.lat];
  marker?.remove();
  const dot = el('div', { class: 'place-mark', id: 'place-mark', title: p.name, 'data-name': p.name });
  marker = new maplibregl.Marker({ element: dot, anchor: 'center' }).setLngLat(at).addTo(view.map);
  view.map.flyTo({ center: at, zoom: Math.max(view.map.getZoom(), zoomFor(p)), duration: 900 });
  document.body.dataset.lastPlace = p.name;
  document.body.dataset.placeMark = `${p.lon},${p.lat}`;
}
